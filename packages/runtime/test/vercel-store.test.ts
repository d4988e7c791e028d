// On-demand revalidation on Vercel, sent to a local HTTP server standing in for the deployment.
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { getCache } from '@vercel/functions'
import { createCache } from '../src/index.js'
import { vercelStore } from '../src/stores/vercel-store.js'
import { describeStoreSemantics } from './semantics.js'

let namespace = 0
// @vercel/functions' getCache() outside Vercel is its own in-memory Runtime Cache (with TTLs and tags).
describeStoreSemantics('Vercel Runtime Cache', () => vercelStore({ runtimeCache: getCache({ namespace: `semantics-${++namespace}` }) }))

const TOKEN = 'a-bypass-token-of-at-least-32-characters'
const received: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> = []
let status = 200
/** What the deployment says its cache did: Vercel answers REVALIDATED when the token matched. */
let cacheStatus: string | undefined = 'REVALIDATED'
let redirectTo: string | undefined
const deployment = createServer((req, res) => {
  received.push({ method: req.method!, url: req.url!, headers: req.headers })
  if (redirectTo !== undefined) return res.writeHead(307, { location: redirectTo }).end()
  res.writeHead(status, cacheStatus === undefined ? {} : { 'x-vercel-cache': cacheStatus }).end()
})
/** Another host: the bypass token must never reach it. */
const stolen: Array<{ url: string; headers: IncomingHttpHeaders }> = []
const attacker = createServer((req, res) => {
  stolen.push({ url: req.url!, headers: req.headers })
  res.writeHead(200, { 'x-vercel-cache': 'REVALIDATED' }).end()
})
let origin: string
let attackerHost: string

async function listen(server: ReturnType<typeof createServer>): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `127.0.0.1:${(server.address() as AddressInfo).port}`
}

beforeAll(async () => {
  origin = `http://${await listen(deployment)}`
  attackerHost = await listen(attacker)
})
afterAll(async () => {
  await new Promise((resolve) => deployment.close(resolve))
  await new Promise((resolve) => attacker.close(resolve))
})

/** A fetch that records where it was sent and answers as Vercel does: for origins chosen from the environment (https). */
function recordingFetch() {
  const urls: string[] = []
  const fetch = (async (input: URL | string) => {
    urls.push(String(input))
    return new Response(null, { status: 200, headers: { 'x-vercel-cache': 'REVALIDATED' } })
  }) as typeof globalThis.fetch
  return { urls, fetch }
}

/** Sets Vercel's environment variables for the duration of `run`, then removes them. */
async function withEnvironment(variables: Record<string, string>, run: () => Promise<void>): Promise<void> {
  Object.assign(process.env, variables)
  try {
    await run()
  } finally {
    for (const name of Object.keys(variables)) delete process.env[name]
  }
}

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
      await expect(createCache({ store: vercelStore({ origin, bypassToken: 'wrong' }) }).invalidate('page:/x')).rejects.toThrow(/did not regenerate the page \(status 401/)
    } finally {
      status = 200
    }
  })

  it('a 2xx that did not regenerate the page (a wrong token is served from cache) is a failure, naming x-vercel-cache', async () => {
    for (const answer of ['HIT', 'STALE', undefined]) {
      cacheStatus = answer
      try {
        await expect(createCache({ store: vercelStore({ origin, bypassToken: 'a-token-vercel-does-not-know-of-32+' }) }).invalidate('page:/x')).rejects.toThrow(
          new RegExp(`status 200, x-vercel-cache: ${answer ?? 'absent'}; Vercel answers REVALIDATED`),
        )
      } finally {
        cacheStatus = 'REVALIDATED'
      }
    }
  })

  it('never sends the bypass token to another host: keys whose path leaves the deployment are refused', async () => {
    stolen.length = 0
    received.length = 0
    const cache = createCache({ store: vercelStore({ origin, bypassToken: TOKEN }) })
    const hostile = [`page://${attackerHost}/x`, `page:/\\${attackerHost}/x`, `page:/\t/${attackerHost}/x`, `page:http://${attackerHost}/x`, 'page:posts/hello']
    const outcomes = await Promise.allSettled(hostile.map((key) => cache.invalidate(key)))
    expect(stolen).toEqual([])
    expect(received).toEqual([])
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected')
      expect(String((outcome as PromiseRejectedResult).reason)).toMatch(/a page key is "page:" followed by an absolute path on this deployment .* so nothing was sent/)
    }
  })

  it('does not follow a redirect, which could carry the token to another host', async () => {
    stolen.length = 0
    redirectTo = `http://${attackerHost}/elsewhere`
    try {
      await expect(createCache({ store: vercelStore({ origin, bypassToken: TOKEN }) }).invalidate('page:/moved')).rejects.toThrow(/status 307/)
    } finally {
      redirectTo = undefined
    }
    expect(stolen).toEqual([])
  })

  it('in a preview deployment revalidates the preview itself (VERCEL_URL), not production', async () => {
    const { urls, fetch } = recordingFetch()
    const environment = { VERCEL_URL: 'my-app-git-branch.vercel.app', VERCEL_PROJECT_PRODUCTION_URL: 'www.example.com', REVALIDATE_BYPASS_TOKEN: TOKEN }
    await withEnvironment({ ...environment, VERCEL_ENV: 'preview' }, () => createCache({ store: vercelStore({ fetch }) }).invalidate('page:/posts'))
    await withEnvironment({ ...environment, VERCEL_ENV: 'production' }, () => createCache({ store: vercelStore({ fetch }) }).invalidate('page:/posts'))
    expect(urls).toEqual(['https://my-app-git-branch.vercel.app/posts', 'https://www.example.com/posts'])
  })

  it('sends the Deployment Protection automation secret when Vercel provides one', async () => {
    received.length = 0
    await withEnvironment({ VERCEL_AUTOMATION_BYPASS_SECRET: 'automation-secret' }, () => createCache({ store: vercelStore({ origin, bypassToken: TOKEN }) }).invalidate('page:/protected'))
    expect(received[0]!.headers['x-vercel-protection-bypass']).toBe('automation-secret')
  })
})
