// A Worker that drives the Cloudflare store inside workerd for store.test.ts. Several caches on the
// same Cache API namespace stand for isolates of one location; the clock is the test's. The Cache
// API can be slowed down and its calls counted, to pin down races and per-request costs.
import { waitUntil } from 'cloudflare:workers'
import { createCache } from '@revalidate/runtime'
import { cloudflareStore } from '@revalidate/runtime/cloudflare'

let nowMs = 1_700_000_000_000
let calls = 0
let completed = 0
const events = []
const options = { prefix: 'test/' }
const makeIsolate = (storeOptions = {}, cacheOptions = {}) => {
  const store = cloudflareStore({ ...options, ...storeOptions })
  return Object.assign(createCache({ store, waitUntil, now: () => nowMs, ...cacheOptions }), { store })
}
const isolates = {
  a: makeIsolate({}, { onEvent: (event) => events.push(event.type === 'error' ? `error:${event.phase}:${event.error.message}` : event.type) }),
  b: makeIsolate({ syncSeconds: 0.2 }),
  unbuffered: makeIsolate({ maxEntries: false }),
  // Background work the platform cuts off: the refresh is not kept alive past the response, as
  // happens to work handed to waitUntil after its 30 seconds. Its timers never fire again.
  cutOff: makeIsolate({}, { waitUntil: () => {}, timeoutSeconds: 0.5 }),
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// The Cache API as the store sees it: each call counted by method and URL, optionally slowed down:
// a slow match answers late with what it found when it was made, a slow put lands late.
const cacheApi = { delayMs: { match: 0, put: 0, delete: 0 }, calls: [] }
function instrumentCacheApi() {
  const prototype = Object.getPrototypeOf(caches.default)
  if (prototype.instrumented) return
  for (const method of ['match', 'put', 'delete']) {
    const original = prototype[method]
    prototype[method] = async function (request, ...rest) {
      cacheApi.calls.push({ method, url: String(request.url ?? request) })
      const delayMs = cacheApi.delayMs[method]
      if (method === 'match') {
        const found = await original.call(this, request, ...rest)
        if (delayMs > 0) await sleep(delayMs)
        return found
      }
      if (delayMs > 0) await sleep(delayMs)
      return original.call(this, request, ...rest)
    }
  }
  prototype.instrumented = true
}
const callsTo = (method, start = 0) => cacheApi.calls.slice(start).filter((call) => call.method === method)
const entryReads = (start) => callsTo('match', start).filter((call) => call.url.includes('/e/'))

function fetcherFor(behaviour, ms) {
  return async () => {
    const call = ++calls
    if (behaviour === 'slow') await sleep(ms)
    completed++
    if (behaviour === 'fail') throw new Error(`failure #${call}`)
    return `value#${call}`
  }
}

async function read(cache, params) {
  const key = params.get('key')
  const ttl = Number(params.get('ttl') ?? 60)
  const tags = params.get('tags')?.split(',')
  const fetcher = fetcherFor(params.get('behaviour') ?? 'ok', Number(params.get('ms') ?? 0))
  const concurrency = Number(params.get('concurrency') ?? 1)
  const outcomes = await Promise.allSettled(Array.from({ length: concurrency }, () => cache.withRevalidate(key, ttl, fetcher, { tags })))
  return {
    values: [...new Set(outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value))],
    errors: [...new Set(outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason.message))],
  }
}

