import { randomUUID } from 'node:crypto'
import { unflatten } from 'devalue'
import { createClient } from 'redis'
import { afterAll, describe, expect, it } from 'vitest'
import { createCache } from '../../src/index.js'
import { RedisStore } from '../../src/stores/redis-store.js'
import { countingFetcher, eventLog, eventually, manualClock } from '../helpers.js'
import { describeStoreSemantics } from '../semantics.js'
import { describeTwoInstances } from './two-instances.js'
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

  describeTwoInstances('one server', connectedStore)

  it('writes one Redis key per entry with the envelope, expiring at ttl + staleSeconds', async () => {
    const prefix = `test:${randomUUID()}:`
    const cache = createCache({ store: await connectedStore({ prefix }), staleSeconds: 40 })
    await cache.withRevalidate('post:1', 20, () => ({ at: new Date(0) }), { tags: ['posts'] })
    const raw = createClient({ url: REDIS_URL })
    await raw.connect()
    try {
      const ttlMs = await raw.pTTL(`${prefix}{k:post:1}:0:e`)
      expect(ttlMs).toBeGreaterThan(55_000)
      expect(ttlMs).toBeLessThanOrEqual(60_000)
      const envelope = JSON.parse((await raw.get(`${prefix}{k:post:1}:0:e`))!)
      expect(envelope).toMatchObject({ f: 2, tags: ['posts'] })
      expect(unflatten(envelope.value)).toEqual({ at: new Date(0) })
      expect(await raw.zRange(`${prefix}{t:posts}:idx`, 0, -1)).toEqual(['0:post:1'])
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
      await raw.set(`${prefix}{k:garbage}:0:e`, '\u0000\u00ff not json {')
      await raw.set(`${prefix}{k:wrong-format}:0:e`, JSON.stringify({ f: 2, storedAt: now, ttlMs: 60_000, staleMs: 0, value: 'from a future version' }))
      await raw.set(`${prefix}{k:oversized}:0:e`, JSON.stringify({ f: 2, storedAt: now, ttlMs: 60_000, staleMs: 0, value: ['x'.repeat(200_000)] }))
      await raw.set(`${prefix}{k:hostile-bigint}:0:e`, `{"f":2,"storedAt":${now},"ttlMs":60000,"staleMs":0,"value":[["BigInt","${'9'.repeat(50_000)}"]]}`)
      await raw.set(`${prefix}{k:wrong-type}:0:e`, 'a list')
      await raw.del(`${prefix}{k:wrong-type}:0:e`)
      await raw.rPush(`${prefix}{k:wrong-type}:0:e`, 'not a string')
      await raw.set(`${prefix}{k:polluting}:0:e`, `{"f":2,"storedAt":${now},"ttlMs":60000,"staleMs":0,"value":[{"__proto__":1,"name":2},{"isAdmin":3},"x",true]}`)
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
