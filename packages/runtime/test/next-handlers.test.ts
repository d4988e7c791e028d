// Next.js's cache handler contracts, held by ours over the memory store: `'use cache'`
// (next/dist/server/lib/cache-handlers/types.d.ts) and the incremental cache (ISR, fetch). The
// handlers run here as Next calls them; the real Next servers are in
// packages/plugin/test/next/shared-cache.test.ts.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CacheHandler as NextUseCacheHandler } from 'next/dist/server/lib/cache-handlers/types.js'
import { describe, expect, it } from 'vitest'
import { invalidate, invalidateAll, invalidateTag, withRevalidate } from '../src/default-cache.js'
import { createIncrementalCacheHandler, incrementalCacheHandlerOver } from '../src/next/incremental-cache-handler.js'
import { NextCache } from '../src/next/next-cache.js'
import { createUseCacheHandler, useCacheHandlerOver, type UseCacheEntry } from '../src/next/use-cache-handler.js'
import { MemoryStore } from '../src/stores/memory-store.js'
import type { CacheEvent } from '../src/types.js'
import { deferred } from './helpers.js'

const encoder = new TextEncoder()

function stream(text: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      // In two chunks, as a render streams it.
      const bytes = encoder.encode(text)
      controller.enqueue(bytes.subarray(0, 1))
      controller.enqueue(bytes.subarray(1))
      controller.close()
    },
  })
}

function entry(text: string, fields: Partial<Omit<UseCacheEntry, 'value'>> = {}): UseCacheEntry {
  return { value: stream(text), tags: [], stale: 300, timestamp: Date.now(), expire: 3600, revalidate: 900, ...fields }
}

const textOf = async (found: UseCacheEntry | undefined) => (found === undefined ? undefined : new Response(found.value).text())

function handlers(options: ConstructorParameters<typeof NextCache>[0] = {}) {
  const events: CacheEvent[] = []
  const cache = new NextCache({ onEvent: (event) => events.push(event), ...options })
  const useCache = useCacheHandlerOver(cache)
  return { cache, useCache, events, Incremental: incrementalCacheHandlerOver(cache) }
}

/** What Next does on a miss: get, render, set. */
async function render(handler: NextUseCacheHandler, key: string, made: UseCacheEntry) {
  expect(await handler.get(key, [])).toBeUndefined()
  await handler.set(key, Promise.resolve(made))
}

