// The Redis store on a real Redis Cluster of 6 nodes (3 masters, 3 replicas) that these tests
// start on 127.0.0.1 (private-cluster.ts): the shared semantics suite, the checks between two
// instances, a node-redis cluster client handed in as `client`, and a failover: a master killed
// while two instances read, write and invalidate.
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createCache, type CacheEvent } from '../../src/index.js'
import { RedisStore, type RedisStoreOptions } from '../../src/stores/redis-store.js'
import { eventually } from '../helpers.js'
import { describeStoreSemantics } from '../semantics.js'
import { usePrivateCluster } from './private-cluster.js'
import { redisIsAvailable } from './redis-available.js'
import { describeTwoInstances } from './two-instances.js'

const available = await redisIsAvailable() // redis-server and redis-cli come together

describe.skipIf(!available)('RedisStore on a Redis Cluster of 6 nodes', () => {
  const redis = usePrivateCluster()

  async function connectedStore(options: RedisStoreOptions = {}): Promise<RedisStore> {
    const store = redis.store({ prefix: `test:${randomUUID()}:`, ...options })
    await store.ready()
    return store
  }

  describeStoreSemantics('redis cluster', () => connectedStore())
  describeTwoInstances('a cluster', connectedStore)

  it("a node-redis cluster client handed in as `client` (not connected) is connected and used: entries reach the cluster's nodes", async () => {
    const client = redis.clusterClient()
    const prefix = `test:${randomUUID()}:`
    const store = new RedisStore({ client, prefix })
    redis.closeAfterTest(() => store.close())
    await store.ready()
    const other = await connectedStore({ prefix })
    const cache = createCache({ store })
    expect(await cache.withRevalidate('k', 60, () => 'through the caller’s client')).toBe('through the caller’s client')
    expect(await createCache({ store: other }).withRevalidate('k', 60, () => 'fetched again')).toBe('through the caller’s client')
    expect(await client.get(`${prefix}{k:k}:0:e`)).toContain('through the caller’s client')
  })

  it('tags spread over every master: invalidateTag reaches keys of many slots, and another instance fetches anew', async () => {
    const prefix = `test:${randomUUID()}:`
    const [a, b] = [await connectedStore({ prefix }), await connectedStore({ prefix })]
    const [cacheA, cacheB] = [createCache({ store: a }), createCache({ store: b })]
    const keys = Array.from({ length: 300 }, (_, i) => `post:${i}`)
    for (const key of keys) await cacheA.withRevalidate(key, 600, () => `old ${key}`, { tags: ['posts', `author:${Number(key.slice(5)) % 3}`] })
    for (const key of keys.slice(0, 20)) expect(await cacheB.withRevalidate(key, 600, () => 'unused')).toBe(`old ${key}`)
    await cacheA.invalidateTag('posts')
    for (const key of keys) expect(await cacheA.withRevalidate(key, 600, () => `new ${key}`)).toBe(`new ${key}`)
    await eventually(async () => expect(await cacheB.withRevalidate('post:7', 600, () => 'unused')).toBe('new post:7'))
  })

  it('a master killed while two instances read, write and invalidate: after its replica takes over they go on, nothing invalidated is served, the outage is reported once', async () => {
    const prefix = `test:${randomUUID()}:`
    const events: CacheEvent[] = []
    const options = { prefix, commandTimeoutMs: 500, connectTimeoutMs: 500 }
    const [a, b] = [await connectedStore(options), await connectedStore(options)]
    const cacheA = createCache({ store: a, onEvent: (event) => events.push(event) })
    const cacheB = createCache({ store: b })
    const keys = Array.from({ length: 30 }, (_, i) => `k${i}`)
    let version = 0
    const fetcher = (key: string) => () => `${key}@${version}`
    for (const key of keys) await cacheA.withRevalidate(key, 600, fetcher(key), { tags: ['all-keys'] })

    const killed = await redis.cluster.killMasterOf(`{k:k0}`)
    // While the replica is promoted: reads and writes go on (from memory and the fetcher), no call fails.
    const during = Date.now()
    while (Date.now() - during < 3000) {
      await Promise.all(keys.map((key) => cacheA.withRevalidate(key, 600, fetcher(key))))
      await Promise.all(keys.map((key) => cacheB.withRevalidate(key, 600, fetcher(key))))
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    await redis.cluster.healthy()
    // After the failover an invalidation made by A is acknowledged and must hold everywhere.
    version = 1
    await eventually(async () => {
      await cacheA.invalidateTag('all-keys')
      for (const key of keys) expect(await cacheA.withRevalidate(key, 600, fetcher(key))).toBe(`${key}@1`)
    }, 20_000)
    await eventually(async () => {
      for (const key of keys) expect(await cacheB.withRevalidate(key, 600, fetcher(key))).toBe(`${key}@1`)
    }, 20_000)
    // A key whose master died is written and read again through the promoted replica.
    await cacheA.invalidate('k0')
    version = 2
    expect(await cacheA.withRevalidate('k0', 600, fetcher('k0'))).toBe('k0@2')
    await eventually(async () => expect(await cacheB.withRevalidate('k0', 600, () => 'not fetched by b')).toBe('k0@2'), 20_000)
    const errors = events.filter((event) => event.type === 'error').map((event) => String(event.error))
    const kept = errors.filter((message) => message.includes('is kept, and applied when Redis answers again'))
    expect(errors.length - kept.length).toBeLessThanOrEqual(1) // the outage said once (or not at all, when memory served every read)
    // An invalidation A could not deliver at once (its client still knew the dead master) is said once, however often it was retried.
    expect(new Set(kept).size).toBe(kept.length)
    expect(killed).toBeGreaterThan(0)
  }, 90_000)
})

describe.skipIf(!available)('RedisStore on a Redis Cluster whose node holding the subscription dies', () => {
  const redis = usePrivateCluster()

  it('the instance subscribes anew, and serves nothing invalidated while it could not hear (node-redis tells only of a node error)', async () => {
    const options = { prefix: `test:${randomUUID()}:`, commandTimeoutMs: 500, connectTimeoutMs: 500 }
    const b = redis.store(options)
    await b.ready()
    await eventually(async () => expect(await redis.cluster.subscriptions()).toHaveLength(1))
    const [held] = await redis.cluster.subscriptions()
    const a = redis.store(options) // its subscription may be on the same node: then both make theirs anew
    await a.ready()
    const [cacheA, cacheB] = [createCache({ store: a }), createCache({ store: b })]
    await cacheA.withRevalidate('k', 600, () => 'old')
    expect(await cacheB.withRevalidate('k', 600, () => 'unused')).toBe('old') // B keeps it in memory, trusting its subscription

    await redis.cluster.kill(held!)
    await redis.cluster.healthy()
    await eventually(async () => {
      await cacheA.invalidate('k')
      expect(await cacheA.withRevalidate('k', 600, () => 'new')).toBe('new')
    }, 20_000)
    await eventually(async () => expect(await cacheB.withRevalidate('k', 600, () => 'fetched by b')).not.toBe('old'), 20_000)
    // Both listen again (until B does, it must read Redis on every call), and B hears A's next invalidation.
    await eventually(async () => expect(await redis.cluster.subscriptions()).toHaveLength(2), 20_000)
    await cacheA.invalidate('k')
    await eventually(async () => expect(await cacheB.withRevalidate('k', 600, () => 'after the second invalidation')).toBe('after the second invalidation'), 20_000)
  }, 90_000)
})
