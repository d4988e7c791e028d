/**
 * The Redis store's connections, to one server or to a Redis Cluster, behind the few calls the
 * store makes: a command routed by its first key, a subscription, readiness, and a way back after
 * a failover.
 *
 *   redisStore({ url: 'redis://…' })                            one server, a client of our own
 *   redisStore({ cluster: { rootNodes: [{ url }], defaults } })  a cluster, a client of our own
 *   redisStore({ client: createClient(…) | createCluster(…) })   the caller's node-redis client
 *
 * A cluster client has no readiness flag and no 'ready' event: it is up once it has connected, and
 * node-redis 5 learns a new slot map only from a MOVED or ASK reply. A master that dies answers
 * nothing at all, so after a failure that is not a reply (a connection error, a timeout) the link
 * makes a new cluster client, which reads the map again from the root nodes, and lets the old go.
 */
import { createClient, createCluster, type RedisClientType, type RedisClusterOptions, type RedisClusterType } from 'redis'

export type AnyRedisClient = RedisClientType | RedisClusterType

/**
 * What `client` takes in the types: a node-redis client of either kind, with any modules, scripts,
 * RESP version and type mapping (the store sends its own commands). Which kind it is, and whether
 * it is node-redis's at all, is checked when the store is made.
 */
export interface NodeRedisClient {
  readonly isOpen: boolean
  connect(): Promise<unknown>
  sendCommand(...args: never[]): Promise<unknown>
  duplicate(...args: never[]): unknown
}

/** How the store's own clients are made. */
export interface LinkSettings {
  connectTimeoutMs: number
}

const reconnectStrategy = (retries: number) => Math.min(50 * 2 ** retries, 2000)
/** A cluster node's connection: a few quick tries, then an error (the cluster client is replaced). */
const giveUpOnNode = (retries: number, cause: Error) => (retries < 3 ? 50 * 2 ** retries : cause)

function isClusterClient(client: object): client is RedisClusterType {
  return typeof (client as { nodeClient?: unknown }).nodeClient === 'function' && 'masters' in client
}

function isSingleClient(client: object): client is RedisClientType {
  return typeof (client as { duplicate?: unknown }).duplicate === 'function' && 'isReady' in client && typeof (client as { sendCommand?: unknown }).sendCommand === 'function'
}

/** What a client that is not node-redis's is, for the error that says so. */
function describeClient(client: unknown): string {
  if (typeof client !== 'object' || client === null) return client === null ? 'null' : typeof client
  const name = (client as { constructor?: { name?: unknown } }).constructor?.name
  // ioredis clients have a status string and a `nodes()` (Cluster) or `options` (Redis).
  if (typeof (client as { status?: unknown }).status === 'string') return `an ioredis client (${String(name)})`
  return typeof name === 'string' && name !== 'Object' ? `an object of class ${name}` : 'an object that is not a node-redis client'
}

export interface LinkOptions {
  url?: string
  client?: unknown
  cluster?: RedisClusterOptions
}

/** One connection, single or cluster, as the store uses it. */
export class RedisLink {
  readonly cluster: boolean
  #owned: boolean
  #client: AnyRedisClient
  /** A cluster client has connected (it is open, for node-redis, from the moment it starts to); `false` once it failed to. */
  #connected: boolean | undefined
  /** The connect and subscribe calls on their way on the current client (a replaced client is destroyed again once they end). */
  #working = new Set<Promise<unknown>>()

  private constructor(client: AnyRedisClient, owned: boolean) {
    this.#client = client
    this.cluster = isClusterClient(client)
    this.#owned = owned
  }

  /** The link the options ask for; anything the store cannot use is a TypeError naming what to pass instead. */
  static fromOptions(options: LinkOptions, settings: LinkSettings): RedisLink {
    const given = [options.url !== undefined && 'url', options.client !== undefined && 'client', options.cluster !== undefined && 'cluster'].filter(Boolean)
    if (given.length > 1) {
      throw new TypeError(`redisStore: give one of url, client and cluster, got ${given.join(' and ')}: url or client for one server, cluster or a createCluster() client for Redis Cluster`)
    }
    const { client, cluster } = options
    if (client !== undefined) {
      if (typeof client === 'object' && client !== null && isClusterClient(client)) return new RedisLink(client, false)
      if (typeof client === 'object' && client !== null && isSingleClient(client)) return new RedisLink(client, false)
      throw new TypeError(
        `redisStore: client must be a node-redis client, createClient() for one server or createCluster() for Redis Cluster (from the "redis" package, version 5), got ${describeClient(client)}. ` +
          'Pass { url } or { cluster: { rootNodes } } instead to let the store make its own.',
      )
    }
    if (cluster !== undefined) {
      if (!Array.isArray(cluster.rootNodes) || cluster.rootNodes.length === 0) {
        throw new TypeError('redisStore: cluster.rootNodes must be a non-empty array of nodes, e.g. { cluster: { rootNodes: [{ url: "redis://10.0.0.1:6379" }] } }')
      }
      return new RedisLink(createCluster(clusterOptions(cluster, settings)) as unknown as AnyRedisClient, true)
    }
    const single = createClient({
      url: options.url,
      disableOfflineQueue: true, // fail at once while disconnected instead of queueing requests
      socket: { connectTimeout: settings.connectTimeoutMs, reconnectStrategy },
    }) as RedisClientType
    return new RedisLink(single, true)
  }

