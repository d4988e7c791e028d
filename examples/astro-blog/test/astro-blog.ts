// The Astro blog as a user runs it: built by its own CLI (`astro build`) and served by the entry
// @astrojs/node writes, on a free port, with a SQLite file and a cache clock of the test's own.
// Each test file builds once, into a folder of its own (test files run in parallel).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { freePort, packageBin, startNode, waitForServer } from '../../../test/processes.js'

export const ASTRO_BLOG_ROOT = join(import.meta.dirname, '..')
const QUIET = { ASTRO_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' } as const

/** `astro build` into test/output/<name>; returns what it printed. */
export function buildAstroBlog(name: string): { outDir: string; output: string } {
  const outDir = join(ASTRO_BLOG_ROOT, 'test/output', name)
  const build = spawnSync(process.execPath, [packageBin('astro'), 'build', '--outDir', outDir], {
    cwd: ASTRO_BLOG_ROOT,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, ...QUIET },
  })
  const output = `${build.stdout}\n${build.stderr}`
  if (build.status !== 0) throw new Error(`astro build failed (${build.status ?? build.signal}):\n${output}`)
  return { outDir, output }
}

export interface RunningBlog {
  readonly origin: string
  readonly dbPath: string
  /** What the server printed so far. */
  output(): string
}

/** Builds the blog before the file's tests and serves it with BLOG_TEST_CLOCK on; stops it after them. */
export function useAstroBlog(name: string, { queryLatencyMs = 20 } = {}): RunningBlog {
  let origin = ''
  let dataDir = ''
  let server: ReturnType<typeof startNode> | undefined

  beforeAll(async () => {
    const { outDir } = buildAstroBlog(name)
    dataDir = mkdtempSync(join(tmpdir(), 'revalidate-astro-blog-'))
    const port = await freePort()
    origin = `http://127.0.0.1:${port}`
    server = startNode(['--disable-warning=ExperimentalWarning', join(outDir, 'server/entry.mjs')], {
      cwd: ASTRO_BLOG_ROOT,
      env: { ...QUIET, PORT: String(port), HOST: '127.0.0.1', BLOG_DB: join(dataDir, 'blog.db'), BLOG_QUERY_LATENCY_MS: String(queryLatencyMs), BLOG_TEST_CLOCK: 'true' },
    })
    await waitForServer(`${origin}/posts/new`, server.child, server.output) // a page that reads nothing cached
  }, 300_000)

  afterAll(async () => {
    await server?.stop()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  return {
    get origin() {
      return origin
    },
    get dbPath() {
      return join(dataDir, 'blog.db')
    },
    output: () => server?.output() ?? '',
  }
}
