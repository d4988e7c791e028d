// The Astro cache provider without Astro: its config helper, its reading of responses and query
// strings, and onRequest with `next` functions of our own (the app test drives a real build).
import type { CacheProvider } from 'astro'
import { describe, expect, it } from 'vitest'
import { revalidateCache } from '../src/astro/config.js'
import { policyOf } from '../src/astro/policy.js'
import { astroCacheProvider } from '../src/astro/provider.js'
import { queryKeyOf } from '../src/astro/query.js'
import { deferred, eventually } from './helpers.js'

describe('revalidateCache(): the config helper', () => {
  it('names the entrypoint that keeps responses where the options say, with the options as config', () => {
    expect(revalidateCache()).toEqual({ name: 'revalidate', entrypoint: '@revalidate/runtime/astro/provider', config: {} })
    const redis = revalidateCache({ redis: 'redis://cache:6379', query: { include: ['page'] } })
    expect(redis).toEqual({ name: 'revalidate', entrypoint: '@revalidate/runtime/astro/redis', config: { redis: 'redis://cache:6379', query: { include: ['page'] } } })
    expect(JSON.parse(JSON.stringify(redis))).toEqual(redis) // Astro writes it into the build as JSON
  })

  it('refuses what would go wrong later, naming it, when astro.config loads', () => {
    expect(() => revalidateCache({ query: { include: ['page'], exclude: ['utm_*'] } })).toThrow(/query.include and query.exclude cannot be used together/)
    expect(() => revalidateCache({ redis: 'localhost:6379' })).toThrow(/redis must be a redis:\/\/ or rediss:\/\/ URL/)
    expect(() => revalidateCache({ redis: { url: 'redis://x', client: {} } as never })).toThrow(/redis.client cannot go through astro.config/)
    expect(() => revalidateCache({ maxEntries: 0 })).toThrow(/maxEntries must be a whole number of at least 1, got 0/)
    expect(() => revalidateCache({ max: 10 } as never)).toThrow(/unknown option "max" \(the options are redis, maxEntries, query\)/)
    expect(() => revalidateCache({ query: { sort: 'yes' } } as never)).toThrow(/query.sort must be true or false/)
    expect(() => revalidateCache({ query: { include: 'page' } } as never)).toThrow(/query.include must be an array/)
  })
})

describe('the query in the key, by the rules of Astro’s memoryCache()', () => {
  const key = (options: Parameters<typeof queryKeyOf>[0], search: string) => queryKeyOf(options)(new URLSearchParams(search))

  it('leaves tracking parameters out (any case, utm_* by its prefix) and sorts the rest', () => {
    expect(key(undefined, 'b=2&UTM_Source=x&a=1&fbclid=y&ref=z&gclid=w')).toBe('?a=1&b=2')
    expect(key(undefined, 'utm_source=x')).toBe('')
    expect(key(undefined, 'b=2&a=1&a=0')).toBe('?a=1&a=0&b=2') // repeated names keep their order
  })

  it('include keeps only the names it lists; exclude replaces the default list; sort: false keeps the order', () => {
    expect(key({ include: ['page'] }, 'q=x&page=2&utm_source=y')).toBe('?page=2')
    expect(key({ exclude: [] }, 'utm_source=x&b=1')).toBe('?b=1&utm_source=x')
    expect(key({ exclude: ['session*'] }, 'session_id=1&utm_source=x')).toBe('?utm_source=x')
    expect(key({ sort: false }, 'b=2&a=1')).toBe('?b=2&a=1')
    expect(key({ exclude: ['a.b'] }, 'a.b=1&axb=2')).toBe('?axb=2') // only * is special
  })
})

