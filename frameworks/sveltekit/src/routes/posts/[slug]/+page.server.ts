// Pragma: revalidate 60
import { error } from '@sveltejs/kit'
import { findPost } from '#lib/posts.server'

export async function load({ params, depends }) {
  depends('app:posts')
  const post = await findPost(params.slug)
  if (!post) error(404, 'No such post')
  return { post }
}
