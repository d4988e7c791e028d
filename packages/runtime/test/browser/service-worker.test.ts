// serveWithRevalidate in a real service worker (Chromium): fresh answered from Cache Storage,
// stale at once with one refresh kept alive by waitUntil, one network request per ttl; only
// same-origin GETs without credentials are cached; a page's invalidation reaches the worker.
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { chromiumIsAvailable } from '../../../../test/chromium.js'
import type { Harness } from './fixtures/page.js'
import { pageErrors, secondsSince, startTestSite, WAIT, withProfile, type TestSite } from './harness.js'

declare global {
  var harness: Harness
}

const available = chromiumIsAvailable()
let site: TestSite

interface Answer {
  n: number
  state: string | null
  age: string | null
}

/** A tab of the site controlled by the test service worker. */
async function controlledTab(context: BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage()
  const errors = pageErrors(page)
  await page.goto(`${site.origin}/`)
  await page.evaluate(async () => {
    await navigator.serviceWorker.register('/sw.js', { type: 'module' })
    await navigator.serviceWorker.ready
  })
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null)
  await page.waitForFunction(() => typeof globalThis.harness === 'object')
  return { page, errors }
}

/** fetch() in the page: the body's n and what the worker said about it. */
function get(page: Page, path: string, init: RequestInit = {}): Promise<Answer> {
  return page.evaluate(
    async ({ path, init }) => {
      const response = await fetch(path, init)
      const body = response.status === 204 ? {} : ((await response.json()) as { n: number })
      return { n: (body as { n: number }).n, state: response.headers.get('x-revalidate-sw'), age: response.headers.get('age') }
    },
    { path, init },
  )
}

interface WorkerState {
  events: string[]
  /** Whether the waitUntil of the last fetch event the helper answered has ended. */
  lastEventDone: boolean | undefined
}

/** Sets the worker's clock offset; resolves with what the worker has seen. */
function tellWorker(page: Page, message: { offsetMs?: number }): Promise<WorkerState> {
  return page.evaluate(
    (message) =>
      new Promise<WorkerState>((resolve) => {
        const channel = new MessageChannel()
        channel.port1.onmessage = (event) => resolve(event.data as WorkerState)
        navigator.serviceWorker.controller!.postMessage(message, [channel.port2])
      }),
    message,
  )
}


