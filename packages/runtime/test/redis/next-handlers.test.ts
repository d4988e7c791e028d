// Next.js's cache handlers as two instances of an app would run them: two Next.js caches, each
// over its own Redis store (its own connections), on one private redis-server. The real Next
// servers are in packages/plugin/test/next/shared-cache.test.ts.
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { incrementalCacheHandlerOver } from '../../src/next/incremental-cache-handler.js'
import { NextCache } from '../../src/next/next-cache.js'
import { useCacheHandlerOver, type UseCacheEntry, type UseCacheHandler } from '../../src/next/use-cache-handler.js'
import type { RedisStoreOptions } from '../../src/stores/redis-store.js'
import type { CacheEvent } from '../../src/types.js'
import { eventually } from '../helpers.js'
import { redisIsAvailable } from './redis-available.js'
import { usePrivateRedis, type RedisProxy } from './private-redis.js'

const available = await redisIsAvailable()

function entry(text: string, fields: Partial<Omit<UseCacheEntry, 'value'>> = {}): UseCacheEntry {
  const value = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text))
      controller.close()
    },
  })
  return { value, tags: [], stale: 300, timestamp: Date.now(), expire: 3600, revalidate: 900, ...fields }
}

const textOf = async (found: UseCacheEntry | undefined) => (found === undefined ? undefined : new Response(found.value).text())

describe.skipIf(!available)('the Next.js handlers, two instances over one Redis', () => {
  const redis = usePrivateRedis()

  function instances(options: RedisStoreOptions & { via?: RedisProxy } = {}) {
    const prefix = options.prefix ?? `next:${randomUUID()}:`
    return ['a', 'b'].map(() => {
      const events: CacheEvent[] = []
      const store = redis.store({ commandTimeoutMs: 300, ...options, prefix })
      const cache = new NextCache({ store, onEvent: (event) => events.push(event) })
      return { store, cache, events, useCache: useCacheHandlerOver(cache), Incremental: incrementalCacheHandlerOver(cache) }
    })
  }

  /** Starts a get on each handler; resolves with the index of the one that renders (answered a miss) and the others' pending answers. */
  async function racingGets(handlers: UseCacheHandler[], key: string) {
    const answers = handlers.map((handler) => handler.get(key, []))
    const leader = await Promise.race(answers.map((answer, index) => answer.then((found) => (found === undefined ? index : new Promise<never>(() => {})))))
    return { leader, answers }
  }

  it('a cold key asked on both instances at once is rendered by one; the other waits for its value', async () => {
    const [a, b] = instances()
    await Promise.all([a!.store.ready(), b!.store.ready()])
    const { leader, answers } = await racingGets([a!.useCache, b!.useCache], 'cold')
    const other = answers[1 - leader]!
    let otherAnswered = false
    void other.then(() => (otherAnswered = true))
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(otherAnswered).toBe(false) // it waits: rendering too would be the stampede this prevents
    await [a!, b!][leader]!.useCache.set('cold', Promise.resolve(entry('rendered once')))
    expect(await textOf(await other)).toBe('rendered once')
  })

  it('revalidateTag (updateTags) on one instance: the other’s next read of an entry with the tag is a miss', async () => {
    const [a, b] = instances()
    await b!.useCache.get('k', [])
    await b!.useCache.set('k', Promise.resolve(entry('old', { tags: ['posts'], timestamp: Date.now() - 5 })))
    expect(await textOf(await b!.useCache.get('k', []))).toBe('old') // in b's memory tier
    await a!.useCache.updateTags(['posts'])
    await eventually(async () => expect(await b!.useCache.get('k', [])).toBeUndefined())
  })

  it('a stale entry is rendered again by the one instance that takes its lock; the other is told it is fresh meanwhile', async () => {
    const [a, b] = instances()
    const made = Date.now() - 5000
    await a!.useCache.get('k', [])
    await a!.useCache.set('k', Promise.resolve(entry('stale', { timestamp: made, revalidate: 1, expire: 3600 })))
    const here = await a!.useCache.get('k', [])
    expect(here!.timestamp + here!.revalidate * 1000).toBeLessThan(Date.now()) // stale to a: Next renders it again
    const elsewhere = await b!.useCache.get('k', [])
    expect(await textOf(elsewhere)).toBe('stale')
    expect(elsewhere!.timestamp + elsewhere!.revalidate * 1000).toBeGreaterThan(Date.now()) // fresh to b: it does not
    await a!.useCache.set('k', Promise.resolve(entry('new')))
    await eventually(async () => expect(await textOf(await b!.useCache.get('k', []))).toBe('new'))
  })

  it('the same for a stale ISR page: lastModified says stale on one instance, fresh on the other', async () => {
    const [a, b] = instances()
    const page = { kind: 'APP_ROUTE', body: Buffer.from('{"n":1}'), status: 200, headers: {} }
    const handlerA = new a!.Incremental({})
    expect(await handlerA.get('/feed', { kind: 'APP_ROUTE' })).toBeNull()
    await handlerA.set('/feed', page, { cacheControl: { revalidate: 1, expire: 3600 } })
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const stale = await handlerA.get('/feed', { kind: 'APP_ROUTE' })
    expect(stale!.lastModified + 1000).toBeLessThan(Date.now())
    const fresh = await new b!.Incremental({}).get('/feed', { kind: 'APP_ROUTE' })
    expect(fresh!.lastModified + 1000).toBeGreaterThan(Date.now())
    expect((fresh!.value!.body as Buffer).toString()).toBe('{"n":1}')
  })

  it('garbage under an entry’s Redis key is a miss', async () => {
    const prefix = `next:${randomUUID()}:`
    const [a] = instances({ prefix })
    await a!.store.ready()
    await redis.raw.set(`${prefix}{k:next:use-cache:k}:0:e`, '{"f":2,"storedAt":1,"ttlMs":99999999999,"staleMs":0,"value":[{"html":1},"x"]}')
    await redis.raw.set(`${prefix}{k:next:use-cache:j}:0:e`, 'not json at all')
    expect(await a!.useCache.get('k', [])).toBeUndefined()
    expect(await a!.useCache.get('j', [])).toBeUndefined()
  })

  it('Redis down: both go on answering (memory, and a render for a miss), the outage is reported once, a tag revalidated meanwhile reaches the other once it is back', async () => {
    const proxy = await redis.proxy()
    const prefix = `next:${randomUUID()}:`
    const [a, b] = instances({ via: proxy, prefix })
    await Promise.all([a!.store.ready(), b!.store.ready()])
    await b!.useCache.get('k', [])
    await b!.useCache.set('k', Promise.resolve(entry('cached', { tags: ['posts'], timestamp: Date.now() - 5 })))
    // The render's lock is let go after its write, on its own: cut Redis once it is (a release lost in an outage holds the key for lockSeconds).
    await eventually(async () => expect(await redis.raw.keys(`${prefix}{k:*}:lock`)).toEqual([]))
    proxy.block('main', 'subscriber')
    for (let i = 0; i < 5; i++) {
      expect(await textOf(await b!.useCache.get('k', []))).toBe('cached')
      expect(await a!.useCache.get(`miss${i}`, [])).toBeUndefined()
      await a!.useCache.set(`miss${i}`, Promise.resolve(entry('rendered while Redis is away')))
    }
    await a!.useCache.updateTags(['posts']) // kept, to be recorded once Redis is back
    expect(a!.events.filter((event) => event.type === 'error' && event.phase === 'store')).toHaveLength(1)
    proxy.unblock()
    await eventually(async () => expect(await b!.useCache.get('k', [])).toBeUndefined(), 10_000)
  })
})