describe('what a rendered response asks of the cache', () => {
  const response = (headers: Record<string, string>) => new Response('page', { headers })

  it('reads CDN-Cache-Control and Cache-Tag as Astro writes them', () => {
    expect(policyOf(response({ 'cdn-cache-control': 'max-age=300, stale-while-revalidate=60', 'cache-tag': 'posts, home' }), '/')).toEqual({
      cache: true,
      maxAge: 300,
      swr: 60,
      tags: ['posts', 'home'],
      vary: [],
    })
    expect(policyOf(response({}), '/')).toEqual({ cache: false })
    expect(policyOf(response({ 'cdn-cache-control': 'max-age=0, stale-while-revalidate=60' }), '/')).toEqual({ cache: false })
  })

  it('never caches a response that sets a cookie, by header or through Astro.cookies, with Astro’s warning', () => {
    const warning = 'Skipping cache for /me?x=1 because response includes Set-Cookie.'
    expect(policyOf(response({ 'cdn-cache-control': 'max-age=60', 'set-cookie': 'a=1' }), '/me?x=1')).toEqual({ cache: false, warning })
    const viaAstro = response({ 'cdn-cache-control': 'max-age=60' })
    Reflect.set(viaAstro, Symbol.for('astro.cookies'), { *headers() { yield 'a=1' } })
    expect(policyOf(viaAstro, '/me?x=1')).toEqual({ cache: false, warning })
    const noneSet = response({ 'cdn-cache-control': 'max-age=60' })
    Reflect.set(noneSet, Symbol.for('astro.cookies'), { *headers() {} })
    expect(policyOf(noneSet, '/').cache).toBe(true)
  })

  it('Vary: Cookie or * is never cached; other names are kept, lower-cased and sorted, Set-Cookie left out', () => {
    expect(policyOf(response({ 'cdn-cache-control': 'max-age=60', vary: 'Accept, cookie' }), '/a')).toEqual({ cache: false, warning: 'Skipping cache for /a because response includes Vary: Cookie.' })
    expect(policyOf(response({ 'cdn-cache-control': 'max-age=60', vary: '*' }), '/a')).toEqual({ cache: false, warning: 'Skipping cache for /a because response includes Vary: *.' })
    expect(policyOf(response({ 'cdn-cache-control': 'max-age=60', vary: 'X-Theme, Accept-Language, set-cookie, accept-language' }), '/a')).toMatchObject({ cache: true, vary: ['accept-language', 'x-theme'] })
  })
})

/** A stand-in for Astro's `next()`: counts its renders, each made by `render`. */
function renderer(render: (n: number) => Response | Promise<Response>) {
  const next = Object.assign(async () => render(++next.calls), { calls: 0 })
  return next
}

const warnings: string[] = []
const logger = { info() {}, warn: (message: string) => warnings.push(message), error() {} }
const cached = (body: string, headers: Record<string, string> = {}) => new Response(body, { headers: { 'cdn-cache-control': 'max-age=60', ...headers } })
let site = 0

/** A provider and a function that asks it for `path` of a site of its own (the default cache is shared by the whole process). */
function setup() {
  const provider: CacheProvider = astroCacheProvider({})
  const origin = `https://site${++site}.test`
  const ask = (path: string, next: () => Promise<Response>, init: RequestInit = {}) => {
    const request = new Request(`${origin}${path}`, init)
    return provider.onRequest!({ request, url: new URL(request.url), logger }, next)
  }
  return { provider, ask }
}

