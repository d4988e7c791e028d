// The app's server entry: a web fetch handler, as the Vercel output's function expects.
import * as about from './routes/about.js'
import * as home from './routes/index.js'
import * as post from './routes/posts/[slug].js'

const routes = [
  [/^\/$/, home, () => ({})],
  [/^\/about$/, about, () => ({})],
  [/^\/posts\/([^/]+)$/, post, (match) => ({ slug: decodeURIComponent(match[1]) })],
]

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url)
    for (const [pattern, page, paramsOf] of routes) {
      const match = pattern.exec(pathname)
      if (match) return new Response(page.render(await page.loader({ request, params: paramsOf(match) })), { headers: { 'content-type': 'text/html' } })
    }
    return new Response('Not found', { status: 404 })
  },
}
