// The Durable Object coordinator inside workerd (Miniflare): two "locations", each a Worker with a
// Cache API cache of its own (a data centre's), bound to one RevalidateCoordinator namespace.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Miniflare } from 'miniflare'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { buildWorker } from '../../../../test/build-worker.js'
import { eventually } from '../helpers.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const OUT = join(HERE, 'dist', 'coordinator')
let scripts: { coordinator: string; location: string }
let mf: Miniflare
let persist: string

interface Reply<T> {
  result: T
  calls: number
  events: string[]
}
type Read = { values: string[]; errors: string[] }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** How long to wait for what happens in workerd by itself (an alarm, a fetch under way): generous, for a loaded machine. */
const WAIT_MS = 20_000

function start(locationsCompatibilityDate = '2025-09-01'): Miniflare {
  const binding = { REVALIDATE: { className: 'TestCoordinator', scriptName: 'coordinator', useSQLite: true } }
  return new Miniflare({
    durableObjectsPersist: persist,
    workers: [
      { name: 'coordinator', modules: true, scriptPath: scripts.coordinator, compatibilityDate: '2025-09-01', durableObjects: binding },
      ...['a', 'b'].map((location) => ({ name: location, modules: true, scriptPath: scripts.location, compatibilityDate: locationsCompatibilityDate, bindings: { LOCATION: location }, durableObjects: binding })),
    ],
  })
}

async function at<T = Read>(location: 'a' | 'b', route: string, params: Record<string, string | number> = {}): Promise<Reply<T>> {
  // Miniflare types a Worker with @cloudflare/workers-types, which this repository does not install.
  const worker = (await mf.getWorker(location)) as unknown as { fetch(url: string): Promise<Response> }
  const query = new URLSearchParams(Object.entries(params).map(([name, value]) => [name, String(value)]))
  const response = await worker.fetch(`http://${location}.test/${route}?${query}`)
  if (!response.ok) throw new Error(`${location} ${route}: ${response.status} ${await response.text()}`)
  return (await response.json()) as Reply<T>
}

beforeAll(async () => {
  const [coordinator, location] = await Promise.all([
    buildWorker({ root: HERE, entry: join(HERE, 'coordinator-worker.js'), outDir: join(OUT, 'coordinator') }),
    buildWorker({ root: HERE, entry: join(HERE, 'location-worker.js'), outDir: join(OUT, 'location') }),
  ])
  scripts = { coordinator, location }
})
afterAll(() => rmSync(OUT, { recursive: true, force: true }))
beforeEach(() => {
  persist = mkdtempSync(join(tmpdir(), 'revalidate-coordinator-'))
  mf = start()
})
afterEach(async () => {
  await mf.dispose()
  rmSync(persist, { recursive: true, force: true })
})

