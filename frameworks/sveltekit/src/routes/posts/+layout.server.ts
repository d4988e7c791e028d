// Pragma: revalidate 60
import { listPosts } from '#lib/posts.server'

export async function load() {
  return { posts: await listPosts() }
}
