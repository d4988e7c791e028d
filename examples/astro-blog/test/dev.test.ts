// `npm run dev` (astro dev): the plugin compiles the post page in dev as in production, and the
// middleware and the badge say the same.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, packageBin, startNode, waitForServer } from '../../../test/processes.js'
import { ASTRO_BLOG_ROOT } from './astro-blog.js'

let origin = ''
let server: ReturnType<typeof startNode> | undefined
const dataDir = mkdtempSync(join(tmpdir(), 'revalidate-astro-blog-dev-'))

beforeAll(async () => {
  const port = await freePort()
  origin = `http://127.0.0.1:${port}`
  // --ignore-lock: a lock file left by a dev server that was killed names a PID that another
  // process may hold by now, and astro dev would refuse to start.
  server = startNode([packageBin('astro'), 'dev', '--port', String(port), '--host', '127.0.0.1', '--ignore-lock'], {
    cwd: ASTRO_BLOG_ROOT,
    // Under VITEST, astro dev leaves its routes out of the dev server (it takes itself for a test's).
    env: { VITEST: undefined, ASTRO_TELEMETRY_DISABLED: '1', BLOG_DB: join(dataDir, 'blog.db'), BLOG_QUERY_LATENCY_MS: '20' },
  })
  await waitForServer(`${origin}/posts/new`, server.child, server.output, 90_000)
}, 120_000)

afterAll(async () => {
  await server?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

async function visit(path: string) {
  const response = await fetch(`${origin}${path}`)
  return { state: response.headers.get('x-revalidate'), badge: /data-cache-state="(\w+)"/.exec(await response.text())?.[1] }
}

describe('the Astro blog under astro dev', () => {
  it('serves the post page (the pragma) and the list (by hand) as MISS, then HIT', async () => {
    for (const path of ['/posts/why-stale-is-often-fine', '/']) {
      expect(await visit(path), path).toEqual({ state: 'MISS', badge: 'MISS' })
      expect(await visit(path), path).toEqual({ state: 'HIT', badge: 'HIT' })
    }
    // The dev server logs each cache event of a compiled page on one line.
    expect(server!.output()).toMatch(/\[revalidate\] HIT page:\/posts\/why-stale-is-often-fine#src\/pages\/posts\/\[slug\] age \d+s/)
  })
})