describe("'use cache' handler", () => {
  it('has the shape of Next’s CacheHandler', () => {
    const handler: NextUseCacheHandler = handlers().useCache
    expect(Object.keys(handler).sort()).toEqual(['get', 'getExpiration', 'refreshTags', 'set', 'updateTags'])
  })

  it('answers every get with a new stream over the same bytes', async () => {
    const { useCache } = handlers()
    await render(useCache, 'k', entry('hello'))
    const first = await useCache.get('k', [])
    const second = await useCache.get('k', [])
    expect(first!.value).not.toBe(second!.value)
    expect(await textOf(first)).toBe('hello')
    expect(await textOf(second)).toBe('hello')
    expect(await textOf(await useCache.get('k', []))).toBe('hello')
  })

  it('reads the pending entry’s stream once, to the end, and keeps nothing of it after set resolves', async () => {
    const { useCache } = handlers()
    const made = entry('once')
    await render(useCache, 'k', made)
    expect(made.value.locked).toBe(true) // taken by the handler's reader
    expect(await textOf(await useCache.get('k', []))).toBe('once')
  })

  it('a get while the set of its key is pending waits for it, instead of answering a miss', async () => {
    const { useCache } = handlers()
    expect(await useCache.get('k', [])).toBeUndefined() // this caller renders
    const pending = deferred<UseCacheEntry>()
    const setting = useCache.set('k', pending.promise)
    const reading = useCache.get('k', [])
    let answered = false
    void reading.then(() => (answered = true))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(answered).toBe(false)
    pending.resolve(entry('written'))
    await setting
    expect(await textOf(await reading)).toBe('written')
  })

  it('a set nobody asked for first (a background render) makes a get of its key wait too', async () => {
    const { useCache } = handlers()
    const pending = deferred<UseCacheEntry>()
    const setting = useCache.set('k', pending.promise)
    const reading = useCache.get('k', [])
    pending.resolve(entry('background'))
    await setting
    expect(await textOf(await reading)).toBe('background')
  })

  it('honours expire (a miss past it), revalidate (stale past it, as Next reads it) and expire 0 (not kept)', async () => {
    const { useCache } = handlers()
    const now = Date.now()
    await render(useCache, 'expired', entry('old', { timestamp: now - 5000, expire: 4, revalidate: 1 }))
    expect(await useCache.get('expired', [])).toBeUndefined()
    await render(useCache, 'stale', entry('stale', { timestamp: now - 5000, expire: 60, revalidate: 1 }))
    const stale = await useCache.get('stale', [])
    expect(stale!.timestamp + stale!.revalidate * 1000).toBeLessThan(Date.now()) // Next renders it again in the background
    await render(useCache, 'fresh', entry('fresh', { expire: 60, revalidate: 30 }))
    expect(await useCache.get('fresh', [])).toMatchObject({ revalidate: 30, expire: 60, stale: 300 })
    await render(useCache, 'dynamic', entry('dynamic', { expire: 0, revalidate: 0 }))
    expect(await useCache.get('dynamic', [])).toBeUndefined()
  })

  it('updateTags without durations (updateTag): entries with the tag made before are misses, later ones hits', async () => {
    const { useCache } = handlers()
    await render(useCache, 'a', entry('a', { tags: ['posts'], timestamp: Date.now() - 10 }))
    await render(useCache, 'b', entry('b', { tags: ['users'], timestamp: Date.now() - 10 }))
    await useCache.updateTags(['posts'])
    expect(await useCache.get('a', [])).toBeUndefined()
    expect(await textOf(await useCache.get('b', []))).toBe('b')
    await new Promise((resolve) => setTimeout(resolve, 2))
    await useCache.set('a', Promise.resolve(entry('a2', { tags: ['posts'] })))
    expect(await textOf(await useCache.get('a', []))).toBe('a2')
  })

  it('updateTags with a profile (revalidateTag(tag, "max")): entries made before are served stale once, to be made again', async () => {
    const { useCache } = handlers()
    await render(useCache, 'a', entry('a', { tags: ['posts'], timestamp: Date.now() - 10, revalidate: 900 }))
    await useCache.updateTags(['posts'], { expire: 3600 })
    const stale = await useCache.get('a', [])
    expect(await textOf(stale)).toBe('a')
    expect(stale!.revalidate).toBe(-1) // Next's "revalidate now, in the background"
  })

  it('an expiry at once is not hidden by a revalidation with a profile after it, in whatever order instances learn them', async () => {
    const { useCache } = handlers()
    await render(useCache, 'a', entry('a', { tags: ['posts'], timestamp: Date.now() - 10 }))
    await useCache.updateTags(['posts']) // updateTag: a miss from now on
    await useCache.updateTags(['posts'], { expire: 3600 }) // then revalidateTag(…, 'max'): an expiry a year away
    expect(await useCache.get('a', [])).toBeUndefined()
    const { useCache: other } = handlers()
    await render(other, 'a', entry('a', { tags: ['posts'], timestamp: Date.now() - 10 }))
    await other.updateTags(['posts'], { expire: 3600 })
    await other.updateTags(['posts'])
    expect(await other.get('a', [])).toBeUndefined()
  })

  it('soft tags: getExpiration gives the latest past expiry of the implicit tags Next asks about', async () => {
    const { useCache } = handlers()
    expect(await useCache.getExpiration(['_N_T_/posts'])).toBe(0)
    const before = Date.now()
    await useCache.updateTags(['_N_T_/posts'])
    const expiration = await useCache.getExpiration(['_N_T_/layout', '_N_T_/posts'])
    expect(expiration).toBeGreaterThanOrEqual(before)
    expect(expiration).toBeLessThanOrEqual(Date.now())
    await useCache.updateTags(['_N_T_/later'], { expire: 3600 }) // an expiry still to come does not count yet
    expect(await useCache.getExpiration(['_N_T_/later'])).toBe(0)
    await useCache.refreshTags()
  })

  it('a render that began before an invalidation of its tag never writes its result', async () => {
    const { useCache, cache } = handlers()
    const began = Date.now()
    expect(await useCache.get('k', [])).toBeUndefined()
    await new Promise((resolve) => setTimeout(resolve, 2))
    await useCache.updateTags(['posts']) // while it renders
    await useCache.set('k', Promise.resolve(entry('rendered with old data', { tags: ['posts'], timestamp: began })))
    expect((cache.store as MemoryStore).size).toBe(0)
    expect(await useCache.get('k', [])).toBeUndefined()
  })

  it('a render abandoned without a set does not hold the next get of its key: that one renders', async () => {
    const { useCache } = handlers()
    expect(await useCache.get('k', [])).toBeUndefined()
    // Next's render failed; it asks again later.
    expect(await useCache.get('k', [])).toBeUndefined()
    await useCache.set('k', Promise.resolve(entry('second try')))
    expect(await textOf(await useCache.get('k', []))).toBe('second try')
  })

  it('a render whose stream fails keeps nothing, and a reader waiting for it renders itself', async () => {
    const { useCache } = handlers()
    expect(await useCache.get('k', [])).toBeUndefined()
    const broken = entry('x')
    broken.value = new ReadableStream({ start: (controller) => controller.error(new Error('render failed')) })
    await useCache.set('k', Promise.resolve(broken))
    expect(await useCache.get('k', [])).toBeUndefined()
  })

  it('an entry of another format (garbage under its key) is a miss', async () => {
    const { useCache, cache } = handlers()
    ;(cache.store as MemoryStore).set('next:use-cache:k', { value: { html: 'not ours' }, storedAt: Date.now(), ttlMs: 60_000, staleMs: 0 })
    expect(await useCache.get('k', [])).toBeUndefined()
  })

  it('10,000 distinct entries keep memory under its byte bound', async () => {
    const maxMemoryBytes = 256 * 1024
    const { useCache, cache } = handlers({ maxMemoryBytes })
    const body = 'x'.repeat(500)
    for (let i = 0; i < 10_000; i++) await render(useCache, `k${i}`, entry(`${i}:${body}`))
    const usage = cache.usage()
    expect(usage.maxBytes).toBe(maxMemoryBytes)
    expect(usage.bytes).toBeLessThanOrEqual(maxMemoryBytes)
    expect(usage.entries).toBeGreaterThan(100)
    expect(usage.entries).toBeLessThan(10_000)
    expect(await textOf(await useCache.get('k9999', []))).toBe(`9999:${body}`)
  })
})

