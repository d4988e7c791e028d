// Redis stopped mid-load and started again: every request is served, the outage is reported
// once, and the store finds Redis again by itself. Runs its own redis-server on another port,
// never the shared one.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createClient } from 'redis'
import { afterAll, describe, expect, it } from 'vitest'
import { createCache, type CacheEvent } from '../../src/index.js'
import { RedisStore } from '../../src/stores/redis-store.js'
import { eventually } from '../helpers.js'
import { redisIsAvailable, redisServerAnswers } from './redis-available.js'

const available = await redisIsAvailable()
const PORT = 6391
const URL = `redis://127.0.0.1:${PORT}`
let server: ChildProcess | undefined

async function startRedis(): Promise<void> {
  server = spawn('redis-server', ['--port', String(PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes'], { stdio: 'ignore' })
  await eventually(async () => expect(await redisServerAnswers(URL)).toBe(true), 10_000)
}

function stopRedis(): void {
  server?.kill('SIGKILL')
  server = undefined
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

afterAll(() => stopRedis())

describe.skipIf(!available)('Redis outage', () => {
  it('a Redis that stops answering (DEBUG SLEEP) does not hold requests: they are served by the fetcher meanwhile', async () => {
    await startRedis()
    const store = new RedisStore({ url: URL, prefix: `test:${randomUUID()}:`, commandTimeoutMs: 100 })
    await store.ready()
    const events: CacheEvent[] = []
    const cache = createCache({ store, onEvent: (event) => events.push(event) })
    const blocker = createClient({ url: URL })
    await blocker.connect()
    try {
      const asleep = blocker.sendCommand(['DEBUG', 'SLEEP', '1.5']).then(() => 'redis answered again')
      await sleep(50) // the server is now busy sleeping
      const served = Promise.all(Array.from({ length: 20 }, (_, i) => cache.withRevalidate(`slow:${i}`, 60, async () => `fetched ${i}`)))
      const first = await Promise.race([served.then(() => 'served while redis slept'), asleep])
      expect(first).toBe('served while redis slept')
      expect((await served)[7]).toBe('fetched 7')
      expect(events.filter((event) => event.type === 'error' && event.phase === 'store')).toHaveLength(1)
      await asleep
    } finally {
      await blocker.close()
      await store.close()
      stopRedis()
    }
  })

  it('requests keep being served through a stop and a restart, errors are reported once per outage, and the store recovers', async () => {
    await startRedis()
    const prefix = `test:${randomUUID()}:`
    const store = new RedisStore({ url: URL, prefix, commandTimeoutMs: 200 })
    await store.ready()
    const events: CacheEvent[] = []
    const cache = createCache({ store, onEvent: (event) => events.push(event) })
    let served = 0
    let failed = 0
    async function load(ms: number) {
      for (const end = Date.now() + ms; Date.now() < end; ) {
        const keys = Array.from({ length: 10 }, (_, i) => `page:/${i}`)
        await Promise.all(keys.map((key) => cache.withRevalidate(key, 0.2, async () => `${key} at ${Date.now()}`).then(() => served++, () => failed++)))
        await sleep(10)
      }
    }
    await load(500)
    stopRedis()
    await load(1500)
    const storeErrorsDuringOutage = events.filter((event) => event.type === 'error' && event.phase === 'store').length
    await startRedis()
    await load(500)

    const raw = createClient({ url: URL })
    await raw.connect()
    try {
      await eventually(async () => {
        await cache.withRevalidate(`after:${Date.now()}`, 60, () => 'written after the restart')
        expect((await raw.keys(`${prefix}{k:after:*}:*:e`)).length).toBeGreaterThan(0)
      }, 10_000)
    } finally {
      await raw.close()
      await store.close()
    }
    expect(failed).toBe(0)
    expect(served).toBeGreaterThan(100)
    expect(storeErrorsDuringOutage).toBe(1)
  })
})
