// RedisStore.entries(): the entries of its prefix, read with SCAN in batches (never KEYS), for the inspector.
import { randomUUID } from 'node:crypto'
import { createClient } from 'redis'
import { afterAll, describe, expect, it } from 'vitest'
import { createCache } from '../../src/index.js'
import { RedisStore } from '../../src/stores/redis-store.js'
import type { ListedEntry } from '../../src/types.js'
import { REDIS_URL, redisIsAvailable } from './redis-available.js'

const available = await redisIsAvailable()
const stores: RedisStore[] = []

async function connectedStore(prefix: string): Promise<RedisStore> {
  const store = new RedisStore({ url: REDIS_URL, prefix })
  stores.push(store)
  await store.ready()
  return store
}

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()))
})

async function list(store: RedisStore, batchSize?: number): Promise<ListedEntry[]> {
  const listed: ListedEntry[] = []
  for await (const item of store.entries({ batchSize })) listed.push(item)
  return listed
}

describe.skipIf(!available)('RedisStore.entries()', () => {
  it("lists every entry of its prefix (and only its prefix's, glob characters in it matched literally) with SCAN batches of batchSize, never KEYS", async () => {
    const id = randomUUID()
    const store = await connectedStore(`test:[x]*?:${id}:`)
    const neighbour = await connectedStore(`test:[x]*?:${id}:more:`) // a prefix that the first one's, read as a glob, would match
    const cache = createCache({ store })
    const keys = Array.from({ length: 250 }, (_, i) => (i === 0 ? 'post:ü/😀 "quoted"' : `post:${i}`))
    for (const key of keys) await cache.withRevalidate(key, 60, () => ({ key }), { tags: ['posts'], version: 'v2' })
    await createCache({ store: neighbour }).withRevalidate('other', 60, () => 'not ours')

    const monitor = createClient({ url: REDIS_URL })
    await monitor.connect()
    const commands: string[] = []
    await monitor.monitor((command) => commands.push(command))
    const listed = await list(store, 10)
    await monitor.close()

    expect(listed.map((item) => item.key).sort()).toEqual([...keys].sort())
    const first = listed.find((item) => item.key === keys[0])!
    expect(first.entry).toMatchObject({ value: { key: keys[0] }, tags: ['posts'], version: 'v2', ttlMs: 60_000 })
    expect(first.bytes).toBeGreaterThan(50)
    const ours = commands.filter((command) => command.includes(id))
    expect(ours.some((command) => /"keys"/i.test(command))).toBe(false)
    const scans = ours.filter((command) => /"scan"/i.test(command))
    expect(scans.length).toBeGreaterThan(1)
    expect(scans.every((command) => /"count" "10"/i.test(command))).toBe(true)
  })

  it('lists the generation in use: nothing after invalidateAll, and an invalidated key is gone', async () => {
    const store = await connectedStore(`test:${randomUUID()}:`)
    const cache = createCache({ store })
    await cache.withRevalidate('a', 60, () => 1)
    await cache.withRevalidate('b', 60, () => 2)
    await cache.invalidate('a')
    expect((await list(store)).map((item) => item.key)).toEqual(['b'])
    await cache.invalidateAll()
    expect(await list(store)).toEqual([])
  })

  it('batchSize must be a whole number of at least 1', async () => {
    const store = await connectedStore(`test:${randomUUID()}:`)
    await expect(list(store, 0)).rejects.toThrow('entries: batchSize must be a whole number of at least 1, got the number 0')
  })
})