describe('the Durable Object coordinator across two locations', () => {
  it('an invalidation made in location A is honoured by location B within syncSeconds (key, tag, all)', async () => {
    expect((await at('a', 'read', { key: 'post:1', tags: 'posts' })).result.values).toEqual(['value@a#1'])
    // B's Cache API has nothing: it takes A's value through the coordinator instead of fetching.
    const taken = await at('b', 'read', { key: 'post:1', tags: 'posts' })
    expect(taken.result.values).toEqual(['value@a#1'])
    expect(taken.calls).toBe(0)

    await at('a', 'invalidate', { key: 'post:1' })
    await sleep(400) // B's syncSeconds (0.3)
    const afterKey = await at('b', 'read', { key: 'post:1', tags: 'posts' })
    expect(afterKey.result.values).toEqual(['value@b#1'])
    expect(afterKey.events).toContain('invalidate:remote:post:1')

    await at('a', 'invalidateTag', { tag: 'posts' })
    await sleep(400)
    expect((await at('b', 'read', { key: 'post:1', tags: 'posts' })).result.values).toEqual(['value@b#2'])

    await at('a', 'invalidateAll')
    await sleep(400)
    expect((await at('b', 'read', { key: 'post:1', tags: 'posts' })).result.values).toEqual(['value@b#3'])
  })

  it('sharded over 4 objects: keys spread by hash, invalidations of keys, tags and all still reach every location', async () => {
    const sharded = { isolate: 'sharded', shards: 4 }
    const keys = ['post:1', 'post:2', 'post:3', 'post:4', 'post:5', 'post:6']
    for (const key of keys) await at('a', 'read', { ...sharded, key, tags: 'posts' })
    for (const key of keys) expect((await at('b', 'read', { ...sharded, key, tags: 'posts' })).calls).toBe(0) // taken from A, through each key's object
    await at('a', 'invalidate', { ...sharded, key: 'post:1' })
    await at('a', 'invalidateTag', { ...sharded, tag: 'unrelated' })
    await sleep(400)
    const afterKey = await Promise.all(keys.map((key) => at('b', 'read', { ...sharded, key, tags: 'posts' })))
    expect(afterKey.map((reply) => reply.result.values[0]!.startsWith('value@b'))).toEqual([true, false, false, false, false, false])
    await at('a', 'invalidateTag', { ...sharded, tag: 'posts' })
    await sleep(400)
    for (const key of keys) expect((await at('b', 'read', { ...sharded, key, tags: 'posts' })).result.values[0]).toMatch(/^value@b/)
  })

  it('2 × 200 concurrent cold callers across the two locations make one fetch', async () => {
    const [a, b] = await Promise.all([at('a', 'read', { key: 'cold', ms: 300, concurrency: 200 }), at('b', 'read', { key: 'cold', ms: 300, concurrency: 200 })])
    expect(a.calls + b.calls).toBe(1)
    expect([...a.result.values, ...b.result.values]).toHaveLength(2)
    expect(new Set([...a.result.values, ...b.result.values]).size).toBe(1)
    expect([...a.result.errors, ...b.result.errors]).toEqual([])
  })

  it('during a deploy, a location fetching v2 is never handed the value v1 just fetched elsewhere', async () => {
    // v1 in A fetched and let go of its lease: its value is offered to late arrivals for a few seconds.
    expect((await at('a', 'read', { key: 'page:/', version: 'v1' })).result.values).toEqual(['value@a#1'])
    const v2 = await at('b', 'read', { key: 'page:/', version: 'v2' })
    expect(v2.result).toEqual({ values: ['value@b#1'], errors: [] })
    expect(v2.calls).toBe(1)
    // While v1 in A fetches, v1 and v2 in B wait on its lease: A's value goes to the v1 caller only.
    const slowV1 = at('a', 'read', { key: 'page:/slow', version: 'v1', ms: 1000 })
    await eventually(async () => expect((await at<number>('a', 'leaseCount')).result).toBe(1), WAIT_MS)
    const [waitingV2, waitingV1] = await Promise.all([
      at('b', 'read', { key: 'page:/slow', version: 'v2', isolate: 'v2' }),
      at('b', 'read', { key: 'page:/slow', version: 'v1', isolate: 'v1' }),
    ])
    expect((await slowV1).result.values).toEqual(['value@a#2'])
    expect(waitingV1.result.values).toEqual(['value@a#2'])
    expect(waitingV2.result.values).toEqual([expect.stringMatching(/^value@b#/)])
    const handedOut = (await at<Array<{ key: string; text: string }>>('a', 'handedOut')).result
    expect(handedOut.filter(({ key }) => key === 'page:/')).toEqual([]) // only v2 asked for it
    expect(handedOut.filter(({ key }) => key === 'page:/slow').map(({ text }) => text.includes('value@a#2'))).toEqual([true])
  })

  it('a listener of the store that throws or rejects does not stop the invalidation, nor count as an outage', async () => {
    const hostile = { isolate: 'hostile', hostileListeners: 1, key: 'k' }
    expect((await at('a', 'read', hostile)).result.values).toEqual(['value@a#1'])
    await at('b', 'invalidate', { key: 'k' })
    await sleep(400) // A's syncSeconds (0.3)
    const after = await at('a', 'read', hostile)
    expect(after.result.values).toEqual(['value@a#2'])
    expect(after.events).toContain('invalidate:remote:k') // the cache's own listener heard it
    expect(after.events.filter((event) => event.startsWith('error:'))).toEqual([])
  })

  it('a lease nobody releases ends by itself: its alarm removes it and another location fetches', async () => {
    const orphan = await at<{ token?: string }>('a', 'orphanLease', { key: 'orphaned', leaseMs: 500 })
    expect(orphan.result.token).toEqual(expect.any(String))
    expect((await at<number>('a', 'leaseCount')).result).toBe(1)
    await eventually(async () => expect((await at<number>('a', 'leaseCount')).result).toBe(0), WAIT_MS) // nothing touches it but the alarm
    expect((await at('b', 'read', { key: 'orphaned' })).result.values).toEqual(['value@b#1'])
  })

  it('a coordinator restart loses no invalidation: a fresh isolate never serves what was invalidated before it', async () => {
    await at('a', 'read', { key: 'page:/post' })
    await at('b', 'read', { key: 'page:/post' }) // B's Cache API now holds the entry too
    await at('a', 'invalidate', { key: 'page:/post' })
    await at('a', 'restart')
    // A new isolate in B knows nothing; its Cache API still has the entry from before the invalidation.
    const fresh = await at('b', 'read', { key: 'page:/post', isolate: 'fresh' })
    expect(fresh.result.values).toEqual(['value@b#1'])
  })

  it('with the coordinator, invalidation outlives the Cache API evicting its markers (18.5)', async () => {
    await at('a', 'read', { key: 'tagged', tags: 'news' })
    await at('a', 'invalidateTag', { tag: 'news' })
    await at('a', 'evictMarkers')
    const coordinated = await at('a', 'read', { key: 'tagged', tags: 'news', isolate: 'fresh' })
    expect(coordinated.result.values).toEqual(['value@a#2'])
    // Without it (docs/targets/cloudflare.md says so), the evicted marker brings the invalidated entry back.
    await at('b', 'read', { key: 'local', tags: 'news', coordinator: 'none', isolate: 'alone' })
    await at('b', 'invalidateTag', { tag: 'news', coordinator: 'none', isolate: 'alone' })
    await at('b', 'evictMarkers')
    expect((await at('b', 'read', { key: 'local', tags: 'news', coordinator: 'none', isolate: 'alone-too' })).result.values).toEqual(['value@b#1'])
  })

  it('coordinator down: requests are still served, the outage is reported once, invalidations made meanwhile reach the other location when it answers', async () => {
    await at('a', 'read', { key: 'k' })
    await at('b', 'read', { key: 'k' })
    await at('a', 'setMode', { mode: 'down' })
    await sleep(400)
    const reads = [await at('b', 'read', { key: 'k' }), await at('b', 'read', { key: 'k' }), await at('b', 'read', { key: 'other' })]
    for (const reply of reads) expect(reply.result.errors).toEqual([])
    expect(reads.flatMap((reply) => reply.events).filter((event) => event.startsWith('error:store:'))).toEqual(['error:store:Durable Object unreachable (test)'])
    await at('b', 'invalidate', { key: 'k' }) // queued for the coordinator
    expect((await at('b', 'read', { key: 'k' })).result.errors).toEqual([])

    await at('a', 'setMode', { mode: 'up' })
    await sleep(1100) // the store leaves an unreachable coordinator alone for a second
    await at('b', 'read', { key: 'other' }) // B catches up: its invalidation is replayed
    await sleep(400)
    const a = await at('a', 'read', { key: 'k' })
    expect(a.result.values).toEqual([`value@a#${a.calls}`]) // fetched anew in A
    expect(a.calls).toBe(2)
  })

  it('an isolate that only invalidates delivers what it queued in an outage, and reports each invalidation it could not deliver (24.4)', async () => {
    for (const key of ['k1', 'k2', 'k3']) await at('a', 'read', { key })
    const webhook = { isolate: 'webhook' } // never reads: a CMS webhook, a cron Worker
    await at('a', 'setMode', { mode: 'down' })
    // Each reported once, whether the cache rejects the invalidation or reports it through onEvent.
    const reported = (reply: Reply<unknown>) => reply.events.filter((event) => /^(error:store|rejected):Durable Object unreachable \(test\)$/.test(event))
    expect(reported(await at('b', 'invalidate', { ...webhook, key: 'k1' }))).toHaveLength(1)
    expect(reported(await at('b', 'invalidate', { ...webhook, key: 'k2' }))).toHaveLength(1)
    await at('a', 'setMode', { mode: 'up' })
    // No read, no wait: the next invalidation tries the coordinator itself and replays k1 and k2 first.
    const delivered = await at('b', 'invalidate', { ...webhook, key: 'k3' })
    expect(delivered.events).toEqual([])
    await sleep(400) // A's syncSeconds (0.3)
    const reads = [await at('a', 'read', { key: 'k1' }), await at('a', 'read', { key: 'k2' }), await at('a', 'read', { key: 'k3' })]
    expect(reads.map((reply) => reply.result.values[0])).toEqual(['value@a#4', 'value@a#5', 'value@a#6'])
  })

  it('an invalidation whose Cache API delete fails still reaches every location, and the failure is reported (24.2)', async () => {
    await at('a', 'read', { key: 'k' })
    const reply = await at('b', 'invalidateWithoutCacheApi', { isolate: 'no-cache-api', key: 'k' })
    expect(reply.events).toEqual(['rejected:Cache API unavailable (test)'])
    await sleep(400)
    expect((await at('a', 'read', { key: 'k' })).result.values).toEqual(['value@a#2'])
  })

  it('more invalidations between two syncs than a reply carries: the isolate starts over and fences its fetches in flight (24.3)', async () => {
    const overflowing = { isolate: 'overflowing', hear: 1 }
    // Two fetches in flight in A, each in a request of its own.
    const inFlight = ['k1', 'k2'].map((key) => at('a', 'read', { ...overflowing, key, tags: 't', gate: 'fetched' }))
    for (const read of inFlight) read.catch(() => {}) // awaited below; a failure before that must not go unhandled
    await eventually(async () => expect((await at<number>('a', 'leaseCount')).result).toBe(2), WAIT_MS) // both have begun
    await at('b', 'invalidateTag', { tag: 't' })
    await at('b', 'flood', { count: 1001 }) // the coordinator's MAX_CHANGES is 1000
    await sleep(400)
    const sync = await at('a', 'read', { ...overflowing, key: 'other' }) // A's next sync: too much to replay, it starts over
    expect(sync.events).toContain('heard:all')
    await at('a', 'open', { gate: 'fetched' })
    // Their callers began before the invalidation and get what was fetched; nothing of it is kept.
    expect((await Promise.all(inFlight)).map((reply) => reply.result.values[0])).toEqual([expect.stringMatching(/^value@a#[12]$/), expect.stringMatching(/^value@a#[12]$/)])
    expect((await at('a', 'read', { ...overflowing, key: 'k1', tags: 't' })).result.values).toEqual(['value@a#4'])
    expect((await at('a', 'read', { ...overflowing, key: 'k2', tags: 't' })).result.values).toEqual(['value@a#5'])
  })

  it('keys and tags that are not well-formed Unicode: the coordinator refuses them with a TypeError and stores nothing (24.2)', async () => {
    const reply = await at<{ outcomes: Record<string, string>; stored: string[] }>('a', 'illFormedCalls')
    const refused = (what: string) => new RegExp(`^TypeError: RevalidateCoordinator\\.\\w+: ${what} must be well-formed Unicode, got the string "profile:alice\\\\ud83d", which holds a lone UTF-16 surrogate at index 13 `)
    expect(reply.result.outcomes).toEqual({
      invalidateKey: expect.stringMatching(refused('key')),
      invalidateTag: expect.stringMatching(refused('tag')),
      syncCheckKey: expect.stringMatching(refused('key')),
      syncCheckTag: expect.stringMatching(refused('tag')),
      acquire: expect.stringMatching(refused('key')),
      releaseFillTag: expect.stringMatching(refused('tag')),
    })
    expect(reply.result.stored).toEqual(['well-formed']) // the lease taken to try release; no mangled name
  })

  it('coordinator slow: requests are served per location after coordinatorTimeoutMs', async () => {
    const impatient = { isolate: 'impatient', coordinatorTimeoutMs: 300 }
    await at('a', 'read', { ...impatient, key: 'k' })
    await at('a', 'setMode', { mode: 'slow' })
    await sleep(400)
    const reads = await Promise.all([at('a', 'read', { ...impatient, key: 'k' }), at('a', 'read', { ...impatient, key: 'k2' })])
    for (const reply of reads) expect(reply.result.errors).toEqual([])
    expect(reads.map((reply) => reply.result.values.length)).toEqual([1, 1])
    await at('a', 'restart') // ends the calls that never answer
  })

  it('syncSeconds 0 checks the coordinator on every read: reads are answered, and see another location’s invalidation at once', async () => {
    const everyRead = { isolate: 'every-read', syncSeconds: 0 }
    expect((await at('a', 'read', { ...everyRead, key: 'k' })).result.values).toEqual(['value@a#1'])
    const again = await at('a', 'read', { ...everyRead, key: 'k', concurrency: 20 })
    expect(again.result).toEqual({ values: ['value@a#1'], errors: [] })
    expect(again.calls).toBe(1)
    await at('b', 'invalidate', { key: 'k' })
    // No wait: the next read in A asks the coordinator first.
    const after = await at('a', 'read', { ...everyRead, key: 'k' })
    expect(after.result.values).toEqual(['value@a#2'])
    expect(after.events).toContain('invalidate:remote:k')
  }, 20_000)

  it('a sync round that takes longer than syncSeconds still answers the read that waited for it', async () => {
    const lagging = { isolate: 'lagging', syncSeconds: 0.1 }
    await at('a', 'read', { ...lagging, key: 'k' })
    // Each round now takes 500 ms, within coordinatorTimeoutMs (the location's: 5 s) but five times syncSeconds.
    await at('a', 'setMode', { mode: 'lag', ms: 500 })
    await sleep(150)
    const reads = await Promise.all([at('a', 'read', { ...lagging, key: 'k' }), at('a', 'read', { ...lagging, key: 'k2' })])
    expect(reads.map((reply) => reply.result.errors)).toEqual([[], []])
    expect(reads[0]!.result.values).toEqual(['value@a#1'])
    await at('a', 'setMode', { mode: 'up' })
  }, 20_000)

  it('syncSeconds that is not a finite number of 0 or more is a TypeError naming it', async () => {
    for (const value of ['NaN', '-1', 'Infinity', '-Infinity', '"1"']) {
      expect((await at<string | null>('a', 'syncSecondsError', { value })).result).toMatch(/^TypeError: cloudflareStore: syncSeconds must be a finite number of seconds, 0 or more .*got /)
    }
    for (const value of ['0', '0.5', '3']) expect((await at<string | null>('a', 'syncSecondsError', { value })).result).toBeNull()
  })

  it('a Worker without Workers RPC (compatibility_date before 2024-04-03) is served per location and told why, once', async () => {
    await mf.dispose()
    mf = start('2024-01-01')
    const reads = [await at('a', 'read', { key: 'k' }), await at('a', 'read', { key: 'k' }), await at('a', 'read', { key: 'other' })]
    expect(reads.map((reply) => reply.result)).toEqual([
      { values: ['value@a#1'], errors: [] },
      { values: ['value@a#1'], errors: [] },
      { values: ['value@a#2'], errors: [] },
    ])
    const reported = reads.flatMap((reply) => reply.events).filter((event) => event.startsWith('error:'))
    expect(reported).toHaveLength(1)
    expect(reported[0]).toMatch(/answers no RPC: .*compatibility_date to 2024-04-03 or later/)
  })
})