  /** Whether the store made this client, and so closes it. */
  get owned(): boolean {
    return this.#owned
  }

  get client(): AnyRedisClient {
    return this.#client
  }

  /** Connected and answering, as far as the client knows (a cluster client knows only whether it is open). */
  get up(): boolean {
    return this.cluster ? this.#connected === true && this.#client.isOpen : (this.#client as RedisClientType).isReady
  }

  /** Whether the last connection of a cluster client is over, one way or the other (a new one may be made then). */
  get settled(): boolean {
    return this.#connected !== undefined
  }

  get open(): boolean {
    return this.#client.isOpen
  }

  async connect(): Promise<void> {
    const client = this.#client
    try {
      await this.#track(client.connect() as Promise<unknown>)
      if (client === this.#client) this.#connected = true
    } catch (error) {
      if (client === this.#client) this.#connected = false
      throw error
    }
  }

  /** A command, on a cluster sent to the node of `firstKey`'s slot (any node when there is none). */
  send(firstKey: string | undefined, args: string[]): Promise<unknown> {
    if (this.cluster) return (this.#client as RedisClusterType).sendCommand(firstKey, false, args)
    return (this.#client as RedisClientType).sendCommand(args)
  }

  /** A client per node that holds keys (a cluster's masters; the one server), for what reads a node's own keyspace (SCAN). */
  nodes(): Promise<RedisClientType[]> {
    if (!this.cluster) return Promise.resolve([this.#client as RedisClientType])
    const cluster = this.#client as RedisClusterType
    return Promise.all(cluster.masters.map((master) => cluster.nodeClient(master))) as Promise<RedisClientType[]>
  }

  /** A client of the same kind and settings for the subscription (its own connection). */
  duplicate(): RedisLink {
    const copy = this.cluster ? (this.#client as RedisClusterType).duplicate() : (this.#client as RedisClientType).duplicate({ disableOfflineQueue: true })
    return new RedisLink(copy as AnyRedisClient, true)
  }

  /**
   * A cluster after a failure that was not a reply: a new client reads the slot map from the root
   * nodes again, and this link goes on with it. The old client is closed if it was ours, and left
   * alone if it was the caller's (it may still be theirs to use).
   */
  async replaceCluster(): Promise<AnyRedisClient | undefined> {
    if (!this.cluster) return undefined
    const old = this.#client as RedisClusterType
    const fresh = old.duplicate()
    const working = [...this.#working]
    this.#client = fresh as AnyRedisClient
    this.#connected = undefined
    this.#working = new Set()
    if (this.#owned) {
      destroyQuietly(old)
      // A connection or subscription still on its way when the client was destroyed opens after it
      // (node-redis finishes it): destroyed again once it ends, so no replaced client stays open.
      if (working.length > 0) void Promise.allSettled(working).then(() => destroyQuietly(old))
    }
    this.#owned = true
    return fresh as AnyRedisClient
  }

  subscribe(channel: string, listener: (message: string) => void): Promise<void> {
    return this.#track(this.#client.subscribe(channel, listener))
  }

  /** Notes `work` on the current client until it ends. */
  #track<T>(work: Promise<T>): Promise<T> {
    const working = this.#working
    working.add(work)
    void work.then(
      () => working.delete(work),
      () => working.delete(work),
    )
    return work
  }

  close(): Promise<void> {
    return this.#client.close()
  }

  destroy(): void {
    this.#client.destroy()
  }
}

/** The caller's cluster options, with the store's defaults for what they leave out (timeouts, no offline queue). */
function clusterOptions(cluster: RedisClusterOptions, settings: LinkSettings): RedisClusterOptions {
  const defaults = cluster.defaults ?? {}
  return {
    ...cluster,
    defaults: {
      disableOfflineQueue: true,
      ...defaults,
      // A node that does not come back soon is given up (its slots move to a replica), and the store
      // makes a new cluster client; retrying it for ever would also hang the discovery of a new
      // client at a root node that died.
      socket: { connectTimeout: settings.connectTimeoutMs, reconnectStrategy: giveUpOnNode, ...(defaults.socket ?? {}) } as NonNullable<typeof defaults.socket>,
    },
  }
}

function destroyQuietly(client: RedisClusterType): void {
  try {
    client.destroy()
  } catch {
    // Closed already (node-redis throws for a second close): nothing left to let go.
  }
}
