// The inspector's handler, called with Requests: the token (refused without it, Bearer and Basic
// accepted), read-only unless allowed, no-store everywhere, what it lists of the process's caches,
// its invalidations, and its event stream.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createCache, type RevalidateCache } from '../src/index.js'
import { devInspector, inspector, type InspectedCache } from '../src/inspector/index.js'
import { manualClock } from './helpers.js'

const TOKEN = 'a-token-of-32-characters-for-tests'
const ORIGIN = 'http://app.test'
const caches: RevalidateCache[] = []
afterEach(() => {
  for (const cache of caches.splice(0)) cache.dispose()
})

function cacheNamed(name: string, options: Parameters<typeof createCache>[0] = {}) {
  const cache = createCache({ name, ...options })
  caches.push(cache)
  return cache
}

const bearer = { authorization: `Bearer ${TOKEN}` }
const get = (handler: (request: Request) => Promise<Response>, path: string, headers: Record<string, string> = bearer) => handler(new Request(`${ORIGIN}${path}`, { headers }))
const post = (handler: (request: Request) => Promise<Response>, body: unknown, headers: Record<string, string> = { ...bearer, 'content-type': 'application/json' }) =>
  handler(new Request(`${ORIGIN}/__revalidate/api/invalidate`, { method: 'POST', headers, body: JSON.stringify(body) }))

async function state(handler: (request: Request) => Promise<Response>, query = ''): Promise<InspectedCache[]> {
  const response = await get(handler, `/__revalidate/api/state${query}`)
  expect(response.status).toBe(200)
  return ((await response.json()) as { caches: InspectedCache[] }).caches
}

