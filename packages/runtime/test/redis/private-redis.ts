// A private redis-server on a free port, and a TCP proxy in front of it that tests use to cut
// single connections (only a store's subscriber, only its main client), partition and delay.
import { spawn } from 'node:child_process'
import { createServer, Socket, type AddressInfo } from 'node:net'
import { createClient, type RedisClientType } from 'redis'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { RedisStore, type RedisStoreOptions } from '../../src/stores/redis-store.js'
import { eventually } from '../helpers.js'
import { redisServerAnswers } from './redis-available.js'

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

export interface PrivateRedis {
  url: string
  port: number
  stop(): void
  /** Starts it again, on the same port, after stop(): empty, since it keeps nothing on disk. */
  restart(): Promise<void>
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort()
  const url = `redis://127.0.0.1:${port}`
  const start = async () => {
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    await eventually(async () => {
      if (!(await redisServerAnswers(url))) throw new Error(`redis-server on port ${port} does not answer yet`)
    }, 10_000)
    return server
  }
  let server = await start()
  return {
    url,
    port,
    stop: () => server.kill('SIGKILL'),
    async restart() {
      server = await start()
    },
  }
}

/**
 * A private redis-server for the tests of one describe block: started before them, stopped after.
 * What a test opens through it is closed once that test is over: stores and other clients first,
 * then the proxies they talk through.
 */
export function usePrivateRedis() {
  let server: PrivateRedis | undefined
  let client: RedisClientType | undefined
  const clients: Array<() => unknown> = []
  const proxies: Array<() => unknown> = []
  beforeAll(async () => {
    server = await startPrivateRedis()
    client = createClient({ url: server.url }) as RedisClientType
    await client.connect()
  })
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((close) => close()))
    await Promise.all(proxies.splice(0).map((stop) => stop()))
  })
  afterAll(async () => {
    await client?.close()
    server?.stop()
  })
  return {
    get server(): PrivateRedis {
      return server!
    },
    /** A client of the test's own, to read and write keys directly. */
    get raw(): RedisClientType {
      return client!
    },
    /** A store on the server, or through the proxy `via`. */
    store(options: RedisStoreOptions & { via?: RedisProxy } = {}): RedisStore {
      const created = new RedisStore({ url: options.via?.url ?? server!.url, ...options })
      clients.push(() => created.close())
      return created
    },
    async proxy(): Promise<RedisProxy> {
      const started = await RedisProxy.start(server!.port)
      proxies.push(() => started.stop())
      return started
    },
    /** Closes something else the test opened (a client, a store of its own class) with the stores. */
    closeAfterTest(close: () => unknown): void {
      clients.push(close)
    },
  }
}

type Kind = 'subscriber' | 'main'

interface Link {
  client: Socket
  upstream: Socket
  kind: Kind
}

/**
 * Forwards every connection to the Redis at `targetPort`. A connection is the "subscriber" once
 * it has sent SUBSCRIBE, the "main" client otherwise. `block(kind)` drops that kind's connections
 * and every new one of that kind (a blocked subscriber is dropped when it sends SUBSCRIBE);
 * `delay(ms)` holds every chunk, both ways, for `ms`; `hold()` keeps every chunk, both ways, until
 * `release()` sends them on in order (a command, or a pub/sub message, caught on its way).
 */
export class RedisProxy {
  readonly #links = new Set<Link>()
  readonly #server = createServer((client) => this.#accept(client))
  #blocked = new Set<Kind>()
  #delayMs = 0
  /** Chunks kept by hold(), in the order they came; undefined when not holding. */
  #held: Array<{ to: Socket; chunk: Buffer }> | undefined
  #stopped = false
  port = 0

  static async start(targetPort: number): Promise<RedisProxy> {
    const proxy = new RedisProxy(targetPort)
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve))
    proxy.port = (proxy.#server.address() as AddressInfo).port
    return proxy
  }

  private constructor(readonly targetPort: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  #accept(client: Socket): void {
    if (this.#stopped || (this.#blocked.has('main') && this.#blocked.has('subscriber'))) return void client.destroy()
    const upstream = new Socket()
    const link: Link = { client, upstream, kind: 'main' }
    this.#links.add(link)
    const drop = () => {
      this.#links.delete(link)
      client.destroy()
      upstream.destroy()
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
    client.on('data', (chunk: Buffer) => {
      if (link.kind === 'main' && /SUBSCRIBE/i.test(chunk.toString('latin1'))) link.kind = 'subscriber'
      if (this.#blocked.has(link.kind)) return drop()
      this.#forward(upstream, chunk)
    })
    upstream.on('data', (chunk: Buffer) => this.#forward(client, chunk))
    client.pause()
    upstream.connect(this.targetPort, '127.0.0.1', () => client.resume())
  }

  #forward(to: Socket, chunk: Buffer): void {
    if (this.#held !== undefined) this.#held.push({ to, chunk })
    else if (this.#delayMs === 0) to.write(chunk)
    else setTimeout(() => to.destroyed || to.write(chunk), this.#delayMs) // equal delays keep the order
  }

  /** Drops the connections of `kind` now, without keeping new ones out. */
  cut(kind: Kind): void {
    for (const link of this.#links) if (link.kind === kind) link.client.destroy()
  }

  block(...kinds: Kind[]): void {
    for (const kind of kinds) this.#blocked.add(kind)
    for (const link of this.#links) if (this.#blocked.has(link.kind)) link.client.destroy()
  }

  unblock(): void {
    this.#blocked.clear()
  }

  delay(ms: number): void {
    this.#delayMs = ms
  }

  hold(): void {
    this.#held ??= []
  }

  /** Whether a chunk kept by hold() carries `text`: the command or message that holds it is on its way. */
  holds(text: string): boolean {
    return this.#held?.some(({ chunk }) => chunk.toString('utf8').includes(text)) ?? false
  }

  release(): void {
    const held = this.#held ?? []
    this.#held = undefined
    for (const { to, chunk } of held) if (!to.destroyed) to.write(chunk)
  }

  connections(kind: Kind): number {
    return [...this.#links].filter((link) => link.kind === kind).length
  }

  async stop(): Promise<void> {
    this.#stopped = true
    for (const link of this.#links) link.client.destroy()
    await new Promise((resolve) => this.#server.close(resolve))
  }
}
