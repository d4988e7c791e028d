// What every framework app under frameworks/ must show with the pragma, built by the framework's
// own CLI and served by its own production server. Each app has the same small blog:
//
//   /posts/:slug       a parent route (the post list as `<a class="post-item">`, pragma 60s) and a child route (one post,
//                      pragma 60s): nested loaders, each with its own entry
//   /fast/:slug        one post with pragma 1s: stale-while-revalidate in real time
//   /__test/calls      how often each loader really loaded (GET)
//   /__test/rename     ?slug=&title= renames a post behind the cache's back (POST)
//   /__test/invalidate ?key= runs invalidate(key) from @revalidate/runtime in the server (POST)
//                      (under another base where the framework does not route `__` paths)
//   /__test/invalidate-tag ?tag= runs invalidateTag(tag) in the server (POST)
//   /shared/a/:slug, /shared/b/:slug  two pages without a pragma that both call one function cached with
//                      a pragma, `getSharedPost(slug)` (tags post:{slug}), from a module of the app
import { spawnSync } from 'node:child_process'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumIsAvailable, launchChromium } from '../../test/chromium.js'
import { freePort, startNode, waitForServer } from '../../test/processes.js'

export interface FrameworkApp {
  name: string
  /** The app's folder. */
  root: string
  /** `node <build...>` builds it for production, as its CLI does. */
  build: string[]
  /** `node <serve(port)...>` serves the build. */
  serve: (port: number) => { args: string[]; env?: Record<string, string | undefined> }
  /** The framework's data request for a client-side navigation to `path`, if it has one. */
  dataRequest?: (path: string) => string
  /** The post title a document or data response for a post shows. */
  titleIn: (body: string) => string | undefined
  /** Where the test endpoints are. @default '/__test' */
  api?: string
}

export interface RunningApp {
  origin: string
  buildOutput: string
  get(path: string): Promise<{ status: number; body: string; cache: string | null }>
  calls(): Promise<Record<string, number>>
  rename(slug: string, title: string): Promise<void>
  invalidate(key: string): Promise<void>
  invalidateTag(tag: string): Promise<void>
}

