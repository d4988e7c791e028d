# Pragma: revalidate 60
import { latestPosts } from '../posts.js'

export async function loader() {
  return { posts: await latestPosts() }
}

export const render = ({ posts }) => `<ul>${posts.map((post) => `<li>${post}</li>`).join('')}</ul>`
