// The blog's HTTP server. `node server.js` serves the production build (dist/); `--dev` runs
// Vite's dev server in middleware mode with the same plugin, so pages are wrapped as in production.
// The cache inspector: in dev the plugin serves it at /__revalidate; in production it is mounted
// there when REVALIDATE_INSPECTOR_TOKEN is set, read-only unless REVALIDATE_INSPECTOR_ALLOW_INVALIDATE=true.
import { inspector, toNodeListener } from '@revalidate/runtime/inspector'
import { createReadStream, existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { extname, join, normalize } from 'node:path'

const ROOT = import.meta.dirname
const DEV = process.argv.includes('--dev')
const CONTENT_TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.svg': 'image/svg+xml', '.ico': 'image/x-icon' }

const vite = DEV
  ? await (await import('vite')).createServer({ root: ROOT, server: { middlewareMode: true }, appType: 'custom' })
  : undefined
const productionTemplate = DEV ? undefined : await readFile(join(ROOT, 'dist/client/index.html'), 'utf8')
const productionEntry = DEV ? undefined : await import('./dist/server/entry-server.js')
const inspect =
  DEV || !process.env.REVALIDATE_INSPECTOR_TOKEN
    ? undefined
    : toNodeListener(inspector({ token: process.env.REVALIDATE_INSPECTOR_TOKEN, allowInvalidate: process.env.REVALIDATE_INSPECTOR_ALLOW_INVALIDATE === 'true' }))

async function app(url) {
  if (!vite) return { entry: productionEntry, template: productionTemplate }
  const template = await vite.transformIndexHtml(url, await readFile(join(ROOT, 'index.html'), 'utf8'))
  return { entry: await vite.ssrLoadModule('/src/entry-server.js'), template }
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, headers)
  res.end(body)
}

const json = (res, status, value) => send(res, status, JSON.stringify(value), { 'content-type': 'application/json' })

async function readBody(req) {
  const chunks = []
  for await (const chunk of req) chunks.push(chunk)
  const text = Buffer.concat(chunks).toString('utf8')
  if (!text) return {}
  return req.headers['content-type']?.includes('application/json') ? JSON.parse(text) : Object.fromEntries(new URLSearchParams(text))
}

function serveStatic(req, res, pathname) {
  if (pathname === '/sw.js') {
    // The service worker, at the root so that its scope is the whole site; checked for updates on every visit.
    res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-cache' })
    createReadStream(join(ROOT, 'dist/client/sw.js')).pipe(res)
    return true
  }
  if (!pathname.startsWith('/assets/')) return false // the client build puts every asset there
  const file = normalize(join(ROOT, 'dist/client', pathname))
  if (!file.startsWith(join(ROOT, 'dist/client', 'assets')) || !existsSync(file)) return false
  res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'public, max-age=31536000, immutable' })
  createReadStream(file).pipe(res)
  return true
}

/** Mutations, through the JSON API (the island's path) or plain form posts (no JavaScript). */
async function mutate(entry, req, res, pathname) {
  const api = pathname.startsWith('/api/')
  const slug = decodeURIComponent(pathname.split('/')[api ? 3 : 2] ?? '')
  try {
    if (req.method === 'POST' && (pathname === '/api/posts' || pathname === '/posts')) {
      const created = await entry.createPost(await readBody(req))
      return api ? json(res, 201, { slug: created }) : send(res, 303, '', { location: `/posts/${created}` })
    }
    if ((req.method === 'PUT' && api) || (req.method === 'POST' && pathname.endsWith('/edit'))) {
      const updated = await entry.updatePost(slug, await readBody(req))
      if (!updated) return json(res, 404, { error: `no post ${slug}` })
      return api ? json(res, 200, { slug }) : send(res, 303, '', { location: `/posts/${slug}` })
    }
    if ((req.method === 'DELETE' && api) || (req.method === 'POST' && pathname.endsWith('/delete'))) {
      const deleted = await entry.deletePost(slug)
      if (!deleted) return json(res, 404, { error: `no post ${slug}` })
      return api ? send(res, 204, '') : send(res, 303, '', { location: '/' })
    }
  } catch (error) {
    if (error instanceof entry.InvalidPost || error instanceof SyntaxError) return json(res, 400, { error: error.message })
    throw error
  }
  return json(res, 405, { error: `${req.method} ${pathname} is not allowed` })
}

/** The JSON API's reads, cached by hand: posts:all, post:<slug>, category:<id>:posts. */
async function readApi(entry, res, pathname) {
  if (pathname === '/api/posts') return json(res, 200, await entry.listPosts())
  const post = /^\/api\/posts\/([^/]+)$/.exec(pathname)
  if (post) {
    const found = await entry.getPost(decodeURIComponent(post[1]))
    return found ? json(res, 200, found) : json(res, 404, { error: 'not found' })
  }
  const category = /^\/api\/categories\/(\d+)\/posts$/.exec(pathname)
  if (category) return json(res, 200, await entry.postsInCategory(Number(category[1])))
  return json(res, 404, { error: 'not found' })
}

async function handle(req, res) {
  const url = new URL(req.url, `http://${req.headers.host ?? 'localhost'}`)
  const { pathname } = url
  if (inspect && (pathname === '/__revalidate' || pathname.startsWith('/__revalidate/'))) return inspect(req, res)
  if (!vite && req.method === 'GET' && serveStatic(req, res, pathname)) return
  const { entry, template } = await app(url.href)
  if (pathname === '/__test/clock' && req.method === 'POST' && entry.testClockEnabled) {
    entry.advanceClock(Number(url.searchParams.get('advance')))
    return send(res, 204, '')
  }
  if (pathname === '/__test/stats' && entry.testClockEnabled) return json(res, 200, { queries: entry.queriesRun() })
  if (req.method === 'GET' && pathname.startsWith('/api/')) return readApi(entry, res, pathname)
  if (req.method !== 'GET' && req.method !== 'HEAD') return mutate(entry, req, res, pathname)
  const page = await entry.render(new Request(url, { headers: req.headers }))
  if (page === null) return send(res, 404, 'Not found', { 'content-type': 'text/plain' })
  const html = template.replace('<!--app-head-->', page.head).replace('<!--app-html-->', page.html)
  send(res, page.status, html, { 'content-type': 'text/html; charset=utf-8', 'x-revalidate': page.cache.state ?? 'NONE', 'x-revalidate-age': String(page.cache.ageSeconds ?? 0) })
}

const server = createServer((req, res) => {
  const respond = () =>
    handle(req, res).catch((error) => {
      vite?.ssrFixStacktrace(error)
      console.error(error)
      if (!res.headersSent) send(res, 500, String(error.stack ?? error), { 'content-type': 'text/plain' })
    })
  if (vite) vite.middlewares(req, res, respond)
  else respond()
})

/** Listens on PORT (default 3000), or the next free port after it. */
function listen(port, triesLeft = 20) {
  server.once('error', (error) => {
    if (error.code === 'EADDRINUSE' && triesLeft > 0 && !process.env.PORT) return listen(port + 1, triesLeft - 1)
    throw error
  })
  server.listen(port, '127.0.0.1', () => {
    const { port: bound } = server.address()
    // One write: whoever reads the address (test/blog-server.mjs) has the next line too.
    console.log(`revalidate blog (${DEV ? 'dev' : 'production'}) at http://localhost:${bound}\nThe Astro blog: npm run start:astro`)
  })
}

listen(Number(process.env.PORT ?? 3000))
