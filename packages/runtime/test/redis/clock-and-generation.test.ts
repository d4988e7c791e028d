// What an instance knows of time and of the namespace generation is Redis's, not its own: a clock
// minutes off on one instance, and Redis losing its data under connected instances (FLUSHALL,
// FLUSHDB, an evicted generation key), on a private redis-server. Issue 24, items 6 and 7.
import { randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createCache, type RevalidateCache } from '../../src/index.js'
import { countingFetcher, eventually } from '../helpers.js'
import { redisIsAvailable } from './redis-available.js'
import { usePrivateRedis } from './private-redis.js'

const available = await redisIsAvailable()
const MINUTES = 60_000

describe.skipIf(!available)('Redis time and generation', () => {
  const redis = usePrivateRedis()
  const { store } = redis
  afterEach(() => vi.restoreAllMocks())

  /** Runs `call` with this process's clock moved by `offsetMs`: one instance whose clock is off. */
  async function withClockOff<T>(offsetMs: number, call: () => Promise<T>): Promise<T> {
    const realNow = Date.now.bind(Date)
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + offsetMs)
    try {
      return await call()
    } finally {
      clock.mockRestore()
    }
  }

  for (const [direction, offsetMs] of [
    ['ahead', 10 * MINUTES],
    ['behind', -10 * MINUTES],
  ] as const) {
    it(`an instance whose clock runs ${direction} by minutes costs invalidateTag no entry of the tag, its own or others'`, async () => {
      const prefix = `t:${randomUUID()}:`
      const [real, skewed, reader] = [store({ prefix }), store({ prefix, maxEntries: false }), store({ prefix, maxEntries: false })]
      await Promise.all([real.ready(), skewed.ready(), reader.ready()])
      // staleSeconds 0: each entry leaves the tag's index one ttl after it was written.
      const [realCache, skewedCache, readerCache] = [createCache({ store: real, staleSeconds: 0 }), createCache({ store: skewed, staleSeconds: 0 }), createCache({ store: reader, staleSeconds: 0 })]
      const onSkewedClock = <T>(call: () => Promise<T>) => withClockOff(offsetMs, call)
      const read = (cache: RevalidateCache, key: string, value: string) => cache.withRevalidate(key, 120, () => value, { tags: ['posts'] })
      // Ahead, the skewed instance's write trims the real one's entry from the index, as expired;
      // behind, its own entry is written as expired long ago, and the real instance's write trims it.
      await read(realCache, 'post:1', 'old')
      await onSkewedClock(() => read(skewedCache, 'post:2', 'old'))
      await read(realCache, 'post:3', 'old')
      await realCache.invalidateTag('posts')
      for (const key of ['post:1', 'post:2', 'post:3']) {
        expect(await read(readerCache, key, 'new'), key).toBe('new')
        expect(await onSkewedClock(() => read(skewedCache, key, 'new')), key).toBe('new')
      }
    })
  }

  /** Two instances on one prefix, reading Redis on every call, at generation 1, both holding 'k' = 'before'. */
  async function twoInstancesAtGeneration1() {
    const prefix = `t:${randomUUID()}:`
    const [a, b] = [store({ prefix, maxEntries: false }), store({ prefix, maxEntries: false })]
    await Promise.all([a.ready(), b.ready()])
    const [cacheA, cacheB] = [createCache({ store: a }), createCache({ store: b })]
    await cacheA.invalidateAll()
    expect(await cacheA.withRevalidate('k', 60, () => 'before')).toBe('before')
    expect(await cacheB.withRevalidate('k', 60, () => 'unused')).toBe('before')
    return { prefix, cacheA, cacheB }
  }

  /** Ten reads of `k` on each instance, one after the other: how many times each one fetched. */
  async function tenReadsEach(cacheA: RevalidateCache, cacheB: RevalidateCache) {
    const [fetchA, fetchB] = [countingFetcher(() => 'fetched by a'), countingFetcher(() => 'fetched by b')]
    for (let i = 0; i < 10; i++) {
      await cacheA.withRevalidate('k', 60, fetchA)
      await cacheB.withRevalidate('k', 60, fetchB)
    }
    return [fetchA.calls, fetchB.calls] as const
  }

  for (const [loss, lose] of [
    ['FLUSHALL', () => redis.raw.flushAll()],
    ['FLUSHDB', () => redis.raw.flushDb()],
  ] as const) {
    it(`after ${loss} without a reconnect, instances read what they write again: one fetch each at most, not one per read`, async () => {
      const { cacheA, cacheB } = await twoInstancesAtGeneration1()
      await lose() // generation 1 is gone with the data: Redis now writes and reads in the namespace of none
      const [fetchesA, fetchesB] = await tenReadsEach(cacheA, cacheB)
      expect(fetchesA).toBeLessThanOrEqual(1)
      expect(fetchesB).toBeLessThanOrEqual(1)
      expect(fetchesA + fetchesB).toBeGreaterThanOrEqual(1) // the data was lost: someone fetched it again
    })
  }

  it('after the generation key is evicted without a reconnect, an invalidation still reaches every instance, which read what they write', async () => {
    const { prefix, cacheA, cacheB } = await twoInstancesAtGeneration1()
    await redis.raw.del(`${prefix}gen`) // the entries of generation 1 are still there
    await cacheA.invalidate('k') // applied by Redis in the namespace of none
    await eventually(async () => expect(await cacheB.withRevalidate('k', 60, () => 'after')).toBe('after'))
    const [fetchesA, fetchesB] = await tenReadsEach(cacheA, cacheB)
    expect(fetchesA).toBeLessThanOrEqual(1)
    expect(fetchesB).toBeLessThanOrEqual(1)
  })
})
