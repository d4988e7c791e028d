// Four Node processes on one Redis, as four instances of a site behind a load balancer.
import { fork, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REDIS_URL, redisIsAvailable } from './redis-available.js'

const available = await redisIsAvailable()

class Instance {
  readonly #child: ChildProcess
  readonly #replies = new Map<string, { resolve(value: unknown): void; reject(error: Error): void }>()
  readonly ready: Promise<void>

  constructor(name: string, prefix: string) {
    this.#child = fork(fileURLToPath(new URL('./instance.mjs', import.meta.url)), {
      env: { ...process.env, INSTANCE: name, PREFIX: prefix, REDIS_URL },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    this.ready = new Promise((resolve) => {
      this.#child.on('message', (message: { ready?: true; id?: string; result?: unknown; error?: string }) => {
        if (message.ready) return resolve()
        const reply = this.#replies.get(message.id!)
        this.#replies.delete(message.id!)
        if (message.error) reply?.reject(new Error(message.error))
        else reply?.resolve(message.result)
      })
    })
  }

  send<T>(command: string, args: object = {}): Promise<T> {
    const id = randomUUID()
    return new Promise<T>((resolve, reject) => {
      this.#replies.set(id, { resolve: resolve as (value: unknown) => void, reject })
      this.#child.send({ id, command, ...args })
    })
  }

  stop(): Promise<unknown> {
    return this.send('exit').catch(() => undefined)
  }
}

describe.skipIf(!available)('four instances on one Redis', () => {
  let instances: Instance[] = []

  beforeAll(async () => {
    const prefix = `test:${randomUUID()}:`
    instances = ['a', 'b', 'c', 'd'].map((name) => new Instance(name, prefix))
    await Promise.all(instances.map((instance) => instance.ready))
  })
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()))
  })

  it('500 concurrent requests each on one cold key: 1 fetcher call in total, one value for all', async () => {
    const results = await Promise.all(instances.map((instance) => instance.send<{ values: string[]; fetcherCalls: number }>('stampede', { key: 'cold', callers: 500 })))
    expect(results.reduce((sum, result) => sum + result.fetcherCalls, 0)).toBe(1)
    expect(new Set(results.flatMap((result) => result.values)).size).toBe(1)
  })

  // Memory tiers are as fresh as pub/sub delivery: each read below waits until its instance heard
  // the invalidation (a moment after the call that made it resolved), then must not serve the old value.
  it('an invalidation in one instance, once heard, is seen by the next read in every other', async () => {
    const [first, ...others] = instances as [Instance, ...Instance[]]
    const original = await first.send<string>('read', { key: 'shared' })
    for (const other of others) expect(await other.send<string>('read', { key: 'shared' })).toBe(original) // now in their memory tiers
    await first.send('invalidate', { key: 'shared' })
    await Promise.all(others.map((other) => other.send('heard', { kind: 'key', key: 'shared' })))
    const after = await Promise.all(others.map((other) => other.send<string>('read', { key: 'shared' })))
    expect(after).not.toContain(original)
    expect(new Set(after).size).toBe(1) // one of them fetched, the others got its value
  })

  it('invalidateAll in one instance, once heard, is seen by the next read in every other', async () => {
    const [first, ...others] = instances as [Instance, ...Instance[]]
    const before = await first.send<string>('read', { key: 'everything' })
    for (const other of others) expect(await other.send<string>('read', { key: 'everything' })).toBe(before)
    const invalidating = others[2]!
    await invalidating.send('invalidateAll')
    await Promise.all(instances.filter((instance) => instance !== invalidating).map((instance) => instance.send('heard', { kind: 'all' })))
    for (const instance of instances) expect(await instance.send<string>('read', { key: 'everything' })).not.toBe(before)
  })
})
