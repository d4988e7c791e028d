// Reads of a load's context are recorded on the fetch and replayed on every other caller, so a
// framework's dependency tracking sees the same reads, hit or miss. The real framework is proven
// in frameworks/sveltekit; here, a context that tracks like SvelteKit's event does.
import { describe, expect, it } from 'vitest'
import { replayReads, withReplayedReads, type Read, type Tracking } from '../src/replay.js'
import { createCache } from '../src/cache.js'

const SVELTEKIT_LIKE: Tracking = { calls: ['parent', 'url.searchParams.get'], effects: ['depends'], untrack: 'untrack' }

/** A context that notes what is read from it, as SvelteKit's load event does with proxies. */
function trackingEvent(slug: string) {
  const uses = { params: new Set<string>(), dependencies: new Set<string>(), searchParams: new Set<string>(), parent: false, url: false }
  let tracking = true
  let answered = false
  const url = new URL(`https://x.dev/posts/${slug}?q=1`)
  const event = {
    params: new Proxy({ slug }, { get: (target, key: string) => (tracking && uses.params.add(key), target[key as 'slug']) }),
    url: {
      get pathname() {
        if (tracking) uses.url = true
        return url.pathname
      },
      searchParams: { get: (name: string) => (tracking && uses.searchParams.add(name), url.searchParams.get(name)) },
    },
    depends: (...keys: string[]) => {
      // SvelteKit's setHeaders throws like this once the response went out.
      if (answered) throw new Error('called after the response was sent')
      keys.forEach((key) => uses.dependencies.add(key))
    },
    parent: async () => ((uses.parent = true), { layout: 1 }),
    fetch: (): never => {
      throw new Error('fetch must never be replayed')
    },
    untrack<T>(run: () => T): T {
      tracking = false
      try {
        return run()
      } finally {
        tracking = true
      }
    },
  }
  return { event, uses, answer: () => (answered = true) }
}

type Event = ReturnType<typeof trackingEvent>['event']

function trackedLoad(cache = createCache()) {
  let runs = 0
  const load = (event: Event) =>
    withReplayedReads(
      event,
      SVELTEKIT_LIKE,
      (fetcher) => cache.withRevalidate('page:/posts/x', 60, fetcher),
      (view) => async () => {
        runs++
        view.depends('app:posts')
        await view.parent()
        const key = view.untrack(() => view.url.pathname)
        return { slug: view.params.slug, key, q: view.url.searchParams.get('q') }
      },
    )
  return { load, runs: () => runs }
}

function staleCache(errors: unknown[]) {
  let now = 0
  const cache = createCache({ now: () => now, onEvent: (event) => event.type === 'error' && errors.push(event.error) })
  return { cache, pass: (ms: number) => (now += ms) }
}

describe('replayed reads', () => {
  it('the caller that fetched is tracked by the framework itself; a hit replays the same reads', async () => {
    const { load, runs } = trackedLoad()
    const miss = trackingEvent('x')
    expect(await load(miss.event)).toEqual({ slug: 'x', key: '/posts/x', q: '1' })
    const hit = trackingEvent('x')
    expect(await load(hit.event)).toEqual({ slug: 'x', key: '/posts/x', q: '1' })
    expect(runs()).toBe(1)
    for (const { uses } of [miss, hit]) {
      expect([...uses.params]).toEqual(['slug'])
      expect([...uses.dependencies]).toEqual(['app:posts'])
      expect([...uses.searchParams]).toEqual(['q'])
      expect(uses.parent).toBe(true)
      expect(uses.url).toBe(false) // read inside untrack: neither tracked nor replayed
    }
  })

  it('effects are made by each caller as the value arrives, never by the fetch: a refresh outlives its request', async () => {
    const errors: unknown[] = []
    const { cache, pass } = staleCache(errors)
    const { load, runs } = trackedLoad(cache)
    await load(trackingEvent('x').event)
    pass(61_000)
    const stale = trackingEvent('x')
    await load(stale.event) // answered from cache at once; its refresh starts in the background
    expect([...stale.uses.dependencies]).toEqual(['app:posts'])
    stale.answer()
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(runs()).toBe(2)
    expect(errors).toEqual([])
  })

  it('callers that join a running fetch replay its reads too', async () => {
    const { load, runs } = trackedLoad()
    const events = Array.from({ length: 5 }, () => trackingEvent('x'))
    await Promise.all(events.map(({ event }) => load(event)))
    expect(runs()).toBe(1)
    for (const { uses } of events) expect([...uses.params]).toEqual(['slug'])
  })

  it('replays only the calls the framework names, whatever the stored reads say', () => {
    const { event, uses } = trackingEvent('x')
    const reads: Read[] = [[['fetch'], ['/api']], [['params', 'slug']], [['depends'], ['app:a', 'app:b']], [['missing', 'deep', 'path']]]
    replayReads(event, reads, SVELTEKIT_LIKE)
    expect([...uses.dependencies]).toEqual(['app:a', 'app:b'])
    expect([...uses.params]).toEqual(['slug'])
  })

  it('effects are kept however many reads came before, and made at once when no cache can keep their arguments', async () => {
    const tracking: Tracking = { calls: ['url.searchParams.get'], effects: ['depends', 'setHeaders'] }
    const made: unknown[][] = []
    const eventOf = () => ({
      url: { searchParams: { get: (name: string) => name } },
      depends: (...keys: string[]) => made.push(['depends', ...keys]),
      setHeaders: (headers: Record<string, unknown>) => made.push(['setHeaders', headers]),
    })
    const cache = createCache()
    const load = (event: ReturnType<typeof eventOf>) =>
      withReplayedReads(event, tracking, (fetcher) => cache.withRevalidate('page:/filters', 60, fetcher), (view) => async () => {
        for (let i = 0; i < 300; i++) view.url.searchParams.get(`f${i}`)
        view.depends('app:filters')
        view.setHeaders({ 'cache-control': 'max-age=60', 'x-maybe': undefined })
        view.setHeaders({ 'x-when': new Date(0) as unknown as string })
        return 1
      })
    await load(eventOf())
    expect(made).toEqual([
      ['setHeaders', { 'x-when': new Date(0) }], // a Date: made by the caller that fetched, at once
      ['depends', 'app:filters'],
      ['setHeaders', { 'cache-control': 'max-age=60', 'x-maybe': undefined }],
    ])
    made.length = 0
    await load(eventOf()) // a hit: the kept effects again
    expect(made).toEqual([['depends', 'app:filters'], ['setHeaders', { 'cache-control': 'max-age=60', 'x-maybe': undefined }]])
  })

  it('a frozen context is read as it is', async () => {
    const event = Object.freeze({ params: Object.freeze({ slug: 'x' }), depends: () => {} })
    const cache = createCache()
    const value = await withReplayedReads(event, SVELTEKIT_LIKE, (fetcher) => cache.withRevalidate('page:/frozen', 60, fetcher), (view) => async () => view.params.slug)
    expect(value).toBe('x')
  })

  it('records nothing for calls outside the tracking list', async () => {
    const cache = createCache()
    const { event } = trackingEvent('x')
    let stored: Read[] = []
    await withReplayedReads(
      event,
      SVELTEKIT_LIKE,
      async (fetcher) => {
        const value = await cache.withRevalidate('k', 60, fetcher)
        stored = value.reads
        return value
      },
      (view) => async () => {
        try {
          view.fetch()
        } catch {
          // the real call still happens for the caller that fetches
        }
        return 1
      },
    )
    expect(stored).toEqual([])
  })
})
