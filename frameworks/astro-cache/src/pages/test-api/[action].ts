// What the tests drive: render counts, edits behind the cache's back, gates, invalidation.
import { invalidate } from '@revalidate/runtime'
import type { APIRoute } from 'astro'
import { closeGate, openGate, rename, renderCounts } from '../../lib/site'

export const GET: APIRoute = () => Response.json(renderCounts())

export const POST: APIRoute = async ({ params, url, cache }) => {
  const query = url.searchParams
  const slug = query.get('slug') ?? ''
  if (params.action === 'rename') rename(slug, query.get('title') ?? '')
  else if (params.action === 'close-gate') closeGate(slug)
  else if (params.action === 'open-gate') openGate(slug)
  else if (params.action === 'invalidate') await cache.invalidate({ path: query.get('path') ?? undefined, tags: query.getAll('tag') })
  else if (params.action === 'invalidate-page') await invalidate(query.get('key') ?? '')
  else return new Response(`unknown action ${params.action}`, { status: 404 })
  return Response.json({ ok: true })
}
