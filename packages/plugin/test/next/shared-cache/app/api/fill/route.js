import { nextCacheUsage } from '@revalidate/runtime/next'
import { filler } from '../../../lib/data.js'

// `count` distinct 'use cache' entries, then what the memory tier of this instance holds.
export async function GET(request) {
  const count = Number(new URL(request.url).searchParams.get('count'))
  for (let i = 0; i < count; i++) await filler(i)
  return Response.json(nextCacheUsage() ?? null)
}
