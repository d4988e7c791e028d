// What two stores on one prefix (two instances) promise each other, on any Redis: one server
// (redis-store.test.ts) or a cluster (cluster.test.ts), each handing in how it makes a store.
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createCache } from '../../src/index.js'
import type { RedisStore, RedisStoreOptions } from '../../src/stores/redis-store.js'
import { countingFetcher, eventually, manualClock } from '../helpers.js'

export function describeTwoInstances(redisName: string, connectedStore: (options?: RedisStoreOptions) => Promise<RedisStore>) {
  describe(`two instances on ${redisName}`, () => {
    it('two caches on one prefix share entries, and an invalidation in one reaches the other’s memory tier', async () => {
      const prefix = `test:${randomUUID()}:`
      const [a, b] = [await connectedStore({ prefix }), await connectedStore({ prefix })]
      const cacheA = createCache({ store: a })
      const cacheB = createCache({ store: b })
      expect(await cacheA.withRevalidate('k', 60, () => 'written by a')).toBe('written by a')
      const notCalled = countingFetcher(() => 'fetched by b')
      expect(await cacheB.withRevalidate('k', 60, notCalled)).toBe('written by a') // now in b's memory tier too
      expect(notCalled.calls).toBe(0)
      await cacheA.invalidate('k')
      await eventually(async () => expect(await cacheB.withRevalidate('k', 60, () => 'fetched by b')).toBe('fetched by b'))
    })

    it('after one instance refreshes a key, the others read its value instead of refreshing it again', async () => {
      const prefix = `test:${randomUUID()}:`
      const clock = manualClock()
      const [a, b] = [await connectedStore({ prefix }), await connectedStore({ prefix })]
      const cacheA = createCache({ store: a, now: clock.now })
      const cacheB = createCache({ store: b, now: clock.now })
      await cacheA.withRevalidate('k', 10, () => 'v1')
      expect(await cacheB.withRevalidate('k', 10, () => 'unused')).toBe('v1') // in both memory tiers now
      clock.advance(11)
      const refreshA = countingFetcher(() => 'v2')
      expect(await cacheA.withRevalidate('k', 10, refreshA)).toBe('v1') // stale: A refreshes in the background
      await eventually(async () => expect(await cacheA.withRevalidate('k', 10, refreshA)).toBe('v2'))
      // B has heard A's write (it lets its stale copy go): on a cluster the message crosses the bus
      // to B's node a moment after A's write returns, and a read before it would refresh.
      await eventually(() => expect(b.memoryUsage.entries).toBe(0))
      const refreshB = countingFetcher(() => 'v2 fetched again by b')
      await eventually(async () => expect(await cacheB.withRevalidate('k', 10, refreshB)).toBe('v2'))
      expect(refreshB.calls).toBe(0)
    })

    it('listeners of the store that throw or reject: the invalidation still reaches the cache, no rejection is left unhandled', async () => {
      const prefix = `test:${randomUUID()}:`
      const [a, b] = [await connectedStore({ prefix }), await connectedStore({ prefix })]
      a.subscribe(() => {
        throw new Error('a listener that throws')
      })
      a.subscribe(() => Promise.reject(new Error('a listener that rejects')))
      const cacheA = createCache({ store: a })
      await cacheA.withRevalidate('k', 60, () => 'before')
      await createCache({ store: b }).invalidate('k')
      await eventually(async () => expect(await cacheA.withRevalidate('k', 60, () => 'after')).toBe('after'))
    })

    it('a key with a lone surrogate is refused at the call, never answered with the entry Redis keeps its U+FFFD twin under', async () => {
      const prefix = `test:${randomUUID()}:`
      const [a, b] = [await connectedStore({ prefix, maxEntries: false }), await connectedStore({ prefix, maxEntries: false })]
      const [cacheA, cacheB] = [createCache({ store: a }), createCache({ store: b })]
      expect(await cacheA.withRevalidate('profile:alice\uFFFD', 60, () => 'alice (U+FFFD)')).toBe('alice (U+FFFD)')
      // UTF-8 has no lone surrogate: node-redis would send U+FFFD's bytes, and the two keys would be one entry.
      const fetcher = countingFetcher(() => 'alice (cut emoji)')
      await expect(cacheB.withRevalidate('profile:alice\uD83D', 60, fetcher)).rejects.toThrow(TypeError)
      await expect(cacheB.invalidate('profile:alice\uD83D')).rejects.toThrow(TypeError)
      expect(fetcher.calls).toBe(0)
      expect(await cacheB.withRevalidate('profile:alice\uFFFD', 60, () => 'unused')).toBe('alice (U+FFFD)')
    })

    it('a read racing an invalidation does not refill the memory tier with the old entry', async () => {
      const prefix = `test:${randomUUID()}:`
      const [a, b] = [await connectedStore({ prefix }), await connectedStore({ prefix })]
      const cacheA = createCache({ store: a })
      await createCache({ store: b }).withRevalidate('k', 60, () => 'old') // in Redis, not in a's memory
      const racing = cacheA.withRevalidate('k', 60, () => 'unused') // a's GET is on its way
      await cacheA.invalidate('k') // its DEL goes after the GET
      expect(await racing).toBe('old') // the read began first: it may see the old value
      expect(await cacheA.withRevalidate('k', 60, () => 'after')).toBe('after') // the next read may not
    })

    it('invalidateAll uses a namespace generation, not SCAN or FLUSHDB, and leaves other prefixes alone', async () => {
      const other = createCache({ store: await connectedStore() })
      await other.withRevalidate('k', 60, () => 'other prefix')
      const store = await connectedStore({ memoryEntries: false }) // the deprecated name still works
      const cache = createCache({ store })
      await cache.withRevalidate('k', 60, () => 'before')
      await cache.invalidateAll()
      expect(await cache.withRevalidate('k', 60, () => 'after')).toBe('after')
      expect(await other.withRevalidate('k', 60, () => 'wrongly dropped')).toBe('other prefix')
    })
  })
}
