// A Worker whose page has `# Pragma: revalidate 2`. Each response says what the cache did.
import { configure, invalidate } from '@revalidate/runtime'
import { loader } from './pages/index.js'

let outcome
configure({
  onEvent(event) {
    if (event.type === 'hit' || event.type === 'stale' || event.type === 'miss') outcome = event.type.toUpperCase()
  },
})

export default {
  async fetch(request) {
    const url = new URL(request.url)
    if (url.pathname === '/api/invalidate' && request.method === 'POST') {
      await invalidate(`page:${url.searchParams.get('path') ?? '/'}`)
      return new Response(null, { status: 204 })
    }
    outcome = undefined
    const data = await loader({ request })
    return Response.json(data, { headers: { 'x-revalidate': outcome ?? 'NONE' } })
  },
}
