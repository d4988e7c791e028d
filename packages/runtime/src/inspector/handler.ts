/**
 * The inspector as a fetch handler, `(request: Request) => Promise<Response>`, for Node (with
 * `toNodeListener`), Workers, Vercel functions and any framework's route:
 *
 *   GET  <path>                  the page
 *   GET  <path>/api/state        the caches, their stats and entries (listing.ts)
 *   GET  <path>/api/events       the events, as Server-Sent Events (events.ts)
 *   POST <path>/api/invalidate   { cache?, key } | { cache?, tag } | { cache?, all: true }
 *
 * In production (`inspector({ token })`) every request without the token is refused (401, and
 * the browser asks for it: any user name, the token as password), invalidation is refused unless
 * `allowInvalidate`, and nothing is cached (`Cache-Control: no-store`). `devInspector()` is the
 * Vite plugin's: no token, invalidation allowed, refused in a production process.
 */
import { registeredCaches } from '../cache-registry.js'
import { isProduction } from '../value-model.js'
import { eventStream } from './events.js'
import { inspectCaches, listingQuery, type InspectedPage } from './listing.js'
import { inspectorPage, pagePolicy } from './page.js'
import { checkToken, tokenCheck } from './token.js'

export type InspectorHandler = (request: Request) => Promise<Response>

export interface InspectorOptions {
  /**
   * What every request must carry: `Authorization: Bearer <token>`, or the browser's Basic
   * sign-in with the token as password. At least 16 characters; keep it out of the code (an
   * environment variable) and out of URLs.
   */
  token: string
  /**
   * Lets the page invalidate keys, tags and everything. Off, the inspector only reads.
   * @default false
   */
  allowInvalidate?: boolean
  /**
   * Where the handler is mounted: requests outside it get a 404.
   * @default '/__revalidate'
   */
  path?: string
}

export interface DevInspectorOptions {
  /** @default '/__revalidate' */
  path?: string
  /** The compiled pages the dev server knows: their entries link to their file. */
  pages?: () => readonly InspectedPage[]
}

export const DEFAULT_PATH = '/__revalidate'
/** Largest invalidation request body read. */
const MAX_BODY_BYTES = 64 * 1024

interface HandlerSettings {
  path: string
  allowInvalidate: boolean
  dev: boolean
  authorized: (request: Request) => Promise<boolean>
  pages: () => readonly InspectedPage[]
}

/** The production inspector: refuses every request without `token`. */
export function inspector(options: InspectorOptions): InspectorHandler {
  if (typeof options !== 'object' || options === null) throw new TypeError('inspector: pass { token, allowInvalidate?, path? }')
  const token = checkToken('inspector', options.token)
  if (options.allowInvalidate !== undefined && typeof options.allowInvalidate !== 'boolean') {
    throw new TypeError(`inspector: allowInvalidate must be true or false, got ${typeof options.allowInvalidate}`)
  }
  return createHandler({ path: checkPath(options.path), allowInvalidate: options.allowInvalidate === true, dev: false, authorized: tokenCheck(token), pages: () => [] })
}

/** The dev server's inspector (the Vite plugin mounts it): no token, so never in production. */
export function devInspector(options: DevInspectorOptions = {}): InspectorHandler {
  if (isProduction()) {
    throw new Error('devInspector: refused in production (NODE_ENV=production), since it has no token. Mount inspector({ token }) instead.')
  }
  return createHandler({ path: checkPath(options.path), allowInvalidate: true, dev: true, authorized: async () => true, pages: options.pages ?? (() => []) })
}

function checkPath(path: unknown = DEFAULT_PATH): string {
  if (typeof path === 'string' && path.startsWith('/') && !path.includes('?') && !path.includes('#')) return path.replace(/\/+$/, '') || '/'
  throw new TypeError(`inspector: path must be a URL path starting with "/", got ${JSON.stringify(path)}`)
}

const BASE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
}

