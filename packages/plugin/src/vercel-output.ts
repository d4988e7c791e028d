/**
 * Vercel's Build Output API for a Vite SSR app with target vercel: the platform's ISR caches the
 * pages, so the pragma becomes each route's prerender config instead of a wrapper.
 *
 *   .vercel/output/config.json                          routes: filesystem, then dynamic routes
 *   .vercel/output/functions/__render.func/             the server build + a Node handler
 *   .vercel/output/functions/posts/[slug].func      ->  __render.func (a symlink: one function)
 *   .vercel/output/functions/posts/[slug].prerender-config.json
 *        { expiration: 300, allowQuery: ['slug'], bypassToken }    (cached routes only)
 *   .vercel/output/static/                              the client build, when there is one
 *
 * The server entry must default-export `{ fetch(request: Request): Response | Promise<Response> }`.
 */
import { randomBytes } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
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

// `[[...rest]]`, `[...rest]`, `[slug]` and `:slug`, as routeFromId writes routes.
const ROUTE_PARAM = /\[\[\.\.\.([\w$]+)\]\]|\[\.\.\.([\w$]+)\]|\[([\w$]+)\]|:([\w$]+)/g

/** A route's params in order, and the regular expression for its paths (one group per param). */
function parseRoute(route: string): { params: string[]; pattern: string } {
  const params: string[] = []
  const pattern = route.replace(ROUTE_PARAM, (_match, optionalRest?: string, rest?: string, name?: string, colon?: string) => {
    params.push((optionalRest ?? rest ?? name ?? colon)!)
    return optionalRest !== undefined ? '?(.*)' : rest !== undefined ? '(.+)' : '([^/]+?)'
  })
  return { params, pattern }
}

/** The path of a route's function: `/` is `index`, `/posts/[slug]` stays as it is. */
function functionPath(route: string): string {
  return route === '/' ? 'index' : route.slice(1)
}

/** A config.json route that sends `/posts/hello` to the function `/posts/[slug]?slug=hello`. */
function dynamicRoute(route: string, { params, pattern }: { params: string[]; pattern: string }): { src: string; dest: string } {
  const query = params.map((param, index) => `${param}=$${index + 1}`).join('&')
  return { src: `^${pattern}/?$`, dest: `/${functionPath(route)}?${query}` }
}

const HANDLER = (entry: string) => `// Written by @revalidate/plugin: Node's request and response around the app's fetch handler.
import app from './server/${entry}'

export default async function handler(req, res) {
  const url = new URL(req.url, \`https://\${req.headers.host ?? 'localhost'}\`)
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
  const request = new Request(url, { method: req.method, headers: req.headers, body: hasBody ? req : undefined, duplex: 'half' })
  const response = await app.fetch(request)
  res.writeHead(response.status, Object.fromEntries(response.headers))
  res.end(Buffer.from(await response.arrayBuffer()))
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
  writeFileSync(join(render, 'index.mjs'), HANDLER(input.serverEntry))
  const token = bypassToken()
  const vcConfig = {
    runtime: input.options.runtime ?? 'nodejs20.x',
    handler: 'index.mjs',
    launcherType: 'Nodejs',
    // The runtime's vercelStore reads it to send on-demand revalidation requests.
    environment: { REVALIDATE_BYPASS_TOKEN: token },
  }
  writeFileSync(join(render, '.vc-config.json'), `${JSON.stringify(vcConfig, null, 2)}\n`)

  const cachedByRoute = new Map(input.cached.map((page) => [page.route, page]))
  const routes = [...new Set([...input.routes, ...cachedByRoute.keys()])].sort()
  const parsedRoutes = new Map(routes.map((route) => [route, parseRoute(route)]))
  for (const route of routes) {
    const base = join(functions, functionPath(route))
    mkdirSync(dirname(base), { recursive: true })
    symlinkSync(relative(dirname(base), render), `${base}.func`)
    const page = cachedByRoute.get(route)
    if (page === undefined) continue
    const prerender = { expiration: page.ttl, allowQuery: [...parsedRoutes.get(route)!.params, ...page.query], bypassToken: token }
    writeFileSync(`${base}.prerender-config.json`, `${JSON.stringify(prerender, null, 2)}\n`)
  }

  const dynamic = routes.filter((route) => parsedRoutes.get(route)!.params.length > 0).map((route) => dynamicRoute(route, parsedRoutes.get(route)!))
  const config = { version: 3, routes: [{ handle: 'filesystem' }, ...dynamic] }
  writeFileSync(join(outputDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`)
  const staticDir = join(input.root, input.options.staticDir ?? 'dist/client')
  if (existsSync(staticDir)) cpSync(staticDir, join(outputDir, 'static'), { recursive: true })
  return { outputDir, token }
}
