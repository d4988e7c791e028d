// Pragma: revalidate 60 query page
import { listPosts } from '#lib/posts.server'

export async function load({ url }) {
  const page = Number(url.searchParams.get('page') ?? '1')
  const posts = await listPosts()
  return { page, post: posts[page - 1] ?? null }
}
