// The cache inspector in real Chromium: in `vite dev` of the blog (the plugin's /__revalidate, linked
// from the blog's navigation) and in the production build with a token. The entries shown are the
// cache's, the invalidate buttons work (the next request misses), a request without the token is
// refused, and the event list follows what the server does as it happens.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumIsAvailable, launchChromium } from '../../../test/chromium.js'
import { startBlog, type BlogServer } from './blog-server.mjs'

const available = chromiumIsAvailable()
const TOKEN = 'inspector-token-for-the-blog-test-0123456789'

interface Listed {
  caches: Array<{ name: string; entries: Array<{ key: string; state: string; tags: string[]; version?: string }> }>
}

/** What the page shows for one entry of the server's default cache. */
async function shownRow(page: Page, key: string) {
  const row = page.locator(`[data-cache="default"] tr[data-key="${key}"]`)
  await row.waitFor()
  return {
    state: await row.getAttribute('data-state'),
    tags: await row.locator('[data-field="tags"] .tag button.link').allTextContents(),
    version: (await row.locator('[data-field="version"]').allTextContents())[0]?.replace('version ', ''),
    source: (await row.locator('[data-field="source"]').allTextContents())[0],
    pragma: (await row.locator('[data-field="pragma"]').allTextContents())[0],
  }
}

const shownKeys = (page: Page) => page.locator('[data-cache="default"] tr[data-key]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-key')).sort())

/** The x-revalidate header of a page of the blog, requested from outside the browser. */
async function stateOf(blog: BlogServer, path: string): Promise<string | null> {
  const response = await fetch(`${blog.url}${path}`)
  await response.arrayBuffer()
  return response.headers.get('x-revalidate')
}

/** The entries the server's default cache holds, as its own listing reports them. */
async function listed(blog: BlogServer, headers: Record<string, string> = {}): Promise<Listed['caches'][number]['entries']> {
  const response = await fetch(`${blog.url}/__revalidate/api/state`, { headers })
  expect(response.status).toBe(200)
  return ((await response.json()) as Listed).caches.find((cache) => cache.name === 'default')!.entries
}

/** Drives the page: checks the rows against the cache, the live events, and the three kinds of invalidation. */
async function exerciseInspector(blog: BlogServer, page: Page, headers: Record<string, string>) {
  // The entries shown are the cache's: same keys, states, tags and versions.
  const entries = await listed(blog, headers)
  expect(entries.map((entry) => entry.key)).toEqual(expect.arrayContaining(['page:/', 'page:/categories/1', 'posts:all']))
  await page.locator('[data-cache="default"] tr[data-key="posts:all"]').waitFor()
  expect(await shownKeys(page)).toEqual(entries.map((entry) => entry.key).sort())
  for (const entry of entries) {
    const row = await shownRow(page, entry.key)
    expect(row).toMatchObject({ state: entry.state, tags: entry.tags, version: entry.version })
  }

  // The event list updates live: a request the server serves now shows up without a reload.
  const before = await page.locator('#events li[data-type="miss"]').count()
  expect(await stateOf(blog, '/categories/2')).toBe('MISS')
  await page.locator('#events li[data-type="miss"]', { hasText: 'page:/categories/2' }).first().waitFor()
  expect(await page.locator('#events li[data-type="miss"]').count()).toBeGreaterThan(before)
  await page.locator('[data-cache="default"] tr[data-key="page:/categories/2"]').waitFor() // and the list follows

  // Invalidate a key with its button (from the keyboard): the next request misses.
  expect(await stateOf(blog, '/categories/1')).toBe('HIT')
  await page.locator('[data-cache="default"] tr[data-key="page:/categories/1"] button[data-action="invalidate"]').focus()
  await page.keyboard.press('Enter')
  await page.locator('#events li[data-type="invalidate"]', { hasText: 'page:/categories/1' }).first().waitFor()
  expect(await stateOf(blog, '/categories/1')).toBe('MISS')

  // Invalidate a tag: every entry carrying it goes.
  expect(await stateOf(blog, '/categories/1')).toBe('HIT')
  await page.locator('[data-cache="default"] tr[data-key="posts:all"] [data-field="tags"] button[aria-label="Invalidate tag posts"]').click()
  await page.locator('#events li[data-type="invalidate"]', { hasText: 'tag posts' }).first().waitFor()
  expect(await stateOf(blog, '/categories/1')).toBe('MISS')
  expect(await stateOf(blog, '/')).toBe('HIT') // untagged: untouched

  // Invalidate everything (after a confirmation).
  page.once('dialog', (dialog) => void dialog.accept())
  await page.locator('#invalidate-all').click()
  await page.locator('#events li[data-type="invalidate"]', { hasText: 'everything' }).first().waitFor()
  expect(await stateOf(blog, '/')).toBe('MISS')
}

