// On-demand revalidation on Vercel, sent to a local HTTP server standing in for the deployment.
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { getCache } from '@vercel/functions'
import { createCache } from '../src/index.js'
import { vercelStore } from '../src/vercel-store.js'
import { describeStoreSemantics } from './semantics.js'

let namespace = 0
// @vercel/functions' getCache() outside Vercel is its own in-memory Runtime Cache (with TTLs and tags).
describeStoreSemantics('Vercel Runtime Cache', () => vercelStore({ runtimeCache: getCache({ namespace: `semantics-${++namespace}` }) }))

const TOKEN = 'a-bypass-token-of-at-least-32-characters'
const received: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> = []
let status = 200
const deployment = createServer((req, res) => {
  received.push({ method: req.method!, url: req.url!, headers: req.headers })
  res.writeHead(status).end()
})
let origin: string

beforeAll(async () => {
  await new Promise<void>((resolve) => deployment.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(deployment.address() as AddressInfo).port}`
})
afterAll(() => new Promise((resolve) => deployment.close(resolve)))

describe('the Vercel store', () => {
  it('invalidate("page:<path>") sends HEAD <path> with x-prerender-revalidate and the bypass token', async () => {
    received.length = 0
    const cache = createCache({ store: vercelStore({ origin, bypassToken: TOKEN }) })
    await cache.invalidate('page:/posts/hello?page=2')
    expect(received).toHaveLength(1)
    expect(received[0]).toMatchObject({ method: 'HEAD', url: '/posts/hello?page=2' })
    expect(received[0]!.headers['x-prerender-revalidate']).toBe(TOKEN)
  })

  it('keeps other keys in memory and sends nothing for them', async () => {
    received.length = 0
    const cache = createCache({ store: vercelStore({ origin, bypassToken: TOKEN }) })
    expect(await cache.withRevalidate('posts:all', 60, () => ['a'])).toEqual(['a'])
    expect(await cache.withRevalidate('posts:all', 60, () => ['b'])).toEqual(['a'])
    await cache.invalidate('posts:all')
    expect(await cache.withRevalidate('posts:all', 60, () => ['c'])).toEqual(['c'])
    expect(received).toHaveLength(0)
  })

  it('reads the origin and token from the environment Vercel and the build set', async () => {
    received.length = 0
    process.env.REVALIDATE_ORIGIN = origin
    process.env.REVALIDATE_BYPASS_TOKEN = TOKEN
    try {
      await createCache({ store: vercelStore() }).invalidate('page:/')
    } finally {
      delete process.env.REVALIDATE_ORIGIN
      delete process.env.REVALIDATE_BYPASS_TOKEN
    }
    expect(received.map((request) => request.url)).toEqual(['/'])
  })

  it('the node entry on Vercel (VERCEL set) gives the default cache this store', async () => {
    received.length = 0
    Object.assign(process.env, { VERCEL: '1', REVALIDATE_ORIGIN: origin, REVALIDATE_BYPASS_TOKEN: TOKEN })
    const slot = Symbol.for('@revalidate/runtime:default-cache')
    const global = globalThis as Record<symbol, unknown>
    const previous = global[slot]
    delete global[slot]
    try {
      vi.resetModules()
      const runtime = await import('../src/targets/node.js')
      await runtime.invalidate('page:/from-the-default-cache')
    } finally {
      global[slot] = previous
      for (const name of ['VERCEL', 'REVALIDATE_ORIGIN', 'REVALIDATE_BYPASS_TOKEN']) delete process.env[name]
    }
    expect(received.map((request) => request.url)).toEqual(['/from-the-default-cache'])
  })

  it('rejects, naming what is missing or what Vercel answered, when a page cannot be revalidated', async () => {
    await expect(createCache({ store: vercelStore({ origin }) }).invalidate('page:/')).rejects.toThrow(/no bypass token; set REVALIDATE_BYPASS_TOKEN/)
    status = 401
    try {
      await expect(createCache({ store: vercelStore({ origin, bypassToken: 'wrong' }) }).invalidate('page:/x')).rejects.toThrow(/Vercel answered 401/)
    } finally {
      status = 200
    }
  })
})
