// A function cached with a pragma, shared by the two /shared pages: its key is
// fn:app/cached-posts.server#getSharedPost:"<slug>", and invalidateTag('post:<slug>') reaches it.
import { findSharedPost } from './posts.server'

// Pragma: revalidate 5m tags posts,post:{slug}
export async function getSharedPost(slug: string) {
  return findSharedPost(slug)
}
