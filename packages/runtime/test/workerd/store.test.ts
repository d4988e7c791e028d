// The Cloudflare store inside workerd (Miniflare), driven over HTTP through store-worker.js.
import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Miniflare } from 'miniflare'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { buildWorker } from '../../../../test/build-worker.js'
import { eventually } from '../helpers.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const OUT = join(HERE, 'dist', 'store')
let script: string
let worker: Miniflare

interface Reply<T = unknown> {
  result: T
  calls: number
  completed: number
  events: string[]
}

async function call<T = { values: string[]; errors: string[] }>(route: string, params: Record<string, string | number> = {}): Promise<Reply<T>> {
  const query = new URLSearchParams(Object.entries(params).map(([name, value]) => [name, String(value)]))
  const response = await worker.dispatchFetch(`http://worker.test/${route}?${query}`)
  if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`)
  return (await response.json()) as Reply<T>
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** How long to wait for background work in workerd: generous, for a loaded machine. */
const WAIT_MS = 20_000

beforeAll(async () => {
  script = await buildWorker({ root: HERE, entry: join(HERE, 'store-worker.js'), outDir: OUT })
})
afterAll(() => rmSync(OUT, { recursive: true, force: true }))
beforeEach(() => {
  worker = new Miniflare({ modules: true, scriptPath: script, compatibilityDate: '2025-09-01' })
})
afterEach(async () => {
  await worker.dispose()
})

describe('the Cloudflare store inside workerd', () => {
  it('fresh: served from cache without calling the fetcher', async () => {
    expect((await call('read', { key: 'k' })).result.values).toEqual(['value#1'])
    const second = await call('read', { key: 'k' })
    expect(second.result.values).toEqual(['value#1'])
    expect(second.calls).toBe(1)
  })

  it('miss: one fetch for 50 concurrent callers in an isolate', async () => {
    const reply = await call('read', { key: 'k', behaviour: 'slow', ms: 50, concurrency: 50 })
    expect(reply.result.values).toEqual(['value#1'])
    expect(reply.calls).toBe(1)
  })

  it('stale: served at once, one refresh through waitUntil that finishes after the response', async () => {
    await call('read', { key: 'k', ttl: 10 })
    await call('advance', { seconds: 11 })
    const stale = await call('read', { key: 'k', ttl: 10, behaviour: 'gated', gate: 'refresh', concurrency: 20 })
    expect(stale.result.values).toEqual(['value#1'])
    expect(stale.calls).toBe(2) // one refresh for twenty stale readers
    expect(stale.completed).toBe(1) // ...held at its gate when the response left
    await call('open', { gate: 'refresh' })
    await eventually(async () => expect((await call('read', { key: 'k', ttl: 10 })).completed).toBe(2), WAIT_MS)
    const after = await call('read', { key: 'k', ttl: 10 })
    expect(after.result.values).toEqual(['value#2'])
    expect(after.calls).toBe(2)
  })

  it('errors: a failed miss rejects and caches nothing; a failed refresh keeps the stale value', async () => {
    const failed = await call('read', { key: 'k', behaviour: 'fail', concurrency: 3 })
    expect(failed.result).toEqual({ values: [], errors: ['failure #1'] })
    expect((await call('read', { key: 'k' })).result.values).toEqual(['value#2'])
    await call('advance', { seconds: 61 })
    expect((await call('read', { key: 'k', behaviour: 'fail' })).result.values).toEqual(['value#2'])
    await sleep(50)
    const events = (await call('read', { key: 'k', behaviour: 'fail' })).events
    expect(events).toContain('stale')
    expect((await call('read', { key: 'k' })).result.values).toEqual(['value#2']) // still served
  })

  it('invalidation fences a fetch in flight: it never writes, the next read fetches', async () => {
    const reply = await call<{ before: string; after: string }>('fence', { key: 'k' })
    expect(reply.result).toEqual({ before: 'value#1', after: 'value#2' })
  })

  it('an invalidation made by one request aborts the signal of a fetch running for another (Workers keep each request’s I/O objects to it)', async () => {
    const reading = call<string>('abortable', { key: 'k' })
    // Until the fetch has begun (the reply of any route says how many have).
    for (let tries = 0; (await call('advance', { seconds: 0 })).calls === 0 && tries < 200; tries++) await sleep(10)
    await call('invalidate', { key: 'k' })
    expect((await reading).result).toBe('aborted: AbortError')
  })

  it('invalidate, invalidateTag and invalidateAll reach another isolate of the location within syncSeconds', async () => {
    await call('read', { key: 'post:1', tags: 'posts' })
    await call('read', { key: 'user:1', tags: 'users' })
    // Isolate b reads both from the Cache API into its own memory.
    expect((await call('read', { key: 'post:1', isolate: 'b' })).result.values).toEqual(['value#1'])
    expect((await call('read', { key: 'user:1', isolate: 'b' })).result.values).toEqual(['value#2'])
    await call('invalidateTag', { tag: 'posts' })
    expect((await call('read', { key: 'post:1' })).result.values).toEqual(['value#3']) // at once where it was made
    await sleep(250) // b's syncSeconds
    expect((await call('read', { key: 'post:1', isolate: 'b', tags: 'posts' })).result.values).toEqual(['value#3'])
    expect((await call('read', { key: 'user:1', isolate: 'b' })).result.values).toEqual(['value#2'])
    await call('invalidate', { key: 'user:1', isolate: 'b' })
    expect((await call('read', { key: 'user:1', isolate: 'unbuffered' })).result.values).toEqual(['value#4'])
    await call('invalidateAll')
    await sleep(250)
    expect((await call('read', { key: 'post:1', isolate: 'b' })).result.values).toEqual(['value#5'])
  })

  it('round-trips Date, Map, Set, BigInt and undefined through the Cache API', async () => {
    const reply = await call<Record<string, unknown>>('roundTrip')
    expect(reply.result).toEqual({ at: 0, byId: [[1, 'one']], tags: ['a'], big: (2n ** 70n).toString(), missingKept: true })
  })

  it('a corrupted cache entry is read as a miss', async () => {
    for (const body of ['{not json', '{"f":7}', '']) {
      await call('corrupt', { key: 'broken', body })
      const reply = await call('read', { key: 'broken', isolate: 'unbuffered' })
      expect(reply.result.values[0]).toMatch(/^value#\d+$/)
      await call('invalidate', { key: 'broken' })
    }
  })

  it('a read already on its way when the isolate invalidates the key does not refill memory: the next read fetches (18.1)', async () => {
    const reply = await call<{ first: string; second: string }>('invalidateDuringRead', { key: 'raced-read' })
    expect(reply.result.first).toBe('old') // it began before the invalidation
    expect(reply.result.second).toBe('new')
  })

  it('an invalidation that reaches a write on its way undoes it, here and for a fresh isolate (18.2)', async () => {
    const reply = await call<{ here: string; fresh: string }>('invalidateDuringWrite', { key: 'raced-write' })
    // The fresh isolate finds nothing and fetches; this isolate then reads what the fresh one wrote.
    expect(reply.result).toEqual({ fresh: 'fetched anew by a fresh isolate', here: 'fetched anew by a fresh isolate' })
  })

  it('a cold read costs a small constant number of Cache API calls, however many tags the entry has (18.3)', async () => {
    const many = await call<{ value: string; calls: number }>('coldReadCalls', { key: 'sixty-tags', tags: 60 })
    expect(many.result.value).toBe('tagged')
    expect(many.result.calls).toBeLessThanOrEqual(10) // the entry, "all", and at most 8 tag markers: far under Workers' 50
    const few = await call<{ value: string; calls: number }>('coldReadCalls', { key: 'two-tags', tags: 2 })
    expect(few.result.calls).toBeLessThanOrEqual(4)
  })

  it('invalidating many distinct tags leaves a bounded set of markers (14.16)', async () => {
    const markers = await call<number>('markersForTags', { count: 300 })
    expect(markers.result).toBeLessThanOrEqual(8)
  })

  it('the memory tier is bounded by bytes, not only by entries (18.4)', async () => {
    const reply = await call<{ fromMemory: number; usage: { bytes: number } }>('memoryBytes', { count: 10, bytes: 1024 * 1024, maxMemoryBytes: 4 * 1024 * 1024 })
    expect(reply.result.usage.bytes).toBeLessThanOrEqual(4 * 1024 * 1024)
    expect(reply.result.fromMemory).toBeLessThanOrEqual(3) // each value is a little over 1 MiB serialized
    expect(reply.result.fromMemory).toBeGreaterThan(0)
    const tooBig = await call<{ fromMemory: number; usage: { entries: number } }>('memoryBytes', { count: 1, bytes: 7 * 1024 * 1024, maxMemoryBytes: 4 * 1024 * 1024 })
    expect(tooBig.result).toMatchObject({ fromMemory: 0, usage: { entries: 0 } })
  })

  it("entries() lists the isolate's memory tier with each entry's size; an invalidation takes its entries out", async () => {
    type Listed = { key: string; value: string; tags?: string[]; bytes: number }
    const reply = await call<{ before: Listed[]; after: Listed[]; usage: { entries: number; bytes: number } }>('listed')
    expect(reply.result.before.map((item) => [item.key, item.value, item.tags])).toEqual([
      ['a', 'one', ['t']],
      ['b', 'two', undefined],
    ])
    expect(reply.result.before.every((item) => item.bytes > 20)).toBe(true)
    expect(reply.result.after.map((item) => item.key)).toEqual(['b'])
    expect(reply.result.usage).toEqual({ entries: 1, bytes: reply.result.before[1]!.bytes })
  })

  it('maxEntryBytes counts UTF-8 bytes: a value of multi-byte characters over it is not written (18.4)', async () => {
    // 100,000 euro signs: 100,000 UTF-16 units, 300,000 bytes.
    const reply = await call<{ stored: number; reread: string }>('multiByteValue', { characters: 100_000, maxEntryBytes: 200_000 })
    expect(reply.result.stored).toBe(100_000) // the caller still gets its value
    expect(reply.result.reread).toBe('fetched: nothing was written')
    expect(reply.events.some((event) => /^error:store:.*larger than the 200000/.test(event))).toBe(true)
  })

  it('a key or tag that is not well-formed Unicode is a TypeError naming it, and nothing is kept (24.2)', async () => {
    const reply = await call<Record<string, string | number>>('illFormed')
    const refused = (call: string, what: string) => new RegExp(`^TypeError: cloudflareStore\\.${call}: ${what} must be well-formed Unicode, got the string "profile:alice\\\\ud83d", which holds a lone UTF-16 surrogate at index 13 `)
    expect(reply.result).toEqual({
      set: expect.stringMatching(refused('set', 'key')),
      setTag: expect.stringMatching(refused('set', 'tag')),
      get: expect.stringMatching(refused('get', 'key')),
      delete: expect.stringMatching(refused('delete', 'key')),
      deleteTag: expect.stringMatching(refused('deleteTag', 'tag')),
      memory: 0,
    })
  })

  it('a refresh cut off with its request never stays registered: once its timeout has passed, the next stale read refreshes again', async () => {
    await call('read', { key: 'cut-off', ttl: 10, isolate: 'cutOff' })
    await call('advance', { seconds: 11 })
    // The refresh starts, and its request ends before it can finish: the platform cuts it off.
    const stale = await call('read', { key: 'cut-off', ttl: 10, behaviour: 'slow', ms: 5_000, isolate: 'cutOff' })
    expect(stale.result.values).toEqual(['value#1'])
    expect(stale.calls).toBe(2)
    await sleep(700) // past its timeoutSeconds (0.5), whose timer died with the request
    const later = await call('read', { key: 'cut-off', ttl: 10, behaviour: 'slow', ms: 5_000, isolate: 'cutOff' })
    expect(later.result.values).toEqual(['value#1'])
    expect(later.calls).toBe(3) // a new refresh, not a wait on the dead one
  })
})

describe('waitUntil from cloudflare:workers under older compatibility dates', () => {
  for (const compatibilityDate of ['2023-01-01', '2024-06-01', '2025-08-01']) {
    it(`${compatibilityDate}: the stale refresh finishes after the response`, async () => {
      const old = new Miniflare({ modules: true, scriptPath: script, compatibilityDate })
      try {
        const ask = async (route: string, params: Record<string, string | number>) =>
          (await (await old.dispatchFetch(`http://worker.test/${route}?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))}`)).json()) as Reply<{ values: string[] }>
        await ask('read', { key: 'k', ttl: 10 })
        await ask('advance', { seconds: 11 })
        const stale = await ask('read', { key: 'k', ttl: 10, behaviour: 'gated', gate: 'refresh' })
        expect(stale).toMatchObject({ result: { values: ['value#1'] }, calls: 2, completed: 1 })
        await ask('open', { gate: 'refresh' })
        await eventually(async () => expect((await ask('read', { key: 'k', ttl: 10 })).completed).toBe(2), WAIT_MS)
        expect(await ask('read', { key: 'k', ttl: 10 })).toMatchObject({ result: { values: ['value#2'] }, calls: 2 })
      } finally {
        await old.dispose()
      }
    })
  }
})

