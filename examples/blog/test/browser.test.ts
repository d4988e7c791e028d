// The blog in real Chromium: write and delete a post in the UI, and watch the list, the island of
// this tab and the island of a second tab follow; the badge always says what the header says.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page, Request } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { BLOG_ROOT, startBlog, type BlogServer } from './blog-server.mjs'
import { chromiumIsAvailable, launchChromium } from '../../../test/chromium.js'

const available = chromiumIsAvailable()
const SCREENSHOTS = join(BLOG_ROOT, 'test', 'output')
let blog: BlogServer
let browser: Browser
let context: BrowserContext

/** Opens `path` and checks that the badge on the page matches the x-revalidate header. */
async function visit(page: Page, path: string): Promise<string> {
  const response = await page.goto(`${blog.url}${path}`)
  const header = response!.headers()['x-revalidate']!
  expect(await page.getAttribute('header [data-cache-state]', 'data-cache-state')).toBe(header)
  return header
}

const islandSlugs = (page: Page) => page.$$eval('[data-island="post-list"] li[data-slug]', (items) => items.map((item) => item.getAttribute('data-slug')))

describe.skipIf(!available)('the blog in Chromium', () => {
  beforeAll(async () => {
    blog = await startBlog()
    browser = await launchChromium()
    context = await browser.newContext()
  })
  afterAll(async () => {
    await browser?.close()
    await blog?.stop()
  })

  it('create a post in the UI: the list and both tabs’ islands show it; delete it: all drop it', async () => {
    const writer = await context.newPage()
    const reader = await context.newPage() // a second tab of the same site
    expect(await visit(reader, '/')).toBe('MISS')
    await reader.waitForSelector('[data-island="post-list"] li[data-slug]')
    expect(await visit(writer, '/')).toBe('HIT')

    await visit(writer, '/posts/new')
    await writer.fill('input[name="title"]', 'Written in Chromium')
    await writer.selectOption('select[name="categoryId"]', '2')
    await writer.fill('textarea[name="body"]', 'Typed into the editor by a real browser.')
    await writer.click('button[type="submit"]')
    await writer.waitForSelector('[data-notice="post-created"]')
    await writer.waitForSelector('[data-island="post-list"] li[data-slug="written-in-chromium"]')
    await reader.waitForSelector('[data-island="post-list"] li[data-slug="written-in-chromium"]') // via BroadcastChannel

    expect(await visit(writer, '/')).toBe('MISS') // the list was invalidated
    expect(await writer.textContent('[data-list="posts"]')).toContain('Written in Chromium')
    expect(await visit(writer, '/')).toBe('HIT')
    mkdirSync(SCREENSHOTS, { recursive: true })
    await writer.screenshot({ path: join(SCREENSHOTS, 'list-page.png'), fullPage: true })

    expect(await visit(writer, '/posts/written-in-chromium')).toBe('MISS')
    await writer.click('form[data-enhance="delete"] button')
    await writer.waitForSelector('[data-notice="post-deleted"]')
    // Both islands drop it; whichever tab takes the key's lock first fetches the list for both.
    for (const tab of [reader, writer]) await tab.waitForFunction(() => !document.querySelector('[data-island="post-list"] li[data-slug="written-in-chromium"]'))
    expect(await islandSlugs(writer)).toContain('a-week-at-the-edge')
    expect(await visit(writer, '/')).toBe('MISS')
    expect(await writer.textContent('[data-list="posts"]')).not.toContain('Written in Chromium')
    expect((await writer.goto(`${blog.url}/posts/written-in-chromium`))!.status()).toBe(404)
  })

  it('a post event makes the island drop posts:all from its browser cache and fetch it again', async () => {
    const page = await context.newPage()
    await visit(page, '/dashboard')
    await page.waitForSelector('[data-island="post-list"][data-loaded="1"]')
    // Every tab of the context: the other tabs' islands hear of the invalidation too, and one of
    // them (whichever takes the key's lock first) fetches for all, through the service worker.
    const apiCalls: string[] = []
    const count = (request: Request) => request.url().endsWith('/api/posts') && apiCalls.push(request.serviceWorker() ? 'service worker' : 'page')
    context.on('request', count)
    await page.evaluate(() => window.dispatchEvent(new CustomEvent('post-updated')))
    await page.waitForSelector('[data-island="post-list"][data-loaded="2"]')
    await page.waitForSelector('[data-island-cache="MISS"]')
    // The event invalidated posts:all and the worker's /api/posts: fetched again, once
    await vi.waitFor(() => expect(apiCalls.sort()).toEqual(['page', 'service worker']))
    context.off('request', count)
  })
  it('an edit in one tab shows at once in the other tab and after a reload; the island reads the browser cache, the worker answers /api/posts', async () => {
    const own = await browser.newContext() // storage of its own: nothing cached yet
    try {
      const writer = await own.newPage()
      const reader = await own.newPage()
      await writer.goto(`${blog.url}/`)
      await writer.waitForFunction(() => navigator.serviceWorker.controller !== null) // the worker took over
      await reader.goto(`${blog.url}/`)
      await reader.waitForSelector('[data-island="post-list"] li[data-slug="a-week-at-the-edge"]')

      // A reload reads posts:all from Cache Storage: the badge says HIT and the island fetches nothing.
      const islandFetches: string[] = []
      reader.on('request', (request) => new URL(request.url()).pathname === '/api/posts' && islandFetches.push(request.url()))
      await reader.reload()
      await reader.waitForSelector('[data-island-cache]')
      expect(await reader.getAttribute('[data-island-cache]', 'data-island-cache')).toBe('HIT')
      expect(islandFetches).toEqual([])

      // The service worker answers GET /api/posts from its cache, and says so.
      const states = await reader.evaluate(async () => {
        const states: (string | null)[] = []
        for (let i = 0; i < 2; i++) states.push((await fetch('/api/posts')).headers.get('x-revalidate-sw'))
        return states
      })
      expect(states[1]).toBe('HIT')

      // Edit a post in the writer tab: the reader's island shows it at once (no reload, no event of its own).
      await writer.goto(`${blog.url}/posts/a-week-at-the-edge/edit`)
      await writer.fill('input[name="title"]', 'Edited in another tab')
      await writer.click('button[type="submit"]')
      await writer.waitForSelector('[data-notice="post-updated"]')
      const islandTitle = () => document.querySelector('[data-island="post-list"] li[data-slug="a-week-at-the-edge"]')?.textContent
      await reader.waitForFunction(() => document.querySelector('[data-island="post-list"] li[data-slug="a-week-at-the-edge"]')?.textContent === 'Edited in another tab')

      // After a reload: the edit, from the browser cache.
      islandFetches.length = 0
      await reader.reload()
      await reader.waitForSelector('[data-island-cache]')
      expect(await reader.evaluate(islandTitle)).toBe('Edited in another tab')
      expect(await reader.getAttribute('[data-island-cache]', 'data-island-cache')).toBe('HIT')
      expect(islandFetches).toEqual([])
      mkdirSync(SCREENSHOTS, { recursive: true })
      await reader.screenshot({ path: join(SCREENSHOTS, 'island-after-reload.png') })
    } finally {
      await own.close()
    }
  })
})
