// Coordinator rules that need a store with particular behaviour: failing, locking, broadcasting.
import { describe, expect, it } from 'vitest'
import { createCache, MemoryStore, type CacheEntry, type CacheStore, type Invalidation } from '../src/index.js'
import { countingFetcher, deferred, eventLog, eventually, manualClock, settle, storeOver } from './helpers.js'

describe('stampedes', () => {
  it('10,000 concurrent callers on a cold key: exactly 1 fetcher call, all get the value', async () => {
    const cache = createCache()
    const value = deferred<object>()
    const fetcher = countingFetcher(() => value.promise)
    const reads = Array.from({ length: 10_000 }, () => cache.withRevalidate('cold', 60, fetcher))
    value.resolve({ rows: 3 })
    const results = await Promise.all(reads)
    expect(fetcher.calls).toBe(1)
    expect(results.every((result) => result === results[0])).toBe(true)
  })

  it('10,000 concurrent callers on a stale key: all get the stale value at once, exactly 1 refresh', async () => {
    const clock = manualClock()
    const cache = createCache({ now: clock.now })
    await cache.withRevalidate('warm', 60, () => 'stale value')
    clock.advance(61)
    const never = deferred<string>() // the refresh never ends: no stale reader may wait for it
    const fetcher = countingFetcher(() => never.promise)
    const results = await Promise.all(Array.from({ length: 10_000 }, () => cache.withRevalidate('warm', 60, fetcher)))
    expect(results.every((result) => result === 'stale value')).toBe(true)
    expect(fetcher.calls).toBe(1)
  })
})

/** A store whose every operation fails, as a remote store does while its server is down. */
function brokenStore(): CacheStore {
  const fail = () => Promise.reject(new Error('store unreachable'))
  return { get: fail, set: fail, delete: fail, deleteTag: fail, clear: fail }
}

describe('store reads on their way', () => {
  it('callers after an invalidation do not join a store read that began before it', async () => {
    const reads: Array<ReturnType<typeof deferred<CacheEntry | undefined>>> = []
    const store: CacheStore = {
      get() {
        const read = deferred<CacheEntry | undefined>()
        reads.push(read)
        return read.promise
      },
      async set() {},
      async delete() {},
      async deleteTag() {},
      async clear() {},
    }
    const cache = createCache({ store })
    const before = cache.withRevalidate('k', 60, () => 'fetched before')
    const joined = cache.withRevalidate('k', 60, () => 'never called')
    expect(reads).toHaveLength(1) // the second caller shares the read on its way
    await cache.invalidate('k')
    const after = cache.withRevalidate('k', 60, () => 'fetched after')
    expect(reads).toHaveLength(2) // a read of its own
    reads[0]!.resolve({ value: 'old', storedAt: Date.now(), ttlMs: 60_000, staleMs: 0 })
    reads[1]!.resolve(undefined)
    expect(await before).toBe('old')
    expect(await joined).toBe('old')
    expect(await after).toBe('fetched after')
  })
})

describe('store failures', () => {
  it('a store that cannot read or write: callers are served by the fetcher and the error is reported', async () => {
    const log = eventLog()
    const cache = createCache({ store: brokenStore(), onEvent: log.onEvent })
    expect(await cache.withRevalidate('k', 60, () => 'from the fetcher')).toBe('from the fetcher')
    const storeErrors = log.events.filter((event) => event.type === 'error' && event.phase === 'store')
    expect(storeErrors).toHaveLength(2) // the read and the write
  })

  it('a store that throws synchronously is read as a miss', async () => {
    const store: CacheStore = {
      get() {
        throw new Error('corrupt')
      },
      set() {},
      delete() {},
      deleteTag() {},
      clear() {},
    }
    const cache = createCache({ store })
    expect(await cache.withRevalidate('k', 60, () => 'ok')).toBe('ok')
  })

  it('invalidate rejects when the store cannot delete, rather than claim it did', async () => {
    const cache = createCache({ store: brokenStore() })
    await expect(cache.invalidate('k')).rejects.toThrow('store unreachable')
  })
})

/** A memory store with the capabilities remote stores add: a shared lock and a broadcast. */
function sharedStore() {
  const memory = new MemoryStore() // what every instance reads and writes
  let listener: ((invalidation: Invalidation) => void) | undefined
  const lock = { held: false, attempts: 0, token: 0 }
  const store = storeOver(memory, {
    async acquireLock() {
      lock.attempts += 1
      if (lock.held) return undefined
      lock.held = true
      return String(++lock.token)
    },
    async releaseLock(_key, token) {
      if (token === String(lock.token)) lock.held = false
    },
    subscribe(next) {
      listener = next
      return () => (listener = undefined)
    },
  })
  return { store, lock, memory, broadcast: (invalidation: Invalidation) => listener?.(invalidation) }
}

