// One "location" for coordinator.test.ts: its own Cache API cache (a data centre's), its isolates
// (each a cache with its own store and memory), all bound to one coordinator namespace. Each
// response says what happened here: fetcher calls of this location and the events since the last
// (an invalidation that rejects is one: `rejected:<message>`).
import { waitUntil } from 'cloudflare:workers'
import { createCache } from '@revalidate/runtime'
import { cloudflareStore } from '@revalidate/runtime/cloudflare'

let calls = 0
const events = []
const isolates = new Map()

function isolate(env, name, params) {
  if (!isolates.has(name)) {
    const coordinated = params.get('coordinator') !== 'none'
    const store = cloudflareStore({
      cacheName: `revalidate@${env.LOCATION}`,
      syncSeconds: Number(params.get('syncSeconds') ?? 0.3),
      // Far above what a call takes on a loaded machine: only the tests of a slow coordinator set less.
      coordinatorTimeoutMs: Number(params.get('coordinatorTimeoutMs') ?? 5000),
      shards: Number(params.get('shards') ?? 1),
      coordinator: coordinated ? env.REVALIDATE : undefined,
    })
    if (params.has('hear')) {
      // What the store tells its listeners (the cache is one), as `heard:<key | tag | all>`.
      store.subscribe((invalidation) => events.push(`heard:${invalidation.key ?? invalidation.tag ?? invalidation.kind}`))
    }
    if (params.has('hostileListeners')) {
      // Listeners of the store's invalidations that fail, heard before the cache's own.
      store.subscribe(() => {
        throw new Error('a listener that throws')
      })
      store.subscribe(() => Promise.reject(new Error('a listener that rejects')))
    }
    const onEvent = (event) => {
      if (event.type === 'error') events.push(`error:${event.phase}:${event.error.message}`)
      else if (event.type === 'invalidate' && event.remote) events.push(`invalidate:remote:${event.key ?? event.tag ?? 'all'}`)
    }
    isolates.set(name, createCache({ store, waitUntil, now: Date.now, onEvent }))
  }
  return isolates.get(name)
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Gates a test opens by name (`open?gate=`): a fetcher with `gate=<name>` waits for it. Polled, not
 * a promise: one request's promise must not be settled from another request.
 */
const openGates = new Set()

function fetcherFor(location, params) {
  const ms = Number(params.get('ms') ?? 0)
  const gate = params.get('gate')
  return async () => {
    const call = ++calls
    if (ms > 0) await sleep(ms)
    while (gate !== null && !openGates.has(gate)) await sleep(10)
    return `value@${location}#${call}`
  }
}

/** An invalidation's rejection, recorded as an event (however the cache reports it, the test sees it). */
const recorded = (invalidation) => invalidation.catch((error) => void events.push(`rejected:${error?.message ?? error}`))

/** Runs `work` while this location's `caches.open` rejects, as when the Cache API is unavailable. */
async function withoutCacheApi(work) {
  const open = caches.open
  caches.open = () => Promise.reject(new Error('Cache API unavailable (test)'))
  try {
    return await work()
  } finally {
    caches.open = open
  }
}

const coordinatorObject = (env) => env.REVALIDATE.get(env.REVALIDATE.idFromName('revalidate/'))

const routes = {
  async read(cache, params, env) {
    const fetcher = fetcherFor(env.LOCATION, params)
    const tags = params.get('tags')?.split(',')
    const version = params.get('version') ?? undefined
    const concurrency = Number(params.get('concurrency') ?? 1)
    const outcomes = await Promise.allSettled(Array.from({ length: concurrency }, () => cache.withRevalidate(params.get('key'), Number(params.get('ttl') ?? 60), fetcher, { tags, version })))
    return {
      values: [...new Set(outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value))],
      errors: [...new Set(outcomes.filter((o) => o.status === 'rejected').map((o) => String(o.reason?.message ?? o.reason)))],
    }
  },
  invalidate: (cache, params) => recorded(cache.invalidate(params.get('key'))),
  invalidateTag: (cache, params) => recorded(cache.invalidateTag(params.get('tag'))),
  invalidateAll: (cache) => recorded(cache.invalidateAll()),
  // An invalidation made while this location's Cache API cannot be opened.
  invalidateWithoutCacheApi: (cache, params) => withoutCacheApi(() => recorded(cache.invalidate(params.get('key')))),
  open: (cache, params) => void openGates.add(params.get('gate')),
  // `count` invalidations of distinct tags recorded at once, as a busy site makes between two syncs.
  flood: (cache, params, env) => coordinatorObject(env).flood(Number(params.get('count'))),
  // Calls naming a key or tag that holds a lone surrogate, straight to the coordinator: what each
  // answered, and the names its storage holds afterwards.
  async illFormedCalls(cache, params, env) {
    const stub = coordinatorObject(env)
    const bad = 'profile:alice\uD83D'
    const outcome = (call) =>
      call().then(
        () => 'accepted',
        (error) => `${error.name}: ${error.message}`,
      )
    const lease = await stub.acquire('well-formed', { leaseMs: 5000, waitMs: 0 })
    return {
      outcomes: {
        invalidateKey: await outcome(() => stub.invalidate('k', bad)),
        invalidateTag: await outcome(() => stub.invalidate('t', bad)),
        syncCheckKey: await outcome(() => stub.sync({ since: null, checks: [{ key: bad, tags: [], writtenAt: 0 }] })),
        syncCheckTag: await outcome(() => stub.sync({ since: null, checks: [{ key: 'well-formed', tags: [bad], writtenAt: 0 }] })),
        acquire: await outcome(() => stub.acquire(bad, { leaseMs: 5000, waitMs: 0 })),
        releaseFillTag: await outcome(() => stub.release('well-formed', lease.token, { text: '{}', tags: [bad], shareMs: 1000 })),
      },
      stored: await stub.storedNames(),
    }
  },
  setMode: (cache, params, env) => coordinatorObject(env).setMode(params.get('mode'), Number(params.get('ms') ?? 0)),
  // What a store made with this syncSeconds says (its error's message), without keeping it.
  syncSecondsError(cache, params, env) {
    try {
      const value = params.get('value') // JSON, or NaN / Infinity / -Infinity, which JSON has not
      cloudflareStore({ coordinator: env.REVALIDATE, syncSeconds: /^-?(NaN|Infinity)$/.test(value) ? Number(value) : JSON.parse(value) })
      return null
    } catch (error) {
      return `${error.name}: ${error.message}`
    }
  },
  async restart(cache, params, env) {
    await coordinatorObject(env)
      .restart()
      .catch(() => {})
  },
  // A lease taken and never released, as by an isolate cut off mid-fetch.
  orphanLease: (cache, params, env) => coordinatorObject(env).acquire(params.get('key'), { leaseMs: Number(params.get('leaseMs')), waitMs: 0 }),
  leaseCount: (cache, params, env) => coordinatorObject(env).leaseCount(),
  handedOut: (cache, params, env) => coordinatorObject(env).handedOut(),
  // The Cache API evicts what it likes: here, every invalidation marker of this location.
  async evictMarkers(cache, params, env) {
    const markers = await caches.open(`revalidate@${env.LOCATION}`)
    for (const name of ['all', 't0', 't1', 't2', 't3', 't4', 't5', 't6', 't7']) await markers.delete(`https://revalidate.internal/m/${name}`)
  },
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    const route = routes[url.pathname.slice(1)]
    if (!route) return new Response('no such route', { status: 404 })
    const cache = isolate(env, url.searchParams.get('isolate') ?? 'main', url.searchParams)
    const result = await route(cache, url.searchParams, env)
    return Response.json({ result: result ?? null, calls, events: events.splice(0) })
  },
}
