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

interface Page {
  state: string | null
  edition: number
  fetchedIn: string
  path: string
}

/** GET `path` from the single Worker, or from one Worker of several (`getWorker(name).fetch`). */
async function page(path = '/', from: (url: string) => Promise<Response> = (url) => worker.dispatchFetch(url) as unknown as Promise<Response>): Promise<Page> {
  const response = await from(`http://blog.test${path}`)
  return { state: response.headers.get('x-revalidate'), ...((await response.json()) as Omit<Page, 'state'>) }
}

beforeAll(async () => {
  const script = await buildWorker({ root: APP, entry: join(APP, 'src/worker.js'), outDir: OUT, plugins: [revalidate()] })
  bundle = readFileSync(script, 'utf8')
  worker = new Miniflare({ modules: true, scriptPath: script, compatibilityDate: '2025-09-01', bindings: { LOCATION: 'edge' } })
})
afterAll(async () => {
  await worker?.dispose()
  rmSync(OUT, { recursive: true, force: true })
})

describe('a pragma page on Cloudflare Workers', () => {
  it('is compiled for the cloudflare runtime', () => {
    expect(bundle).toContain('x-revalidate-written-at') // the Cache API store came in through the workerd condition
    expect(bundle).toContain('from "cloudflare:workers"')
    expect(bundle).toMatch(/RevalidateCoordinator = class extends DurableObject/)
  })

  it('misses, hits, serves stale at once after the ttl, then the refreshed data; invalidation makes it fresh', async () => {
    const at = { fetchedIn: 'edge', path: '/' }
    expect(await page()).toEqual({ state: 'MISS', edition: 1, ...at })
    expect(await page()).toEqual({ state: 'HIT', edition: 1, ...at })
    await sleep(2100)
    expect(await page()).toEqual({ state: 'STALE', edition: 1, ...at }) // the refresh runs after the response
    await sleep(200)
    expect(await page()).toEqual({ state: 'HIT', edition: 2, ...at })
    const invalidated = await worker.dispatchFetch('http://blog.test/api/invalidate?path=/', { method: 'POST' })
    expect(invalidated.status).toBe(204)
    expect(await page()).toEqual({ state: 'MISS', edition: 3, ...at })
    expect(await page()).toEqual({ state: 'HIT', edition: 3, ...at })
  })
})

describe('a function cached with a pragma on Cloudflare Workers', () => {
  const headline = async (id: string) => (await (await worker.dispatchFetch(`http://blog.test/api/headline?id=${id}`)).json()) as { headlines: Array<{ id: string; fetch: number }>; key: string }

  it('is wrapped for the cloudflare runtime: one fetch for concurrent callers, then hits; invalidateTag by the filled tag refetches', async () => {
    expect(bundle).toMatch(/cacheFunction/)
    const first = await headline('h1')
    expect(first.key).toBe('fn:src/headlines#getHeadline:"h1"')
    expect(first.headlines[0]).toEqual(first.headlines[1]) // two concurrent calls, one fetch
    expect((await headline('h1')).headlines[0]).toEqual(first.headlines[0])
    const other = await headline('h2')
    expect(other.headlines[0]!.fetch).toBe(first.headlines[0]!.fetch + 1)
    const invalidated = await worker.dispatchFetch('http://blog.test/api/invalidate-tag?tag=headline:h1', { method: 'POST' })
    expect(invalidated.status).toBe(204)
    expect((await headline('h1')).headlines[0]!.fetch).toBe(other.headlines[0]!.fetch + 1)
    expect((await headline('h2')).headlines[0]).toEqual(other.headlines[0]) // another id's tag: kept
  })
})

describe('the same Worker with the Durable Object coordinator bound as REVALIDATE', () => {
  let locations: Miniflare
  beforeAll(() => {
    const binding = { REVALIDATE: { className: 'RevalidateCoordinator', scriptName: 'paris', useSQLite: true } }
    const edge = (name: string) => ({ name, modules: true, scriptPath: join(OUT, 'worker.js'), compatibilityDate: '2025-09-01', bindings: { LOCATION: name }, durableObjects: binding })
    // Sydney's Cache API keeps nothing: a location whose cache has never seen the page.
    locations = new Miniflare({ workers: [edge('paris'), { ...edge('sydney'), cache: false }] })
  })
  afterAll(() => locations?.dispose())

  it('one fetch serves both locations, and an invalidation in one reaches the other within syncSeconds', async () => {
    // Miniflare types a Worker with @cloudflare/workers-types, which this repository does not install.
    type Worker = { fetch(url: string, init?: RequestInit): Promise<Response> }
    const parisWorker = (await locations.getWorker('paris')) as unknown as Worker
    const sydneyWorker = (await locations.getWorker('sydney')) as unknown as Worker
    const paris = (url: string) => parisWorker.fetch(url)
    const sydney = (url: string) => sydneyWorker.fetch(url)
    expect(await page('/', paris)).toEqual({ state: 'MISS', edition: 1, fetchedIn: 'paris', path: '/' })
    // Sydney misses, and takes Paris's value through the coordinator instead of fetching.
    expect(await page('/', sydney)).toEqual({ state: 'MISS', edition: 1, fetchedIn: 'paris', path: '/' })
    expect(await page('/', sydney)).toEqual({ state: 'HIT', edition: 1, fetchedIn: 'paris', path: '/' })
    expect((await parisWorker.fetch('http://blog.test/api/invalidate?path=/', { method: 'POST' })).status).toBe(204)
    await sleep(1100) // syncSeconds: 1 by default
    expect(await page('/', sydney)).toEqual({ state: 'MISS', edition: 1, fetchedIn: 'sydney', path: '/' })
  })
})
