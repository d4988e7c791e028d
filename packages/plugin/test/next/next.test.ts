// Real `next build`s (Next.js 16, Turbopack) of small apps whose page carries the pragma, wired
// the two ways a Next.js user would: withRevalidate(nextConfig) (a loader) and a Babel config.
// Next's own prerender manifest says what revalidation it will do for each route.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, startNode, waitForServer } from '../../../../test/processes.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const NEXT_BIN = join(dirname(createRequire(import.meta.url).resolve('next/package.json')), 'dist/bin/next')
const APPS = ['loader', 'babel', 'cache-components', 'hash-pragma', 'isr', 'supabase', 'dynamic-route']

/** `next build` of an app, from a clean `.next` unless `over` says to build over the last one. */
function nextBuild(app: string, bundler: '--turbopack' | '--webpack' = '--turbopack', over: 'clean' | 'existing' = 'clean') {
  const dir = join(HERE, app)
  if (over === 'clean') rmSync(join(dir, '.next'), { recursive: true, force: true })
  const run = spawnSync(process.execPath, [NEXT_BIN, 'build', bundler, dir], { cwd: dir, encoding: 'utf8', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, timeout: 240_000 })
  return { status: run.status, output: `${run.stdout}\n${run.stderr}`, dir }
}

function revalidateSeconds(dir: string): Record<string, number | false> {
  const manifest = JSON.parse(readFileSync(join(dir, '.next/prerender-manifest.json'), 'utf8')) as { routes: Record<string, { initialRevalidateSeconds: number | false }> }
  return Object.fromEntries(Object.entries(manifest.routes).map(([route, info]) => [route, info.initialRevalidateSeconds]))
}

afterAll(() => {
  for (const app of APPS) rmSync(join(HERE, app, '.next'), { recursive: true, force: true })
})

// A Next.js build takes seconds alone and more while other test files run beside it.
const BUILD_TIMEOUT = 240_000

/** The isr app's summary: every route with the pragma, each with how Next caches it. */
const CACHED_ROUTES =
  /\[revalidate\] 6 cached route\(s\):\n\s+\/articles\/\[slug\]\s+60s\s+Next\.js ISR \(route segment config\)\n\s+\/feed\s+45s[^\n]*\n\s+\/guides\/\[topic\]\s+60s[^\n]*\n\s+\/home\s+30s[^\n]*\n\s+\/legacy\/\[slug\]\s+120s\s+Next\.js ISR \(getStaticProps\)\n\s+\/posts\/\[slug\]\s+60s\s+Next\.js ISR \(route segment config\)\n/

describe('next build with the pragma', () => {
  it('withRevalidate(nextConfig): the loader compiles `// Pragma: revalidate 45` into the revalidate Next reads', () => {
    const build = nextBuild('loader')
    expect(build.status, build.output).toBe(0)
    expect(revalidateSeconds(build.dir)).toMatchObject({ '/posts': 45, '/about': false })
    expect(build.output).toMatch(/\/posts\s+45s/)
  }, BUILD_TIMEOUT)

  it('withRevalidate(nextConfig) works the same with `next build --webpack`', () => {
    const build = nextBuild('loader', '--webpack')
    expect(build.status, build.output).toBe(0)
    expect(revalidateSeconds(build.dir)).toMatchObject({ '/posts': 45, '/about': false })
  }, BUILD_TIMEOUT)

  it('a Babel config with @revalidate/plugin/babel does the same (Next then compiles with Babel)', () => {
    const build = nextBuild('babel')
    expect(build.status, build.output).toBe(0)
    expect(revalidateSeconds(build.dir)).toMatchObject({ '/posts': 90, '/about': false })
  }, BUILD_TIMEOUT)

  it('the `#` form cannot be used in Next.js: Next parses page files itself, before any loader', () => {
    const build = nextBuild('hash-pragma')
    expect(build.status).not.toBe(0)
    expect(build.output).toMatch(/posts\/page\.jsx:1:\d+[\s\S]*Expected ';', '}' or <eof>/)
  }, BUILD_TIMEOUT)

  it('with cacheComponents, where Next rejects route segment config, the build stops with our clear error', () => {
    const build = nextBuild('cache-components')
    expect(build.status).not.toBe(0)
    expect(build.output).toContain('posts/page.jsx:1:1: [RV502] With cacheComponents on, Next.js rejects route segment config such as `revalidate`')
    expect(build.output).toContain("cacheLife({ revalidate: 45 })")
    expect(build.output).toMatch(/> 1 \| \/\/ Pragma: revalidate 45/) // the code frame, in the message Next prints
    expect(existsSync(join(build.dir, '.next/prerender-manifest.json'))).toBe(false)
  }, BUILD_TIMEOUT)

  it('a page whose helper module reads cookies (Supabase’s server client) stops the build at the page’s call, through Next’s resolver', () => {
    const build = nextBuild('supabase')
    expect(build.status).not.toBe(0)
    expect(build.output).toMatch(
      /account\/page\.tsx:5:26: \[RV201\] `createClient\(\)` reads the visitor's cookies \(`cookies\(\)` from next\/headers\), where `createClient\(\)` in utils\/supabase\/server\.ts:5 calls `cookies\(\)`, but Next\.js caches the whole rendered page/,
    )
    expect(build.output).toMatch(/> 5 \|   const supabase = await createClient\(\)/) // the page's code frame
    expect(existsSync(join(build.dir, '.next/prerender-manifest.json'))).toBe(false)
  }, BUILD_TIMEOUT)

  it('a page below a dynamic segment without generateStaticParams stops the build with the line to add (Next would render it on every request)', () => {
    const build = nextBuild('dynamic-route')
    expect(build.status).not.toBe(0)
    expect(build.output).toContain(
      "posts/[slug]/page.jsx:1:1: [RV507] This page is below a dynamic segment and has no `generateStaticParams`, so Next.js renders it on every request and the pragma's `revalidate` would cache nothing.",
    )
    expect(build.output).toContain('Fix: add `export async function generateStaticParams() { return [] }` to render each path on its first request and cache it')
    expect(build.output).toMatch(/> 1 \| \/\/ Pragma: revalidate 2/)
  }, BUILD_TIMEOUT)

  it('webpack shows the same error with its frame, and can cache it (no serializer warning)', () => {
    const build = nextBuild('cache-components', '--webpack')
    expect(build.status).not.toBe(0)
    expect(build.output).toContain('posts/page.jsx:1:1: [RV502] With cacheComponents on, Next.js rejects route segment config such as `revalidate`')
    expect(build.output).toMatch(/> 1 \| \/\/ Pragma: revalidate 45/)
    expect(build.output).not.toContain('No serializer registered')
  }, BUILD_TIMEOUT)
})