const json = (status: number, value: unknown) => new Response(JSON.stringify(value), { status, headers: { ...BASE_HEADERS, 'content-type': 'application/json; charset=utf-8' } })

function createHandler(settings: HandlerSettings): InspectorHandler {
  const prefix = settings.path === '/' ? '' : settings.path
  return async (request) => {
    const url = new URL(request.url)
    if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return json(404, { error: `not found: the inspector answers under ${settings.path}` })
    if (!(await settings.authorized(request))) {
      return new Response('The revalidate inspector needs its token: sign in with any user name and the token as password, or send Authorization: Bearer <token>.\n', {
        status: 401,
        headers: { ...BASE_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Basic realm="revalidate inspector", charset="UTF-8"' },
      })
    }
    const route = url.pathname.slice(prefix.length).replace(/\/+$/, '')
    const reading = request.method === 'GET' || request.method === 'HEAD'
    if (route === '') {
      if (!reading) return json(405, { error: `${request.method} is not allowed here` })
      const nonce = crypto.randomUUID().replace(/-/g, '')
      const page = inspectorPage({ path: settings.path, allowInvalidate: settings.allowInvalidate, dev: settings.dev, nonce })
      return new Response(page, { headers: { ...BASE_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': pagePolicy(nonce) } })
    }
    if (route === '/api/state' && reading) return json(200, { caches: await inspectCaches(listingQuery(url), settings.pages()), allowInvalidate: settings.allowInvalidate })
    if (route === '/api/events' && reading) return eventStream(request.signal, BASE_HEADERS)
    if (route === '/api/invalidate' && request.method === 'POST') return invalidate(request, settings)
    return json(404, { error: `not found: ${request.method} ${url.pathname}` })
  }
}

/** An invalidation the page asked for: checked, then applied to the named cache (or to every cache). */
async function invalidate(request: Request, settings: HandlerSettings): Promise<Response> {
  if (!settings.allowInvalidate) return json(403, { error: 'This inspector is read-only: mount it with inspector({ token, allowInvalidate: true }) to invalidate from it.' })
  // A form of another site cannot send JSON without asking first (CORS), and this handler never says yes.
  if (!(request.headers.get('content-type') ?? '').startsWith('application/json')) return json(415, { error: 'send the invalidation as JSON (content-type: application/json)' })
  const site = request.headers.get('sec-fetch-site')
  if (site !== null && site !== 'same-origin' && site !== 'none') return json(403, { error: 'invalidations are accepted from the inspector page only' })
  const text = await request.text()
  if (text.length > MAX_BODY_BYTES) return json(413, { error: 'the request is too large' })
  let body: { cache?: unknown; key?: unknown; tag?: unknown; all?: unknown }
  try {
    body = JSON.parse(text) as typeof body
  } catch {
    return json(400, { error: 'the body is not JSON' })
  }
  if (typeof body !== 'object' || body === null) return json(400, { error: 'the body must be an object: { cache?, key } | { cache?, tag } | { cache?, all: true }' })
  const named = [body.key !== undefined, body.tag !== undefined, body.all === true].filter(Boolean).length
  if (named !== 1) return json(400, { error: 'name exactly one of key, tag or all: true' })
  if (body.cache !== undefined && typeof body.cache !== 'string') return json(400, { error: 'cache must be the name of a cache' })
  const caches = registeredCaches().filter((listed) => body.cache === undefined || listed.name === body.cache)
  if (caches.length === 0) return json(404, { error: `no cache named ${JSON.stringify(body.cache)}` })
  try {
    for (const { cache } of caches) {
      if (body.all === true) await cache.invalidateAll()
      else if (body.tag !== undefined) await cache.invalidateTag(body.tag as string)
      else await cache.invalidate(body.key as string)
    }
  } catch (error) {
    // A bad key or tag is the caller's TypeError; a store that failed is reported the same way.
    return json(error instanceof TypeError ? 400 : 502, { error: error instanceof Error ? error.message : String(error) })
  }
  return json(200, { invalidated: caches.map((listed) => listed.name) })
}
