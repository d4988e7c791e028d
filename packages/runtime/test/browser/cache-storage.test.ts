// cacheStorageStore in real Chromium: entries kept across reloads and shared by the site's tabs,
// invalidations that reach every tab at once, one fetch per key across tabs (Web Locks), the
// maxEntries bound, and Cache Storage failing (a tiny quota, no Cache Storage) without an error
// on the page.
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { chromiumIsAvailable } from '../../../../test/chromium.js'
import type { Harness } from './fixtures/page.js'
import { pageErrors, startTestSite, WAIT, withProfile, type TestSite } from './harness.js'

declare global {
  var harness: Harness
}

const available = chromiumIsAvailable()
let site: TestSite

interface Tab {
  page: Page
  errors: string[]
}

async function openTab(context: BrowserContext, options: Parameters<Harness['setup']>[0] = {}): Promise<Tab> {
  const page = await context.newPage()
  const errors = pageErrors(page)
  await page.goto(`${site.origin}/`)
  await page.waitForFunction(() => typeof globalThis.harness === 'object')
  await page.evaluate((options) => harness.setup(options), options)
  return { page, errors }
}


/** Waits until `check` (which may be async) is true in the page: waitForFunction would take its promise for true. */
async function until(page: Page, check: () => unknown): Promise<void> {
  await vi.waitFor(
    async () => {
      if (!(await page.evaluate(check))) throw new Error(`still false in the page: ${String(check)}`)
    },
    WAIT,
  )
}

/**
 * Holds this tab's Cache Storage writes of `key` on their way until `releasePut()` in the page;
 * `putHeld` in the page is true once one is held.
 */
async function holdPutOf(page: Page, key: string): Promise<void> {
  await page.evaluate((key) => {
    const put = Cache.prototype.put
    const held = new Promise<void>((resolve) => Object.assign(globalThis, { releasePut: resolve }))
    Cache.prototype.put = async function (this: Cache, ...args: Parameters<Cache['put']>) {
      const url = typeof args[0] === 'string' ? args[0] : (args[0] as Request).url
      if (url.endsWith(`/e/${key}`)) {
        Object.assign(globalThis, { putHeld: true })
        await held
      }
      return put.apply(this, args)
    }
  }, key)
}
const releasePut = (page: Page) => page.evaluate(() => (globalThis as unknown as { releasePut: () => void }).releasePut())

const events = (tab: Tab) => tab.page.evaluate(() => harness.events)
const countOf = (prefix: string) => site.requests.filter((request) => request.path.startsWith(prefix)).length

