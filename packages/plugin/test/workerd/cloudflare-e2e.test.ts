// End to end on Cloudflare: a Worker whose page has `# Pragma: revalidate 2`, built by Vite with
// the plugin (target picked from the `workerd` condition), served by workerd through Miniflare.
import { readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildWorker } from '../../../../test/build-worker.js'
import revalidate from '../../src/vite.js'

const APP = join(dirname(fileURLToPath(import.meta.url)), 'app')
const OUT = join(APP, 'dist')
let worker: Miniflare
let bundle: string

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function page(path = '/') {
  const response = await worker.dispatchFetch(`http://blog.test${path}`)
  return { state: response.headers.get('x-revalidate'), ...((await response.json()) as { edition: number; path: string }) }
}

beforeAll(async () => {
  const script = await buildWorker({ root: APP, entry: join(APP, 'src/worker.js'), outDir: OUT, plugins: [revalidate()] })
  bundle = readFileSync(script, 'utf8')
  worker = new Miniflare({ modules: true, scriptPath: script, compatibilityDate: '2025-09-01' })
})
afterAll(async () => {
  await worker?.dispose()
  rmSync(OUT, { recursive: true, force: true })
})

describe('a pragma page on Cloudflare Workers', () => {
  it('is compiled for the cloudflare runtime', () => {
    expect(bundle).toContain('x-revalidate-written-at') // the Cache API store came in through the workerd condition
    expect(bundle).toContain('from "cloudflare:workers"')
  })

  it('misses, hits, serves stale at once after the ttl, then the refreshed data; invalidation makes it fresh', async () => {
    expect(await page()).toEqual({ state: 'MISS', edition: 1, path: '/' })
    expect(await page()).toEqual({ state: 'HIT', edition: 1, path: '/' })
    await sleep(2100)
    expect(await page()).toEqual({ state: 'STALE', edition: 1, path: '/' }) // the refresh runs after the response
    await sleep(200)
    expect(await page()).toEqual({ state: 'HIT', edition: 2, path: '/' })
    const invalidated = await worker.dispatchFetch('http://blog.test/api/invalidate?path=/', { method: 'POST' })
    expect(invalidated.status).toBe(204)
    expect(await page()).toEqual({ state: 'MISS', edition: 3, path: '/' })
    expect(await page()).toEqual({ state: 'HIT', edition: 3, path: '/' })
  })
})