describe('store capabilities', () => {
  it('refresh lock: an instance that loses it keeps serving stale and does not fetch', async () => {
    const clock = manualClock()
    const { store, lock } = sharedStore()
    const cache = createCache({ store, now: clock.now })
    await cache.withRevalidate('k', 10, () => 'old')
    clock.advance(11)
    lock.held = true // another instance is refreshing
    lock.attempts = 0
    const fetcher = countingFetcher(() => 'new')
    expect(await cache.withRevalidate('k', 10, fetcher)).toBe('old')
    await eventually(() => expect(lock.attempts).toBe(1))
    await settle()
    expect(fetcher.calls).toBe(0)
    lock.held = false
    expect(await cache.withRevalidate('k', 10, fetcher)).toBe('old')
    await eventually(() => expect(fetcher.calls).toBe(1))
    await eventually(() => expect(lock.held).toBe(false)) // released after the refresh
  })

  it('refresh lock: a caller that missed while a refresh waited on the lock still gets a value', async () => {
    const clock = manualClock()
    const { store, lock } = sharedStore()
    const cache = createCache({ store, now: clock.now, staleSeconds: 5 })
    await cache.withRevalidate('k', 10, () => 'old')
    clock.advance(11)
    lock.held = true
    const fetcher = countingFetcher(() => 'new')
    const stale = cache.withRevalidate('k', 10, fetcher) // starts a refresh that will lose the lock
    clock.advance(10) // now expired: the next caller misses and joins the refresh in flight
    const missed = cache.withRevalidate('k', 10, fetcher)
    expect(await stale).toBe('old')
    expect(await missed).toBe('new')
    expect(fetcher.calls).toBe(1)
    expect(lock.held).toBe(true) // it never held the other instance's lock, so never released it
  })

  it('miss while another instance holds the lock: waits for its value instead of fetching', async () => {
    const clock = manualClock()
    const { store, lock, memory } = sharedStore()
    const cache = createCache({ store, now: clock.now })
    lock.held = true // another instance is fetching this key
    const fetcher = countingFetcher(() => 'fetched here')
    const reads = [1, 2, 3].map(() => cache.withRevalidate('k', 60, fetcher))
    await new Promise((resolve) => setTimeout(resolve, 30))
    memory.set('k', { value: 'fetched there', storedAt: clock.now(), ttlMs: 60_000, staleMs: 0 })
    expect(await Promise.all(reads)).toEqual(['fetched there', 'fetched there', 'fetched there'])
    expect(fetcher.calls).toBe(0)
  })

  it('miss while another instance holds the lock and never writes: fetches once the lock is free', async () => {
    const { store, lock } = sharedStore()
    const cache = createCache({ store })
    lock.held = true
    const fetcher = countingFetcher(() => 'fetched here')
    const read = cache.withRevalidate('k', 60, fetcher)
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(fetcher.calls).toBe(0)
    lock.held = false // the holder failed, or its lock expired
    expect(await read).toBe('fetched here')
    expect(fetcher.calls).toBe(1)
    expect(lock.held).toBe(false) // released after the fetch
  })

  it('an invalidation broadcast by another instance fences fetches in flight here', async () => {
    const { store, broadcast } = sharedStore()
    const log = eventLog()
    const cache = createCache({ store, onEvent: log.onEvent })
    const inFlight = deferred<string>()
    const pending = cache.withRevalidate('k', 60, () => inFlight.promise, { tags: ['t'] })
    broadcast({ kind: 'tag', tag: 't' })
    inFlight.resolve('from before')
    expect(await pending).toBe('from before')
    expect(await cache.withRevalidate('k', 60, () => 'after')).toBe('after')
    expect(log.events).toContainEqual({ type: 'invalidate', tag: 't', remote: true })
  })

  it('a releaseLock that throws synchronously or returns nothing does not fail a fetch that succeeded', async () => {
    for (const releaseLock of [
      () => {
        throw new Error('release failed')
      },
      () => undefined,
      () => Promise.reject(new Error('release rejected')),
    ]) {
      const { store } = sharedStore()
      const log = eventLog()
      const cache = createCache({ store: { ...store, releaseLock: releaseLock as unknown as CacheStore['releaseLock'] }, onEvent: log.onEvent })
      expect(await cache.withRevalidate('k', 60, () => 'fetched')).toBe('fetched')
      await settle()
    }
  })

  it('a store whose acquireLock or subscribe throws synchronously: fetches still succeed, the failure is reported', async () => {
    const log = eventLog()
    const fail = () => {
      throw new Error('store method failed')
    }
    const cache = createCache({ store: storeOver(new MemoryStore(), { acquireLock: fail, releaseLock: fail, subscribe: fail }), onEvent: log.onEvent })
    expect(await cache.withRevalidate('k', 60, () => 'fetched')).toBe('fetched')
    expect(log.events.filter((event) => event.type === 'error' && event.phase === 'store').length).toBeGreaterThanOrEqual(1)
    cache.dispose()
  })

  it('a lock nobody releases (no expiry) holds a miss at most lockSeconds, then the caller fetches and it is reported', async () => {
    const log = eventLog()
    const store = storeOver(new MemoryStore(), {
      lockSeconds: 0.1,
      acquireLock: async () => undefined, // held by someone forever
      releaseLock: async () => {},
    })
    const cache = createCache({ store, onEvent: log.onEvent })
    expect(await cache.withRevalidate('k', 60, () => 'fetched without the lock')).toBe('fetched without the lock')
    expect(log.events.some((event) => event.type === 'error' && event.phase === 'store' && /still held after lockSeconds/.test(String(event.error)))).toBe(true)
  })

  it('refresh lock: a stale read that began before the last refresh wrote does not refresh again once it lands', async () => {
    const clock = manualClock()
    const memory = new MemoryStore()
    const heldReads: Array<() => void> = []
    let holdReads = false
    const store = storeOver(memory, {
      // A read answers with what the store held when it was asked, as late as the test says.
      get: (key) => {
        const entry = memory.get(key)
        return holdReads ? new Promise((resolve) => heldReads.push(() => resolve(entry))) : Promise.resolve(entry)
      },
      acquireLock: async () => 'token',
      releaseLock: async () => {},
    })
    const cache = createCache({ store, now: clock.now })
    await cache.withRevalidate('k', 60, () => 'old')
    clock.advance(61)
    const refreshed = deferred<string>()
    const fetcher = countingFetcher(() => refreshed.promise)
    expect(await cache.withRevalidate('k', 60, fetcher)).toBe('old') // starts the refresh
    await eventually(() => expect(fetcher.calls).toBe(1))
    holdReads = true
    const late = cache.withRevalidate('k', 60, fetcher) // its read sees 'old', and lands after the refresh
    holdReads = false
    refreshed.resolve('new')
    await eventually(() => expect(memory.get('k')?.value).toBe('new'))
    await settle()
    for (const release of heldReads) release()
    expect(await late).toBe('old')
    await settle()
    expect(fetcher.calls).toBe(1)
  })

  it('an acquireLock that resolves neither a token nor undefined (true, as lock libraries answer) is reported once and fetches go on without the lock', async () => {
    const log = eventLog()
    let attempts = 0
    const store = storeOver(new MemoryStore(), {
      lockSeconds: 0.5, // bounds what this test waits on a coordinator that reads `true` as "held elsewhere"
      acquireLock: async () => {
        attempts++
        return true as unknown as string
      },
      releaseLock: async () => {},
    })
    const cache = createCache({ store, onEvent: log.onEvent })
    for (const key of ['a', 'b', 'c']) expect(await cache.withRevalidate(key, 60, () => `fetched ${key}`)).toBe(`fetched ${key}`)
    expect(attempts).toBe(3) // one per miss: no polling for a lock it was told it has
    const errors = log.events.filter((event) => event.type === 'error')
    expect(errors).toEqual([
      expect.objectContaining({ phase: 'store', key: 'a', error: new TypeError("The store's acquireLock resolved boolean true; it must resolve a string token (this caller now holds the lock) or undefined (another holder has it). Fetching without the lock; this is reported once.") }),
    ])
  })

  it('a miss that times out while its lock is being granted lets go of the lock once it comes', async () => {
    let holder: string | undefined
    const released: string[] = []
    const store = storeOver(new MemoryStore(), {
      acquireLock: async () => {
        await new Promise((resolve) => setTimeout(resolve, 150)) // a slow answer: granted after the deadline
        if (holder !== undefined) return undefined
        return (holder = 'ours')
      },
      releaseLock: async (_key: string, token: string) => {
        released.push(token)
        if (holder === token) holder = undefined
      },
    })
    const cache = createCache({ store, timeoutSeconds: 0.05 })
    await expect(cache.withRevalidate('k', 60, () => 'never fetched')).rejects.toMatchObject({ name: 'TimeoutError' })
    await eventually(() => expect(released).toEqual(['ours']))
    expect(holder).toBeUndefined()
  })

  it('a timeoutSeconds longer than a timer can hold (about 24.8 days) is as good as none, not an instant timeout', async () => {
    const cache = createCache({ timeoutSeconds: 30 * 86_400 })
    const slow = () => new Promise<string>((resolve) => setTimeout(() => resolve('value'), 20))
    expect(await cache.withRevalidate('k', 60, slow)).toBe('value')
    expect(await cache.withRevalidate('k2', 60, slow, { timeoutSeconds: 365 * 86_400 })).toBe('value')
  })

  it('lock tokens are per fetch: a fenced fetch that outlives its lock does not release the lock of the fetch that replaced it', async () => {
    const { store, lock } = sharedStore()
    const cache = createCache({ store })
    const first = deferred<string>()
    const fenced = cache.withRevalidate('k', 60, () => first.promise)
    await eventually(() => expect(lock.held).toBe(true))
    await cache.invalidate('k')
    lock.held = false // the first fetch's lock expired
    const second = deferred<string>()
    const replacing = cache.withRevalidate('k', 60, () => second.promise)
    await eventually(() => expect(lock.token).toBe(2))
    first.resolve('from before') // the fenced fetch ends and releases its own token only
    expect(await fenced).toBe('from before')
    await settle()
    expect(lock.held).toBe(true)
    second.resolve('fresh')
    expect(await replacing).toBe('fresh')
    await eventually(() => expect(lock.held).toBe(false))
  })
})
