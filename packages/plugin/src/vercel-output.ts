/**
 * Vercel's Build Output API for a Vite SSR app with target vercel: the platform's ISR caches the
 * pages, so the pragma becomes each route's prerender config instead of a wrapper.
 *
 *   .vercel/output/config.json                          routes: filesystem, then dynamic routes
 *        { src: '^/posts/([^/]+?)/?$', dest: '/posts/[slug]?__route_slug=$1' }
 *   .vercel/output/functions/__render.func/             the server build + a Node handler (and the
 *                                                       runtime's route-pattern.js, which it imports)
 *   .vercel/output/functions/posts/[slug].func      ->  __render.func (a symlink: one function)
 *   .vercel/output/functions/posts/[slug].prerender-config.json   (cached routes only)
 *        { expiration: 300, allowQuery: ['__route_slug', 'ref'], passQuery: true, bypassToken }
 *   .vercel/output/static/                              the client build, when there is one
 *
 * The server entry must default-export `{ fetch(request: Request): Response | Promise<Response> }`.
 */
import { randomBytes } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { bySpecificity, fileRoute, parseRoute, routeRegExpSource, type ParsedRoute } from '@revalidate/runtime/internal/route-pattern'
import { routeFromId } from './route.js'
import type { ResolvedOptions } from './options.js'

export interface VercelOutputOptions {
  /**
   * Folder to write, relative to the project root.
   * @default '.vercel/output'
   */
  outputDir?: string
  /**
   * Runtime of the function.
   * @default 'nodejs20.x'
   */
  runtime?: string
  /**
   * The client build to serve as static files, relative to the root.
   * @default 'dist/client'
   */
  staticDir?: string
}

export interface CachedRoute {
  route: string
  ttl: number
  query: readonly string[]
}

const RENDER_FUNCTION = '__render'
const requireHere = createRequire(import.meta.url)
const PAGE_FILE = /\.(m?[jt]sx?)$/
const NOT_A_PAGE = /\.(test|spec|d)\.[^.]+$|(^|\/)_[^/]*$/
/** Vercel refuses shorter tokens (`Prerender` in @vercel/build-utils). */
const MIN_BYPASS_TOKEN = 32

/** The token on-demand revalidation must present: REVALIDATE_BYPASS_TOKEN, or a new one. */
export function bypassToken(): string {
  const fromEnvironment = process.env.REVALIDATE_BYPASS_TOKEN
  if (fromEnvironment === undefined || fromEnvironment === '') return randomBytes(32).toString('hex')
  if (fromEnvironment.length < MIN_BYPASS_TOKEN) {
    throw new Error(`REVALIDATE_BYPASS_TOKEN has ${fromEnvironment.length} characters; Vercel needs at least ${MIN_BYPASS_TOKEN}.`)
  }
  return fromEnvironment
}

/** Every page route of the app: the files below the first routes folder that exists. */
export function scanRoutes(options: Pick<ResolvedOptions, 'routesDirs' | 'root'>): string[] {
  const dir = options.routesDirs.map((candidate) => join(options.root, candidate)).find((candidate) => existsSync(candidate))
  if (dir === undefined) return []
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((file) => file.replaceAll('\\', '/'))
  const pages = files.filter((file) => PAGE_FILE.test(file) && !NOT_A_PAGE.test(file))
  return [...new Set(pages.map((file) => routeFromId(join(dir, file), options)))]
}

/**
 * Route params travel to the function in the query under this prefix (`/posts/[slug]?__route_slug=hello`),
 * apart from the app's own query names, and the function rebuilds the path from them.
 */
export const ROUTE_PARAM_PREFIX = '__route_'

/** The path of a route's function: `/` is `index`, `/posts/[slug]` stays as it is, `/posts/:slug` is `posts/[slug]`. */
function functionPath(route: ParsedRoute): string {
  return route.segments.length === 0 ? 'index' : fileRoute(route).slice(1)
}

/** A config.json route that sends `/posts/hello` to the function `/posts/[slug]?__route_slug=hello`. */
function dynamicRoute(parsed: ParsedRoute): { src: string; dest: string } {
  const query = parsed.params.map((param, index) => `${ROUTE_PARAM_PREFIX}${param.name}=$${index + 1}`).join('&')
  return { src: routeRegExpSource(parsed), dest: `/${functionPath(parsed)}?${query}` }
}

/** What the function needs to know of each function path it answers as. */
interface FunctionRoute {
  /** The path the function is invoked as (`/posts/[slug]`; the home page's is `/`). */
  name: string
  /** The route, for the paths it answers when invoked with the path as requested. */
  route: string
  /** Vercel's ISR keeps its responses: errors and per-visitor responses must say no-store. */
  cached: boolean
}

/** The runtime's route grammar, which the function imports from a copy beside it. */
const ROUTE_MODULE = 'route-pattern.js'

/**
 * The function's entry: Node's request and response around the app's fetch handler. Vercel
 * invokes it as the function path (`/posts/[slug]?__route_slug=hello&ref=feed`): the path the app
 * routes on is rebuilt from the route params, each value encoded into its own segments, so no
 * value can lead the app to another route (`..` is refused). On cached routes a response that is
 * an error, or sets a cookie, is marked `private, no-store`: ISR must not keep it for every visitor.
 */
