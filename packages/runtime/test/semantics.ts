// The rules every store keeps (docs/runtime.md, "withRevalidate"; docs/architecture.md), one test each, run against any store.
// Every store (memory, Redis, Cloudflare) runs this same suite through `describeStoreSemantics`.
import { describe, expect, it } from 'vitest'
import { createCache, type CacheOptions, type CacheStore, type FetchContext } from '../src/index.js'
import { countingFetcher, deferred, eventLog, eventually, manualClock, settle } from './helpers.js'

class Post {
  constructor(readonly title: string) {}
}

/** A fetcher that counts its calls and answers with `answer(callNumber, context)`. */
function fetcherWithContext<T>(answer: (call: number, context: FetchContext) => T) {
  const fetcher = Object.assign((context: FetchContext) => answer(++fetcher.calls, context), { calls: 0 })
  return fetcher
}

export function describeStoreSemantics(storeName: string, makeStore: () => CacheStore | Promise<CacheStore>) {
  async function setup(options: Omit<CacheOptions, 'store' | 'now' | 'onEvent'> = {}) {
    const clock = manualClock()
    const log = eventLog()
    const store = await makeStore()
    const cache = createCache({ ...options, store, now: clock.now, onEvent: log.onEvent })
    return { clock, log, store, cache }
  }

  describe(`semantics over the ${storeName} store`, () => {
    it('fresh: returns the cached value without calling the fetcher', async () => {
      const { cache, clock } = await setup()
      const fetcher = countingFetcher((n) => `v${n}`)
      expect(await cache.withRevalidate('k', 60, fetcher)).toBe('v1')
      clock.advance(59)
      expect(await cache.withRevalidate('k', 60, fetcher)).toBe('v1')
      expect(fetcher.calls).toBe(1)
    })

    it('stale: returns the cached value at once and starts one background refresh for many callers', async () => {
      const { cache, clock } = await setup()
      await cache.withRevalidate('k', 60, () => 'old')
      clock.advance(60)
      const refresh = deferred<string>()
      const fetcher = countingFetcher(() => refresh.promise)
      const reads = await Promise.all(Array.from({ length: 50 }, () => cache.withRevalidate('k', 60, fetcher)))
      // The refresh has not finished, yet every stale reader already has its value.
      expect(reads).toEqual(Array(50).fill('old'))
      await eventually(() => expect(fetcher.calls).toBe(1))
      refresh.resolve('new')
      await eventually(async () => expect(await cache.withRevalidate('k', 60, fetcher)).toBe('new'))
      expect(fetcher.calls).toBe(1)
    })

    it('missing: calls the fetcher once however many callers arrive, and all get its value', async () => {
      const { cache } = await setup()
      const value = deferred<{ id: number }>()
      const fetcher = countingFetcher(() => value.promise)
      const reads = Array.from({ length: 100 }, () => cache.withRevalidate('k', 60, fetcher))
      await eventually(() => expect(fetcher.calls).toBe(1))
      value.resolve({ id: 1 })
      const results = await Promise.all(reads)
      expect(new Set(results).size).toBe(1)
      expect(results[0]).toEqual({ id: 1 })
      expect(fetcher.calls).toBe(1)
    })

    it('expired: past ttl + staleSeconds a caller waits for a fresh fetch instead of the stale value', async () => {
      const { cache, clock } = await setup({ staleSeconds: 30 })
      await cache.withRevalidate('k', 60, () => 'old')
      clock.advance(90)
      const fetcher = countingFetcher(() => 'new')
      const reads = await Promise.all([1, 2, 3].map(() => cache.withRevalidate('k', 60, fetcher)))
      expect(reads).toEqual(['new', 'new', 'new'])
      expect(fetcher.calls).toBe(1)
    })

    it('staleSeconds is the hard limit on serving stale, per cache and per call', async () => {
      const { cache, clock } = await setup({ staleSeconds: 0 })
      await cache.withRevalidate('no-window', 10, () => 'old')
      await cache.withRevalidate('own-window', 10, () => 'old', { staleSeconds: 5 })
      clock.advance(10)
      expect(await cache.withRevalidate('no-window', 10, () => 'new')).toBe('new')
      expect(await cache.withRevalidate('own-window', 10, () => 'new', { staleSeconds: 5 })).toBe('old')
    })

    it('age counts from when the value was stored, not from when the call began', async () => {
      const { cache, clock } = await setup()
      const slow = deferred<string>()
      const pending = cache.withRevalidate('k', 10, () => slow.promise)
      clock.advance(8) // the fetch takes 8 s
      slow.resolve('v1')
      await pending
      clock.advance(9) // 17 s after the call began, 9 s after the value was stored
      const fetcher = countingFetcher(() => 'v2')
      expect(await cache.withRevalidate('k', 10, fetcher)).toBe('v1')
      expect(fetcher.calls).toBe(0)
    })

    it('a failed miss rejects every waiting caller with the fetcher’s own error and caches nothing', async () => {
      const { cache, log } = await setup()
      const failure = new Error('database down')
      const gate = deferred<never>()
      gate.promise.catch(() => {}) // rejected before a store with a lock has called the fetcher
      const reads = [1, 2, 3].map(() => cache.withRevalidate('k', 60, () => gate.promise))
      gate.reject(failure)
      for (const read of reads) await expect(read).rejects.toBe(failure)
      const fetcher = countingFetcher(() => 'recovered')
      expect(await cache.withRevalidate('k', 60, fetcher)).toBe('recovered')
      expect(fetcher.calls).toBe(1)
      expect(log.events).toContainEqual({ type: 'error', key: 'k', phase: 'miss', error: failure })
    })

    it('concurrent callers share one fetch even when it fails at once', async () => {
      const { cache } = await setup()
      const failing = countingFetcher((n): string => {
        throw new Error(`failure ${n}`)
      })
      const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => cache.withRevalidate('k', 60, failing)))
      expect(failing.calls).toBe(1)
      expect(new Set(outcomes.map((outcome) => (outcome.status === 'rejected' ? (outcome.reason as Error).message : 'fulfilled')))).toEqual(new Set(['failure 1']))
    })

    it('a fetcher that throws synchronously rejects instead of throwing', async () => {
      const { cache } = await setup()
      const failure = new TypeError('bad row')
      const read = cache.withRevalidate('k', 60, () => {
        throw failure
      })
      await expect(read).rejects.toBe(failure)
    })

    it('a failed refresh keeps the stale value, is reported, and is retried at most once per backoff interval', async () => {
      const { cache, clock, log } = await setup({ retryAfterSeconds: 10 })
      await cache.withRevalidate('k', 60, () => 'old')
      clock.advance(61)
      const failure = new Error('refresh failed')
      const failing = countingFetcher((): string => {
        throw failure
      })
      for (let i = 0; i < 20; i++) expect(await cache.withRevalidate('k', 60, failing)).toBe('old')
      await eventually(() => expect(log.events).toContainEqual({ type: 'error', key: 'k', phase: 'refresh', error: failure }))
      clock.advance(9)
      for (let i = 0; i < 20; i++) expect(await cache.withRevalidate('k', 60, failing)).toBe('old')
      await settle()
      expect(failing.calls).toBe(1)
      clock.advance(1) // the backoff interval has passed: one more try
      for (let i = 0; i < 20; i++) expect(await cache.withRevalidate('k', 60, failing)).toBe('old')
      await eventually(() => expect(failing.calls).toBe(2))
    })

    it('invalidate fences a miss in flight: its callers get the value, the cache does not', async () => {
      const { cache } = await setup()
      const old = deferred<string>()
      const started = countingFetcher(() => old.promise)
      const before = cache.withRevalidate('k', 60, started)
      await eventually(() => expect(started.calls).toBe(1)) // the fetch began before the invalidation
      await cache.invalidate('k')
      old.resolve('from before the invalidation')
      expect(await before).toBe('from before the invalidation')
      const fetcher = countingFetcher(() => 'fresh')
      expect(await cache.withRevalidate('k', 60, fetcher)).toBe('fresh')
      expect(fetcher.calls).toBe(1)
    })

    it('invalidate fences a background refresh in flight', async () => {
      const { cache, clock } = await setup()
      await cache.withRevalidate('k', 60, () => 'v1')
      clock.advance(61)
      const refresh = deferred<string>()
      const refreshing = countingFetcher(() => refresh.promise)
      expect(await cache.withRevalidate('k', 60, refreshing)).toBe('v1')
      await eventually(() => expect(refreshing.calls).toBe(1))
      await cache.invalidate('k')
      refresh.resolve('refreshed before the invalidation')
      await settle()
      expect(await cache.withRevalidate('k', 60, () => 'after')).toBe('after')
    })

    it('invalidate: the next read fetches fresh', async () => {
      const { cache, log } = await setup()
      await cache.withRevalidate('k', 60, () => 'v1')
      await cache.invalidate('k')
      expect(await cache.withRevalidate('k', 60, () => 'v2')).toBe('v2')
      expect(log.events).toContainEqual({ type: 'invalidate', key: 'k' })
    })

    it('invalidateTag drops exactly the tagged entries and fences their fetches', async () => {
      const { cache } = await setup()
      await cache.withRevalidate('post:1', 60, () => 'p1', { tags: ['posts'] })
      await cache.withRevalidate('post:2', 60, () => 'p2', { tags: ['posts', 'featured'] })
      await cache.withRevalidate('user:1', 60, () => 'u1', { tags: ['users'] })
      const inFlight = deferred<string>()
      const started = countingFetcher(() => inFlight.promise)
      const pending = cache.withRevalidate('posts:all', 60, started, { tags: ['posts'] })
      await eventually(() => expect(started.calls).toBe(1))
      await cache.invalidateTag('posts')
      inFlight.resolve('list from before')
      expect(await pending).toBe('list from before')
      const refetch = countingFetcher((n) => `again${n}`)
      expect(await cache.withRevalidate('post:1', 60, refetch, { tags: ['posts'] })).toBe('again1')
      expect(await cache.withRevalidate('post:2', 60, refetch, { tags: ['posts'] })).toBe('again2')
      expect(await cache.withRevalidate('posts:all', 60, refetch, { tags: ['posts'] })).toBe('again3')
      expect(await cache.withRevalidate('user:1', 60, refetch, { tags: ['users'] })).toBe('u1')
    })

    it('invalidateAll drops every entry and fences every fetch in flight', async () => {
      const { cache } = await setup()
      await cache.withRevalidate('a', 60, () => 'a1')
      await cache.withRevalidate('b', 60, () => 'b1')
      const inFlight = deferred<string>()
      const started = countingFetcher(() => inFlight.promise)
      const pending = cache.withRevalidate('c', 60, started)
      await eventually(() => expect(started.calls).toBe(1))
      await cache.invalidateAll()
      inFlight.resolve('c1')
      await pending
      const fetcher = countingFetcher((n) => `fresh${n}`)
      expect(await cache.withRevalidate('a', 60, fetcher)).toBe('fresh1')
      expect(await cache.withRevalidate('b', 60, fetcher)).toBe('fresh2')
      expect(await cache.withRevalidate('c', 60, fetcher)).toBe('fresh3')
    })

    it('version: an entry stored under another version is a miss', async () => {
      const { cache } = await setup()
      await cache.withRevalidate('page:/posts', 60, () => 'old shape', { version: 'a1' })
      expect(await cache.withRevalidate('page:/posts', 60, () => 'new shape', { version: 'b2' })).toBe('new shape')
      expect(await cache.withRevalidate('page:/posts', 60, () => 'unused', { version: 'b2' })).toBe('new shape')
    })

    it('bad input rejects with a TypeError that names the argument, and caches nothing', async () => {
      const { cache } = await setup()
      const fetcher = countingFetcher(() => 'v')
      const call = cache.withRevalidate.bind(cache) as (...args: unknown[]) => Promise<unknown>
      await expect(call('', 60, fetcher)).rejects.toThrow(new TypeError('withRevalidate: key must be a non-empty string, got an empty string'))
      await expect(call(42, 60, fetcher)).rejects.toThrow(/key must be a non-empty string, got the number 42/)
      for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '60']) {
        await expect(call('k', ttl, fetcher)).rejects.toThrow(/withRevalidate: ttlSeconds must be a finite number greater than 0/)
      }
      await expect(call('k', 60, 'not a function')).rejects.toThrow(/fetcher must be a function/)
      await expect(call('k', 60, fetcher, { tags: 'posts' })).rejects.toThrow(/options.tags must be an array of non-empty strings/)
      await expect(call('k', 60, fetcher, { tags: ['ok', 7] })).rejects.toThrow(TypeError)
      await expect(call('k', 60, fetcher, { staleSeconds: -1 })).rejects.toThrow(/options.staleSeconds/)
      await expect(cache.invalidate('')).rejects.toThrow(/invalidate: key must be a non-empty string/)
      await expect(cache.invalidateTag(undefined as never)).rejects.toThrow(/invalidateTag: tag must be a non-empty string/)
      expect(fetcher.calls).toBe(0)
      expect(await cache.withRevalidate('k', 60, () => 'first real value')).toBe('first real value')
    })

    it('keys and tags are well-formed Unicode: a lone surrogate is a TypeError naming it, at the call, so no two keys share an entry', async () => {
      const { cache } = await setup()
      const fetcher = countingFetcher(() => 'v')
      // Half of an emoji, as text.slice(0, n) leaves it: a UTF-8 store would keep it as U+FFFD.
      const cut = 'profile:alice\uD83D'
      await expect(cache.withRevalidate(cut, 60, fetcher)).rejects.toThrow(
        /^withRevalidate: key must be well-formed Unicode, got the string "profile:alice\\ud83d", which holds a lone UTF-16 surrogate at index 13/,
      )
      await expect(cache.withRevalidate('k', 60, fetcher, { tags: ['posts', '\uDE00posts'] })).rejects.toThrow(/^withRevalidate: options.tags\[1\] must be well-formed Unicode.* at index 0/)
      await expect(cache.invalidate(cut)).rejects.toThrow(/^invalidate: key must be well-formed Unicode/)
      await expect(cache.invalidateTag('a\uDE00\uD83D')).rejects.toThrow(/^invalidateTag: tag must be well-formed Unicode.* at index 1/)
      expect(fetcher.calls).toBe(0)
      // Well-formed text is a key like any other: U+FFFD itself, and the whole emoji, each its own.
      expect(await cache.withRevalidate('profile:alice\uFFFD', 60, () => 'U+FFFD')).toBe('U+FFFD')
      expect(await cache.withRevalidate('profile:alice\uD83D\uDE00', 60, () => 'emoji', { tags: ['\u{1F600}'] })).toBe('emoji')
      await cache.invalidateTag('\u{1F600}')
      expect(await cache.withRevalidate('profile:alice\u{1F600}', 60, () => 'emoji again')).toBe('emoji again')
      expect(await cache.withRevalidate('profile:alice\uFFFD', 60, () => 'unused')).toBe('U+FFFD')
    })

    it('a fetcher that asks for its own key gets a TypeError saying so: never undefined, never a wait for itself', async () => {
      const { cache } = await setup()
      const ownKey = /^withRevalidate: the fetcher of "k" called withRevalidate\("k"\) itself/
      // After an await (on Redis the inner call would wait for its own lock, or its own fetch) and before one.
      // timeoutSeconds only bounds a wait the rule is there to prevent.
      const afterAwait = cache.withRevalidate('k', 60, async () => 1 + (await cache.withRevalidate('k', 60, async () => 1)), { timeoutSeconds: 5 })
      await expect(afterAwait).rejects.toThrow(ownKey)
      await expect(cache.withRevalidate('k', 60, () => cache.withRevalidate('k', 60, () => 'inner'), { timeoutSeconds: 5 })).rejects.toThrow(ownKey)
      // Through another key: k's fetcher waits for l, whose fetcher waits for k.
      const cycle = cache.withRevalidate('k', 60, async () => `k(${await cache.withRevalidate('l', 60, async () => `l(${await cache.withRevalidate('k', 60, () => 'x')})`)})`, { timeoutSeconds: 5 })
      await expect(cycle).rejects.toThrow(ownKey)
      // Nothing of that was cached; fetchers that ask for other keys, and work a fetcher leaves behind, are served.
      let leftBehind: Promise<string> | undefined
      const nested = await cache.withRevalidate('k', 60, async () => {
        const l = await cache.withRevalidate('l', 60, async () => 'l')
        leftBehind = new Promise((resolve) => setTimeout(resolve, 20)).then(() => cache.withRevalidate('k', 60, () => 'unused'))
        return `k(${l})`
      })
      expect(nested).toBe('k(l)')
      expect(await leftBehind).toBe('k(l)')
    })

    it('onEvent reports hit, stale, miss, refresh and invalidate, and a throwing onEvent breaks nothing', async () => {
      const clock = manualClock()
      const types: string[] = []
      const cache = createCache({
        store: await makeStore(),
        now: clock.now,
        onEvent: (event) => {
          types.push(event.type)
          throw new Error('a broken logger')
        },
      })
      await cache.withRevalidate('k', 10, () => 1)
      await cache.withRevalidate('k', 10, () => 2)
      clock.advance(10)
      await cache.withRevalidate('k', 10, () => 3)
      await eventually(() => expect(types).toContain('refresh'))
      await cache.invalidate('k')
      expect(types).toEqual(['miss', 'hit', 'stale', 'refresh', 'invalidate'])
    })

    it('version: callers join only a fetch of their own version, never get another version’s data', async () => {
      const { cache } = await setup()
      const oldCode = deferred<string>()
      const fromOld = cache.withRevalidate('page:/posts', 60, () => oldCode.promise, { version: 'a1' })
      const newCode = countingFetcher(() => 'new shape')
      const fromNew = cache.withRevalidate('page:/posts', 60, newCode, { version: 'b2' })
      expect(await fromNew).toBe('new shape')
      expect(newCode.calls).toBe(1)
      oldCode.resolve('old shape')
      expect(await fromOld).toBe('old shape')
    })

    it('the tags of every caller that joins a fetch end up on the entry', async () => {
      const { cache } = await setup()
      const value = deferred<string>()
      const untagged = cache.withRevalidate('post:1', 60, () => value.promise)
      const tagged = cache.withRevalidate('post:1', 60, () => 'never called', { tags: ['posts'] })
      value.resolve('v1')
      expect(await Promise.all([untagged, tagged])).toEqual(['v1', 'v1'])
      await cache.invalidateTag('posts')
      expect(await cache.withRevalidate('post:1', 60, () => 'v2')).toBe('v2')
    })

    it('cancellation: the fetcher gets a signal that an invalidation aborts; its waiting callers get a fetch made after it', async () => {
      const { cache } = await setup()
      const signals: AbortSignal[] = []
      let calls = 0
      const fetcher = ({ signal }: FetchContext) => {
        signals.push(signal)
        calls += 1
        if (calls > 1) return 'after the invalidation'
        return new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))
      }
      const waiting = cache.withRevalidate('k', 60, fetcher)
      await eventually(() => expect(calls).toBe(1))
      expect(signals[0]!.aborted).toBe(false)
      await cache.invalidate('k')
      expect(signals[0]!.aborted).toBe(true)
      expect((signals[0]!.reason as Error).name).toBe('AbortError')
      expect(await waiting).toBe('after the invalidation')
      expect(await cache.withRevalidate('k', 60, () => 'unused')).toBe('after the invalidation')
    })

    it('timeoutSeconds: a hung miss rejects every waiting caller with a TimeoutError, aborts the fetcher, caches nothing', async () => {
      const { cache } = await setup()
      const signals: AbortSignal[] = []
      const hung = ({ signal }: FetchContext) => {
        signals.push(signal)
        return new Promise<string>(() => {})
      }
      const callers = [1, 2, 3].map(() => cache.withRevalidate('k', 60, hung, { timeoutSeconds: 0.2 }))
      for (const caller of callers) await expect(caller).rejects.toMatchObject({ name: 'TimeoutError' })
      expect(signals).toHaveLength(1)
      expect((signals[0]!.reason as Error).name).toBe('TimeoutError')
      expect(await cache.withRevalidate('k', 60, () => 'next caller fetches anew')).toBe('next caller fetches anew')
    })

    it('timeoutSeconds in the cache options: a refresh that times out is a failed refresh, the stale value stays', async () => {
      const { cache, clock, log } = await setup({ timeoutSeconds: 0.05 })
      await cache.withRevalidate('k', 10, () => 'old')
      clock.advance(11)
      expect(await cache.withRevalidate('k', 10, () => new Promise<string>(() => {}))).toBe('old')
      await eventually(() => expect(log.events.some((event) => event.type === 'error' && event.phase === 'refresh' && (event.error as Error).name === 'TimeoutError')).toBe(true))
      expect(await cache.withRevalidate('k', 10, () => 'not retried at once')).toBe('old')
    })

    it('values: a class instance is refused with a TypeError naming its path, on every store alike', async () => {
      const { cache } = await setup()
      await expect(cache.withRevalidate('posts:all', 60, () => ({ posts: [new Post('hi')] }))).rejects.toThrow(
        /cannot be cached: a Post instance at value\.posts\[0\]/,
      )
      await expect(cache.withRevalidate('k', 60, () => ({ format: () => 'x' }))).rejects.toThrow(TypeError)
      expect(await cache.withRevalidate('posts:all', 60, () => ({ posts: [{ title: 'hi' }] }))).toEqual({ posts: [{ title: 'hi' }] })
    })

    it('values: shared references stay shared through the store ({ a: o, b: o } reads back with a === b)', async () => {
      const { store, cache, clock } = await setup()
      const o = { id: 1 }
      await cache.withRevalidate('k', 60, () => ({ a: o, b: o, when: new Date(0), ids: new Set([1]) }))
      const other = createCache({ store, now: clock.now }) // another cache on the same store reads it back
      const back = await other.withRevalidate('k', 60, () => ({ a: {}, b: {}, when: new Date(1), ids: new Set<number>() }))
      expect(back.a).toBe(back.b)
      expect(back.when).toEqual(new Date(0))
      expect(back.ids).toEqual(new Set([1]))
    })

    it('keepFor: a fetcher that learns its lifetime from what it fetched sets the entry’s ttl, stale window and tags', async () => {
      const { cache, clock } = await setup()
      const longest = 365 * 86_400
      const fetcher = fetcherWithContext((n, { keepFor }) => {
        keepFor({ ttlSeconds: 10, staleSeconds: 5, tags: ['from-the-response'] })
        return `v${n}`
      })
      const call = () => cache.withRevalidate('k', longest, fetcher, { staleSeconds: longest })
      expect(await call()).toBe('v1')
      clock.advance(9)
      expect(await call()).toBe('v1') // fresh by its own ttl
      clock.advance(2)
      expect(await call()).toBe('v1') // stale: served at once, one refresh
      await eventually(() => expect(fetcher.calls).toBe(2))
      await eventually(async () => expect(await call()).toBe('v2'))
      await cache.invalidateTag('from-the-response')
      expect(await call()).toBe('v3')
      // Past its own ttl + stale window: a miss (the refresh above may still be writing; this key has nothing in flight).
      const expiring = () => cache.withRevalidate('expiring', longest, fetcher, { staleSeconds: longest })
      expect(await expiring()).toBe('v4')
      clock.advance(14)
      expect(await expiring()).toBe('v4') // stale, refreshing
      await eventually(() => expect(fetcher.calls).toBe(5))
      await cache.invalidate('expiring')
      expect(await expiring()).toBe('v6')
      clock.advance(16)
      expect(await expiring()).toBe('v7')
    })

    it('keepFor: the call’s ttl still bounds the entry; false writes nothing but every waiting caller gets the value', async () => {
      const { cache, clock } = await setup()
      const generous = fetcherWithContext((n, { keepFor }) => (keepFor({ ttlSeconds: 600 }), `g${n}`))
      expect(await cache.withRevalidate('bounded', 60, generous, { staleSeconds: 0 })).toBe('g1')
      clock.advance(61)
      expect(await cache.withRevalidate('bounded', 60, generous, { staleSeconds: 0 })).toBe('g2')
      const gate = deferred<void>()
      const notKept = fetcherWithContext(async (n, { keepFor }) => {
        await gate.promise
        keepFor(false)
        return { n }
      })
      const reads = Array.from({ length: 20 }, () => cache.withRevalidate('not-kept', 60, notKept))
      await eventually(() => expect(notKept.calls).toBe(1))
      gate.resolve()
      expect(new Set(await Promise.all(reads)).size).toBe(1)
      expect(await cache.withRevalidate('not-kept', 60, notKept)).toEqual({ n: 2 })
    })

    it('keepFor: a tag named late fences a fetch that an invalidation of it overtook; callers that joined after it get a fetch of their own', async () => {
      const { cache, log } = await setup()
      const gate = deferred<void>()
      const render = fetcherWithContext(async (n, { keepFor }) => {
        if (n === 1) await gate.promise
        keepFor({ ttlSeconds: 60, tags: ['posts'] })
        return `render ${n}`
      })
      const before = cache.withRevalidate('page', 60, render)
      await eventually(() => expect(render.calls).toBe(1))
      const joinedBefore = cache.withRevalidate('page', 60, render)
      await eventually(() => expect(log.events).toContainEqual({ type: 'miss', key: 'page', joined: true }))
      await cache.invalidateTag('posts') // the fetch's tags are not known yet
      const joinedAfter = cache.withRevalidate('page', 60, render)
      gate.resolve()
      expect(await before).toBe('render 1')
      expect(await joinedBefore).toBe('render 1')
      expect(await joinedAfter).toBe('render 2')
      expect(await cache.withRevalidate('page', 60, render)).toBe('render 2')
      expect(render.calls).toBe(2)
      // An invalidation of another tag does not fence it.
      await cache.invalidate('page')
      const again = deferred<void>()
      const other = fetcherWithContext(async (_n, { keepFor }) => {
        await again.promise
        keepFor({ ttlSeconds: 60, tags: ['posts'] })
        return 'kept'
      })
      const pending = cache.withRevalidate('page', 60, other)
      await eventually(() => expect(other.calls).toBe(1))
      await cache.invalidateTag('users')
      again.resolve()
      expect(await pending).toBe('kept')
      expect(await cache.withRevalidate('page', 60, () => 'not called')).toBe('kept')
    })

    it('keepFor: a bad lifetime rejects the callers with a TypeError that names it, and caches nothing', async () => {
      const { cache } = await setup()
      const zero = ({ keepFor }: FetchContext) => (keepFor({ ttlSeconds: 0 }), 'value')
      await expect(cache.withRevalidate('k', 60, zero)).rejects.toThrow(/keepFor: ttlSeconds must be a finite number greater than 0/)
      const emptyTag = ({ keepFor }: FetchContext) => (keepFor({ ttlSeconds: 5, tags: [''] }), 'value')
      await expect(cache.withRevalidate('k', 60, emptyTag)).rejects.toThrow(TypeError)
      expect(await cache.withRevalidate('k', 60, () => 'fetched')).toBe('fetched')
    })

    it('hooks that return a rejected promise (onEvent, waitUntil) or throw (waitUntil) never fail a request nor leave a rejection unhandled', async () => {
      const clock = manualClock()
      const hookErrors: unknown[] = []
      const cache = createCache({
        store: await makeStore(),
        now: clock.now,
        onEvent: async (event) => {
          if (event.type === 'error' && event.phase === 'hook') hookErrors.push(event.error)
          throw new Error('an async logger that fails')
        },
        waitUntil: (work) => {
          void work
          return Promise.reject(new Error('waitUntil refused'))
        },
      })
      await cache.withRevalidate('k', 10, () => 1)
      clock.advance(10)
      expect(await cache.withRevalidate('k', 10, () => 2)).toBe(1)
      await eventually(() => expect(hookErrors).toHaveLength(1))
      const throwing = createCache({ store: await makeStore(), now: clock.now, waitUntil: () => { throw new Error('outside a request') } })
      await throwing.withRevalidate('j', 10, () => 1)
      clock.advance(10)
      expect(await throwing.withRevalidate('j', 10, () => 2)).toBe(1)
      await eventually(async () => expect(await throwing.withRevalidate('j', 10, () => 3)).toBe(2))
    })
  })
}