// A Next.js 16 app as a user writes one: next.config.ts typed as NextConfig, app router pages
// (one that loads nothing itself), a route handler, a pages router page, and invalidate() from
// @revalidate/runtime in a route handler. Built, then served by `next start`.
describe('a Next.js app with the pragma, built and served', () => {
  let build: ReturnType<typeof nextBuild>
  let server: ReturnType<typeof startNode> | undefined
  let origin = ''

  beforeAll(async () => {
    build = nextBuild('isr')
    if (build.status !== 0) throw new Error(build.output)
    const port = await freePort()
    origin = `http://127.0.0.1:${port}`
    server = startNode([NEXT_BIN, 'start', '--port', String(port), '--hostname', '127.0.0.1'], { cwd: build.dir, env: { NEXT_TELEMETRY_DISABLED: '1' } })
    await waitForServer(`${origin}/home`, server.child, server.output)
  }, BUILD_TIMEOUT)
  afterAll(() => server?.stop())

  const get = async (path: string) => {
    const response = await fetch(`${origin}${path}`)
    return { cache: response.headers.get('x-nextjs-cache'), body: await response.text() }
  }
  const post = async (path: string) => expect((await fetch(`${origin}${path}`, { method: 'POST' })).status).toBe(200)

  it('every kind of page is ISR with the pragma’s seconds: app pages (with or without data of their own), a route handler, getStaticProps', () => {
    expect(revalidateSeconds(build.dir)).toMatchObject({ '/posts/hello': 60, '/home': 30, '/feed': 45, '/legacy/hello': 120, '/guides/hello': 60 })
  })

  it('the build lists the cached routes', () => {
    expect(build.output).toMatch(CACHED_ROUTES)
  })

  it('a page below a dynamic segment with `generateStaticParams() { return [] }` (the refusal’s fix) renders on its first request, then is a HIT', async () => {
    const first = await get('/articles/hello')
    expect(first).toMatchObject({ cache: 'MISS' })
    expect(first.body).toContain('Article <!-- -->Hello<')
    expect(await get('/articles/hello')).toMatchObject({ cache: 'HIT' })
  })

  it('a page with the pragma only, whose params a layout above generates, is cached (no refusal)', async () => {
    await get('/guides/world')
    const cached = await get('/guides/world')
    expect(cached.cache).toBe('HIT')
    expect(cached.body).toContain('Guide <!-- -->World<')
  })

  it('invalidate("page:<path>") in a route handler revalidates the page through Next: the next request is a MISS with fresh data', async () => {
    expect(await get('/posts/hello')).toMatchObject({ cache: 'HIT' })
    await post('/api/rename?slug=hello&title=Hello%20again')
    const cached = await get('/posts/hello')
    expect(cached.cache).toBe('HIT')
    expect(cached.body).toContain('Post <!-- -->Hello<')
    await post(`/api/invalidate?key=${encodeURIComponent('page:/posts/hello')}`)
    const fresh = await get('/posts/hello')
    expect(fresh.cache).toBe('MISS')
    expect(fresh.body).toContain('Post <!-- -->Hello again<')
    expect(await get('/posts/hello')).toMatchObject({ cache: 'HIT' })
  })
})

// Turbopack keeps its cache in .next/cache: building over the last build, it hands the loader only
// the pages that changed. The summary still lists every page with the pragma.
describe('next build over an existing .next', () => {
  it('lists every cached route, not only those compiled again', () => {
    expect(existsSync(join(HERE, 'isr/.next/cache')), 'the isr app was built above').toBe(true)
    const again = nextBuild('isr', '--turbopack', 'existing')
    expect(again.status, again.output).toBe(0)
    expect(again.output).toMatch(CACHED_ROUTES)
  }, BUILD_TIMEOUT)
})