describe.skipIf(!available)('cacheStorageStore in Chromium', () => {
  beforeAll(async () => {
    site = await startTestSite()
  })
  afterAll(async () => {
    await site?.stop()
  })

  it('a reload keeps a fresh entry: served without a fetch', async () => {
    await withProfile(async (context) => {
      const tab = await openTab(context)
      expect(await tab.page.evaluate(() => harness.read('reload-me'))).toMatchObject({ n: 1 })
      await tab.page.reload()
      await tab.page.waitForFunction(() => typeof globalThis.harness === 'object')
      await tab.page.evaluate(() => harness.setup())
      expect(await tab.page.evaluate(() => harness.read('reload-me'))).toMatchObject({ n: 1 })
      expect(await events(tab)).toContainEqual({ type: 'hit', key: 'reload-me' })
      expect(countOf('/api/reload-me')).toBe(1)
      expect(tab.errors).toEqual([])
    })
  })

  it("entries() lists the origin's entries in Cache Storage, another tab's too, with their tags and sizes", async () => {
    await withProfile(async (context) => {
      const [a, b] = [await openTab(context), await openTab(context)]
      await a.page.evaluate(() => Promise.all([harness.read('one', 60, '', { tags: ['t'] }), harness.read('two ü/😀'), harness.read('three')]))
      const listed = await b.page.evaluate(() => harness.listed(2))
      expect(listed.map((item) => item.key).sort()).toEqual(['one', 'three', 'two ü/😀'])
      expect(listed.find((item) => item.key === 'one')).toMatchObject({ tags: ['t'], value: { path: '/api/one', n: 1 } })
      expect(listed.every((item) => (item.bytes ?? 0) > 20)).toBe(true)
      await b.page.evaluate(() => harness.cache!.invalidate('one'))
      expect((await a.page.evaluate(() => harness.listed())).map((item) => item.key).sort()).toEqual(['three', 'two ü/😀'])
      expect([...a.errors, ...b.errors]).toEqual([])
    })
  })

  it('two tabs share one fetch for a cold key (Web Locks), and both get its value', async () => {
    await withProfile(async (context) => {
      const [a, b] = [await openTab(context), await openTab(context)]
      const first = a.page.evaluate(() => harness.read('cold', 60, '?gate=cold'))
      await vi.waitFor(() => expect(countOf('/api/cold')).toBe(1), WAIT)
      const second = b.page.evaluate(() => harness.read('cold', 60, '?gate=cold'))
      // B has missed and is waiting for A's fetch; had it fetched too, the server would count two.
      await b.page.waitForFunction(() => harness.events.some((event) => event.type === 'miss' && event.key === 'cold'))
      site.open('cold')
      expect(await first).toMatchObject({ n: 1 })
      expect(await second).toMatchObject({ n: 1 })
      expect(countOf('/api/cold')).toBe(1)
    })
  })

  it('invalidate, invalidateTag and invalidateAll in tab A reach tab B at once, memory tier included', async () => {
    await withProfile(async (context) => {
      const [a, b] = [await openTab(context), await openTab(context)]
      await a.page.evaluate(() => Promise.all([harness.read('shared'), harness.read('tagged', 60, '', { tags: ['t'] }), harness.read('other')]))
      // B reads them from Cache Storage (no fetch) and keeps them in its memory tier.
      expect(await b.page.evaluate(() => Promise.all([harness.read('shared'), harness.read('tagged'), harness.read('other')]))).toMatchObject([{ n: 1 }, { n: 1 }, { n: 1 }])
      expect(countOf('/api/shared') + countOf('/api/tagged') + countOf('/api/other')).toBe(3)

      await a.page.evaluate(() => harness.cache!.invalidate('shared'))
      await b.page.waitForFunction(() => harness.events.some((event) => event.type === 'invalidate' && event.key === 'shared' && event.remote))
      expect(await b.page.evaluate(() => harness.read('shared'))).toMatchObject({ n: 2 })

      await a.page.evaluate(() => harness.cache!.invalidateTag('t'))
      await b.page.waitForFunction(() => harness.events.some((event) => event.type === 'invalidate' && event.tag === 't' && event.remote))
      expect(await b.page.evaluate(() => harness.storedKeys())).not.toContain('tagged')
      expect(await b.page.evaluate(() => Promise.all([harness.read('tagged'), harness.read('other')]))).toMatchObject([{ n: 2 }, { n: 1 }])

      await a.page.evaluate(() => harness.cache!.invalidateAll())
      await b.page.waitForFunction(() => harness.events.some((event) => event.type === 'invalidate' && event.remote && !event.key && !event.tag))
      expect(await b.page.evaluate(() => harness.read('other'))).toMatchObject({ n: 2 })
      expect(a.errors.concat(b.errors)).toEqual([])
    })
  })

  it("an invalidation in tab A fences tab B's fetch in flight: its value is not cached anywhere", async () => {
    await withProfile(async (context) => {
      const [a, b] = [await openTab(context), await openTab(context)]
      const reading = b.page.evaluate(() => harness.read('inflight', 60, '?gate=inflight'))
      await vi.waitFor(() => expect(countOf('/api/inflight')).toBe(1), WAIT)
      await a.page.evaluate(() => harness.cache!.invalidate('inflight'))
      // B's fetch is aborted through its signal and made again after the invalidation.
      await vi.waitFor(() => expect(site.requests.filter((request) => request.path.startsWith('/api/inflight')).map((request) => request.aborted)).toEqual([true, false]), WAIT)
      site.open('inflight')
      expect(await reading).toMatchObject({ n: 2 })
      expect(await a.page.evaluate(() => harness.read('inflight'))).toMatchObject({ n: 2 }) // from Cache Storage
      expect(countOf('/api/inflight')).toBe(2)
    })
  })

  it("a write that another tab's invalidation overtook is undone, in flight or just landed, however many other writes land around it (24.10)", async () => {
    await withProfile(async (context) => {
      const [a, b] = [await openTab(context), await openTab(context)]
      const crowd = (prefix: string) => b.page.evaluate((prefix) => Promise.all(Array.from({ length: 150 }, (_, i) => harness.read(`${prefix}-${i}`))), prefix)

      // B's write of "crowded" is on its way while 150 others land, then A invalidates the key.
      await holdPutOf(b.page, 'crowded')
      const reading = b.page.evaluate(() => harness.read('crowded'))
      await until(b.page, () => (globalThis as { putHeld?: boolean }).putHeld === true)
      await crowd('before')
      await a.page.evaluate(() => harness.cache!.invalidate('crowded'))
      await b.page.waitForFunction(() => harness.events.some((event) => event.type === 'invalidate' && event.key === 'crowded' && event.remote))
      await releasePut(b.page)
      expect(await reading).toMatchObject({ n: 1 }) // B's caller began before the invalidation
      await until(b.page, async () => !(await harness.storedKeys()).includes('crowded'))
      expect(await a.page.evaluate(() => harness.read('crowded'))).toMatchObject({ n: 2 })

      // B's write of "landed" lands after an invalidation began elsewhere (its fetch began before),
      // 150 others land after it, and only then does the message reach B.
      await b.page.reload()
      await b.page.waitForFunction(() => typeof globalThis.harness === 'object')
      await b.page.evaluate(() => harness.setup())
      await holdPutOf(b.page, 'landed')
      const landing = b.page.evaluate(() => harness.read('landed'))
      await until(b.page, () => (globalThis as { putHeld?: boolean }).putHeld === true)
      const invalidatedAt = await a.page.evaluate(() => Date.now())
      await releasePut(b.page)
      expect(await landing).toMatchObject({ n: 1 })
      await crowd('after')
      expect(await b.page.evaluate(() => harness.storedKeys())).toContain('landed')
      await a.page.evaluate((at) => new BroadcastChannel('revalidate:revalidate').postMessage({ from: 'another tab', at, kind: 'key', key: 'landed' }), invalidatedAt)
      await until(b.page, async () => !(await harness.storedKeys()).includes('landed'))
    })
  })

  it("a tab's own write on its way when it invalidates the key is undone once it lands (24.10, the same tab)", async () => {
    await withProfile(async (context) => {
      const tab = await openTab(context)
      await holdPutOf(tab.page, 'own')
      const reading = tab.page.evaluate(() => harness.read('own'))
      await until(tab.page, () => (globalThis as { putHeld?: boolean }).putHeld === true)
      await tab.page.evaluate(() => harness.cache!.invalidate('own'))
      await releasePut(tab.page)
      expect(await reading).toMatchObject({ n: 1 })
      await until(tab.page, async () => !(await harness.storedKeys()).includes('own'))
      expect(await tab.page.evaluate(() => harness.read('own'))).toMatchObject({ n: 2 })
    })
  })

  it('a key or tag that is not well-formed Unicode is a TypeError naming it, and nothing is kept (24.2, the rule of every store)', async () => {
    await withProfile(async (context) => {
      const tab = await openTab(context)
      const outcomes = await tab.page.evaluate(async () => {
        const bad = `profile:alice${String.fromCharCode(0xd83d)}` // built here: the protocol would not carry it whole
        const entry = { value: 'v', storedAt: Date.now(), ttlMs: 60_000, staleMs: 0 }
        const store = harness.store!
        const outcome = async (call: () => unknown) => {
          try {
            await call()
            return 'ok'
          } catch (error) {
            return `${(error as Error).name}: ${(error as Error).message}`
          }
        }
        return {
          set: await outcome(() => store.set(bad, entry)),
          setTag: await outcome(() => store.set('fine', { ...entry, tags: [bad] })),
          get: await outcome(() => store.get(bad)),
          delete: await outcome(() => store.delete(bad)),
          deleteTag: await outcome(() => store.deleteTag(bad)),
          acquireLock: await outcome(() => store.acquireLock(bad)),
        }
      })
      const refused = (call: string, what: string) => expect.stringMatching(new RegExp(`^TypeError: cacheStorageStore\\.${call}: ${what} must be well-formed Unicode, got the string "profile:alice\\\\ud83d", which holds a lone UTF-16 surrogate at index 13 `))
      expect(outcomes).toEqual({
        set: refused('set', 'key'),
        setTag: refused('set', 'tag'),
        get: refused('get', 'key'),
        delete: refused('delete', 'key'),
        deleteTag: refused('deleteTag', 'tag'),
        acquireLock: refused('acquireLock', 'key'),
      })
      expect(await tab.page.evaluate(() => harness.storedKeys())).toEqual([])
      expect(tab.errors).toEqual([])
    })
  })

  it('a tab restored from the back/forward cache does not serve what another tab invalidated meanwhile', async () => {
    await withProfile(
      async (context) => {
        const [a, b] = [await openTab(context), await openTab(context)]
        expect(await a.page.evaluate(() => harness.read('frozen'))).toMatchObject({ n: 1 })
        await a.page.evaluate(() => Object.assign(globalThis, { sameDocument: true }))
        // Without an invalidation, going back restores the same document from the back/forward cache.
        await a.page.goto(`${site.origin}/elsewhere`)
        await a.page.goBack({ waitUntil: 'commit' })
        await a.page.waitForFunction(() => (globalThis as { sameDocument?: boolean }).sameDocument === true)
        await a.page.goto(`${site.origin}/elsewhere`)
        await b.page.evaluate(() => harness.cache!.invalidate('frozen'))
        await a.page.goBack({ waitUntil: 'commit' })
        await a.page.waitForFunction(() => typeof globalThis.harness === 'object')
        // Chromium evicts a cached page that a BroadcastChannel message reaches, so it loads anew.
        expect(await a.page.evaluate(() => (globalThis as { sameDocument?: boolean }).sameDocument)).toBeUndefined()
        await a.page.evaluate(() => harness.setup())
        expect(await a.page.evaluate(() => harness.read('frozen'))).toMatchObject({ n: 2 })
        expect(countOf('/api/frozen')).toBe(2)
      },
      { backForwardCache: true },
    )
  })

  it('a page restored from the back/forward cache fences its fetches in flight: invalidations may have been missed meanwhile (the sibling of 24.3)', async () => {
    await withProfile(async (context) => {
      const tab = await openTab(context)
      const reading = tab.page.evaluate(() => harness.read('thawed', 60, '?gate=thawed'))
      await vi.waitFor(() => expect(countOf('/api/thawed')).toBe(1), WAIT)
      // What a browser that keeps pages with fetches in flight does on going back (Chromium does not keep them).
      await tab.page.evaluate(() => dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })))
      expect(await tab.page.evaluate(() => harness.events.filter((event) => event.type === 'invalidate'))).toEqual([{ type: 'invalidate', remote: true }])
      site.open('thawed')
      // The fetch was aborted and made again after the restore; the first one's value is kept nowhere.
      expect(await reading).toMatchObject({ n: 2 })
      expect(await tab.page.evaluate(() => harness.read('thawed'))).toMatchObject({ n: 2 })
      expect(countOf('/api/thawed')).toBe(2)
    })
  })

  it('stale: every tab is answered at once, and one refresh runs for the origin', async () => {
    await withProfile(async (context) => {
      const [a, b] = [await openTab(context), await openTab(context)]
      expect(await a.page.evaluate(() => harness.read('aging'))).toMatchObject({ n: 1 })
      expect(await b.page.evaluate(() => harness.read('aging'))).toMatchObject({ n: 1 })
      for (const tab of [a, b]) await tab.page.evaluate(() => (harness.clockOffsetMs = 61_000))
      // A's refresh is held at the server: stale readers are answered all the same.
      expect(await a.page.evaluate(() => harness.read('aging', 60, '?gate=aging'))).toMatchObject({ n: 1 })
      await vi.waitFor(() => expect(countOf('/api/aging')).toBe(2), WAIT)
      const stale = await b.page.evaluate(() => Promise.all(Array.from({ length: 20 }, () => harness.read('aging'))))
      expect(stale.map((value) => value.n)).toEqual(Array(20).fill(1))
      site.open('aging')
      // A's write tells B, which drops its stale copy and reads A's value instead of refreshing.
      await until(b.page, async () => ((await harness.peek('aging')) as { n?: number } | undefined)?.n === 2)
      expect(await b.page.evaluate(() => harness.read('aging'))).toMatchObject({ n: 2 })
      expect(countOf('/api/aging')).toBe(2)
      expect((await events(b)).filter((event) => event.type === 'refresh')).toEqual([])
    })
  })

  it('maxEntries bounds the origin: the least recently used entry goes, whichever tab used it', async () => {
    await withProfile(async (context) => {
      const [a, b] = [await openTab(context, { maxEntries: 3 }), await openTab(context, { maxEntries: 3 })]
      for (const key of ['k1', 'k2', 'k3']) {
        await a.page.evaluate((key) => harness.read(key), key)
        await a.page.waitForTimeout(5) // distinct write times
      }
      await b.page.evaluate(() => harness.read('k1')) // a use in another tab, from Cache Storage
      await until(b.page, async () => {
        const index = await (await caches.open('revalidate')).match('https://revalidate.invalid/index')
        return index !== undefined && (await index.text()).includes('"k1"')
      })
      await a.page.evaluate(() => harness.read('k4'))
      await until(a.page, async () => (await harness.storedKeys()).length === 3)
      expect((await a.page.evaluate(() => harness.storedKeys())).sort()).toEqual(['k1', 'k3', 'k4'])
      expect(countOf('/api/k1')).toBe(1)
    })
  })

  it('a full quota: the value is served and kept in memory, the error reported once, nothing on the page', async () => {
    await withProfile(async (context) => {
      const tab = await openTab(context)
      const cdp = await context.newCDPSession(tab.page)
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: site.origin, quotaSize: 2000 })
      expect(await tab.page.evaluate(() => harness.read('big', 60, '?bytes=20000'))).toMatchObject({ n: 1 })
      expect(await tab.page.evaluate(() => harness.read('big', 60, '?bytes=20000'))).toMatchObject({ n: 1 })
      expect(await tab.page.evaluate(() => harness.read('big2', 60, '?bytes=20000'))).toMatchObject({ n: 1 })
      const errors = (await events(tab)).filter((event) => event.type === 'error')
      expect(errors).toEqual([{ type: 'error', key: 'big', phase: 'store', error: expect.stringContaining('QuotaExceededError') }])
      expect(countOf('/api/big?')).toBe(1)
      expect(await tab.page.evaluate(() => harness.unhandled)).toEqual([])
      expect(tab.errors).toEqual([])
    })
  })

  it('no Cache Storage at all: memory only, reported once, and invalidations still cross tabs', async () => {
    await withProfile(async (context) => {
      const tabs: Tab[] = []
      for (let i = 0; i < 2; i++) {
        const page = await context.newPage()
        const errors = pageErrors(page)
        await page.addInitScript(() => Object.defineProperty(globalThis, 'caches', { value: undefined, configurable: true }))
        await page.goto(`${site.origin}/`)
        await page.waitForFunction(() => typeof globalThis.harness === 'object')
        await page.evaluate(() => harness.setup())
        tabs.push({ page, errors })
      }
      const [a, b] = tabs as [Tab, Tab]
      expect(await a.page.evaluate(() => [harness.read('nowhere'), harness.read('nowhere')].reduce(async (x, y) => (await x, y)))).toMatchObject({ n: 1 })
      expect(await b.page.evaluate(() => harness.read('nowhere'))).toMatchObject({ n: 2 }) // nothing shared to read
      expect((await events(a)).filter((event) => event.type === 'error')).toEqual([
        { type: 'error', key: 'nowhere', phase: 'store', error: expect.stringContaining('Cache Storage is not available') },
      ])
      await a.page.evaluate(() => harness.cache!.invalidate('nowhere'))
      await b.page.waitForFunction(() => harness.events.some((event) => event.type === 'invalidate' && event.remote))
      expect(await b.page.evaluate(() => harness.read('nowhere'))).toMatchObject({ n: 3 })
      expect(a.errors.concat(b.errors)).toEqual([])
    })
  })

  it('entries someone else wrote badly: unreadable is a miss, bad names or tags never stop invalidation or eviction', async () => {
    await withProfile(async (context) => {
      const tab = await openTab(context, { maxEntries: 2 })
      await tab.page.evaluate(async () => {
        const cache = await caches.open('revalidate')
        await cache.put('https://revalidate.invalid/e/garbage', new Response('{"f":1,"__proto__":{"polluted":true},"value":'))
        const farFuture = String(Date.now() + 86_400_000)
        const badlyNamed = new Request('https://revalidate.invalid/e/%ZZ', { headers: { 'x-revalidate-tags': '%E0%A4%A,x', 'x-revalidate-expires-at': farFuture } })
        await cache.put(badlyNamed, new Response('not an envelope'))
      })
      expect(await tab.page.evaluate(() => harness.read('garbage'))).toMatchObject({ n: 1 })
      expect(await tab.page.evaluate(() => ({}) as { polluted?: boolean }).then((object) => object.polluted)).toBeUndefined()

      expect(await tab.page.evaluate(() => harness.read('tagged-x', 60, '', { tags: ['x'] }))).toMatchObject({ n: 1 })
      await tab.page.evaluate(() => harness.cache!.invalidateTag('x'))
      expect(await tab.page.evaluate(() => harness.storedKeys())).not.toContain('tagged-x')

      await tab.page.evaluate(() => Promise.all([harness.read('k-a'), harness.read('k-b')]))
      await until(tab.page, async () => (await harness.storedKeys()).length === 2)
      expect((await tab.page.evaluate(() => harness.storedKeys())).sort()).toEqual(['k-a', 'k-b'])
      expect((await events(tab)).filter((event) => event.type === 'error')).toEqual([])
    })
  })

  it('an entry too large to share is kept in the tab, and the error reported', async () => {
    await withProfile(async (context) => {
      const tab = await openTab(context, { maxEntryBytes: 1000 })
      expect(await tab.page.evaluate(() => harness.read('huge', 60, '?bytes=5000'))).toMatchObject({ n: 1 })
      expect(await tab.page.evaluate(() => harness.read('huge', 60, '?bytes=5000'))).toMatchObject({ n: 1 })
      expect(countOf('/api/huge')).toBe(1)
      expect((await events(tab)).filter((event) => event.type === 'error')).toEqual([
        { type: 'error', key: 'huge', phase: 'store', error: expect.stringContaining('larger than the 1000 bytes') },
      ])
      expect(await tab.page.evaluate(() => harness.storedKeys())).toEqual([])
    })
  })
})
