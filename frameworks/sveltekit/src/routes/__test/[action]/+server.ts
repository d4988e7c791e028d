// What the tests drive: load call counts, edits behind the cache's back, invalidation.
import { json } from '@sveltejs/kit'
import { invalidate } from '@revalidate/runtime'
import { loaderCalls, renamePost } from '#lib/posts.server'

export function GET() {
  return json(loaderCalls())
}

export async function POST({ params, url }) {
  if (params.action === 'rename') renamePost(url.searchParams.get('slug') ?? '', url.searchParams.get('title') ?? '')
  if (params.action === 'invalidate') await invalidate(url.searchParams.get('key') ?? '')
  return json({ ok: true })
}
