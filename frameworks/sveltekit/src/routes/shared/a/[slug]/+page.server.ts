// A page without a pragma that reads one post through the cached function (its twin: the other /shared page).
import { getSharedPost } from '#lib/cached-posts.server'

export async function load({ params }) {
  return { post: await getSharedPost(params.slug) }
}