describe('incremental cache handler (ISR, route handlers, fetch)', () => {
  function distWithBuild(id: string): string {
    const dist = mkdtempSync(join(tmpdir(), 'revalidate-next-'))
    mkdirSync(join(dist, 'server'))
    writeFileSync(join(dist, 'BUILD_ID'), id)
    return join(dist, 'server')
  }

  const page = (html: string) => ({
    kind: 'APP_PAGE',
    html,
    rscData: Buffer.concat([Buffer.alloc(4096), Buffer.from(`rsc:${html}`)]).subarray(4096), // a view into a larger buffer
    headers: { 'x-next-cache-tags': '_N_T_/layout,_N_T_/posts/page,_N_T_/posts,posts' },
    postponed: undefined,
    status: 200,
    segmentData: new Map([['/_tree', Buffer.from('tree')]]),
  })

  it('keeps a page with its bytes as Buffers, its lifetime and its cache control, under the build’s id', async () => {
    const { Incremental } = handlers()
    const serverDistDir = distWithBuild('build-a')
    const handler = new Incremental({ serverDistDir })
    expect(await handler.get('/posts', { kind: 'APP_PAGE', isFallback: false })).toBeNull()
    await handler.set('/posts', page('<p>posts</p>'), { cacheControl: { revalidate: 60, expire: 3600 } })
    const found = await new Incremental({ serverDistDir }).get('/posts', { kind: 'APP_PAGE', isFallback: false })
    expect(found).toMatchObject({ cacheControl: { revalidate: 60, expire: 3600 }, value: { kind: 'APP_PAGE', html: '<p>posts</p>', status: 200 } })
    expect(Buffer.isBuffer(found!.value!.rscData)).toBe(true)
    expect((found!.value!.rscData as Buffer).toString()).toBe('rsc:<p>posts</p>')
    expect(((found!.value!.segmentData as Map<string, Buffer>).get('/_tree') as Buffer).toString()).toBe('tree')
    expect(Math.abs(found!.lastModified - Date.now())).toBeLessThan(5000)
    // Another deploy does not read it.
    expect(await new Incremental({ serverDistDir: distWithBuild('build-b') }).get('/posts', { kind: 'APP_PAGE', isFallback: false })).toBeNull()
  })

  it('revalidateTag reaches a page through the tags Next wrote into it; revalidatePath through its implicit tag', async () => {
    const { Incremental, cache } = handlers()
    const handler = new Incremental({ serverDistDir: distWithBuild('b') })
    const cacheControl = { revalidate: 60, expire: 3600 }
    await handler.set('/posts', page('one'), { cacheControl })
    await new Promise((resolve) => setTimeout(resolve, 2))
    await handler.revalidateTag('posts')
    expect(await handler.get('/posts', { kind: 'APP_PAGE' })).toBeNull()
    await handler.set('/posts', page('two'), { cacheControl })
    await new Promise((resolve) => setTimeout(resolve, 2))
    await cache.invalidated({ kind: 'key', key: 'page:/posts?page=2' }) // our invalidate('page:/posts'), inside Next
    expect(await handler.get('/posts', { kind: 'APP_PAGE' })).toBeNull()
  })

  it('a tag revalidated with a profile makes the page stale, not gone: lastModified moves past revalidate', async () => {
    const { Incremental } = handlers()
    const handler = new Incremental({ serverDistDir: distWithBuild('b') })
    await handler.set('/posts', page('one'), { cacheControl: { revalidate: 60, expire: 3600 } })
    await new Promise((resolve) => setTimeout(resolve, 2))
    await handler.revalidateTag(['posts'], { expire: 3600 })
    const found = await handler.get('/posts', { kind: 'APP_PAGE' })
    expect(found!.value!.html).toBe('one')
    expect(found!.lastModified + 60_000).toBeLessThan(Date.now())
  })

  it('fetch results: their own tags and the request’s soft tags expire them; they live revalidate plus a day', async () => {
    const { Incremental } = handlers()
    const handler = new Incremental({ serverDistDir: distWithBuild('b') })
    const fetched = { kind: 'FETCH', data: { headers: {}, body: '{"a":1}', url: 'https://api.example/a', status: 200 }, revalidate: 30, tags: ['api'] }
    await handler.set('hash1', fetched, { fetchCache: true, tags: ['api'] })
    expect(await handler.get('hash1', { kind: 'FETCH', tags: ['api'], softTags: ['_N_T_/page'] })).toMatchObject({ value: fetched })
    await new Promise((resolve) => setTimeout(resolve, 2))
    await handler.revalidateTag('_N_T_/page')
    expect(await handler.get('hash1', { kind: 'FETCH', tags: ['api'], softTags: ['_N_T_/page'] })).toBeNull()
    expect(await handler.get('hash1', { kind: 'FETCH', tags: ['api'], softTags: ['_N_T_/other'] })).not.toBeNull()
  })
})

