// cache.stats(): exact counts since the cache was made, the memory tier's usage, and the keys looked
// up most and fetched longest from a sketch of fixed size, however many keys pass through.
import { describe, expect, it } from 'vitest'
import { registeredCaches } from '../src/cache-registry.js'
import { TopKeys } from '../src/top-keys.js'
import { createCache, MemoryStore, stats, type RevalidateCache } from '../src/index.js'
import { manualClock, settle } from './helpers.js'

/** What the inspector reads of one key of `cache`. */
const keyInfo = (cache: RevalidateCache, key: string) => registeredCaches().find((listed) => listed.cache === cache)!.keyInfo(key)

describe('cache.stats()', () => {
  it('counts lookups by result, fetches, refreshes by outcome, errors and invalidations', async () => {
    const clock = manualClock()
    const cache = createCache({ now: clock.now, name: 'blog', onEvent: () => {} })
    await cache.withRevalidate('a', 60, () => 1) // miss
    await cache.withRevalidate('a', 60, () => 1) // hit
    await Promise.all([cache.withRevalidate('b', 60, () => 2), cache.withRevalidate('b', 60, () => 2)]) // a miss and a joined miss: one fetch
    clock.advance(61)
    await cache.withRevalidate('a', 60, () => 3) // stale, refresh ok
    await settle()
    clock.advance(61)
    await cache.withRevalidate('b', 60, () => Promise.reject(new Error('down'))) // stale, refresh fails
    await settle()
    await expect(cache.withRevalidate('c', 60, () => Promise.reject(new Error('no c')))).rejects.toThrow('no c')
    await cache.invalidate('a')
    await cache.invalidateTag('t')
    await cache.invalidateAll()
    const snapshot = cache.stats()
    expect(snapshot).toMatchObject({
      name: 'blog',
      lookups: { hit: 1, stale: 2, miss: 4 },
      fetches: { miss: 3, refresh: 2 },
      refreshes: { ok: 1, error: 1, timeout: 0, fenced: 0, elsewhere: 0 },
      errors: { miss: 1, refresh: 1, store: 0, hook: 0 },
      invalidations: { key: 1, tag: 1, all: 1, remote: 0 },
      memory: { entries: 0 },
    })
    expect(snapshot.since).toBeLessThanOrEqual(Date.now())
    expect(snapshot.topKeys.byLookups.map(({ key, lookups }) => [key, lookups])).toEqual([
      ['a', 3],
      ['b', 3],
      ['c', 1],
    ])
    expect(snapshot.topKeys.byFetchTime.map((top) => top.key).sort()).toEqual(['a', 'b', 'c'])
    expect(snapshot.topKeys.byFetchTime.find((top) => top.key === 'a')?.fetches).toBe(2)
  })

  it('the memory tier: entries of the memory store now', async () => {
    const cache = createCache({ store: new MemoryStore({ maxEntries: 2 }) })
    for (const key of ['a', 'b', 'c']) await cache.withRevalidate(key, 60, () => key)
    expect(cache.stats().memory).toEqual({ entries: 2 })
  })

  it('top keys stay bounded whatever number of keys passes through, and the heavy ones stay on top', async () => {
    const cache = createCache()
    const hot = ['page:/', 'posts:all', 'page:/posts/hello']
    for (let i = 0; i < 50_000; i++) {
      await cache.withRevalidate(i % 2 === 0 ? hot[i % 3]! : `user:${i}`, 60, () => i) // half the lookups on 3 keys, half on 25,000 others
    }
    const top = cache.stats().topKeys.byLookups
    expect(top).toHaveLength(10)
    expect(top.slice(0, 3).map((entry) => entry.key).sort()).toEqual([...hot].sort())
    for (const entry of top.slice(0, 3)) {
      // Each hot key had 8,333 or 8,334 lookups; after the first 10,000 lookups the sketch is fed a
      // random sample (about 110 of each key's), so the estimate is near, not exact (±50% is over 4 standard deviations).
      expect(entry.lookups - entry.error).toBeLessThanOrEqual(8334 * 1.5)
      expect(entry.lookups).toBeGreaterThan(8333 * 0.5)
    }
    // A cold key had one lookup: whatever sample weight took it into the sketch, it stays far below.
    expect(top[3]!.lookups).toBeLessThan(1000)
  })

  it('keyInfo: the last fetch of a key, with its error', async () => {
    const clock = manualClock()
    const cache = createCache({ now: clock.now, onEvent: () => {} })
    await cache.withRevalidate('a', 60, () => 1)
    clock.advance(61)
    await cache.withRevalidate('a', 60, () => Promise.reject(new Error('backend down')))
    await settle()
    const info = keyInfo(cache, 'a')
    expect(info.lookups?.weight).toBe(2)
    expect(info.lastFetch).toMatchObject({ reason: 'refresh', outcome: 'error', error: 'backend down' })
  })

  it('a fenced miss: its fetch and the one made after it are both counted, the last one ok', async () => {
    const cache = createCache()
    let calls = 0
    const read = cache.withRevalidate('k', 60, ({ signal }) =>
      ++calls === 1 ? new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))) : 'after',
    )
    await settle()
    await cache.invalidate('k')
    expect(await read).toBe('after')
    expect(cache.stats().fetches.miss).toBe(2)
    const info = keyInfo(cache, 'k')
    expect(info.lastFetch).toMatchObject({ reason: 'miss', outcome: 'ok' })
  })

  it('stats() of the default cache', async () => {
    const before = stats().lookups.miss
    const { withRevalidate } = await import('../src/index.js')
    await withRevalidate(`stats-test:${Math.random()}`, 60, () => 1)
    expect(stats().name).toBe('default')
    expect(stats().lookups.miss).toBe(before + 1)
  })
})