/** Builds and serves the app for the tests of one file; stops it after them. */
export function useApp(app: FrameworkApp): RunningApp {
  let origin = ''
  let buildOutput = ''
  let server: ReturnType<typeof startNode> | undefined
  const api = app.api ?? '/__test'

  beforeAll(async () => {
    const build = spawnSync(process.execPath, app.build, { cwd: app.root, encoding: 'utf8', timeout: 240_000, env: { ...process.env, NODE_ENV: 'production' } })
    buildOutput = `${build.stdout}\n${build.stderr}`
    if (build.status !== 0) throw new Error(`${app.name}: the production build failed:\n${buildOutput}`)
    const port = await freePort()
    origin = `http://127.0.0.1:${port}`
    const { args, env } = app.serve(port)
    server = startNode(args, { cwd: app.root, env: { NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', ...env } })
    await waitForServer(`${origin}${api}/calls`, server.child, server.output)
  }, 300_000)
  afterAll(() => server?.stop())

  const post = async (path: string) => {
    // JSON, so that no framework takes it for a cross-site form post.
    const response = await fetch(`${origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`)
  }
  return {
    get origin() {
      return origin
    },
    get buildOutput() {
      return buildOutput
    },
    async get(path) {
      const response = await fetch(`${origin}${path}`)
      return { status: response.status, body: await response.text(), cache: response.headers.get('x-revalidate') }
    },
    async calls() {
      return (await fetch(`${origin}${api}/calls`)).json() as Promise<Record<string, number>>
    },
    invalidateTag: (tag) => post(`${api}/invalidate-tag?tag=${encodeURIComponent(tag)}`),
    rename: (slug, title) => post(`${api}/rename?slug=${encodeURIComponent(slug)}&title=${encodeURIComponent(title)}`),
    invalidate: (key) => post(`${api}/invalidate?key=${encodeURIComponent(key)}`),
  }
}

/** The parent route's post list, rendered by every app as `<a class="post-item" ...>Title</a>`. */
const listIn = (body: string) => [...body.matchAll(/class="post-item[^"]*"[^>]*>([^<]+)</g)].map((match) => match[1])

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The behaviour every framework shares; a framework's own file adds what only it has. */
export function describeContract(app: FrameworkApp, running: RunningApp): void {
  const titleOf = async (path: string) => {
    const { status, body } = await running.get(path)
    expect(status, `GET ${path}`).toBe(200)
    return app.titleIn(body)
  }
  const loads = async () => {
    const { post = 0, posts = 0, fast = 0 } = await running.calls()
    return { post, posts, fast }
  }

  describe(`${app.name}: the pragma in a production build`, () => {
    it('lists the cached routes in the build output', () => {
      expect(running.buildOutput).toMatch(/\[revalidate\] \d+ cached page\(s\)/)
    })

    it('30 concurrent cold requests load once (each nested loader once), then hit', async () => {
      const before = await loads()
      const pages = await Promise.all(Array.from({ length: 30 }, () => running.get('/posts/hello')))
      // Each loader got its own data: the child's post and the parent's list.
      expect(new Set(pages.map(({ body }) => app.titleIn(body)))).toEqual(new Set(['Hello']))
      expect(new Set(pages.map(({ body }) => listIn(body).join()))).toEqual(new Set(['Hello,World']))
      const after = await loads()
      expect(after.post - before.post).toBe(1)
      expect(after.posts - before.posts).toBe(1)
      expect(await titleOf('/posts/hello')).toBe('Hello')
      expect(await loads()).toEqual(after)
    })

    it('two posts of one dynamic route never share an entry', async () => {
      expect(await titleOf('/posts/world')).toBe('World')
      expect(await titleOf('/posts/hello')).toBe('Hello')
      expect(listIn((await running.get('/posts/world')).body)).toEqual(['Hello', 'World'])
    })

    if (app.dataRequest) it('a client navigation’s data request is served from the page’s entry', async () => {
      await titleOf('/posts/hello')
      const before = await loads()
      const { status, body } = await running.get(app.dataRequest!('/posts/hello'))
      expect(status).toBe(200)
      expect(app.titleIn(body)).toBe('Hello')
      expect(await loads()).toEqual(before)
    })

    it('after the ttl: stale at once for every caller, one background refresh, then the new data', async () => {
      expect(await titleOf('/fast/hello')).toBe('Hello')
      await running.rename('hello', 'Hello, renamed')
      await delay(1_100)
      const before = await loads()
      const stale = await Promise.all(Array.from({ length: 10 }, () => titleOf('/fast/hello')))
      expect(new Set(stale)).toEqual(new Set(['Hello']))
      // The refresh counts its load as it starts: one for the ten stale readers.
      expect((await loads()).fast - before.fast).toBe(1)
      let fresh: string | undefined
      for (let i = 0; i < 100 && fresh !== 'Hello, renamed'; i++) {
        await delay(20)
        fresh = await titleOf('/fast/hello')
      }
      expect(fresh).toBe('Hello, renamed')
      await running.rename('hello', 'Hello')
      await running.invalidate('page:/fast/hello')
    })

    it('the documented server hook says where the page data came from: MISS, HIT, then STALE', async () => {
      await running.invalidate('page:/fast/world')
      expect((await running.get('/fast/world')).cache).toBe('MISS')
      expect((await running.get('/fast/world')).cache).toBe('HIT')
      await delay(1_100)
      expect((await running.get('/fast/world')).cache).toBe('STALE')
      expect((await running.get('/')).cache).toBeNull() // a page without the pragma
    })

    it('invalidate("page:<path>") refreshes every loader of the path, and its data request', async () => {
      expect(await titleOf('/posts/hello')).toBe('Hello')
      await running.rename('hello', 'Hello, edited')
      expect(await titleOf('/posts/hello')).toBe('Hello') // cached: the edit went behind its back
      const before = await loads()
      await running.invalidate('page:/posts/hello')
      const page = await running.get('/posts/hello')
      expect(app.titleIn(page.body)).toBe('Hello, edited')
      expect(listIn(page.body)).toEqual(['Hello, edited', 'World'])
      const after = await loads()
      expect(after.post - before.post).toBe(1)
      expect(after.posts - before.posts).toBe(1)
      if (app.dataRequest) expect(app.titleIn((await running.get(app.dataRequest('/posts/hello'))).body)).toBe('Hello, edited')
      expect(await loads()).toEqual(after)
      await running.rename('hello', 'Hello')
      await running.invalidate('page:/posts/hello')
    })
  })
}

/**
 * Client-side navigation between two posts in Chromium shows the right post, on misses and on
 * hits: the framework must still see what the loader depends on when the data came from cache.
 */
export function describeClientNavigation(app: FrameworkApp, running: RunningApp): void {
  describe.skipIf(!chromiumIsAvailable())(`${app.name}: client-side navigation in Chromium`, () => {
    let browser: Browser
    beforeAll(async () => {
      browser = await launchChromium()
    })
    afterAll(() => browser?.close())

    it('from one post to another and back shows the right post, on misses and on hits', async () => {
      await running.invalidate('page:/posts/hello')
      await running.invalidate('page:/posts/world')
      for (const round of ['miss', 'hit']) {
        const page = await browser.newPage()
        await page.goto(`${running.origin}/posts/hello`, { waitUntil: 'networkidle' })
        await expect.poll(() => page.textContent('#post-title'), { message: round }).toContain('Hello')
        await page.click('a.post-item:text-is("World")')
        await expect.poll(() => page.textContent('#post-title'), { message: round }).toContain('World')
        await page.click('a.post-item:text-is("Hello")')
        await expect.poll(() => page.textContent('#post-title'), { message: round }).toContain('Hello')
        await page.close()
      }
    })
  })
}

/**
 * A function cached with a pragma in a module of the app, called by two pages: one fetch serves
 * both, and `invalidateTag('post:<slug>')` in the server (the tag its pragma fills from the
 * argument) brings the edit to both.
 */
export function describeCachedFunction(app: FrameworkApp, running: RunningApp): void {
  describe(`${app.name}: one cached function shared by two pages`, () => {
    const titleOf = async (path: string) => app.titleIn((await running.get(path)).body)
    const shared = async () => (await running.calls()).shared ?? 0
    const both = () => Promise.all([titleOf('/shared/a/world'), titleOf('/shared/b/world')])

    it('one fetch serves both pages, and invalidateTag("post:<slug>") shows an edit on both', async () => {
      await running.invalidateTag('post:world')
      const before = await shared()
      expect(await both()).toEqual(['World', 'World'])
      expect(await shared()).toBe(before + 1)
      expect(await both()).toEqual(['World', 'World'])
      expect(await shared()).toBe(before + 1) // both served from the function's entry
      await running.rename('world', 'World, edited')
      try {
        expect(await both()).toEqual(['World', 'World']) // cached: the edit went behind its back
        await running.invalidateTag('post:world')
        expect(await both()).toEqual(['World, edited', 'World, edited'])
        expect(await shared()).toBe(before + 2)
        await running.invalidateTag('post:hello') // another post's tag: this entry stays
        expect(await both()).toEqual(['World, edited', 'World, edited'])
        expect(await shared()).toBe(before + 2)
      } finally {
        await running.rename('world', 'World')
        await running.invalidateTag('post:world')
      }
    })
  })
}
