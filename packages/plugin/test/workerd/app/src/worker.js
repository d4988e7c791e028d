// A Worker whose page has `# Pragma: revalidate 2`. Each response says what the cache did. With a
// Durable Object namespace bound as REVALIDATE, the default cache coordinates through it.
import { configure, invalidate, invalidateTag, key } from '@revalidate/runtime'
import { getHeadline } from './headlines.js'
import { setLocation } from './newsroom.js'
import { loader } from './pages/index.js'

export { RevalidateCoordinator } from '@revalidate/runtime/cloudflare'

let outcome
configure({
  onEvent(event) {
    if (event.type === 'hit' || event.type === 'stale' || event.type === 'miss') outcome = event.type.toUpperCase()
  },
})

export default {
  async fetch(request, env) {
    setLocation(env.LOCATION ?? 'unnamed')
    const url = new URL(request.url)
    if (url.pathname === '/api/invalidate' && request.method === 'POST') {
      await invalidate(`page:${url.searchParams.get('path') ?? '/'}`)
      return new Response(null, { status: 204 })
    }
    if (url.pathname === '/api/headline') {
      const id = url.searchParams.get('id') ?? ''
      const headlines = await Promise.all([getHeadline(id), getHeadline(id)])
      return Response.json({ headlines, key: key(getHeadline, id) })
    }
    if (url.pathname === '/api/invalidate-tag' && request.method === 'POST') {
      await invalidateTag(url.searchParams.get('tag') ?? '')
      return new Response(null, { status: 204 })
    }
    outcome = undefined
    const data = await loader({ request })
    return Response.json(data, { headers: { 'x-revalidate': outcome ?? 'NONE' } })
  },
}
