// A Worker that drives the Cloudflare store inside workerd for store.test.ts. Several caches on the
// same Cache API namespace stand for isolates of one location; the clock is the test's. Cache API
// calls can be held on their way and are counted, to pin down races and per-request costs; a race
// is set up by holding one side until the other has happened, never by sleeping.
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

// The Cache API as the store sees it: each call counted by method and URL, and held on its way while
// a test holds that method: a held match answers late with what it found when it was made, a held
// put lands late.
const cacheApi = { holds: {}, calls: [] }
function instrumentCacheApi() {
  const prototype = Object.getPrototypeOf(caches.default)
  if (prototype.instrumented) return
  for (const method of ['match', 'put', 'delete']) {
    const original = prototype[method]
    prototype[method] = async function (request, ...rest) {
      cacheApi.calls.push({ method, url: String(request.url ?? request) })
      const hold = cacheApi.holds[method]
      if (method === 'match') {
        const found = await original.call(this, request, ...rest)
        await hold?.reached()
        return found
      }
      await hold?.reached()
      return original.call(this, request, ...rest)
    }
  }
  prototype.instrumented = true
}

/** Holds the Cache API's `method` calls from now on; `until()` resolves once one is held, `release()` lets them all go. */
function holdCacheApi(method) {
  let release
  const released = new Promise((resolve) => (release = resolve))
  const hold = { held: false, reached: () => ((hold.held = true), released) }
  cacheApi.holds[method] = hold
  return {
    until: () => until(() => hold.held),
    release() {
      delete cacheApi.holds[method]
      release()
    },
  }
}

/** Waits (in this request) until `condition()` is true. */
async function until(condition) {
  while (!condition()) await sleep(1)
}

/**
 * Gates a test opens by name (`open?gate=`): a fetcher with `behaviour=gated&gate=<name>` waits for
 * it. Polled, not a promise: one request's promise must not be settled from another request.
 */
const openGates = new Set()
const callsTo = (method, start = 0) => cacheApi.calls.slice(start).filter((call) => call.method === method)
const entryReads = (start) => callsTo('match', start).filter((call) => call.url.includes('/e/'))

function fetcherFor(behaviour, ms, gate) {
  return async () => {
    const call = ++calls
    if (behaviour === 'slow') await sleep(ms)
    if (behaviour === 'gated') await until(() => openGates.has(gate))
    completed++
    if (behaviour === 'fail') throw new Error(`failure #${call}`)
    return `value#${call}`
  }
}

async function read(cache, params) {
  const key = params.get('key')
  const ttl = Number(params.get('ttl') ?? 60)
  const tags = params.get('tags')?.split(',')
  const fetcher = fetcherFor(params.get('behaviour') ?? 'ok', Number(params.get('ms') ?? 0), params.get('gate'))
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
  open: (cache, params) => void openGates.add(params.get('gate')),
  invalidate: (cache, params) => cache.invalidate(params.get('key')),
  invalidateTag: (cache, params) => cache.invalidateTag(params.get('tag')),
  invalidateAll: (cache) => cache.invalidateAll(),
  // A fetch that began before an invalidation must not write what it fetched.
  async fence(cache, params) {
    const key = params.get('key')
    let began = false
    let release
    const held = new Promise((resolve) => (release = resolve))
    const before = cache.withRevalidate(key, 60, async () => {
      began = true
      await held
      return `value#${++calls}`
    })
    await until(() => began)
    await cache.invalidate(key)
    release()
    return { before: await before, after: await cache.withRevalidate(key, 60, fetcherFor('ok')) }
  },
  // A fetch that waits for its signal, for an invalidation made by another request to abort.
  abortable: (cache, params) =>
    cache.withRevalidate(params.get('key'), 60, ({ signal }) => new Promise((resolve) => {
      calls++
      const timer = setTimeout(() => resolve('not aborted'), 2000)
      signal.addEventListener('abort', () => {
        clearTimeout(timer)
        resolve(`aborted: ${signal.reason.name}`)
      })
    })),
  // A fresh isolate's first read is on its way (a slow Cache API match) when it invalidates the key.
  async invalidateDuringRead(cache, params) {
    const key = params.get('key')
    await cache.withRevalidate(key, 60, () => 'old')
    const fresh = makeIsolate()
    const match = holdCacheApi('match')
    const first = fresh.withRevalidate(key, 60, () => 'not fetched: the read began before the invalidation')
    await match.until()
    await fresh.invalidate(key)
    match.release()
    return { first: await first, second: await fresh.withRevalidate(key, 60, () => 'new') }
  },
  // The fetcher has returned and the Cache API put is on its way (slow) when the key is invalidated.
  async invalidateDuringWrite(cache, params) {
    const key = params.get('key')
    const put = holdCacheApi('put')
    const first = cache.withRevalidate(key, 60, () => 'before the invalidation')
    await put.until()
    await cache.invalidate(key)
    put.release()
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
  // A key or tag that holds a lone surrogate, handed to the store itself: what each call answers,
  // and whether the value stayed in isolate memory.
  async illFormed() {
    const store = cloudflareStore({ prefix: 'test/' })
    const bad = 'profile:alice\uD83D'
    const entry = { value: 'v', storedAt: nowMs, ttlMs: 60_000, staleMs: 0 }
    const outcome = async (call) => {
      try {
        await call()
        return 'ok'
      } catch (error) {
        return `${error.name}: ${error.message}`
      }
    }
    return {
      set: await outcome(() => store.set(bad, entry)),
      setTag: await outcome(() => store.set('fine', { ...entry, tags: [bad] })),
      get: await outcome(() => store.get(bad)),
      delete: await outcome(() => store.delete(bad)),
      deleteTag: await outcome(() => store.deleteTag(bad)),
      memory: store.memoryUsage.entries,
    }
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
