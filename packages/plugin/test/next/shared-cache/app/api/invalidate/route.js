import { invalidate, invalidateAll, invalidateTag } from '@revalidate/runtime'

// Our own API, inside Next: it reaches Next's entries on every instance.
export async function POST(request) {
  const query = new URL(request.url).searchParams
  if (query.has('key')) await invalidate(query.get('key'))
  else if (query.has('tag')) await invalidateTag(query.get('tag'))
  else await invalidateAll()
  return Response.json({ ok: true })
}
