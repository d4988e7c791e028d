// A function cached with a pragma, shared by the two /shared pages: its key is
// fn:src/lib/cached-posts.server#getSharedPost:"<slug>", and invalidateTag('post:<slug>') reaches it.
import { findSharedPost } from '#lib/posts.server'

// Pragma: revalidate 5m tags posts,post:{slug}
export async function getSharedPost(slug: string) {
  return findSharedPost(slug)
}
