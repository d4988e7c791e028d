// A Worker that drives the Cloudflare store inside workerd for store.test.ts. Two caches on the
// same Cache API namespace stand for two isolates of one location; the clock is the test's.
import { waitUntil } from 'cloudflare:workers'
import { createCache } from '@revalidate/runtime'
import { cloudflareStore } from '@revalidate/runtime/cloudflare'

let nowMs = 1_700_000_000_000
let calls = 0
let completed = 0
const events = []
const options = { prefix: 'test/' }
const isolates = {
  a: createCache({ store: cloudflareStore(options), waitUntil, now: () => nowMs, onEvent: (event) => events.push(event.type) }),
  b: createCache({ store: cloudflareStore({ ...options, syncSeconds: 0.2 }), waitUntil, now: () => nowMs }),
  unbuffered: createCache({ store: cloudflareStore({ ...options, memoryEntries: false }), waitUntil, now: () => nowMs }),
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

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
    const url = new URL(request.url)
    const route = routes[url.pathname.slice(1)]
    if (!route) return new Response('no such route', { status: 404 })
    const cache = isolates[url.searchParams.get('isolate') ?? 'a']
    const result = await route(cache, url.searchParams)
    // What had happened when the response left: background work may still be running.
    return Response.json({ result: result ?? null, calls, completed, events: events.splice(0) })
  },
}