const HANDLER = (entry: string, routes: FunctionRoute[]) => `// Written by @revalidate/plugin.
import app from './server/${entry}'
import { fillRoute, matchRoute, parseRoute } from './${ROUTE_MODULE}'

const ROUTES = ${JSON.stringify(routes)}.map((route) => ({ ...route, parsed: parseRoute(route.route) }))
const PREFIX = ${JSON.stringify(ROUTE_PARAM_PREFIX)}

/** The path the app routes on, or undefined when the params do not make one. */
function pathOf(parsed, query) {
  const params = {}
  for (const param of parsed.params) {
    const values = query.getAll(PREFIX + param.name)
    if (values.length > 1) return undefined
    const value = values[0] ?? ''
    params[param.name] = param.many && value !== '' ? value.split('/') : value
  }
  try {
    return fillRoute(parsed, params)
  } catch {
    return undefined // a param missing, or one that would name another page
  }
}

/** The route the function was invoked as, by its name (as Vercel's rewrite sends it). */
function routeNamed(pathname) {
  let decoded = pathname
  try {
    decoded = decodeURIComponent(pathname)
  } catch {}
  return ROUTES.find((route) => route.name === pathname || route.name === decoded)
}

function send(res, response) {
  const headers = {}
  for (const [name, value] of response.headers) if (name !== 'set-cookie') headers[name] = value
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) headers['set-cookie'] = cookies
  res.writeHead(response.status, headers)
  return response.arrayBuffer().then((body) => res.end(Buffer.from(body)))
}

export default async function handler(req, res) {
  const url = new URL(req.url, \`https://\${req.headers.host ?? 'localhost'}\`)
  const named = routeNamed(url.pathname)
  if (named !== undefined && named.parsed.params.length > 0) {
    const path = pathOf(named.parsed, url.searchParams)
    if (path === undefined) return send(res, new Response('Not found', { status: 404, headers: { 'cache-control': 'private, no-store' } }))
    url.pathname = path
  }
  // Invoked with the path as requested instead: the route whose paths it is (most specific first).
  const route = named ?? ROUTES.find((candidate) => matchRoute(candidate.parsed, url.pathname) !== undefined)
  for (const name of [...url.searchParams.keys()]) if (name.startsWith(PREFIX)) url.searchParams.delete(name)
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
  const request = new Request(url, { method: req.method, headers: req.headers, body: hasBody ? req : undefined, duplex: 'half' })
  const response = await app.fetch(request)
  const perVisitor = response.status < 200 || response.status > 299 || response.headers.getSetCookie().length > 0
  if (!route?.cached || !perVisitor) return send(res, response)
  // A copy: a redirect's or a fetched response's own headers cannot be changed.
  const uncached = new Response(response.body, response)
  uncached.headers.set('cache-control', 'private, no-store')
  return send(res, uncached)
}
`

export function writeVercelOutput(input: {
  root: string
  serverDir: string
  serverEntry: string
  routes: string[]
  cached: CachedRoute[]
  options: VercelOutputOptions
}): { outputDir: string; token: string } {
  const outputDir = join(input.root, input.options.outputDir ?? '.vercel/output')
  rmSync(outputDir, { recursive: true, force: true })
  const functions = join(outputDir, 'functions')
  const render = join(functions, `${RENDER_FUNCTION}.func`)
  mkdirSync(render, { recursive: true })
  cpSync(input.serverDir, join(render, 'server'), { recursive: true })
  writeFileSync(join(render, 'package.json'), '{ "type": "module" }\n')
  const token = bypassToken()
  const vcConfig = {
    runtime: input.options.runtime ?? 'nodejs20.x',
    handler: 'index.mjs',
    launcherType: 'Nodejs',
    // The runtime's vercelStore reads it to send on-demand revalidation requests.
    environment: { REVALIDATE_BYPASS_TOKEN: token },
  }
  writeFileSync(join(render, '.vc-config.json'), `${JSON.stringify(vcConfig, null, 2)}\n`)

  // The function imports the route grammar from a copy of the runtime's module, beside it.
  const routeModule = requireHere.resolve('@revalidate/runtime/internal/route-pattern')
  cpSync(routeModule, join(render, ROUTE_MODULE))
  if (existsSync(`${routeModule}.map`)) cpSync(`${routeModule}.map`, join(render, `${ROUTE_MODULE}.map`))

  const cachedByRoute = new Map(input.cached.map((page) => [page.route, page]))
  const routes = [...new Set([...input.routes, ...cachedByRoute.keys()])].sort().map(parseRoute).sort(bySpecificity)
  const functionRoutes: FunctionRoute[] = []
  for (const parsed of routes) {
    const { route } = parsed
    const base = join(functions, functionPath(parsed))
    mkdirSync(dirname(base), { recursive: true })
    symlinkSync(relative(dirname(base), render), `${base}.func`)
    const page = cachedByRoute.get(route)
    // index.func answers at /
    functionRoutes.push({ name: parsed.segments.length === 0 ? '/' : `/${functionPath(parsed)}`, route, cached: page !== undefined })
    if (page === undefined) continue
    // passQuery: the function sees the allowed query names (route params and the pragma's), which
    // are also the only ones that make a separate cache entry.
    const allowQuery = [...parsed.params.map((param) => `${ROUTE_PARAM_PREFIX}${param.name}`), ...page.query]
    const prerender = { expiration: page.ttl, allowQuery, passQuery: true, bypassToken: token }
    writeFileSync(`${base}.prerender-config.json`, `${JSON.stringify(prerender, null, 2)}\n`)
  }
  writeFileSync(join(render, 'index.mjs'), HANDLER(input.serverEntry, functionRoutes))

  const dynamic = routes.filter((parsed) => parsed.params.length > 0).map(dynamicRoute)
  const config = { version: 3, routes: [{ handle: 'filesystem' }, ...dynamic] }
  writeFileSync(join(outputDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`)
  const staticDir = join(input.root, input.options.staticDir ?? 'dist/client')
  if (existsSync(staticDir)) cpSync(staticDir, join(outputDir, 'static'), { recursive: true })
  return { outputDir, token }
}
