// Real Chromium for the browser runtime: a small local server (pages, the bundles built from
// src/ with Vite, and a counted JSON API whose answers a test can hold back), and a browser
// profile of its own for every test.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { build } from 'vite'
import { CHROMIUM } from '../../../../test/chromium.js'

const HERE = dirname(fileURLToPath(import.meta.url))

/** Bundles each fixture into one ES module file, as a site's build would ship it, and reads them in. */
async function buildFixtures(): Promise<Record<string, string>> {
  const outDir = mkdtempSync(join(tmpdir(), 'revalidate-browser-fixtures-'))
  try {
    return await buildFixturesInto(outDir)
  } finally {
    rmSync(outDir, { recursive: true, force: true })
  }
}

async function buildFixturesInto(outDir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {}
  for (const name of ['page', 'sw']) {
    await build({
      root: HERE,
      configFile: false,
      logLevel: 'silent',
      build: {
        outDir,
        emptyOutDir: false,
        minify: false,
        rollupOptions: { input: join(HERE, 'fixtures', `${name}.ts`), output: { format: 'es', entryFileNames: `${name}.js` } },
      },
    })
    files[`/${name}.js`] = readFileSync(join(outDir, `${name}.js`), 'utf8')
  }
  return files
}

export interface ApiRequest {
  method: string
  path: string
  cookie: string | undefined
  authorization: string | undefined
  aborted: boolean
}

/**
 * How long a test waits for what happens in the browser or at the server by itself (a refresh, a
 * message between tabs): far longer than it takes on a loaded machine; a wait ends as soon as it holds.
 */
export const WAIT = { timeout: 20_000, interval: 50 }

/** Whole seconds since `startMs`: the most an `Age` measured within that window can be. */
export function secondsSince(startMs: number): number {
  return Math.floor((Date.now() - startMs) / 1000)
}

/** A 1×1 PNG, for images (served at `/image.png`, from any origin the site listens on). */
const PIXEL_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64')

/** Statuses whose answers have no body. */
const NULL_BODY_STATUSES = new Set([204, 205, 304])

/**
 * The test site. `/api/<anything>` answers `{ path, n }`, n counting the requests of that path;
 * `?gate=<name>` holds the answer until `open(name)` (from the path's request number `?gate-from=`
 * on); `?status=`, `?location=`, `?cache-control=`, `?vary=` and `?bytes=` shape it.
 */
export class TestSite {
  readonly requests: ApiRequest[] = []
  readonly #gates = new Map<string, { opened: Promise<void>; open: () => void }>()
  readonly #counts = new Map<string, number>()
  #server: Server | undefined
  origin = ''

  constructor(readonly files: Record<string, string>) {}

  async start(): Promise<void> {
    this.#server = createServer((req, res) => void this.#handle(req, res))
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve))
    this.origin = `http://127.0.0.1:${(this.#server.address() as { port: number }).port}`
  }

  async stop(): Promise<void> {
    for (const name of this.#gates.keys()) this.open(name)
    this.#server?.closeAllConnections()
    await new Promise((resolve) => this.#server?.close(resolve))
  }

  #gate(name: string) {
    let gate = this.#gates.get(name)
    if (gate === undefined) {
      let open!: () => void
      const opened = new Promise<void>((resolve) => (open = resolve))
      this.#gates.set(name, (gate = { opened, open }))
    }
    return gate
  }

  open(name: string): void {
    this.#gate(name).open()
  }

  /** API requests of `method path` (the path with its query) so far. */
  count(path: string, method = 'GET'): number {
    return this.requests.filter((request) => request.method === method && request.path === path).length
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url!, this.origin)
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204)
      res.end()
      return
    }
    if (url.pathname === '/image.png') {
      res.writeHead(200, { 'content-type': 'image/png' })
      res.end(PIXEL_PNG)
      return
    }
    if (url.pathname === '/' || url.pathname === '/elsewhere') {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<!doctype html><title>test</title><script type="module" src="/page.js"></script>')
      return
    }
    const file = this.files[url.pathname]
    if (file !== undefined) {
      res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' })
      res.end(file)
      return
    }
    if (!url.pathname.startsWith('/api/')) {
      res.writeHead(404)
      res.end()
      return
    }
    const record: ApiRequest = { method: req.method!, path: url.pathname + url.search, cookie: req.headers.cookie, authorization: req.headers.authorization, aborted: false }
    this.requests.push(record)
    const n = (this.#counts.get(url.pathname) ?? 0) + 1
    this.#counts.set(url.pathname, n)
    req.resume()
    res.once('close', () => (record.aborted = !res.writableFinished))
    const gate = url.searchParams.get('gate')
    if (gate !== null && n >= Number(url.searchParams.get('gate-from') ?? 1)) await this.#gate(gate).opened
    const headers: Record<string, string> = { 'content-type': 'application/json', 'access-control-allow-origin': '*' }
    for (const name of ['cache-control', 'vary', 'location']) {
      const value = url.searchParams.get(name)
      if (value !== null) headers[name] = value
    }
    const status = Number(url.searchParams.get('status') ?? 200)
    res.writeHead(status, headers)
    res.end(NULL_BODY_STATUSES.has(status) ? undefined : JSON.stringify({ path: url.pathname, n, padding: 'x'.repeat(Number(url.searchParams.get('bytes') ?? 0)) }))
  }
}

/** The test site with freshly built fixtures, listening on a free port. */
export async function startTestSite(): Promise<TestSite> {
  const site = new TestSite(await buildFixtures())
  await site.start()
  return site
}

/**
 * Chromium with a fresh profile directory; `close()` removes it. `backForwardCache` keeps the
 * back/forward cache on (playwright turns it off by default).
 */
export async function launchProfile(options: { backForwardCache?: boolean } = {}): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'revalidate-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    ignoreDefaultArgs: options.backForwardCache ? ['--disable-back-forward-cache'] : [],
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
  return {
    context,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** Runs `test` in a fresh browser profile, closed afterwards whatever happens. */
export async function withProfile(test: (context: BrowserContext) => Promise<void>, options?: Parameters<typeof launchProfile>[0]): Promise<void> {
  const profile = await launchProfile(options)
  try {
    await test(profile.context)
  } finally {
    await profile.close()
  }
}

/** Errors the page reported itself: uncaught exceptions, unhandled rejections, console errors. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`))
  page.on('console', (message) => message.type() === 'error' && errors.push(`console: ${message.text()}`))
  return errors
}
