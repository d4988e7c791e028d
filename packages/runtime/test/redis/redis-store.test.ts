import { randomUUID } from 'node:crypto'
import { unflatten } from 'devalue'
import { createClient } from 'redis'
import { afterAll, describe, expect, it } from 'vitest'
import { createCache } from '../../src/index.js'
import { RedisStore } from '../../src/redis-store.js'
import { countingFetcher, eventLog, eventually, manualClock } from '../helpers.js'
import { describeStoreSemantics } from '../semantics.js'
import { REDIS_URL, redisIsAvailable } from './redis-available.js'

const available = await redisIsAvailable()
const stores: RedisStore[] = []

async function connectedStore(options: ConstructorParameters<typeof RedisStore>[0] = {}): Promise<RedisStore> {
  const store = new RedisStore({ url: REDIS_URL, prefix: `test:${randomUUID()}:`, ...options })
  stores.push(store)
  await store.ready()
  return store
}

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()))
})

describe.skipIf(!available)('RedisStore', () => {
  describeStoreSemantics('redis (with its memory tier)', () => connectedStore())
  describeStoreSemantics('redis (no memory tier: every read is a round trip)', () => connectedStore({ maxEntries: false }))

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

  it('writes one Redis key per entry with the envelope, expiring at ttl + staleSeconds', async () => {
    const prefix = `test:${randomUUID()}:`
    const cache = createCache({ store: await connectedStore({ prefix }), staleSeconds: 40 })
    await cache.withRevalidate('post:1', 20, () => ({ at: new Date(0) }), { tags: ['posts'] })
    const raw = createClient({ url: REDIS_URL })
    await raw.connect()
    try {
      const ttlMs = await raw.pTTL(`${prefix}0:e:post:1`)
      expect(ttlMs).toBeGreaterThan(55_000)
      expect(ttlMs).toBeLessThanOrEqual(60_000)
      const envelope = JSON.parse((await raw.get(`${prefix}0:e:post:1`))!)
      expect(envelope).toMatchObject({ f: 2, tags: ['posts'] })
      expect(unflatten(envelope.value)).toEqual({ at: new Date(0) })
      expect(await raw.zRange(`${prefix}0:t:posts`, 0, -1)).toEqual(['post:1'])
    } finally {
      await raw.close()
    }
  })

  it('hostile entries written straight into Redis are misses, or data without a polluted prototype', async () => {
    const prefix = `test:${randomUUID()}:`
    const log = eventLog()
    const cache = createCache({ store: await connectedStore({ prefix, maxEntries: false, maxEntryBytes: 100_000 }), onEvent: log.onEvent })
    const raw = createClient({ url: REDIS_URL })
    await raw.connect()
    try {
      const now = Date.now()
      await raw.set(`${prefix}0:e:garbage`, '\u0000\u00ff not json {')
      await raw.set(`${prefix}0:e:wrong-format`, JSON.stringify({ f: 2, storedAt: now, ttlMs: 60_000, staleMs: 0, value: 'from a future version' }))
      await raw.set(`${prefix}0:e:oversized`, JSON.stringify({ f: 2, storedAt: now, ttlMs: 60_000, staleMs: 0, value: ['x'.repeat(200_000)] }))
      await raw.set(`${prefix}0:e:hostile-bigint`, `{"f":2,"storedAt":${now},"ttlMs":60000,"staleMs":0,"value":[["BigInt","${'9'.repeat(50_000)}"]]}`)
      await raw.set(`${prefix}0:e:wrong-type`, 'a list')
      await raw.del(`${prefix}0:e:wrong-type`)
      await raw.rPush(`${prefix}0:e:wrong-type`, 'not a string')
      await raw.set(`${prefix}0:e:polluting`, `{"f":2,"storedAt":${now},"ttlMs":60000,"staleMs":0,"value":[{"__proto__":1,"name":2},{"isAdmin":3},"x",true]}`)
      for (const key of ['garbage', 'wrong-format', 'oversized', 'hostile-bigint', 'polluting']) {
        expect(await cache.withRevalidate(key, 60, () => `fetched ${key}`)).toBe(`fetched ${key}`)
      }
      expect(await cache.withRevalidate('wrong-type', 60, () => 'fetched anyway')).toBe('fetched anyway')
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined()
    } finally {
      await raw.close()
    }
  })

  it('an entry too large for Redis is reported and kept in the memory tier, not fetched on every request', async () => {
    const prefix = `test:${randomUUID()}:`
    const log = eventLog()
    const cache = createCache({ store: await connectedStore({ prefix, maxEntryBytes: 1000 }), onEvent: log.onEvent })
    const fetcher = countingFetcher(() => 'x'.repeat(5000))
    expect(await cache.withRevalidate('big', 60, fetcher)).toHaveLength(5000)
    expect(await cache.withRevalidate('big', 60, fetcher)).toHaveLength(5000)
    expect(fetcher.calls).toBe(1)
    expect(log.events.some((event) => event.type === 'error' && event.phase === 'store' && /larger than the 1000 bytes/.test(String(event.error)))).toBe(true)
  })
})
