// What the tests drive: loader call counts, edits behind the cache's back, invalidation.
import { invalidate, invalidateTag } from '@revalidate/runtime'
import { loaderCalls, renamePost } from '../posts.server'

export function loader() {
  return Response.json(loaderCalls())
}

export async function action({ request }: { request: Request }) {
  const url = new URL(request.url)
  if (url.pathname.endsWith('/rename')) renamePost(url.searchParams.get('slug') ?? '', url.searchParams.get('title') ?? '')
  if (url.pathname.endsWith('/invalidate')) await invalidate(url.searchParams.get('key') ?? '')
  if (url.pathname.endsWith('/invalidate-tag')) await invalidateTag(url.searchParams.get('tag') ?? '')
  return Response.json({ ok: true })
}