describe('onRequest', () => {
  it('requests that waited for a render the cache does not keep each render for themselves; the next ones go around the cache', async () => {
    const { ask } = setup()
    const gate = deferred<void>()
    const next = renderer(async (n) => {
      if (n === 1) await gate.promise
      return new Response(`visitor ${n}`, { headers: { 'cdn-cache-control': 'max-age=60', 'set-cookie': `id=${n}` } })
    })
    const pending = Array.from({ length: 5 }, () => ask('/me', next))
    await eventually(() => expect(next.calls).toBe(1))
    gate.resolve()
    const bodies = await Promise.all(pending.map(async (response) => (await response).text()))
    expect(new Set(bodies).size).toBe(5)
    expect(next.calls).toBe(5)
    expect(warnings).toContain('Skipping cache for /me because response includes Set-Cookie.')
    expect((await ask('/me', next)).headers.get('x-astro-cache')).toBeNull()
    expect(next.calls).toBe(6)
  })

  it('a page that turns cacheable again is cached again', async () => {
    const { ask } = setup()
    let cacheable = false
    const next = renderer((n) => (cacheable ? cached(`render ${n}`) : new Response(`render ${n}`)))
    await ask('/flip', next)
    cacheable = true
    expect((await ask('/flip', next)).headers.get('x-astro-cache')).toBeNull() // around the cache; it lets the cache in again
    expect((await ask('/flip', next)).headers.get('x-astro-cache')).toBe('MISS')
    const hit = await ask('/flip', next)
    expect(hit.headers.get('x-astro-cache')).toBe('HIT')
    expect(await hit.text()).toBe('render 3')
  })

  it('keeps a response’s status, statusText, headers and a body-less status (204) as they were rendered', async () => {
    const { ask } = setup()
    const next = renderer(() => new Response(null, { status: 204, statusText: 'Nothing', headers: { 'cdn-cache-control': 'max-age=60', 'cache-tag': 'x', 'x-own': 'kept' } }))
    await ask('/empty', next)
    const hit = await ask('/empty', next)
    expect(hit.status).toBe(204)
    expect(hit.statusText).toBe('Nothing')
    expect(hit.body).toBeNull()
    expect(hit.headers.get('x-own')).toBe('kept')
    expect(hit.headers.get('cdn-cache-control')).toBeNull()
    expect(hit.headers.get('age')).toBe('0')
    expect(next.calls).toBe(1)
  })

  it('leaves other methods than GET, and paths no page has, to Astro', async () => {
    const { ask } = setup()
    const next = renderer((n) => cached(`render ${n}`))
    for (const method of ['HEAD', 'POST']) expect((await ask('/form', next, { method })).headers.get('x-astro-cache')).toBeNull()
    expect((await ask('//elsewhere/x', next)).headers.get('x-astro-cache')).toBeNull()
    expect(next.calls).toBe(3)
  })

  it('a render that fails rejects every request waiting for it, and nothing is cached', async () => {
    const { ask } = setup()
    const gate = deferred<void>()
    const failing = renderer(async () => {
      await gate.promise
      throw new Error('the database is down')
    })
    const pending = Array.from({ length: 3 }, () => ask('/down', failing))
    gate.resolve()
    for (const response of pending) await expect(response).rejects.toThrow('the database is down')
    expect(failing.calls).toBe(1)
    expect((await ask('/down', renderer(() => cached('back')))).headers.get('x-astro-cache')).toBe('MISS')
  })

  it('a background render that fails keeps the stale response, with Astro’s warning', async () => {
    const { ask } = setup()
    const next = renderer((n) => {
      if (n === 2) throw new Error('the CMS is down')
      return cached(`render ${n}`, { 'cdn-cache-control': 'max-age=1, stale-while-revalidate=60' })
    })
    await ask('/flaky', next)
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    const stale = await ask('/flaky', next)
    expect(stale.headers.get('x-astro-cache')).toBe('STALE')
    expect(await stale.text()).toBe('render 1')
    await eventually(() => expect(warnings).toContain('Background revalidation failed for /flaky: Error: the CMS is down'))
    expect(await (await ask('/flaky', next)).text()).toBe('render 1') // no retry before the backoff passes
    expect(next.calls).toBe(2)
  })

  it('invalidate: a path reaches every query of it, a path with a query only that one; bad paths are TypeErrors', async () => {
    const { provider, ask } = setup()
    const next = renderer((n) => cached(`render ${n}`))
    for (const path of ['/list', '/list?page=2', '/list?page=3']) await ask(path, next)
    await provider.invalidate({ path: '/list?utm_source=x&page=2' })
    expect((await ask('/list?page=2', next)).headers.get('x-astro-cache')).toBe('MISS')
    expect((await ask('/list?page=3', next)).headers.get('x-astro-cache')).toBe('HIT')
    await provider.invalidate({ path: '/list' })
    expect((await ask('/list?page=3', next)).headers.get('x-astro-cache')).toBe('MISS')
    expect((await ask('/list', next)).headers.get('x-astro-cache')).toBe('MISS')
    await expect(provider.invalidate({ path: 'list' })).rejects.toThrow(/path must be a path starting with "\/" \(such as "\/posts\/hello"\), got "list"/)
    await expect(provider.invalidate({ path: '//elsewhere/x' })).rejects.toThrow(TypeError)
  })
})