describe('inspector({ token })', () => {
  it('refuses every request without the token, or with another one: 401, asking the browser for it, nothing cached', async () => {
    const handler = inspector({ token: TOKEN })
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong-token-of-the-same-length!' }, { authorization: `Basic ${btoa('user:nope')}` }, { authorization: `Bearer ${TOKEN}x` }]
    for (const headers of attempts) {
      for (const path of ['/__revalidate', '/__revalidate/api/state', '/__revalidate/api/events']) {
        const response = await get(handler, path, headers)
        expect(response.status).toBe(401)
        expect(response.headers.get('www-authenticate')).toBe('Basic realm="revalidate inspector", charset="UTF-8"')
        expect(response.headers.get('cache-control')).toBe('no-store')
        expect(await response.text()).not.toContain(TOKEN)
      }
    }
    const refused = await post(handler, { all: true }, { 'content-type': 'application/json' })
    expect(refused.status).toBe(401)
  })

  it('takes the token as a Bearer token or as the password of Basic sign-in; the page is no-store with a strict CSP', async () => {
    const handler = inspector({ token: TOKEN })
    const basic = await get(handler, '/__revalidate', { authorization: `Basic ${btoa(`anyone:${TOKEN}`)}` })
    expect(basic.status).toBe(200)
    expect(basic.headers.get('cache-control')).toBe('no-store')
    expect(basic.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'nonce-\w+'.*connect-src 'self'/)
    const html = await basic.text()
    expect(html).toContain('<title>revalidate inspector</title>')
    expect(html).not.toContain(TOKEN)
    expect((await get(handler, '/__revalidate/api/state')).headers.get('cache-control')).toBe('no-store')
  })

  it('a bad token or option is a TypeError naming it (never echoing the token)', () => {
    expect(() => inspector({ token: 'short' })).toThrow('inspector: token must be a string of at least 16 characters, got a string of 5 characters')
    expect(() => inspector({ token: undefined as unknown as string })).toThrow('got undefined (is its environment variable set?)')
    expect(() => inspector({ token: TOKEN, allowInvalidate: 'yes' as never })).toThrow('allowInvalidate must be true or false')
    expect(() => inspector({ token: TOKEN, path: 'no-slash' })).toThrow('path must be a URL path starting with "/"')
  })

  it('lists every cache with its stats and entries: state, age, ttl, stale window, tags, version, size, lookups, last fetch and error', async () => {
    const clock = manualClock()
    const cache = cacheNamed('listed', { now: clock.now, onEvent: () => {} })
    await cache.withRevalidate('post:fresh', 60, () => ({ title: 'fresh' }), { tags: ['posts'], version: 'v1' })
    await cache.withRevalidate('post:old', 10, () => 'old', { staleSeconds: 20 })
    clock.advance(15)
    await cache.withRevalidate('post:fresh', 60, () => 'unused', { tags: ['posts'], version: 'v1' })
    await cache.withRevalidate('post:old', 10, () => Promise.reject(new Error('backend down')), { staleSeconds: 20 }) // stale: a refresh that fails
    await new Promise((resolve) => setTimeout(resolve, 10))
    const listed = (await state(inspector({ token: TOKEN }))).find((item) => item.name === 'listed')!
    expect(listed).toMatchObject({ store: 'memory', listable: true, truncated: false, stats: { lookups: { hit: 1, stale: 1, miss: 2 } } })
    const byKey = new Map(listed.entries.map((entry) => [entry.key, entry]))
    expect(byKey.get('post:fresh')).toMatchObject({ state: 'fresh', ageMs: 15_000, ttlMs: 60_000, staleMs: 86_400_000, tags: ['posts'], version: 'v1', lookups: 2 })
    expect(byKey.get('post:fresh')!.bytes).toBeGreaterThan(40)
    expect(byKey.get('post:old')).toMatchObject({ state: 'stale', ttlMs: 10_000, staleMs: 20_000, lastFetch: { reason: 'refresh', outcome: 'error', error: 'backend down' } })
    clock.advance(20)
    expect((await state(inspector({ token: TOKEN }))).find((item) => item.name === 'listed')!.entries.find((entry) => entry.key === 'post:old')?.state).toBe('expired')
  })

  it('filters by text (any case) and by tag, and bounds what it shows with limit', async () => {
    const cache = cacheNamed('filtered')
    for (let i = 0; i < 30; i++) await cache.withRevalidate(`Item:${i}`, 60, () => i, { tags: i % 2 ? ['odd'] : ['even'] })
    const handler = inspector({ token: TOKEN })
    const find = async (query: string) => (await state(handler, query)).find((item) => item.name === 'filtered')!
    expect((await find('?q=item:1')).entries.map((entry) => entry.key).sort()).toEqual(['Item:1', ...Array.from({ length: 10 }, (_, i) => `Item:1${i}`)].sort())
    expect((await find('?tag=odd')).entries).toHaveLength(15)
    expect(await find('?tag=odd&q=:1')).toMatchObject({ entries: expect.any(Array) })
    const limited = await find('?limit=5')
    expect(limited.entries).toHaveLength(5)
    expect(limited.truncated).toBe(true)
  })

  it('is read-only unless allowInvalidate; with it, invalidates a key, a tag or everything of the named cache, and the next read misses', async () => {
    const cache = cacheNamed('acted-on')
    const other = cacheNamed('left-alone')
    await cache.withRevalidate('a', 60, () => 1, { tags: ['t'] })
    await cache.withRevalidate('b', 60, () => 2, { tags: ['t'] })
    await cache.withRevalidate('c', 60, () => 3)
    await other.withRevalidate('a', 60, () => 'other')
    const readOnly = await post(inspector({ token: TOKEN }), { cache: 'acted-on', key: 'a' })
    expect(readOnly.status).toBe(403)
    expect(await cache.withRevalidate('a', 60, () => 'refetched')).toBe(1)

    const handler = inspector({ token: TOKEN, allowInvalidate: true })
    expect((await post(handler, { cache: 'acted-on', key: 'a' })).status).toBe(200)
    expect(await cache.withRevalidate('a', 60, () => 'refetched')).toBe('refetched')
    expect(await other.withRevalidate('a', 60, () => 'refetched')).toBe('other')
    expect((await post(handler, { cache: 'acted-on', tag: 't' })).status).toBe(200)
    expect(await cache.withRevalidate('b', 60, () => 'refetched b')).toBe('refetched b')
    expect((await post(handler, { cache: 'acted-on', all: true })).status).toBe(200)
    expect(await cache.withRevalidate('c', 60, () => 'refetched c')).toBe('refetched c')
  })

  it('refuses invalidations that are not JSON, from another site, or that name nothing or two things', async () => {
    cacheNamed('guarded')
    const handler = inspector({ token: TOKEN, allowInvalidate: true })
    expect((await post(handler, { key: 'a' }, { ...bearer, 'content-type': 'text/plain' })).status).toBe(415)
    expect((await post(handler, { key: 'a' }, { ...bearer, 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' })).status).toBe(403)
    expect((await post(handler, {})).status).toBe(400)
    expect((await post(handler, { key: 'a', tag: 't' })).status).toBe(400)
    expect((await post(handler, { cache: 'nobody', key: 'a' })).status).toBe(404)
    const bad = await post(handler, { cache: 'guarded', key: '\ud800' })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: string }).error).toContain('well-formed Unicode')
  })

  it('streams the events of every cache as Server-Sent Events, and stops listening when the client goes', async () => {
    const cache = cacheNamed('streamed')
    const client = new AbortController()
    const response = await inspector({ token: TOKEN }).call(undefined, new Request(`${ORIGIN}/__revalidate/api/events`, { headers: bearer, signal: client.signal }))
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(response.headers.get('cache-control')).toBe('no-store')
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
    await cache.withRevalidate('streamed:1', 60, () => 1)
    await cache.withRevalidate('streamed:1', 60, () => 1)
    await cache.invalidate('streamed:1')
    let text = ''
    while (!text.includes('"type":"invalidate"')) text += (await reader.read()).value ?? ''
    const events = text.split('\n').filter((line) => line.startsWith('data: ')).map((line) => JSON.parse(line.slice(6)))
    expect(events.filter((event) => event.key === 'streamed:1').map((event) => event.type)).toEqual(['miss', 'hit', 'invalidate'])
    client.abort()
    expect((await reader.read()).done).toBe(true)
  })

  it('answers only under its path', async () => {
    const handler = inspector({ token: TOKEN, path: '/admin/cache/' })
    expect((await get(handler, '/admin/cache')).status).toBe(200)
    expect((await get(handler, '/admin/cache/api/state')).status).toBe(200)
    expect((await get(handler, '/admin/cachex')).status).toBe(404)
    expect((await get(handler, '/__revalidate')).status).toBe(404)
  })
})

describe('devInspector()', () => {
  it('needs no token and allows invalidation; it is refused in production', async () => {
    cacheNamed('dev')
    const handler = devInspector()
    expect((await get(handler, '/__revalidate', {})).status).toBe(200)
    expect((await post(handler, { cache: 'dev', all: true }, { 'content-type': 'application/json' })).status).toBe(200)
    vi.stubEnv('NODE_ENV', 'production')
    try {
      expect(() => devInspector()).toThrow('devInspector: refused in production')
    } finally {
      vi.unstubAllEnvs()
    }
  })
})
