// The app's server entry: a web fetch handler, as the Vercel output's function expects.
import * as about from './routes/about.js'
import * as docs from './routes/docs/[[...rest]].js'
import * as home from './routes/index.js'
import * as post from './routes/posts/[slug].js'
import * as item from './routes/v1.0/[id].js'

const routes = [
  [/^\/$/, home, () => ({})],
  [/^\/about$/, about, () => ({})],
  [/^\/posts\/([^/]+)$/, post, (match) => ({ slug: decodeURIComponent(match[1]) })],
  [/^\/docs(?:\/(.+))?$/, docs, (match) => ({ rest: match[1] && decodeURIComponent(match[1]) })],
  [/^\/v1\.0\/([^/]+)$/, item, (match) => ({ id: decodeURIComponent(match[1]) })],
]

async function respond(request) {
  const { pathname } = new URL(request.url)
  // A redirect, whose headers cannot be changed: the function still marks it for ISR.
  if (pathname === '/posts/moved') return Response.redirect(new URL('/posts/hello', request.url), 301)
  for (const [pattern, page, paramsOf] of routes) {
    const match = pattern.exec(pathname)
    if (!match) continue
    try {
      const html = page.render(await page.loader({ request, params: paramsOf(match) }))
      if (html === null) return new Response('Not found', { status: 404 })
      return new Response(html, { headers: { 'content-type': 'text/html' } })
    } catch {
      return new Response('Something went wrong', { status: 500 })
    }
  }
  return new Response('Not found', { status: 404 })
}

export default {
  async fetch(request) {
    const response = await respond(request)
    // Stands for a page that sets cookies (a session, a consent banner): every one must arrive.
    for (const cookie of request.headers.get('x-set-cookies')?.split('|') ?? []) response.headers.append('set-cookie', cookie.trim())
    return response
  },
}