describe.skipIf(!available)('serveWithRevalidate in a Chromium service worker', () => {
  beforeAll(async () => {
    site = await startTestSite()
  })
  afterAll(async () => {
    await site?.stop()
  })

  it('GET /api/posts: one network request per ttl, stale answered at once while one refresh runs, kept across reloads', async () => {
    await withProfile(async (context) => {
      const { page, errors } = await controlledTab(context)
      const firstFetchFrom = Date.now()
      expect(await get(page, '/api/posts')).toMatchObject({ n: 1, state: 'MISS' })
      const burst = await page.evaluate(() => Promise.all(Array.from({ length: 10 }, () => fetch('/api/posts').then((r) => r.json() as Promise<{ n: number }>))))
      expect(burst.map((body) => body.n)).toEqual(Array(10).fill(1))
      const hit = await get(page, '/api/posts')
      expect(hit).toMatchObject({ n: 1, state: 'HIT' })
      expect(Number(hit.age)).toBeLessThanOrEqual(secondsSince(firstFetchFrom)) // counted from the fetch, within the window measured
      expect(site.count('/api/posts')).toBe(1)
      expect(await page.evaluate(() => harness.storedKeys())).toEqual(['fetch:/api/posts']) // in Cache Storage, not the worker's memory

      await page.reload()
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null)
      expect(await get(page, '/api/posts')).toMatchObject({ n: 1, state: 'HIT' })
      expect(site.count('/api/posts')).toBe(1)

      await tellWorker(page, { offsetMs: 61_000 })
      const refreshFrom = Date.now()
      const stale = await page.evaluate(() => Promise.all(Array.from({ length: 5 }, () => fetch('/api/posts').then((r) => r.headers.get('x-revalidate-sw')))))
      expect(stale).toEqual(Array(5).fill('STALE'))
      await vi.waitFor(() => expect(site.count('/api/posts')).toBe(2), WAIT) // one refresh, after the answers
      await vi.waitFor(async () => {
        const refreshed = await get(page, '/api/posts')
        expect(refreshed).toMatchObject({ n: 2, state: 'HIT' })
        expect(Number(refreshed.age)).toBeLessThanOrEqual(secondsSince(refreshFrom))
      }, WAIT)
      for (let i = 0; i < 5; i++) expect((await get(page, '/api/posts')).n).toBe(2)
      expect(site.count('/api/posts')).toBe(2)
      expect((await tellWorker(page, {})).events.filter((event) => event.startsWith('refresh'))).toEqual(['refresh fetch:/api/posts'])
      expect(errors).toEqual([])
    })
  })

  it("a stale answer's refresh is kept alive by the fetch event's waitUntil until it has finished", async () => {
    await withProfile(async (context) => {
      const { page } = await controlledTab(context)
      const path = '/api/slow?gate=slow&gate-from=2' // the second request (the refresh) is held
      expect(await get(page, path)).toMatchObject({ n: 1, state: 'MISS' })
      await tellWorker(page, { offsetMs: 61_000 })
      expect(await get(page, path)).toMatchObject({ n: 1, state: 'STALE' })
      await vi.waitFor(() => expect(site.count(path)).toBe(2), WAIT)
      expect((await tellWorker(page, {})).lastEventDone).toBe(false) // answered, and still kept alive
      site.open('slow')
      await vi.waitFor(async () => expect((await tellWorker(page, {})).lastEventDone).toBe(true), WAIT)
      expect(await get(page, path)).toMatchObject({ n: 2, state: 'HIT' })
    })
  })

  it('a cold URL asked for by many requests at once: one network request', async () => {
    await withProfile(async (context) => {
      const { page } = await controlledTab(context)
      const answers = page.evaluate(() => Promise.all(Array.from({ length: 10 }, () => fetch('/api/cold?gate=cold').then((r) => r.json() as Promise<{ n: number }>))))
      await vi.waitFor(() => expect(site.count('/api/cold?gate=cold')).toBe(1), WAIT)
      site.open('cold')
      expect((await answers).map((body) => body.n)).toEqual(Array(10).fill(1))
      expect(site.count('/api/cold?gate=cold')).toBe(1)
    })
  })

  it('only same-origin GETs without credentials are cached; cached ones are fetched without cookies', async () => {
    await withProfile(async (context) => {
      const { page } = await controlledTab(context)
      await page.evaluate(() => (document.cookie = 'session=s1'))
      const twice = async (path: string, init: RequestInit = {}) => [await get(page, path, init), await get(page, path, init)]

      await twice('/api/write', { method: 'POST', body: '{}' })
      expect(site.count('/api/write', 'POST')).toBe(2)
      expect((await twice('/api/auth', { headers: { authorization: 'Bearer secret' } })).map((answer) => answer.state)).toEqual([null, null])
      expect(site.count('/api/auth')).toBe(2)
      const crossOrigin = `${site.origin.replace('127.0.0.1', 'localhost')}/api/cross`
      expect((await twice(crossOrigin, { credentials: 'omit' })).map((answer) => answer.state)).toEqual([null, null])
      expect(site.count('/api/cross')).toBe(2)
      await twice('/api/fresh', { cache: 'no-store' })
      expect(site.count('/api/fresh')).toBe(2)

      // A matching same-origin GET: cached, and fetched without the page's cookie.
      expect((await twice('/api/public')).map((answer) => answer.state)).toEqual(['MISS', 'HIT'])
      expect(site.requests.filter((request) => request.path === '/api/public').map((request) => request.cookie)).toEqual([undefined])
      // The rule that opts in to credentials sends them, and caches what comes back.
      expect((await twice('/api/mine')).map((answer) => answer.state)).toEqual(['MISS', 'HIT'])
      expect(site.requests.filter((request) => request.path === '/api/mine').map((request) => request.cookie)).toEqual(['session=s1'])
    })
  })

  it('responses that must not be shared are passed through and never cached', async () => {
    await withProfile(async (context) => {
      const { page, errors } = await controlledTab(context)
      for (const path of ['/api/gone?status=404', '/api/private?cache-control=private', '/api/nostore?cache-control=no-store', '/api/vary?vary=Cookie']) {
        const answers = [await get(page, path), await get(page, path)]
        expect(answers.map((answer) => answer.n)).toEqual([1, 2])
        expect(site.count(path)).toBe(2)
      }
      expect(errors.filter((error) => !error.includes('404'))).toEqual([])
    })
  })

  it('a 204 or 205 on a matched route reaches the page as the network gave it (24.11)', async () => {
    await withProfile(async (context) => {
      const { page, errors } = await controlledTab(context)
      for (const status of [204, 205]) {
        const path = `/api/empty-${status}?status=${status}`
        const answer = await page.evaluate(async (path) => {
          const response = await fetch(path)
          return { status: response.status, body: await response.text() }
        }, path)
        expect(answer).toEqual({ status, body: '' })
        expect(site.count(path)).toBe(1)
      }
      // Requests that wait on one fetch of an answer not cached each get a whole copy of it.
      const answers = page.evaluate(() =>
        Promise.all(Array.from({ length: 5 }, () => fetch('/api/shared-404?status=404&gate=shared').then(async (r) => `${r.status} ${((await r.json()) as { n: number }).n}`))),
      )
      await vi.waitFor(() => expect(site.count('/api/shared-404?status=404&gate=shared')).toBe(1), WAIT)
      site.open('shared')
      expect(await answers).toEqual(Array(5).fill('404 1'))
      expect(errors.filter((error) => !error.includes('404'))).toEqual([])
    })
  })

  it('redirects and opaque answers on a matched route reach the page as the network gave them (24.12)', async () => {
    await withProfile(async (context) => {
      const { page, errors } = await controlledTab(context)
      // An opaque redirect: fetch with redirect 'manual'.
      const manual = await page.evaluate(async () => {
        const response = await fetch('/api/moved?status=302&location=/api/target', { redirect: 'manual' })
        return { type: response.type, status: response.status }
      })
      expect(manual).toEqual({ type: 'opaqueredirect', status: 0 })
      // A redirect followed: the page sees where it ended, and it is not cached under the first URL.
      const followed = () =>
        page.evaluate(async () => {
          const response = await fetch('/api/followed?status=302&location=/api/landing')
          return { redirected: response.redirected, url: new URL(response.url).pathname, n: ((await response.json()) as { n: number }).n }
        })
      expect(await followed()).toEqual({ redirected: true, url: '/api/landing', n: 1 })
      expect(await followed()).toEqual({ redirected: true, url: '/api/landing', n: 2 })
      // A cross-origin image behind a same-origin redirect: an opaque answer.
      const image = `${site.origin.replace('127.0.0.1', 'localhost')}/image.png`
      const width = await page.evaluate(
        (src) =>
          new Promise<number | string>((resolve) => {
            const img = new Image()
            img.onload = () => resolve(img.naturalWidth)
            img.onerror = () => resolve('the image failed to load')
            img.src = src
          }),
        `/api/picture?status=302&location=${encodeURIComponent(image)}`,
      )
      expect(width).toBe(1)
      // A navigation to a route that answers 302.
      const navigation = await page.goto(`${site.origin}/api/navigate?status=302&location=/elsewhere`)
      expect(new URL(page.url()).pathname).toBe('/elsewhere')
      expect(navigation?.status()).toBe(200)
      expect(errors).toEqual([])
    })
  })

  it("a page's invalidate and invalidateTag reach the worker's entries (one Cache Storage, one channel)", async () => {
    await withProfile(async (context) => {
      const { page } = await controlledTab(context)
      await page.evaluate(() => harness.setup()) // the page's cache: cacheStorageStore() under the default name
      expect(await get(page, '/api/feed')).toMatchObject({ n: 1, state: 'MISS' })
      expect(await get(page, '/api/feed')).toMatchObject({ n: 1, state: 'HIT' })
      await page.evaluate(() => harness.cache!.invalidateTag('posts'))
      expect(await get(page, '/api/feed')).toMatchObject({ n: 2, state: 'MISS' })
      await page.evaluate(() => harness.cache!.invalidate('fetch:/api/feed'))
      expect(await get(page, '/api/feed')).toMatchObject({ n: 3, state: 'MISS' })
      expect(await get(page, '/api/feed')).toMatchObject({ n: 3, state: 'HIT' })
    })
  })
})