// Last: these set up the process's own Next.js cache, which the default cache then shares.
describe('the Next.js cache of the process, and the default cache beside it', () => {
  it('both handlers share one cache; a handler with another store is refused', () => {
    const store = new MemoryStore()
    createUseCacheHandler({ store })
    createIncrementalCacheHandler({ store })
    createIncrementalCacheHandler() // no options: the cache there is
    expect(() => createUseCacheHandler({ store: new MemoryStore() })).toThrow('The Next.js cache of this process is already set up with other options')
  })

  it("Next's revalidateTag reaches withRevalidate's entries with the tag; our invalidateTag, invalidate('page:…') and invalidateAll reach Next's", async () => {
    const useCache = createUseCacheHandler()
    const Incremental = createIncrementalCacheHandler()
    const ours = (value: string) => withRevalidate('ours:posts', 60, () => value, { tags: ['posts'] })
    expect(await ours('v1')).toBe('v1')
    await useCache.updateTags(['posts'], { expire: 3600 })
    expect(await ours('v2')).toBe('v2')

    const tick = () => new Promise((resolve) => setTimeout(resolve, 2))
    await render(useCache, 'k', entry('next', { tags: ['posts'], timestamp: Date.now() - 5 }))
    await invalidateTag('posts')
    expect(await useCache.get('k', [])).toBeUndefined()

    const handler = new Incremental({})
    const cacheControl = { revalidate: 60, expire: 3600 }
    await handler.set('/x', { kind: 'APP_ROUTE', body: Buffer.from('x'), status: 200, headers: { 'x-next-cache-tags': '_N_T_/layout,_N_T_/x' } }, { cacheControl })
    await tick()
    await invalidate('page:/x')
    expect(await handler.get('/x', { kind: 'APP_ROUTE' })).toBeNull()

    await handler.set('/y', { kind: 'APP_ROUTE', body: Buffer.from('y'), status: 200, headers: {} }, { cacheControl })
    await render(useCache, 'j', entry('j'))
    await tick()
    await invalidateAll()
    expect(await handler.get('/y', { kind: 'APP_ROUTE' })).toBeNull()
    expect(await useCache.get('j', [])).toBeUndefined()
  })
})
