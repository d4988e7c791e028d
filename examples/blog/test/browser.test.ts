// The blog in real Chromium: write and delete a post in the UI, and watch the list, the island of
// this tab and the island of a second tab follow; the badge always says what the header says.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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
    await reader.waitForFunction(() => !document.querySelector('[data-island="post-list"] li[data-slug="written-in-chromium"]'))
    expect(await islandSlugs(writer)).not.toContain('written-in-chromium')
    expect(await visit(writer, '/')).toBe('MISS')
    expect(await writer.textContent('[data-list="posts"]')).not.toContain('Written in Chromium')
    expect((await writer.goto(`${blog.url}/posts/written-in-chromium`))!.status()).toBe(404)
  })

  it('a post event makes the island drop posts:all from its browser cache and fetch it again', async () => {
    const page = await context.newPage()
    await visit(page, '/dashboard')
    await page.waitForSelector('[data-island="post-list"][data-loaded="1"]')
    const apiCalls: string[] = []
    page.on('request', (request) => request.url().endsWith('/api/posts') && apiCalls.push(request.url()))
    await page.evaluate(() => window.dispatchEvent(new CustomEvent('post-updated')))
    await page.waitForSelector('[data-island="post-list"][data-loaded="2"]')
    expect(apiCalls).toHaveLength(1) // the event invalidated posts:all, so it was fetched again
  })
})
