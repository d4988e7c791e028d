// What the tests drive: frontmatter call counts, edits behind the cache's back, invalidation.
import { invalidate } from '@revalidate/runtime'
import type { APIRoute } from 'astro'
import { loaderCalls, renamePost } from '../../lib/posts'

export const GET: APIRoute = () => Response.json(loaderCalls())

export const POST: APIRoute = async ({ params, url }) => {
  if (params.action === 'rename') renamePost(url.searchParams.get('slug') ?? '', url.searchParams.get('title') ?? '')
  if (params.action === 'invalidate') await invalidate(url.searchParams.get('key') ?? '')
  return Response.json({ ok: true })
}
