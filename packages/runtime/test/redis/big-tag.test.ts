// Invalidating a tag of many keys on Redis, on a private redis-server: it is done in short steps, so
// Redis answers other clients between them (one script for the whole tag held every client of
// that Redis for a third of a second per 100,000 keys; bench/RESULTS.md, section 6b), and no step
// boundary lets an invalidated entry survive: not in a memory tier, not after a cut connection.
import { randomUUID } from 'node:crypto'
import { createClient, type RedisClientType } from 'redis'
import { afterEach, describe, expect, it } from 'vitest'
import { createCache, type CacheEvent } from '../../src/index.js'
import type { RedisStore } from '../../src/stores/redis-store.js'
import { eventually } from '../helpers.js'
import { redisIsAvailable } from './redis-available.js'
import { usePrivateRedis } from './private-redis.js'

const available = await redisIsAvailable()
/** Keys of the tag: many steps' worth (a step deletes 100). */
const KEYS = 5000

describe.skipIf(!available)('invalidating a tag of many keys on Redis', () => {
  const redis = usePrivateRedis()
  const { store, proxy } = redis
  afterEach(() => redis.raw.flushAll())

  /** KEYS entries `post:<n>` = 'old', tagged `posts`, written through `s`. */
  async function fill(s: RedisStore): Promise<void> {
    const storedAt = Date.now()
    for (let i = 0; i < KEYS; i += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, j) => s.set(`post:${i + j}`, { value: 'old', storedAt, ttlMs: 600_000, staleMs: 0, tags: ['posts'] })))
    }
  }
  const entriesLeft = async (prefix: string) => {
    let count = 0
    for await (const keys of redis.raw.scanIterator({ MATCH: `${prefix}{k:post:*}:0:e`, COUNT: 1000 })) count += keys.length
    return count
  }

  /** A few entries still in Redis, with the start of their text, for a failure to say what is left. */
  const someEntries = async (prefix: string) => {
    const names = (await redis.raw.scan('0', { MATCH: `${prefix}{k:post:*}:0:e`, COUNT: 1000 })).keys.slice(0, 3)
    return Promise.all(names.map(async (name) => [name, (await redis.raw.get(name))?.slice(0, 60)]))
  }

  it('Redis answers other clients while the tag is deleted: one of them sees it half done', async () => {
    const prefix = `t:${randomUUID()}:`
    const s = store({ prefix, maxEntries: false })
    await s.ready()
    await fill(s)
    const other = createClient({ url: redis.server.url }) as RedisClientType
    await other.connect()
    redis.closeAfterTest(() => other.close())
    const seen: number[] = []
    let done = false
    const invalidating = createCache({ store: s })
      .invalidateTag('posts')
      .finally(() => (done = true))
    const entries = Array.from({ length: KEYS }, (_, i) => `${prefix}{k:post:${i}}:0:e`)
    while (!done) seen.push(await other.exists(entries))
    await invalidating
    // One script for the whole tag would show the other client all the entries or none of them.
    expect(seen.some((keys) => keys > 10 && keys < KEYS - 10)).toBe(true)
    expect(await entriesLeft(prefix)).toBe(0)
  })

  it('an entry read between the steps is not left in the memory tier once invalidateTag resolves', async () => {
    const prefix = `t:${randomUUID()}:`
    const writer = store({ prefix, maxEntries: false })
    const s = store({ prefix, maxEntries: KEYS })
    await Promise.all([writer.ready(), s.ready()])
    await fill(writer)
    const cache = createCache({ store: s })
    let done = false
    const invalidating = cache.invalidateTag('posts').finally(() => (done = true))
    // Reads made while the steps run may still find the old entries in Redis, and keep them in memory.
    for (let i = KEYS - 1; !done && i >= 0; i--) await cache.withRevalidate(`post:${i}`, 600, () => 'new', { tags: ['posts'] })
    await invalidating
    const served = new Set<string>()
    for (let i = 0; i < KEYS; i++) served.add(await cache.withRevalidate(`post:${i}`, 600, () => 'new', { tags: ['posts'] }))
    expect([...served]).toEqual(['new'])
  })

  it('an invalidation whose connection is cut between its steps is finished once Redis is back', async () => {
    const prefix = `t:${randomUUID()}:`
    const via = await proxy()
    const s = store({ prefix, maxEntries: false, url: via.url })
    await s.ready()
    await fill(s)
    via.delay(5) // every step takes a round trip of 10 ms: time to cut it in the middle
    const invalidating = createCache({ store: s }).invalidateTag('posts')
    await eventually(async () => expect(await entriesLeft(prefix)).toBeLessThan(KEYS), 10_000)
    via.cut('main')
    await invalidating // an outage is not the caller's failure: kept and replayed
    expect(await entriesLeft(prefix)).toBeGreaterThan(0) // cut in the middle
    via.delay(0)
    await eventually(async () => expect(await entriesLeft(prefix)).toBe(0), 10_000)
  })

  it('an invalidation cut off by Redis pausing (CLIENT PAUSE), on an instance that then stays idle, is reported and finished by the store itself', async () => {
    const prefix = `t:${randomUUID()}:`
    const via = await proxy()
    const writer = store({ prefix, maxEntries: false })
    // The default command timeout: a pause of 1.5 s still cuts the invalidation off, and on a loaded
    // machine a shorter one would also cut off the store's own replays, pushing them past the wait below.
    const invalidator = store({ prefix, url: via.url, maxEntries: false, commandTimeoutMs: 1000 })
    const other = store({ prefix, maxEntries: KEYS })
    await Promise.all([writer.ready(), invalidator.ready(), other.ready()])
    await fill(writer)
    // Another instance holds some of the tag's entries in its memory tier: the last ones the steps reach.
    const otherCache = createCache({ store: other })
    const held = Array.from({ length: 50 }, (_, i) => `post:${KEYS - 1 - i}`)
    for (const key of held) expect(await otherCache.withRevalidate(key, 600, () => 'new', { tags: ['posts'] })).toBe('old')
    const events: CacheEvent[] = []
    via.delay(5) // every step takes a round trip of 10 ms: time to pause Redis in the middle
    const invalidating = createCache({ store: invalidator, onEvent: (event) => events.push(event) }).invalidateTag('posts')
    await eventually(async () => expect(await entriesLeft(prefix)).toBeLessThan(KEYS), 10_000)
    await redis.raw.sendCommand(['CLIENT', 'PAUSE', '1500', 'ALL'])
    await invalidating // an outage is not the caller's failure: kept, reported, replayed
    expect(events).toContainEqual(expect.objectContaining({ type: 'error', phase: 'store', key: '', tag: 'posts', error: expect.objectContaining({ message: expect.stringMatching(/invalidateTag\("posts"\) is kept/) }) }))
    via.delay(0)
    // The invalidating instance makes no call from here on: nothing but the store itself can finish it.
    // Its timer backs off to 30 s between tries, so on a loaded machine, where a try may fail again
    // (each step bounded by commandTimeoutMs), the wait covers two tries at that interval.
    await eventually(async () => {
      const left = await entriesLeft(prefix)
      expect(left, left > 0 ? `still there: ${JSON.stringify(await someEntries(prefix))}` : '').toBe(0)
    }, 75_000)
    // Only then read (a read of a deleted entry writes the new value, which would count as left).
    await eventually(async () => {
      for (const key of held) expect(await otherCache.withRevalidate(key, 600, () => 'new', { tags: ['posts'] }), key).toBe('new')
    }, 10_000)
  }, 120_000)

  it('an entry with 100,000 tags is written, and invalidating any one of them drops it', async () => {
    const prefix = `t:${randomUUID()}:`
    const s = store({ prefix, maxEntries: false })
    await s.ready()
    const events: CacheEvent[] = []
    const cache = createCache({ store: s, onEvent: (event) => events.push(event) })
    const tags = Array.from({ length: 100_000 }, (_, i) => `tag:${i}`)
    expect(await cache.withRevalidate('k', 600, () => 'tagged a lot', { tags })).toBe('tagged a lot')
    expect(events.filter((event) => event.type === 'error')).toEqual([])
    expect(await redis.raw.zScore(`${prefix}{t:tag:99999}:idx`, '0:k')).not.toBeNull()
    expect(await cache.withRevalidate('k', 600, () => 'unused', { tags })).toBe('tagged a lot')
    await cache.invalidateTag('tag:77777')
    expect(await cache.withRevalidate('k', 600, () => 'fetched after the invalidation')).toBe('fetched after the invalidation')
  })
})
