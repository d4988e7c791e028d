// A real `vite build` with target vercel writes Vercel's Build Output: checked against Vercel's
// own build utilities, field by field against its documentation, and served locally the way
// Vercel's routing and prerender configs are documented to work (vercel-app/serve-output.ts).
import { existsSync, lstatSync, readFileSync, readlinkSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Prerender } from '@vercel/build-utils'
import { normalizeRoutes } from '@vercel/routing-utils'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import revalidate from '../src/vite.js'
import { serveBuildOutput } from './vercel-app/serve-output.js'

const APP = join(dirname(fileURLToPath(import.meta.url)), 'vercel-app')
const OUTPUT = join(APP, '.vercel/output')
const FUNCTIONS = join(OUTPUT, 'functions')
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>

interface Route {
  src: string
  dest: string
}

function buildForVercel() {
  return build({ root: APP, configFile: false, logLevel: 'silent', plugins: [revalidate({ target: 'vercel' })], build: { ssr: 'src/entry-server.js', outDir: join(APP, 'dist/server') } })
}

let deployment: Awaited<ReturnType<typeof serveBuildOutput>>
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${deployment.origin}${path}`, { headers })

beforeAll(async () => {
  await buildForVercel()
  deployment = await serveBuildOutput(OUTPUT)
})
afterAll(async () => {
  await deployment?.close()
  rmSync(join(APP, '.vercel'), { recursive: true, force: true })
  rmSync(join(APP, 'dist'), { recursive: true, force: true })
})

describe('vite build with target vercel', () => {
  it('writes a config.json Vercel accepts: filesystem first, then each dynamic route to its function with its params', () => {
    const config = read(join(OUTPUT, 'config.json')) as { version: number; routes: unknown[] }
    expect(config.version).toBe(3)
    expect(normalizeRoutes(config.routes as never).error).toBeNull()
    expect(config.routes).toEqual([
      { handle: 'filesystem' },
      { src: '^/posts/([^/]+?)/?$', dest: '/posts/[slug]?__route_slug=$1' },
      { src: '^/v1\\.0/([^/]+?)/?$', dest: '/v1.0/[id]?__route_id=$1' },
      { src: '^/docs(?:/(.+?))?/?$', dest: '/docs/[[...rest]]?__route_rest=$1' },
    ])
  })

  it('route patterns match their own paths and no others (18.7)', () => {
    const routes = (read(join(OUTPUT, 'config.json')).routes as Route[]).filter((route) => route.src !== undefined)
    const matches = (path: string) => routes.filter((route) => new RegExp(route.src).test(path)).map((route) => route.dest.split('?')[0])
    expect(matches('/docs')).toEqual(['/docs/[[...rest]]'])
    expect(matches('/docs/')).toEqual(['/docs/[[...rest]]'])
    expect(matches('/docs/guide/install')).toEqual(['/docs/[[...rest]]'])
    expect(matches('/docsxyz')).toEqual([])
    expect(matches('/v1.0/7')).toEqual(['/v1.0/[id]'])
    expect(matches('/v1x0/7')).toEqual([])
    expect(matches('/posts/hello/extra')).toEqual([])
  })

  it('gives every route a function (one shared Node function) and only cached routes a prerender config', () => {
    for (const route of ['index', 'about', 'posts/[slug]', 'docs/[[...rest]]', 'v1.0/[id]']) {
      const link = join(FUNCTIONS, `${route}.func`)
      expect(lstatSync(link).isSymbolicLink(), route).toBe(true)
      expect(join(dirname(link), readlinkSync(link))).toBe(join(FUNCTIONS, '__render.func'))
    }
    expect(read(join(FUNCTIONS, '__render.func/.vc-config.json'))).toMatchObject({ runtime: 'nodejs20.x', handler: 'index.mjs', launcherType: 'Nodejs' })
    expect(existsSync(join(FUNCTIONS, 'about.prerender-config.json'))).toBe(false)
    expect(existsSync(join(FUNCTIONS, 'v1.0/[id].prerender-config.json'))).toBe(false)
  })

  it('writes each prerender config field by field: expiration, the allowed query names, passQuery, the token (18.6)', () => {
    const token = (read(join(FUNCTIONS, '__render.func/.vc-config.json')).environment as Record<string, string>).REVALIDATE_BYPASS_TOKEN
    expect(read(join(FUNCTIONS, 'index.prerender-config.json'))).toEqual({ expiration: 60, allowQuery: [], passQuery: true, bypassToken: token })
    expect(read(join(FUNCTIONS, 'posts/[slug].prerender-config.json'))).toEqual({ expiration: 300, allowQuery: ['__route_slug', 'ref'], passQuery: true, bypassToken: token })
    expect(read(join(FUNCTIONS, 'docs/[[...rest]].prerender-config.json'))).toEqual({ expiration: 120, allowQuery: ['__route_rest'], passQuery: true, bypassToken: token })
    for (const file of ['index', 'posts/[slug]', 'docs/[[...rest]]']) {
      const config = read(join(FUNCTIONS, `${file}.prerender-config.json`)) as { expiration: number; allowQuery: string[]; passQuery: boolean; bypassToken: string }
      expect(() => new Prerender({ ...config, fallback: null } as never)).not.toThrow()
    }
  })

  it('served as Vercel routes it, a dynamic page renders its own path with the query names its cache entry is keyed by (18.6)', async () => {
    const post = await get('/posts/hello?ref=feed&utm_source=mail')
    expect(post.status).toBe(200)
    expect(await post.text()).toBe('<h1>Post hello</h1><p>via feed</p>')
    expect(post.headers.get('x-test-invoked')).toBe('/posts/[slug]?__route_slug=hello&ref=feed')
    expect(post.headers.get('x-test-cache-key')).toBe('/posts/[slug]?__route_slug=hello&ref=feed')
    expect(await (await get('/posts/h%C3%A9llo')).text()).toBe('<h1>Post héllo</h1><p>via direct</p>')
    expect(await (await get('/docs/guide/install')).text()).toBe('<p>Docs: guide/install</p>')
    expect(await (await get('/docs')).text()).toBe('<p>Docs: (index)</p>')
    expect(await (await get('/v1.0/7')).text()).toBe('<p>API v1.0, item 7</p>')
    expect((await get('/docsxyz')).status).toBe(404)
    expect(await (await get('/')).text()).toContain('Why stale is often fine')
  })

  it('route params cannot lead the function to another route or page', async () => {
    for (const query of ['__route_slug=..', '__route_slug=.', '__route_slug=hello&__route_slug=other', '']) {
      const response = await get(`/posts/[slug]?${query}`)
      expect(response.status, query).toBe(404)
      expect(response.headers.get('cache-control'), query).toBe('private, no-store')
    }
    // A slash in a value stays inside the segment: still the post route, never /about.
    expect(await (await get('/posts/[slug]?__route_slug=..%2Fabout')).text()).toBe('<h1>Post ../about</h1><p>via direct</p>')
    // The app never sees the internal names, even when a visitor sends them to a static route.
    expect((await get('/about?__route_slug=x')).headers.get('x-test-invoked')).toBe('/about?__route_slug=x')
  })

  it('a function invoked with the path as requested (not as its route) renders it, and still marks errors of cached routes', async () => {
    const post = await fetch(`${deployment.functionOrigin}/posts/hello?ref=feed`)
    expect(await post.text()).toBe('<h1>Post hello</h1><p>via feed</p>')
    const missing = await fetch(`${deployment.functionOrigin}/posts/missing`)
    expect(missing.status).toBe(404)
    expect(missing.headers.get('cache-control')).toBe('private, no-store')
    expect((await fetch(`${deployment.functionOrigin}/v1.0/nothing-here/extra`)).headers.get('cache-control')).toBeNull() // no cached route's path
  })

  it('passes every Set-Cookie header through, not only the last (18.9)', async () => {
    const response = await get('/about', { 'x-set-cookies': 'session=abc; Path=/|theme=dark; Path=/' })
    expect(response.headers.getSetCookie()).toEqual(['session=abc; Path=/', 'theme=dark; Path=/'])
    expect(response.headers.get('cache-control')).toBeNull() // not a cached route: left as the app sent it
  })

  it('on cached routes, errors and responses that set cookies are never kept by ISR: private, no-store (18.10)', async () => {
    const missing = await get('/posts/missing')
    expect(missing.status).toBe(404)
    expect(missing.headers.get('cache-control')).toBe('private, no-store')
    const failing = await get('/posts/boom')
    expect(failing.status).toBe(500)
    expect(failing.headers.get('cache-control')).toBe('private, no-store')
    const withCookie = await get('/posts/hello', { 'x-set-cookies': 'session=abc' })
    expect(withCookie.status).toBe(200)
    expect(withCookie.headers.get('cache-control')).toBe('private, no-store')
    const plain = await get('/posts/hello')
    expect(plain.headers.get('cache-control')).toBeNull() // a page ISR may keep, for its expiration
    const moved = await fetch(`${deployment.origin}/posts/moved`, { redirect: 'manual' }) // a redirect's headers are immutable
    expect(moved.status).toBe(301)
    expect(moved.headers.get('location')).toMatch(/\/posts\/hello$/)
    expect(moved.headers.get('cache-control')).toBe('private, no-store')
    // The home page is cached too, though its function answers at / rather than at its name (index).
    expect((await get('/', { 'x-set-cookies': 'session=abc' })).headers.get('cache-control')).toBe('private, no-store')
  })

  it('refuses a REVALIDATE_BYPASS_TOKEN shorter than Vercel accepts', async () => {
    process.env.REVALIDATE_BYPASS_TOKEN = 'too-short'
    try {
      await expect(buildForVercel()).rejects.toThrow(/REVALIDATE_BYPASS_TOKEN has 9 characters; Vercel needs at least 32/)
    } finally {
      delete process.env.REVALIDATE_BYPASS_TOKEN
    }
  })
})
