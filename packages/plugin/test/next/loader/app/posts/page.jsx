// Pragma: revalidate 45
import { listPosts } from '../posts.js'

export default async function Posts() {
  const posts = await listPosts()
  return <ul>{posts.map((post) => <li key={post}>{post}</li>)}</ul>
}
