// What the tests drive: load call counts, edits behind the cache's back, invalidation.
import { json } from '@sveltejs/kit'
import { invalidate, invalidateTag } from '@revalidate/runtime'
import { loaderCalls, renamePost } from '#lib/posts.server'

export function GET() {
  return json(loaderCalls())
}

export async function POST({ params, url }) {
  if (params.action === 'rename') renamePost(url.searchParams.get('slug') ?? '', url.searchParams.get('title') ?? '')
  if (params.action === 'invalidate') await invalidate(url.searchParams.get('key') ?? '')
  if (params.action === 'invalidate-tag') await invalidateTag(url.searchParams.get('tag') ?? '')
  return json({ ok: true })
}
