// A write already on its way to Redis when another instance invalidates its key (or a tag of it,
// or everything) is undone: docs/architecture.md, "The rules every store keeps" (fences).
// Instance A reaches a private redis-server through a TCP proxy that holds A's write (and the
// pub/sub message telling A of the invalidation) while instance B, connected directly,
// invalidates; A's write then lands
// after B's invalidation, as it does when A's fetch passed the coordinator's fence check just before.
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createCache, type CacheEvent, type RevalidateCache } from '../../src/index.js'
import { RedisStore } from '../../src/stores/redis-store.js'
import { countingFetcher, deferred, eventually } from '../helpers.js'
import { redisIsAvailable } from './redis-available.js'
import { usePrivateRedis } from './private-redis.js'

const available = await redisIsAvailable()

describe.skipIf(!available)('a write on its way to Redis that another instance’s invalidation overtook', () => {
  const redis = usePrivateRedis()
  const { store } = redis

  /**
   * A behind a proxy, B direct, on one prefix; `events` has both caches' events. A's commands may
   * be held for a while: a long commandTimeoutMs.
   */
  async function twoInstances() {
    const prefix = `t:${randomUUID()}:`
    const via = await redis.proxy()
    const [a, b] = [store({ prefix, via, commandTimeoutMs: 10_000 }), store({ prefix })]
    await Promise.all([a.ready(), b.ready()])
    const events: CacheEvent[] = []
    const onEvent = (event: CacheEvent) => events.push(event)
    return { prefix, via, events, cacheA: createCache({ store: a, onEvent }), cacheB: createCache({ store: b, onEvent }) }
  }

  interface Hooks {
    beforeFetch?(cacheB: RevalidateCache, prefix: string): Promise<unknown>
    duringFetch?(prefix: string): Promise<unknown>
  }

  /**
   * A fetches `k` (tagged `posts`); once its fetcher has begun, B runs `invalidate` between A's
   * fetcher resolving and A's write reaching Redis. Returns what A's callers got.
   */
  async function raceWrite(invalidate: (cacheB: RevalidateCache) => Promise<void>, hooks: Hooks = {}) {
    const { prefix, via, events, cacheA, cacheB } = await twoInstances()
    await hooks.beforeFetch?.(cacheB, prefix)
    const fetched = deferred<string>()
    const fetcher = countingFetcher(() => fetched.promise)
    const writing = cacheA.withRevalidate('k', 60, fetcher, { tags: ['posts'] })
    await eventually(() => expect(fetcher.calls).toBe(1)) // A's fetch has begun
    await hooks.duringFetch?.(prefix)
    via.hold()
    fetched.resolve('fetched by a before the invalidation')
    // A's write is on its way: its first step, indexing under its tag, is held (the entry is written after it).
    await eventually(() => expect(via.holds(`${prefix}{t:posts}:idx`)).toBe(true))
    await invalidate(cacheB)
    via.release()
    const served = await writing
    return { served, events, cacheA, cacheB }
  }

  for (const [name, invalidate] of [
    ['invalidate(key)', (cache: RevalidateCache) => cache.invalidate('k')],
    ['invalidateTag(tag)', (cache: RevalidateCache) => cache.invalidateTag('posts')],
    ['invalidateAll()', (cache: RevalidateCache) => cache.invalidateAll()],
  ] as const) {
    it(`${name} in B: B's next read fetches anew, and A's once it hears of it`, async () => {
      const { served, events, cacheA, cacheB } = await raceWrite(invalidate)
      expect(served).toBe('fetched by a before the invalidation') // A's callers began before: they get it
      expect(events.filter((event) => event.type === 'error')).toEqual([]) // a refused write is normal, not an error
      expect(await cacheB.withRevalidate('k', 60, () => 'fetched by b after', { tags: ['posts'] })).toBe('fetched by b after')
      // A serves what it held until it hears of the invalidation; then B's value or one it fetched since.
      await eventually(async () => expect(await cacheA.withRevalidate('k', 60, () => 'fetched by a after', { tags: ['posts'] })).not.toBe(served))
    })
  }

  it('a write that no invalidation overtook lands, and one of another key or tag does not stop it', async () => {
    const { cacheA, cacheB } = await raceWrite((cache) => Promise.all([cache.invalidate('other'), cache.invalidateTag('other-tag')]).then(() => {}))
    const notCalled = countingFetcher(() => 'fetched by b')
    expect(await cacheB.withRevalidate('k', 60, notCalled, { tags: ['posts'] })).toBe('fetched by a before the invalidation')
    expect(notCalled.calls).toBe(0)
    expect(await cacheA.withRevalidate('k', 60, notCalled, { tags: ['posts'] })).toBe('fetched by a before the invalidation')
  })

  it('a store whose writeFence fails: reported, and the value is served and written unmarked', async () => {
    class FailingFence extends RedisStore {
      override writeFence(): Promise<never> {
        return Promise.reject(new Error('no mark today'))
      }
    }
    const prefix = `t:${randomUUID()}:`
    const failing = new FailingFence({ url: redis.server.url, prefix })
    redis.closeAfterTest(() => failing.close())
    const events: CacheEvent[] = []
    const cache = createCache({ store: failing, onEvent: (event) => events.push(event) })
    expect(await cache.withRevalidate('k', 60, () => 'fetched')).toBe('fetched')
    expect(events).toContainEqual(expect.objectContaining({ type: 'error', phase: 'store', key: 'k', error: expect.objectContaining({ message: 'no mark today' }) }))
    expect(await redis.raw.get(`${prefix}{k:k}:0:e`)).toContain('fetched')
  })

  it('Redis losing its invalidation records (a flush, an eviction) meanwhile: a later invalidation still undoes the write', async () => {
    const { cacheB } = await raceWrite((cache) => cache.invalidate('k'), {
      // Invalidations before A's fetch: its mark is past them.
      beforeFetch: (cache) => Promise.all([cache.invalidate('earlier:1'), cache.invalidateTag('earlier')]),
      // Then every record is gone (A's key's included): numbering must not start again below A's mark.
      duringFetch: async (prefix) => expect(await redis.raw.del([`${prefix}{k:k}:rec`, `${prefix}{k:earlier:1}:rec`, `${prefix}{t:earlier}:rec`])).toBe(3),
    })
    expect(await cacheB.withRevalidate('k', 60, () => 'fetched by b after', { tags: ['posts'] })).toBe('fetched by b after')
  })

  it('invalidation records of the wrong type (someone else wrote them) are not an outage: replaced, and they fence again', async () => {
    const { cacheB, events } = await raceWrite((cache) => cache.invalidate('k'), {
      beforeFetch: async (cache, prefix) => {
        await redis.raw.set(`${prefix}{k:k}:rec`, 'not a hash')
        await redis.raw.rPush(`${prefix}{t:posts}:rec`, 'not a hash either')
      },
    })
    expect(await cacheB.withRevalidate('k', 60, () => 'fetched by b after', { tags: ['posts'] })).toBe('fetched by b after')
    expect(events.filter((event) => event.type === 'error')).toEqual([])
  })

  it('invalidations of 10,000 other keys during one fetch do not refuse its write: each key and tag has a record of its own', async () => {
    const { cacheB } = await raceWrite(async (cache) => {
      for (let i = 0; i < 10_001; i += 1000) await Promise.all(Array.from({ length: 1000 }, (_, j) => cache.invalidate(`other:${i + j}`)))
    })
    expect(await cacheB.withRevalidate('k', 60, () => 'fetched by b after', { tags: ['posts'] })).toBe('fetched by a before the invalidation')
  })

  it('a fetch that outlives its lock does not replace the value of a fetch that began after it', async () => {
    const prefix = `t:${randomUUID()}:`
    const [a, b] = [store({ prefix, lockSeconds: 0.3 }), store({ prefix, lockSeconds: 0.3 })]
    await Promise.all([a.ready(), b.ready()])
    const [cacheA, cacheB] = [createCache({ store: a }), createCache({ store: b })]
    const slow = deferred<string>()
    const fetcherA = countingFetcher(() => slow.promise)
    const revision1 = cacheA.withRevalidate('post', 600, fetcherA)
    await eventually(() => expect(fetcherA.calls).toBe(1)) // A holds the lock and fetches revision 1
    // B misses, waits for A's lock to expire (lockSeconds), takes it, and fetches revision 2.
    expect(await cacheB.withRevalidate('post', 600, () => 'revision 2')).toBe('revision 2')
    slow.resolve('revision 1') // A's fetch, which began first, lands last
    expect(await revision1).toBe('revision 1') // its own callers began before revision 2 existed
    const reader = createCache({ store: store({ prefix, maxEntries: false }) })
    expect(await reader.withRevalidate('post', 600, () => 'fetched by a reader')).toBe('revision 2')
    await eventually(async () => expect(await cacheA.withRevalidate('post', 600, () => 'fetched by a again')).toBe('revision 2'))
  })
})
