// The Redis store under partial failure, on a private redis-server: single connections cut
// through a TCP proxy (only the subscriber, only the main client), partitions, slow replies,
// keys of the wrong type, hostile entries. Issue 14, items 3 to 12.
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createCache, serializeEntry, type CacheEvent } from '../../src/index.js'
import { countingFetcher, eventually } from '../helpers.js'
import { redisIsAvailable } from './redis-available.js'
import { usePrivateRedis } from './private-redis.js'

const available = await redisIsAvailable()
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe.skipIf(!available)('the Redis store under partial failure', () => {
  const redis = usePrivateRedis()
  const { store, proxy } = redis
  const newPrefix = () => `t:${randomUUID()}:`
  /** Instance a on Redis directly, b through a proxy, both holding 'k' = 'before' (b in its memory tier). */
  async function twoInstances() {
    const prefix = newPrefix()
    const via = await proxy()
    const [a, b] = [store({ prefix }), store({ prefix, via })]
    await Promise.all([a.ready(), b.ready()])
    const [cacheA, cacheB] = [createCache({ store: a }), createCache({ store: b })]
    await cacheA.withRevalidate('k', 60, () => 'before')
    expect(await cacheB.withRevalidate('k', 60, () => 'unused')).toBe('before')
    return { prefix, via, cacheA, cacheB }
  }

  it('3. cold start: a store used right after construction reads and fills Redis instead of going around it', async () => {
    const prefix = newPrefix()
    const writer = store({ prefix })
    await writer.ready()
    await createCache({ store: writer }).withRevalidate('k', 60, () => 'in the shared cache')
    const fetcher = countingFetcher(() => 'fetched by the new instance')
    expect(await createCache({ store: store({ prefix }) }).withRevalidate('k', 60, fetcher)).toBe('in the shared cache')
    expect(fetcher.calls).toBe(0)
    await createCache({ store: store({ prefix }) }).withRevalidate('k2', 60, () => 'written at a cold start')
    expect(await redis.raw.get(`${prefix}{k:k2}:0:e`)).toContain('written at a cold start')
    // With nothing listening, the wait is bounded by connectTimeoutMs and the fetcher serves.
    const nowhere = store({ url: 'redis://127.0.0.1:1', prefix, connectTimeoutMs: 300 })
    expect(await createCache({ store: nowhere }).withRevalidate('k', 60, () => 'fetched')).toBe('fetched')
  })

  it('4. only the subscriber drops while another instance runs invalidateAll: it re-reads the generation when it comes back', async () => {
    const { via, cacheA, cacheB } = await twoInstances()
    via.block('subscriber')
    await cacheA.invalidateAll()
    via.unblock()
    await eventually(() => expect(via.connections('subscriber')).toBe(1), 10_000)
    await eventually(async () => expect(await cacheB.withRevalidate('k', 60, () => 'fetched by b')).toBe('fetched by b'), 5000)
    // b writes into the new generation, where a reads.
    expect(await cacheA.withRevalidate('k', 60, () => 'fetched by a')).toBe('fetched by b')
  })

  it('5. after a partition, nothing is read from Redis before the invalidations kept meanwhile are replayed', async () => {
    const prefix = newPrefix()
    const via = await proxy()
    const writer = store({ prefix })
    const a = store({ prefix, via, commandTimeoutMs: 500 })
    await Promise.all([writer.ready(), a.ready()])
    await createCache({ store: writer }).withRevalidate('k', 600, () => 'old', { tags: ['posts'] })
    const cacheA = createCache({ store: a })
    via.block('main', 'subscriber')
    await cacheA.invalidateTag('posts') // kept for replay
    via.delay(60)
    via.unblock()
    const served = new Set<string>()
    const oldEntryInRedis = async () => ((await redis.raw.get(`${prefix}{k:k}:0:e`)) ?? '').includes('old')
    for (const end = Date.now() + 15_000; Date.now() < end && (await oldEntryInRedis()); ) {
      served.add(await cacheA.withRevalidate('k', 600, () => 'fresh'))
      await sleep(10)
    }
    for (let i = 0; i < 10; i++) served.add(await cacheA.withRevalidate('k', 600, () => 'fresh'))
    expect(await oldEntryInRedis()).toBe(false) // replayed
    expect([...served]).toEqual(['fresh'])
  })

  it('6. malformed pub/sub messages are ignored; the invalidations beside them still arrive and the store stays on Redis', async () => {
    const prefix = newPrefix()
    const events: CacheEvent[] = []
    const b = store({ prefix })
    await b.ready()
    const cacheB = createCache({ store: b, onEvent: (event) => events.push(event) })
    await cacheB.withRevalidate('k', 60, () => 'before')
    const channel = `${prefix}invalidate`
    const batch = redis.raw.multi().del(`${prefix}{k:k}:0:e`)
    for (const garbage of ['null', '{"from":', '42', '"text"', '{"from":"x","kind":"key"}', '{"from":1,"kind":"all"}']) batch.publish(channel, garbage)
    await batch.publish(channel, JSON.stringify({ from: 'another instance', kind: 'key', key: 'k' })).exec()
    await eventually(async () => expect(await cacheB.withRevalidate('k', 60, () => 'after')).toBe('after'))
    await cacheB.withRevalidate('k3', 60, () => 'written')
    expect(await redis.raw.get(`${prefix}{k:k3}:0:e`)).toContain('written') // still on Redis
    expect(events.filter((event) => event.type === 'error')).toEqual([])
  })

  it('7. a tag key of the wrong type is not an outage: the invalidation goes through and later ones are not wedged', async () => {
    const prefix = newPrefix()
    const [a, b] = [store({ prefix }), store({ prefix, maxEntries: false })]
    await Promise.all([a.ready(), b.ready()])
    const [cacheA, cacheB] = [createCache({ store: a }), createCache({ store: b })]
    await redis.raw.set(`${prefix}{t:posts}:idx`, 'not a set')
    await cacheA.invalidateTag('posts')
    await cacheA.withRevalidate('k', 60, () => 'v1')
    expect(await cacheB.withRevalidate('k', 60, () => 'unused')).toBe('v1')
    await cacheA.invalidate('k')
    expect(await cacheB.withRevalidate('k', 60, () => 'after the invalidation')).toBe('after the invalidation')
  })

  it('7, 11. a lock key of the wrong type and without expiry holds a miss at most lockSeconds, and gets an expiry', async () => {
    const prefix = newPrefix()
    await redis.raw.rPush(`${prefix}{k:k}:lock`, 'written by someone else')
    const events: CacheEvent[] = []
    const s = store({ prefix, lockSeconds: 1 })
    await s.ready()
    const read = createCache({ store: s, onEvent: (event) => events.push(event) }).withRevalidate('k', 60, () => 'fetched')
    expect(await read).toBe('fetched')
    expect(await redis.raw.pTTL(`${prefix}{k:k}:lock`)).not.toBe(-1)
  }, 15_000)

  it('8. invalidateTag is one step: a tagged write landing in the middle of it is caught by the next invalidation', async () => {
    const prefix = newPrefix()
    const via = await proxy()
    const [slow, b] = [store({ prefix, via, commandTimeoutMs: 5000 }), store({ prefix, maxEntries: false })]
    await Promise.all([slow.ready(), b.ready()])
    const [cacheSlow, cacheB] = [createCache({ store: slow }), createCache({ store: b })]
    await cacheB.withRevalidate('post:1', 60, () => 'p1', { tags: ['posts'] })
    via.delay(100)
    const invalidating = cacheSlow.invalidateTag('posts')
    await sleep(150) // its first command is at the server; an old two-step invalidation would be between its steps
    await cacheB.withRevalidate('post:2', 60, () => 'p2', { tags: ['posts'] })
    await invalidating
    via.delay(0)
    await cacheB.invalidateTag('posts')
    expect(await cacheB.withRevalidate('post:2', 60, () => 'p2 again')).toBe('p2 again')
  })

  it('9. tag sets hold live keys only: expired members are trimmed on write', async () => {
    const prefix = newPrefix()
    const s = store({ prefix, maxEntries: false })
    await s.ready()
    const cache = createCache({ store: s, staleSeconds: 0 })
    await cache.withRevalidate('posts:all', 60, () => 'a long-lived entry keeps the tag alive', { tags: ['posts'] })
    for (let i = 0; i < 50; i++) await cache.withRevalidate(`post:${i}`, 1, () => i, { tags: ['posts'] })
    await sleep(1100) // every one of them has expired
    await cache.withRevalidate('post:live', 60, () => 'live', { tags: ['posts'] })
    const tagKey = `${prefix}{t:posts}:idx`
    const members = (await redis.raw.type(tagKey)) === 'zset' ? await redis.raw.zCard(tagKey) : await redis.raw.sCard(tagKey)
    expect(members).toBe(2) // posts:all and post:live
  })

  it('10. lock tokens are per fetch: releasing an expired lock’s token leaves the lock of the fetch that replaced it', async () => {
    const s = store({ prefix: newPrefix(), lockSeconds: 0.2 })
    await s.ready()
    const first = await s.acquireLock('k')
    expect(typeof first).toBe('string')
    await sleep(300) // expired
    const second = await s.acquireLock('k')
    expect(typeof second).toBe('string')
    await s.releaseLock('k', first!)
    expect(await s.acquireLock('k')).toBeUndefined() // still held by the second
    await s.releaseLock('k', second!)
    expect(typeof (await s.acquireLock('k'))).toBe('string')
  })

  it('a lock is per key and version: a deploy’s new code fetches while the old code’s fetch holds its lock, and each release frees only its own', async () => {
    const s = store({ prefix: newPrefix() })
    await s.ready()
    const old = await s.acquireLock('k', 'v1')
    expect(typeof old).toBe('string')
    expect(await s.acquireLock('k', 'v1')).toBeUndefined() // the same version waits for it
    const fresh = await s.acquireLock('k', 'v2')
    expect(typeof fresh).toBe('string')
    await s.releaseLock('k', old!)
    expect(await s.acquireLock('k', 'v2')).toBeUndefined() // v2's lock is still held
    expect(typeof (await s.acquireLock('k', 'v1'))).toBe('string')
    // A version with colons in it: its release still frees its own lock.
    const colons = await s.acquireLock('k', 'a:b:c')
    expect(await s.acquireLock('k', 'a:b:c')).toBeUndefined()
    await s.releaseLock('k', colons!)
    expect(typeof (await s.acquireLock('k', 'a:b:c'))).toBe('string')
  })

  it('12. an entry holding a hostile BigInt (8 million digits) is a miss', async () => {
    const prefix = newPrefix()
    const s = store({ prefix, maxEntries: false, maxEntryBytes: 16 * 1024 * 1024 })
    await s.ready()
    const text = serializeEntry({ value: 123n, storedAt: Date.now(), ttlMs: 60_000, staleMs: 0 }).replace('"123"', `"${'9'.repeat(8_000_000)}"`)
    await redis.raw.set(`${prefix}{k:k}:0:e`, text)
    expect(await createCache({ store: s }).withRevalidate('k', 60, () => 'fetched')).toBe('fetched')
  })

  it('only the main client drops: invalidations still arrive through the subscriber and the store finds Redis again', async () => {
    const { via, cacheA, cacheB, prefix } = await twoInstances()
    via.cut('main')
    await cacheA.invalidate('k')
    await eventually(async () => expect(await cacheB.withRevalidate('k', 60, () => 'after')).toBe('after'))
    await eventually(async () => {
      await cacheB.withRevalidate(`written:${Date.now()}`, 60, () => 'by b')
      expect((await redis.raw.keys(`${prefix}{k:written:*}:0:e`)).length).toBeGreaterThan(0)
    }, 10_000)
  })
})
