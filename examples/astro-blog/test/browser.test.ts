// The Astro blog in real Chromium: the badge says what the header says (MISS, then HIT); the island
// lists the posts through the browser's cache; a post written, edited or deleted in one tab shows
// in that tab's island after the post-* event, and in the other tab's through the shared cache.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumIsAvailable, launchChromium } from '../../../test/chromium.js'
import { ASTRO_BLOG_ROOT, useAstroBlog } from './astro-blog.js'

const SCREENSHOTS = join(ASTRO_BLOG_ROOT, 'test/output/screenshots')

const islandSlugs = (page: Page) => page.$$eval('post-list li[data-slug]', (items) => items.map((item) => item.getAttribute('data-slug')))
const islandTitle = (page: Page, slug: string) => page.textContent(`post-list li[data-slug="${slug}"]`)

describe.skipIf(!chromiumIsAvailable())('the Astro blog in Chromium', () => {
  const blog = useAstroBlog('browser')
  let browser: Browser

  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(() => browser?.close())

  /** Opens `path`; the badge on the page must say what the x-revalidate header says. */
  async function visit(page: Page, path: string): Promise<{ status: number; state: string }> {
    const response = await page.goto(`${blog.origin}${path}`)
    const state = response!.headers()['x-revalidate'] ?? 'NONE'
    expect(await page.getAttribute('header [data-cache-state]', 'data-cache-state'), `the badge of ${path}`).toBe(state)
    return { status: response!.status(), state }
  }

  /** A tab of `context` whose window records the post events it hears. */
  async function tab(context: Awaited<ReturnType<Browser['newContext']>>): Promise<Page> {
    const page = await context.newPage()
    await page.addInitScript(() => {
      const heard: string[] = ((window as unknown as { heard: string[] }).heard = [])
      for (const type of ['post-created', 'post-updated', 'post-deleted', 'posts-restored']) {
        window.addEventListener(type, (event) => heard.push(`${type} ${(event as CustomEvent<{ slug?: string }>).detail.slug}`))
      }
    })
    return page
  }
  const heard = (page: Page) => page.evaluate(() => (window as unknown as { heard: string[] }).heard)

  it('the badge shows MISS, then HIT, as the header says', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    expect(await visit(page, '/posts/why-stale-is-often-fine')).toEqual({ status: 200, state: 'MISS' })
    expect(await page.textContent('header [data-cache-state]')).toContain('MISS · just fetched')
    expect(await visit(page, '/posts/why-stale-is-often-fine')).toEqual({ status: 200, state: 'HIT' })
    expect(await page.textContent('header [data-cache-state]')).toMatch(/HIT · age \d+s/)
    mkdirSync(SCREENSHOTS, { recursive: true })
    await page.screenshot({ path: join(SCREENSHOTS, 'post-page.png'), fullPage: true })
    expect(await visit(page, '/posts/new')).toEqual({ status: 200, state: 'NONE' })
    await context.close()
  })

  it('the island lists the posts: fetched on the first page, read from the browser cache on the next', async () => {
    const context = await browser.newContext() // storage of its own: nothing cached yet
    const page = await context.newPage()
    const fetched: string[] = []
    page.on('request', (request) => new URL(request.url()).pathname === '/api/posts' && fetched.push(request.method()))
    await visit(page, '/')
    await page.waitForSelector('post-list [data-island-cache="MISS"]')
    const listed = await page.$$eval('[data-list="posts"] li', (items) => items.map((item) => item.getAttribute('data-slug')))
    expect(await islandSlugs(page)).toEqual(listed)
    expect(fetched).toEqual(['GET'])

    await visit(page, '/posts/new')
    await page.waitForSelector('post-list [data-island-cache="HIT"]')
    expect(await islandSlugs(page)).toEqual(listed)
    expect(fetched).toEqual(['GET']) // from Cache Storage, across the navigation
    await context.close()
  })

  it('a post written in one tab: its island shows it after the post-created event, the other tab’s too, and the pages are fresh', async () => {
    const context = await browser.newContext()
    const reader = await tab(context)
    await visit(reader, '/')
    await reader.waitForSelector('post-list[data-renders="1"]')
    const writer = await tab(context)
    await visit(writer, '/posts/new')
    await writer.waitForSelector('post-list[data-renders="1"]')

    await writer.fill('input[name="title"]', 'Written in Chromium')
    await writer.fill('textarea[name="body"]', 'Typed into the form by a real browser.')
    await writer.click('form[data-post-event] button[type="submit"]')
    await writer.waitForSelector('[data-notice="post-created"]')
    expect(await heard(writer)).toEqual(['post-created written-in-chromium'])
    await writer.waitForSelector('post-list li[data-slug="written-in-chromium"]')
    await reader.waitForSelector('post-list li[data-slug="written-in-chromium"]') // heard through the cache: no event there
    expect(await heard(reader)).toEqual([])

    // The islands' fetch of /api/posts has filled the server's posts:all again, with the new post.
    await visit(writer, '/')
    expect(await writer.textContent('[data-list="posts"]')).toContain('Written in Chromium')
    expect(await visit(writer, '/posts/written-in-chromium')).toEqual({ status: 200, state: 'MISS' })
    await context.close()
  })

  it('an edit and a delete in the UI: the island follows each event, the post’s page is fresh', async () => {
    const context = await browser.newContext()
    const page = await tab(context)
    await visit(page, '/posts/islands-cache-too')
    expect(await visit(page, '/posts/islands-cache-too')).toEqual({ status: 200, state: 'HIT' })
    await visit(page, '/posts/islands-cache-too/edit')
    await page.waitForSelector('post-list li[data-slug="islands-cache-too"]')
    await page.fill('input[name="title"]', 'Islands cache, edited')
    await page.click('form[data-post-event] button[type="submit"]')
    await page.waitForSelector('[data-notice="post-updated"]')
    await expect.poll(() => islandTitle(page, 'islands-cache-too')).toBe('Islands cache, edited')
    expect(await heard(page)).toEqual(['post-updated islands-cache-too'])

    expect(await visit(page, '/posts/islands-cache-too')).toEqual({ status: 200, state: 'MISS' })
    expect(await page.textContent('article h1')).toBe('Islands cache, edited')
    await page.click('form[data-post-event="post-deleted"] button')
    await page.waitForSelector('[data-notice="post-deleted"]')
    await page.waitForFunction(() => !document.querySelector('post-list li[data-slug="islands-cache-too"]'))
    expect(await heard(page)).toEqual(['post-deleted islands-cache-too'])
    expect(await visit(page, '/posts/islands-cache-too')).toEqual({ status: 404, state: 'MISS' })
    await context.close()
  })
})
