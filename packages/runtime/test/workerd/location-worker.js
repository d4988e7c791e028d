// One "location" for coordinator.test.ts: its own Cache API cache (a data centre's), its isolates
// (each a cache with its own store and memory), all bound to one coordinator namespace. Each
// response says what happened here: fetcher calls of this location and the events since the last.
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
      coordinatorTimeoutMs: 300,
      shards: Number(params.get('shards') ?? 1),
      coordinator: coordinated ? env.REVALIDATE : undefined,
    })
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

function fetcherFor(location, params) {
  const ms = Number(params.get('ms') ?? 0)
  return async () => {
    const call = ++calls
    if (ms > 0) await sleep(ms)
    return `value@${location}#${call}`
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
  invalidate: (cache, params) => cache.invalidate(params.get('key')),
  invalidateTag: (cache, params) => cache.invalidateTag(params.get('tag')),
  invalidateAll: (cache) => cache.invalidateAll(),
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