describe('TopKeys (Space-Saving)', () => {
  it('keeps the heaviest keys in k slots, each over-estimated by at most its error', () => {
    const top = new TopKeys(3)
    top.add('a', 1)
    top.add('b', 5)
    top.add('c', 1)
    top.add('d', 1) // takes the slot of a light key (a or c, weight 1): error 1
    expect(top.top(2)).toEqual([
      { key: 'b', weight: 5, error: 0, count: 1 },
      { key: 'd', weight: 2, error: 1, count: 1 },
    ])
    expect(top.get('b')).toEqual({ key: 'b', weight: 5, error: 0, count: 1 })
  })

  it('a key heavier than total / k is always kept, whatever the order of a stream of 100,000 keys', () => {
    const top = new TopKeys(16)
    let total = 0
    for (let i = 0; i < 100_000; i++) {
      const key = i % 10 === 0 ? 'heavy' : `light:${(i * 7919) % 20_011}`
      top.add(key, 1)
      total++
    }
    const heavy = top.get('heavy')
    expect(heavy).toBeDefined()
    expect(heavy!.weight - heavy!.error).toBeLessThanOrEqual(10_000)
    expect(heavy!.weight).toBeGreaterThanOrEqual(10_000)
    expect(top.top(100)).toHaveLength(16)
    expect(total).toBe(100_000)
  })
})

describe('the registry of caches (what the inspector lists)', () => {
  it('lists a cache under its name until it is disposed, and a cache nobody holds is not kept alive by it', async () => {
    const cache = createCache({ name: 'listed' })
    expect(registeredCaches().filter((listed) => listed.cache === cache).map((listed) => listed.name)).toEqual(['listed'])
    cache.dispose()
    expect(registeredCaches().some((listed) => listed.cache === cache)).toBe(false)
    expect(createCache().stats().name).toMatch(/^cache-\d+$/)
    expect(() => createCache({ name: '' })).toThrow('createCache: name must be a non-empty string')
  })
})
