import { describe, expect, it } from 'vitest'
import { createCache, DEFAULT_MAX_ENTRIES, MemoryStore } from '../src/index.js'
import { countingFetcher } from './helpers.js'
import { describeStoreSemantics } from './semantics.js'

describeStoreSemantics('memory', () => new MemoryStore())

const entry = (value: unknown, tags?: string[]) => ({ value, storedAt: 0, ttlMs: 1000, staleMs: 0, tags })

describe('MemoryStore', () => {
  it('evicts the least recently used entry past maxEntries', () => {
    const store = new MemoryStore({ maxEntries: 3 })
    store.set('a', entry(1))
    store.set('b', entry(2))
    store.set('c', entry(3))
    store.get('a') // a is now the most recently used; b is the least
    store.set('d', entry(4))
    expect([...store.keys()]).toEqual(['c', 'a', 'd'])
    expect(store.get('b')).toBeUndefined()
  })

  it('has a default bound, so a cache made with no options cannot grow without limit', async () => {
    expect(new MemoryStore().maxEntries).toBe(DEFAULT_MAX_ENTRIES)
    const store = new MemoryStore()
    const cache = createCache({ store })
    for (let i = 0; i < DEFAULT_MAX_ENTRIES + 50; i++) await cache.withRevalidate(`k${i}`, 60, () => i)
    expect(store.size).toBe(DEFAULT_MAX_ENTRIES)
  })

  it('drops an evicted key from its tags, so deleteTag never touches a newer entry of another key', () => {
    const store = new MemoryStore({ maxEntries: 1 })
    store.set('a', entry(1, ['t']))
    store.set('b', entry(2))
    store.deleteTag('t')
    expect(store.get('b')?.value).toBe(2)
  })

  it('rejects a maxEntries that is not a whole number of at least 1', () => {
    expect(() => new MemoryStore({ maxEntries: 0 })).toThrow(/maxEntries must be a whole number of at least 1, got 0/)
    expect(() => createCache({ maxEntries: 1.5 })).toThrow(TypeError)
  })

  it('bounded memory: 1,000,000 distinct keys through maxEntries 1000 keep 1000 entries', async () => {
    const store = new MemoryStore({ maxEntries: 1000 })
    const cache = createCache({ store })
    const total = 1_000_000
    for (let i = 0; i < total; i++) await cache.withRevalidate(`key:${i}`, 60, () => i)
    expect(store.size).toBe(1000)
    const newest = countingFetcher(() => -1)
    for (let i = total - 1000; i < total; i++) expect(await cache.withRevalidate(`key:${i}`, 60, newest)).toBe(i)
    expect(newest.calls).toBe(0)
    expect(await cache.withRevalidate('key:0', 60, () => 'evicted, fetched again')).toBe('evicted, fetched again')
  })
})