const routes = {
  read: (cache, params) => read(cache, params),
  advance: (cache, params) => void (nowMs += Number(params.get('seconds')) * 1000),
  invalidate: (cache, params) => cache.invalidate(params.get('key')),
  invalidateTag: (cache, params) => cache.invalidateTag(params.get('tag')),
  invalidateAll: (cache) => cache.invalidateAll(),
  // A fetch that began before an invalidation must not write what it fetched.
  async fence(cache, params) {
    const key = params.get('key')
    const before = cache.withRevalidate(key, 60, fetcherFor('slow', 100))
    await sleep(20)
    await cache.invalidate(key)
    return { before: await before, after: await cache.withRevalidate(key, 60, fetcherFor('ok')) }
  },
  // A fresh isolate's first read is on its way (a slow Cache API match) when it invalidates the key.
  async invalidateDuringRead(cache, params) {
    const key = params.get('key')
    await cache.withRevalidate(key, 60, () => 'old')
    const fresh = makeIsolate()
    cacheApi.delayMs.match = 50
    const first = fresh.withRevalidate(key, 60, () => 'not fetched: the read began before the invalidation')
    await sleep(10)
    await fresh.invalidate(key)
    cacheApi.delayMs.match = 0
    return { first: await first, second: await fresh.withRevalidate(key, 60, () => 'new') }
  },
  // The fetcher has returned and the Cache API put is on its way (slow) when the key is invalidated.
  async invalidateDuringWrite(cache, params) {
    const key = params.get('key')
    cacheApi.delayMs.put = 50
    const first = cache.withRevalidate(key, 60, () => 'before the invalidation')
    await sleep(10)
    await cache.invalidate(key)
    cacheApi.delayMs.put = 0
    await first
    const fresh = await makeIsolate({ maxEntries: false }).withRevalidate(key, 60, () => 'fetched anew by a fresh isolate')
    return { fresh, here: await cache.withRevalidate(key, 60, () => 'fetched anew here') }
  },
  // Cache API calls of one cold read of an entry with `tags` tags (a fresh isolate, nothing in memory).
  async coldReadCalls(cache, params) {
    const tags = Array.from({ length: Number(params.get('tags')) }, (_, i) => `tag-${i}`)
    await cache.withRevalidate(params.get('key'), 60, () => 'tagged', { tags })
    const start = cacheApi.calls.length
    const value = await makeIsolate().withRevalidate(params.get('key'), 60, () => 'not from the Cache API')
    return { value, calls: cacheApi.calls.length - start }
  },
  // Marker records the Cache API receives for `count` distinct tags invalidated.
  async markersForTags(cache, params) {
    const start = cacheApi.calls.length
    for (let i = 0; i < Number(params.get('count')); i++) await cache.invalidateTag(`tag-${i}`)
    return new Set(callsTo('put', start).map((call) => call.url)).size
  },
  // `count` values of `bytes` characters each through an isolate whose memory tier keeps `maxMemoryBytes`;
  // then how many of them a second read still finds in memory (no Cache API match).
  async memoryBytes(cache, params) {
    const isolate = makeIsolate({ maxMemoryBytes: Number(params.get('maxMemoryBytes')) })
    const keys = Array.from({ length: Number(params.get('count')) }, (_, i) => `big-${params.get('bytes')}-${i}`)
    for (const key of keys) await isolate.withRevalidate(key, 60, () => key.padEnd(Number(params.get('bytes')), '.'))
    const start = cacheApi.calls.length
    // Newest first: reading the oldest first would evict the newest before they are read.
    for (const key of keys.toReversed()) await isolate.withRevalidate(key, 60, () => 'not fetched again')
    return { fromMemory: keys.length - entryReads(start).length, usage: isolate.store.memoryUsage }
  },
  // What an isolate lists (its memory tier: the Cache API cannot be listed), before and after an invalidation.
  async listed(cache) {
    const isolate = makeIsolate()
    await isolate.withRevalidate('a', 60, () => 'one', { tags: ['t'] })
    await isolate.withRevalidate('b', 60, () => 'two')
    const list = async () => {
      const items = []
      for await (const { key, entry, bytes } of isolate.store.entries()) items.push({ key, value: entry.value, tags: entry.tags, bytes })
      return items
    }
    const before = await list()
    await isolate.invalidateTag('t')
    return { before, after: await list(), usage: isolate.store.memoryUsage }
  },
  // A value whose UTF-16 length is under maxEntryBytes but whose UTF-8 bytes are over it.
  async multiByteValue(cache, params) {
    const value = '€'.repeat(Number(params.get('characters')))
    const isolate = makeIsolate({ maxEntryBytes: Number(params.get('maxEntryBytes')) }, { onEvent: (event) => event.type === 'error' && events.push(`error:${event.phase}:${event.error.message}`) })
    const stored = await isolate.withRevalidate('multi-byte', 60, () => value)
    const reread = await makeIsolate({ maxEntries: false }).withRevalidate('multi-byte', 60, () => 'fetched: nothing was written')
    return { stored: stored.length, reread: reread.length === value.length ? 'the big value' : reread }
  },
  // Something else wrote garbage where an entry belongs.
  async corrupt(cache, params) {
    const url = `https://revalidate.internal/test/e/${encodeURIComponent(params.get('key'))}`
    const headers = { 'cache-control': 'max-age=60', 'x-revalidate-written-at': String(Date.now()) }
    await (await caches.open('revalidate')).put(url, new Response(params.get('body') ?? '{not json', { headers }))
  },
  async roundTrip() {
    const value = { at: new Date(0), byId: new Map([[1, 'one']]), tags: new Set(['a']), big: 2n ** 70n, missing: undefined }
    await isolates.a.withRevalidate('round-trip', 60, () => value)
    const back = await isolates.unbuffered.withRevalidate('round-trip', 60, () => 'not read from the Cache API')
    return {
      at: back.at instanceof Date && back.at.getTime(),
      byId: back.byId instanceof Map && [...back.byId],
      tags: back.tags instanceof Set && [...back.tags],
      big: typeof back.big === 'bigint' && back.big.toString(),
      missingKept: Object.hasOwn(back, 'missing') && back.missing === undefined,
    }
  },
}

export default {
  async fetch(request) {
    instrumentCacheApi()
    const url = new URL(request.url)
    const route = routes[url.pathname.slice(1)]
    if (!route) return new Response('no such route', { status: 404 })
    const cache = isolates[url.searchParams.get('isolate') ?? 'a']
    const result = await route(cache, url.searchParams)
    // What had happened when the response left: background work may still be running.
    return Response.json({ result: result ?? null, calls, completed, events: events.splice(0) })
  },
}
