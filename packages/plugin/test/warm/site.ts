// A small HTTP site for the warm command's tests: each path answers as its route says, with an
// `x-revalidate` header from a cache of its own (MISS the first time, HIT after), and the site
// keeps every request it got and the most it had in flight at once.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MANIFEST_FILE, writeManifest, type ManifestRoute } from '../../src/manifest.js'

export type Behaviour =
  | 'cached' // 200, MISS then HIT
  | 'plain' // 200 without a cache header
  | 'missing' // 404
  | 'broken' // 500 every time
  | { failTimes: number; status?: number; retryAfter?: string } // that many failures (503 unless said), then cached
  | { delayMs: number } // answers that late, then as cached
  | 'hang' // never answers

export interface Site {
  url: string
  requests: Array<{ path: string; headers: IncomingHttpHeaders; at: number }>
  maxInFlight: () => number
  close(): Promise<void>
}

export async function startSite(behaviourOf: (path: string) => Behaviour | undefined): Promise<Site> {
  const seen = new Set<string>()
  const failures = new Map<string, number>()
  const requests: Site['requests'] = []
  let inFlight = 0
  let maxInFlight = 0
  const cached = (path: string, res: ServerResponse) => {
    const state = seen.has(path) ? 'HIT' : 'MISS'
    seen.add(path)
    res.writeHead(200, { 'content-type': 'text/html', 'x-revalidate': state }).end(`<p>${path}</p>`)
  }
  const server = createServer((req, res) => {
    const path = req.url!
    requests.push({ path, headers: req.headers, at: performance.now() })
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    res.once('close', () => inFlight--)
    const behaviour = behaviourOf(path.split('?')[0]!)
    // Each request is held a little, so that requests made at once are in flight together.
    setTimeout(() => {
      if (behaviour === undefined || behaviour === 'missing') return res.writeHead(404).end('Not found')
      if (behaviour === 'cached') return cached(path, res)
      if (behaviour === 'plain') return res.writeHead(200, { 'content-type': 'text/html' }).end('<p>plain</p>')
      if (behaviour === 'broken') return res.writeHead(500).end('Internal error')
      if (behaviour === 'hang') return
      if ('delayMs' in behaviour) return void setTimeout(() => cached(path, res), behaviour.delayMs)
      const failed = failures.get(path) ?? 0
      if (failed >= behaviour.failTimes) return cached(path, res)
      failures.set(path, failed + 1)
      res.writeHead(behaviour.status ?? 503, behaviour.retryAfter === undefined ? {} : { 'retry-after': behaviour.retryAfter }).end('Try again')
    }, 20)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A build folder with a manifest of these routes (all node unless said); remove() deletes it. */
export function buildFolder(routes: Array<Partial<ManifestRoute> & { route: string }>, environment = 'ssr') {
  const root = mkdtempSync(join(tmpdir(), 'revalidate-warm-'))
  const dir = join(root, 'dist', 'server')
  mkdirSync(dir, { recursive: true })
  const full = routes.map((route) => ({ ttl: 60, stale: null, tags: [], query: [], version: 'abc123', target: 'node' as const, framework: 'vite' as const, vercel: null, source: `src/pages${route.route}.js`, ...route }))
  writeManifest(dir, environment, full)
  return {
    root,
    manifest: join(dir, MANIFEST_FILE),
    /** Writes a file in the folder; returns its path. */
    file(name: string, text: string | Buffer) {
      const path = join(root, name)
      writeFileSync(path, text)
      return path
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  }
}

/** Runs the command in this process, as the bin does, keeping what it prints. */
export async function runWarm(argv: string[], cwd: string, { tty = false } = {}) {
  const { warmCommand } = await import('../../src/warm/run.js')
  let stdout = ''
  let stderr = ''
  const code = await warmCommand(argv, {
    cwd,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: tty, columns: 100 },
  })
  return { code, stdout, stderr }
}
