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

  it('maxBytes: evicts the least recently used past the bound, as sizeOf counts them, and does not keep one entry larger than it', () => {
    const store = new MemoryStore({ maxBytes: 10, sizeOf: (stored) => (stored.value as string).length })
    store.set('a', entry('aaaa'))
    store.set('b', entry('bbbb'))
    store.get('a') // b is now the least recently used
    store.set('c', entry('ccc')) // 11 bytes: b goes
    expect([...store.keys()]).toEqual(['a', 'c'])
    expect(store.bytes).toBe(7)
    store.set('a', entry('a'.repeat(11)))
    expect([...store.keys()]).toEqual(['c']) // the old a is gone too: the key does not keep a value older than its last write
    expect(store.bytes).toBe(3)
    store.delete('c')
    expect(store.bytes).toBe(0)
  })

  it('maxBytes needs sizeOf, and a positive number', () => {
    expect(() => new MemoryStore({ maxBytes: 100 })).toThrow(/maxBytes needs sizeOf/)
    expect(() => new MemoryStore({ maxBytes: 0, sizeOf: () => 1 })).toThrow(/maxBytes must be a number of bytes greater than 0, got 0/)
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

  it('deep-freezes what it keeps outside production: a request that mutates a cached value throws where it writes', async () => {
    const cache = createCache({ store: new MemoryStore() })
    const value = await cache.withRevalidate('posts:all', 60, () => ({ posts: [{ title: 'a' }], byId: new Map([[1, 'a']]), ids: new Set([1]), at: new Date(0) }))
    expect(() => value.posts.push({ title: 'b' })).toThrow(TypeError)
    expect(() => {
      value.posts[0]!.title = 'changed'
    }).toThrow(TypeError)
    expect(() => value.byId.set(2, 'b')).toThrow(/Cannot set\(\) a cached Map: every caller of its key shares it/)
    expect(() => value.ids.add(2)).toThrow(/Cannot add\(\) a cached Set/)
    expect(() => value.at.setFullYear(2000)).toThrow(/Cannot setFullYear\(\) a cached Date/)
    const again = await cache.withRevalidate('posts:all', 60, () => ({ posts: [], byId: new Map(), ids: new Set(), at: new Date() }))
    expect(again.posts).toEqual([{ title: 'a' }])
    expect([...again.byId]).toEqual([[1, 'a']])
  })

  it('freezes nothing in production (NODE_ENV=production), or when freezeValues is false', async () => {
    const env = process.env as Record<string, string | undefined> // typed read-only where Next's types are loaded
    const before = env.NODE_ENV
    env.NODE_ENV = 'production'
    try {
      const value = { list: [1] }
      new MemoryStore().set('k', entry(value))
      expect(Object.isFrozen(value)).toBe(false)
    } finally {
      env.NODE_ENV = before
    }
    const value = { list: [1] }
    new MemoryStore({ freezeValues: false }).set('k', entry(value))
    expect(Object.isFrozen(value.list)).toBe(false)
  })

  it('refuses a value no shared store can keep, and leaves it unfrozen', () => {
    const store = new MemoryStore()
    const value = { ok: { n: 1 }, bad: [new (class Session {})()] }
    expect(() => store.set('k', entry(value))).toThrow(/The value for "k" cannot be cached: a Session instance at value\.bad\[0\]/)
    expect(Object.isFrozen(value.ok)).toBe(false)
    expect(store.get('k')).toBeUndefined()
  })

  it('walks a sparse array of length 2**32 - 1 by its own keys, and a 100,000-deep value without overflowing the stack', () => {
    const sparse: unknown[] = []
    sparse.length = 2 ** 32 - 1
    sparse[5] = { a: 1 }
    const store = new MemoryStore()
    store.set('sparse', entry(sparse))
    expect(Object.isFrozen(sparse[5])).toBe(true)
    let deep: Record<string, unknown> = {}
    const root = deep
    for (let i = 0; i < 100_000; i++) deep = (deep.next = {}) as Record<string, unknown>
    deep.bad = () => 1
    expect(() => store.set('deep', entry(root))).toThrow(/a function at value(\.next){100000}\.bad/)
  })
})
