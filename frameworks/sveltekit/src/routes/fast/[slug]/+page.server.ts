// Pragma: revalidate 1
import { findFastPost } from '#lib/posts.server'

export async function load({ params }) {
  return { post: await findFastPost(params.slug) }
}
