// Next.js's own caches on our coordinator and stores, as self-hosting users run them: one real
// `next build` of an app configured with withRevalidate(nextConfig, { cache: { redis } }), served
// by two `next start` processes on two ports over one private redis-server. The app (shared-cache/)
// has a 'use cache' function with cacheTag and cacheLife, an ISR page (`export const revalidate`),
// an ISR route handler, and a server action calling updateTag. Its "database" is a JSON file and
// every call of a cached function is logged to a file, so renders are counted across processes.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, startNode, waitForServer } from '../../../../test/processes.js'
import { eventually } from '../../../runtime/test/helpers.js'
import { redisIsAvailable } from '../../../runtime/test/redis/redis-available.js'
import { startPrivateRedis, type PrivateRedis } from '../../../runtime/test/redis/private-redis.js'

const available = await redisIsAvailable()
const APP = join(dirname(fileURLToPath(import.meta.url)), 'shared-cache')
const NEXT_BIN = join(dirname(createRequire(import.meta.url).resolve('next/package.json')), 'dist/bin/next')
/** The memory tier's byte bound on each instance: small, so 10,000 entries overflow it many times. */
const MAX_MEMORY_BYTES = 1024 * 1024

describe.skipIf(!available)('Next.js caches shared by two `next start` instances over one Redis', () => {
  const work = mkdtempSync(join(tmpdir(), 'revalidate-next-shared-'))
  const env = { NEXT_TELEMETRY_DISABLED: '1', DB_FILE: join(work, 'db.json'), CALLS_FILE: join(work, 'calls.log') }
  let redis: PrivateRedis
  const servers: Array<ReturnType<typeof startNode>> = []
  const origins: string[] = []

  const calls = (name: string) => readFileSync(env.CALLS_FILE, 'utf8').split('\n').filter((line) => line === name).length
  const title = async (origin: string, path: string) => {
    const response = await fetch(`${origin}${path}`)
    expect(response.status).toBe(200)
    return /id="title">(?:title|isr)=(?:<!-- -->)?([^<]*)</.exec(await response.text())?.[1]
  }
  const post = async (origin: string, path: string) => expect((await fetch(`${origin}${path}`, { method: 'POST' })).status).toBe(200)
  /**
   * Another instance hears of an invalidation by pub/sub, a moment after the call that made it
   * returned; and Next applies a route handler's revalidateTag after its response is sent (its
   * waitUntil). So a read on the other instance is retried briefly (2 s at most) until it does.
   */
  const soon = (check: () => Promise<void>) => eventually(check, 2000)

  beforeAll(async () => {
    writeFileSync(env.DB_FILE, JSON.stringify({ title: 'first' }))
    writeFileSync(env.CALLS_FILE, '')
    redis = await startPrivateRedis()
    rmSync(join(APP, '.next'), { recursive: true, force: true })
    // Built without REDIS_URL (the cache of the build is its own memory), served with it.
    const build = spawnSync(process.execPath, [NEXT_BIN, 'build', APP], { cwd: APP, encoding: 'utf8', env: { ...process.env, ...env, REDIS_URL: '' }, timeout: 240_000 })
    if (build.status !== 0) throw new Error(`${build.stdout}\n${build.stderr}`)
    for (let i = 0; i < 2; i++) {
      const port = await freePort()
      const server = startNode([NEXT_BIN, 'start', '--port', String(port), '--hostname', '127.0.0.1'], { cwd: APP, env: { ...env, REDIS_URL: redis.url, MAX_MEMORY_BYTES: String(MAX_MEMORY_BYTES) } })
      servers.push(server)
      origins.push(`http://127.0.0.1:${port}`)
      await waitForServer(`${origins[i]}/not-a-page`, server.child, server.output)
    }
  }, 300_000)

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()))
    redis?.stop()
    rmSync(join(APP, '.next'), { recursive: true, force: true })
    rmSync(work, { recursive: true, force: true })
  })

  it("revalidateTag sent to instance A: instance B shows the new data as soon as A has applied it", async () => {
    const [a, b] = origins as [string, string]
    expect(await title(b, '/tagged')).toBe('first')
    await post(a, '/api/db?title=second')
    expect(await title(b, '/tagged')).toBe('first') // cached: the change is not seen until the tag is revalidated
    expect(await title(a, '/tagged')).toBe('first') // the same entry, made once for both
    expect(calls('posts')).toBe(1)
    await post(a, '/api/revalidate-tag?tag=posts')
    await soon(async () => expect(await title(b, '/tagged')).toBe('second'))
    expect(await title(a, '/tagged')).toBe('second')
  })

  it('updateTag in a server action: the action’s own response shows the write, and so does the other instance', async () => {
    const [a, b] = origins as [string, string]
    const page = await (await fetch(`${a}/action`)).text()
    const actionField = /name="(\$ACTION_ID_[0-9a-f]+)"/.exec(page)![1]!
    const form = new FormData()
    form.set(actionField, '')
    form.set('title', 'third')
    // The form as a browser without JavaScript posts it: Next runs the action and renders the page again.
    const response = await fetch(`${a}/action`, { method: 'POST', body: form, headers: { origin: a } })
    expect(response.status).toBe(200)
    expect(await response.text()).toMatch(/id="title">title=(<!-- -->)?third</)
    await soon(async () => expect(await title(b, '/tagged')).toBe('third'))
  })

  it("30 concurrent requests to each instance for a cold 'use cache' entry call the function once across both", async () => {
    const id = randomUUID()
    const responses = await Promise.all(origins.flatMap((origin) => Array.from({ length: 30 }, () => fetch(`${origin}/api/cold?id=${id}`).then((response) => response.json() as Promise<{ value: string }>))))
    expect(new Set(responses.map((response) => response.value)).size).toBe(1)
    expect(calls(`slow:${id}`)).toBe(1)
  })

  it('an ISR page and an ISR route handler are made once for both; invalidate("page:…") and revalidatePath on one reach the other', async () => {
    const [a, b] = origins as [string, string]
    const before = calls('isr')
    expect(await title(a, '/isr')).toBe('third')
    expect(await title(b, '/isr')).toBe('third')
    expect(calls('isr')).toBe(before + 1)
    await post(a, '/api/db?title=fourth')
    expect(await title(b, '/isr')).toBe('third')
    await post(a, `/api/invalidate?key=${encodeURIComponent('page:/isr')}`) // our own API, inside Next
    await soon(async () => expect(await title(b, '/isr')).toBe('fourth'))
    const feed = async (origin: string) => ((await (await fetch(`${origin}/api/feed`)).json()) as { title: string }).title
    expect(await feed(a)).toBe('fourth')
    await post(b, '/api/db?title=third')
    expect(await feed(b)).toBe('fourth') // made by a, and cached for both
    await post(b, '/api/revalidate-path?path=/api/feed')
    await soon(async () => expect(await feed(a)).toBe('third'))
    await post(b, '/api/db?title=fourth')
  })

  it('Redis stopped mid-run: both instances keep answering; a tag revalidated meanwhile, and one after Redis is back, reach both', async () => {
    const [a, b] = origins as [string, string]
    expect(await title(b, '/tagged')).toBe('third')
    redis.stop()
    await post(a, '/api/db?title=fifth')
    for (const origin of origins) {
      await title(origin, '/tagged')
      expect(await title(origin, '/isr')).toBeDefined()
    }
    await post(a, '/api/revalidate-tag?tag=posts') // recorded on A now, on every instance once Redis is back
    await soon(async () => expect(await title(a, '/tagged')).toBe('fifth'))
    expect(await title(b, '/tagged')).toBe('third') // B cannot hear it yet: it serves what it has
    await redis.restart()
    await eventually(async () => expect(await title(b, '/tagged')).toBe('fifth'), 15_000)
    await post(b, '/api/db?title=sixth')
    await post(b, '/api/revalidate-tag?tag=posts')
    await soon(async () => expect(await title(a, '/tagged')).toBe('sixth'))
    await soon(async () => expect(await title(b, '/tagged')).toBe('sixth'))
    expect(servers.map((server) => server.output()).join('\n')).not.toMatch(/\n\s+at /) // an outage is a line, not a stack trace
  })

  it("10,000 distinct 'use cache' entries keep the memory tier under its byte bound", async () => {
    const [a] = origins as [string]
    await fetch(`${a}/api/fill?count=10000`)
    const usage = (await (await fetch(`${a}/api/fill?count=0`)).json()) as { entries: number; bytes: number; maxBytes: number }
    expect(usage.maxBytes).toBe(MAX_MEMORY_BYTES)
    expect(usage.bytes).toBeLessThanOrEqual(MAX_MEMORY_BYTES)
    expect(usage.bytes).toBeGreaterThan(MAX_MEMORY_BYTES / 2)
    expect(usage.entries).toBeLessThan(10_000)
  }, 120_000)
})