describe.skipIf(!available)('the cache inspector in Chromium', () => {
  let browser: Browser
  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
  })

  describe('in vite dev (the plugin serves /__revalidate)', () => {
    let blog: BlogServer
    let context: BrowserContext
    beforeAll(async () => {
      blog = await startBlog({ dev: true })
      context = await browser.newContext()
    })
    afterAll(async () => {
      await context?.close()
      await blog?.stop()
    })

    it('is linked from the blog; lists the entries with their page, file and pragma; invalidates; shows events live', async () => {
      const page = await context.newPage()
      const errors: string[] = []
      page.on('pageerror', (error) => errors.push(error.message))
      await page.goto(`${blog.url}/`)
      await page.locator('[data-island="post-list"] li[data-slug]').first().waitFor() // the island filled this browser's Cache Storage
      await stateOf(blog, '/categories/1')
      await page.click('a[data-inspector]')
      expect(page.url()).toBe(`${blog.url}/__revalidate`)

      // A compiled page's entry names its file (linked to the editor), route and pragma.
      const home = await shownRow(page, 'page:/')
      expect(home).toMatchObject({ source: 'src/pages/index.js:1', pragma: '// Pragma: revalidate 60' })
      expect(await page.getAttribute('[data-cache="default"] tr[data-key="page:/"] [data-field="source"]', 'href')).toBe('/__open-in-editor?file=src%2Fpages%2Findex.js%3A1')
      // This browser's own Cache Storage: the island's entry.
      await page.locator('#browser tr[data-key="posts:all"]').waitFor()

      // Filtering by text, from the keyboard.
      await page.locator('#q').focus()
      await page.keyboard.type('categories')
      await expect.poll(() => shownKeys(page)).toEqual(['page:/categories/1'])
      await page.locator('#q').fill('')
      await expect.poll(async () => (await shownKeys(page)).length).toBeGreaterThan(1)

      await exerciseInspector(blog, page, {})
      expect(errors).toEqual([])
    })
  })

  describe('in production (inspector({ token }) mounted by the server)', () => {
    let blog: BlogServer
    beforeAll(async () => {
      blog = await startBlog({ env: { REVALIDATE_INSPECTOR_TOKEN: TOKEN, REVALIDATE_INSPECTOR_ALLOW_INVALIDATE: 'true' } })
    })
    afterAll(async () => {
      await blog?.stop()
    })

    it('refuses a request without the token, in a browser too, and no page of the blog links to it', async () => {
      for (const path of ['/__revalidate', '/__revalidate/api/state', '/__revalidate/api/events']) {
        const response = await fetch(`${blog.url}${path}`)
        expect(response.status).toBe(401)
        expect(response.headers.get('cache-control')).toBe('no-store')
      }
      const invalidation = await fetch(`${blog.url}/__revalidate/api/invalidate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"all":true}' })
      expect(invalidation.status).toBe(401)
      const context = await browser.newContext()
      // Headless Chromium has nobody to ask for the token: the navigation fails on the 401.
      await expect((await context.newPage()).goto(`${blog.url}/__revalidate`)).rejects.toThrow('ERR_INVALID_AUTH_CREDENTIALS')
      const home = await context.newPage()
      expect((await home.goto(`${blog.url}/`))!.status()).toBe(200)
      expect(await home.locator('a[data-inspector]').count()).toBe(0)
      await context.close()
    })

    it('with the token: lists the entries, invalidates, and shows events live', async () => {
      for (const path of ['/', '/categories/1', '/api/posts']) await stateOf(blog, path)
      const context = await browser.newContext({ httpCredentials: { username: 'ops', password: TOKEN } })
      const page = await context.newPage()
      const errors: string[] = []
      page.on('pageerror', (error) => errors.push(error.message))
      const response = await page.goto(`${blog.url}/__revalidate`)
      expect(response!.status()).toBe(200)
      expect(response!.headers()['cache-control']).toBe('no-store')
      await page.locator('#live.on').waitFor() // the event stream is open
      await exerciseInspector(blog, page, { authorization: `Bearer ${TOKEN}` })
      expect(errors).toEqual([])
      await context.close()
    })
  })
})
