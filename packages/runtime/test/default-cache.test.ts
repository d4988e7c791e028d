import { describe, expect, it, vi } from 'vitest'
import * as runtime from '../src/index.js'
import { configure, invalidate, invalidateAll, invalidateTag, MemoryStore, withRevalidate, type Invalidation } from '../src/index.js'
import { countingFetcher, eventLog, manualClock, storeOver } from './helpers.js'

describe('the default cache', () => {
  it('serves the top-level functions: cached list invalidated after a mutation', async () => {
    configure({})
    const posts = ['hello']
    const fetcher = countingFetcher(() => [...posts])
    expect(await withRevalidate('posts:all', 60, fetcher)).toEqual(['hello'])
    posts.push('second')
    expect(await withRevalidate('posts:all', 60, fetcher)).toEqual(['hello'])
    await invalidate('posts:all')
    expect(await withRevalidate('posts:all', 60, fetcher)).toEqual(['hello', 'second'])
    expect(fetcher.calls).toBe(2)
  })

  it('configure replaces the store and clock of the default cache', async () => {
    const clock = manualClock()
    const store = new MemoryStore({ maxEntries: 5 })
    configure({ store, now: clock.now })
    await withRevalidate('a', 1, () => 1, { tags: ['letters'] })
    expect(store.size).toBe(1)
    await invalidateTag('letters')
    expect(store.size).toBe(0)
    await withRevalidate('b', 1, () => 2)
    await invalidateAll()
    expect(store.size).toBe(0)
  })

  it('is shared by every copy of the module through a registered global symbol', async () => {
    configure({})
    await withRevalidate('shared', 60, () => 'one copy wrote this')
    // A second copy of the runtime (bundled into a page, say) is a fresh module instance.
    vi.resetModules()
    const copy = (await import('../src/default-cache.js')) as typeof import('../src/default-cache.js')
    expect(copy.withRevalidate).not.toBe(withRevalidate)
    expect(await copy.withRevalidate('shared', 60, () => 'the other copy fetched')).toBe('one copy wrote this')
    await copy.invalidate('shared')
    expect(await withRevalidate('shared', 60, () => 'fetched after the copy invalidated')).toBe(
      'fetched after the copy invalidated',
    )
  })

  it('exposes the whole API of docs/runtime.md', () => {
    for (const name of ['withRevalidate', 'invalidate', 'invalidateAll', 'invalidateTag', 'configure', 'createCache', 'pageKey']) {
      expect(typeof (runtime as Record<string, unknown>)[name]).toBe('function')
    }
  })

  it('configure stops the cache it replaces from listening: 1,000 configures, one remote invalidation delivered once', async () => {
    const listeners = new Set<(invalidation: Invalidation) => void>()
    const store = storeOver(new MemoryStore(), {
      subscribe(listener) {
        listeners.add(listener)
        return () => listeners.delete(listener)
      },
    })
    const log = eventLog()
    for (let i = 0; i < 1000; i++) configure({ store, onEvent: log.onEvent })
    expect(listeners.size).toBe(1)
    for (const listener of listeners) listener({ kind: 'key', key: 'k' })
    expect(log.events.filter((event) => event.type === 'invalidate')).toEqual([{ type: 'invalidate', key: 'k', remote: true }])
    configure({})
    expect(listeners.size).toBe(0)
  })
})
