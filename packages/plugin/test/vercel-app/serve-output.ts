// Serves a Build Output directory locally the way Vercel's documentation describes it, for tests:
//
//   1. `handle: filesystem`: a file in static/, or a function at the request path
//   2. then config.json's routes: the first `src` that matches rewrites to `dest` ($1, $2, ... filled
//      in, dest's query before the request's own)
//   3. a function with a prerender config: only `allowQuery` names are kept; they make the cache
//      key, and reach the function only with `passQuery: true`
//
// Each response says which function answered, what it was asked and under which ISR cache key
// (x-test-function, x-test-invoked, x-test-cache-key). Nothing is cached here: what Vercel's ISR
// would keep is for the tests to check, header by header. The function itself runs in a Node
// server of its own, as Vercel runs it.
import { existsSync, readFileSync, realpathSync } from 'node:fs'
import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

interface PrerenderConfig {
  expiration: number
  allowQuery?: string[]
  passQuery?: boolean
  bypassToken: string
}

interface Route {
  src?: string
  dest?: string
  handle?: string
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** The function directory serving `path`, if there is one (`/` is `index`). */
function functionFor(functions: string, path: string): string | undefined {
  const name = path === '/' ? 'index' : decodeURIComponent(path.slice(1))
  const dir = join(functions, `${name}.func`)
  return existsSync(dir) ? dir : undefined
}

/**
 * `origin`: the deployment as Vercel routes it; `functionOrigin`: the function alone, for requests
 * as a platform might send them without the rewrite.
 */
export async function serveBuildOutput(outputDir: string): Promise<{ origin: string; functionOrigin: string; close(): Promise<void> }> {
  const functions = join(outputDir, 'functions')
  const config = JSON.parse(readFileSync(join(outputDir, 'config.json'), 'utf8')) as { routes: Route[] }
  const rewrites = config.routes.slice(config.routes.findIndex((route) => route.handle === 'filesystem') + 1)
  // Every function links to the one render function: one Node server runs it.
  const render = realpathSync(join(functions, '__render.func'))
  const handler = ((await import(pathToFileURL(join(render, 'index.mjs')).href)) as { default: RequestListener }).default
  const functionServer = createServer(handler)
  const functionOrigin = await listen(functionServer)

  async function invoke(path: string, query: URLSearchParams, headers: Headers): Promise<Response> {
    const dir = functionFor(functions, path)
    if (dir === undefined) return new Response('NOT_FOUND (no function)', { status: 404 })
    const configFile = dir.replace(/\.func$/, '.prerender-config.json')
    let passed = query
    let cacheKey = ''
    if (existsSync(configFile)) {
      const prerender = JSON.parse(readFileSync(configFile, 'utf8')) as PrerenderConfig
      const allowed = new URLSearchParams([...query].filter(([name]) => prerender.allowQuery === undefined || prerender.allowQuery.includes(name)))
      cacheKey = `${path}?${allowed}`
      passed = prerender.passQuery === true ? allowed : new URLSearchParams()
    }
    const invoked = `${path}${passed.size > 0 ? `?${passed}` : ''}`
    const response = await fetch(`${functionOrigin}${invoked}`, { headers, redirect: 'manual' })
    const answer = new Response(await response.arrayBuffer(), response)
    answer.headers.set('x-test-function', path)
    answer.headers.set('x-test-invoked', invoked)
    answer.headers.set('x-test-cache-key', cacheKey)
    return answer
  }

  async function route(url: URL, headers: Headers): Promise<Response> {
    const staticFile = join(outputDir, 'static', decodeURIComponent(url.pathname))
    if (url.pathname !== '/' && existsSync(staticFile)) return new Response(readFileSync(staticFile))
    if (functionFor(functions, url.pathname) !== undefined) return invoke(url.pathname, url.searchParams, headers)
    for (const rewrite of rewrites) {
      const match = new RegExp(rewrite.src!).exec(url.pathname)
      if (match === null) continue
      const dest = new URL(rewrite.dest!.replace(/\$(\d+)/g, (_, n: string) => match[Number(n)] ?? ''), url.origin)
      const query = new URLSearchParams([...dest.searchParams, ...url.searchParams])
      return invoke(dest.pathname, query, headers)
    }
    return new Response('NOT_FOUND (no route)', { status: 404 })
  }

  const router = createServer((req, res) => {
    const url = new URL(req.url!, 'http://deployment.test')
    const headers = new Headers(Object.entries(req.headers).flatMap(([name, value]) => (typeof value === 'string' ? [[name, value] as [string, string]] : [])))
    route(url, headers).then(
      async (response) => {
        const raw: Record<string, string | string[]> = {}
        for (const [name, value] of response.headers) if (name !== 'set-cookie') raw[name] = value
        if (response.headers.getSetCookie().length > 0) raw['set-cookie'] = response.headers.getSetCookie()
        res.writeHead(response.status, raw).end(Buffer.from(await response.arrayBuffer()))
      },
      (error: unknown) => res.writeHead(502).end(String(error)),
    )
  })
  const origin = await listen(router)
  return {
    origin,
    functionOrigin,
    close: async () => {
      await new Promise((resolve) => router.close(resolve))
      await new Promise((resolve) => functionServer.close(resolve))
    },
  }
}
