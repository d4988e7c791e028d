/**
 * One cache for many Node instances, on Redis (node-redis), behind a bounded in-memory tier.
 *
 *   <prefix>gen                  the namespace generation; invalidateAll increments it
 *   <prefix><gen>:e:<key>        one entry: the serialized envelope, expiring at ttl + staleSeconds
 *   <prefix><gen>:t:<tag>        the keys stored with a tag (a set)
 *   <prefix>lock:<key>           the refresh lock: one instance fetches a key at a time
 *   <prefix>invalidate           the pub/sub channel that carries invalidations (and "this key was
 *                                written anew") to every instance's memory tier
 *
 * Redis down, slow or restarting means slower, never down: reads fall back to the memory tier
 * and the fetcher, the first failure of an outage is reported (thrown once to the coordinator,
 * which reports it through onEvent) and the rest are quiet, invalidations made meanwhile are
 * replayed when Redis is back, and the memory tier is emptied then, since invalidations from
 * other instances may have been missed.
 */
import { randomUUID } from 'node:crypto'
import { createClient, ErrorReply, type RedisClientType } from 'redis'
import { DEFAULT_LOCK_SECONDS } from './cache.js'
import { DEFAULT_MAX_ENTRIES, MemoryStore } from './memory-store.js'
import { DEFAULT_MAX_ENTRY_BYTES, deserializeEntry, serializeEntry, storedLifetimeSeconds } from './serialize.js'
import type { CacheEntry, CacheStore, Invalidation } from './types.js'

export interface RedisStoreOptions {
  /** `redis://user:password@host:6379/0` or `rediss://…` for TLS. Ignored when `client` is given. */
  url?: string
  /**
   * A node-redis client to use instead of `url` (connected or not). The store duplicates it once
   * for its pub/sub subscription, and closes neither on `close()`.
   */
  client?: RedisClientType
  /**
   * Every Redis key of this cache starts with it, so several caches share one Redis.
   * @default 'revalidate:'
   */
  prefix?: string
  /**
   * Entries of the in-memory tier in front of Redis: a hot key costs no round trip. `false` or
   * `0` turns it off (every read goes to Redis).
   * @default 1000
   */
  maxEntries?: number | false
  /** @deprecated Renamed `maxEntries` (one name for one setting); still read when `maxEntries` is not given. */
  memoryEntries?: number | false
  /**
   * Longest a refresh lock is held: if its holder dies, another instance refreshes after this.
   * @default 30
   */
  lockSeconds?: number
  /**
   * A reply slower than this counts as Redis being down for that call: the request goes on with
   * the memory tier and the fetcher instead of waiting.
   * @default 1000
   */
  commandTimeoutMs?: number
  /** @default 8 MiB */
  maxEntryBytes?: number
}

/** What instances tell each other: an invalidation, or that a key was written anew ("fill"). */
type Message = { from: string } & (Invalidation | { kind: 'fill'; key: string }) & { generation?: number }

/** Invalidations made while Redis was unreachable; past this many, replay invalidates everything. */
const MAX_PENDING_INVALIDATIONS = 1000
/** After a failure, how long Redis is left alone before the next call tries it again. */
const RETRY_AFTER_FAILURE_MS = 1000

const RELEASE_LOCK_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`

export class RedisStore implements CacheStore {
  readonly #client: RedisClientType
  readonly #subscriber: RedisClientType
  readonly #ownsClient: boolean
  readonly #prefix: string
  readonly #memory: MemoryStore | undefined
  readonly #lockMs: number
  readonly lockSeconds: number
  readonly #commandTimeoutMs: number
  readonly #maxEntryBytes: number
  readonly #instance = randomUUID()
  readonly #listeners = new Set<(invalidation: Invalidation) => void>()
  #generation = 0
  #healthy = false
  #outageReported = false
  #lastFailureAt = 0
  /** The connection error of the current outage, reported once by the next call that meets it. */
  #outageError: unknown
  #readyOnce = false
  #pending: Invalidation[] = []
  #replaying = false
  /** Counts invalidations seen here; a read that overlapped one must not refill the memory tier. */
  #invalidations = 0
  #closed = false
  #markReady!: () => void
  readonly #ready = new Promise<void>((resolve) => (this.#markReady = resolve))

  constructor(options: RedisStoreOptions = {}) {
    this.#commandTimeoutMs = options.commandTimeoutMs ?? 1000
    this.#ownsClient = options.client === undefined
    const base =
      options.client ??
      (createClient({
        url: options.url,
        disableOfflineQueue: true, // fail at once while disconnected instead of queueing requests
        socket: { connectTimeout: 2000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000) },
      }) as RedisClientType)
    this.#client = base
    this.#subscriber = base.duplicate({ disableOfflineQueue: true }) as RedisClientType
    this.#prefix = options.prefix ?? 'revalidate:'
    const maxEntries = options.maxEntries ?? options.memoryEntries ?? DEFAULT_MAX_ENTRIES
    this.#memory = maxEntries === false || maxEntries === 0 ? undefined : new MemoryStore({ maxEntries })
    this.lockSeconds = options.lockSeconds ?? DEFAULT_LOCK_SECONDS
    this.#lockMs = this.lockSeconds * 1000
    this.#maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES
    // Without an error listener node-redis would crash the process on the first failure.
    base.on('error', (error: unknown) => this.#markDown(error))
    this.#subscriber.on('error', (error: unknown) => this.#markDown(error))
    base.on('ready', () => void this.#recover())
    this.#subscriber.on('ready', () => this.#memory?.clear())
    this.#connect(base)
  }

  #connect(base: RedisClientType): void {
    if (!base.isOpen) base.connect().catch((error: unknown) => this.#markDown(error))
    else if (base.isReady) void this.#recover()
    this.#subscriber
      .connect()
      .then(() => this.#subscriber.subscribe(this.#channel, (message) => this.#receive(message)))
      .catch((error: unknown) => this.#markDown(error))
  }

  get #channel(): string {
    return `${this.#prefix}invalidate`
  }

  #entryKey(key: string): string {
    return `${this.#prefix}${this.#generation}:e:${key}`
  }

  #tagKey(tag: string): string {
    return `${this.#prefix}${this.#generation}:t:${tag}`
  }

  #lockKey(key: string): string {
    return `${this.#prefix}lock:${key}`
  }

  /** Whether to try Redis now: connected, and not within the pause after a failure. */
  #usable(): boolean {
    return !this.#closed && this.#client.isReady && (this.#healthy || Date.now() - this.#lastFailureAt > RETRY_AFTER_FAILURE_MS)
  }

  #markDown(error?: unknown): void {
    this.#healthy = false
    this.#lastFailureAt = Date.now()
    this.#outageError ??= error
  }

  /** Runs a Redis call; a failure is thrown once per outage (to be reported) and quiet after. */
  async #attempt<T>(call: () => Promise<T>, fallback: T): Promise<T> {
    if (!this.#usable()) {
      if (this.#outageError === undefined || this.#outageReported || this.#closed) return fallback
      this.#outageReported = true
      throw this.#outageError
    }
    try {
      const result = await this.#withinTime(call())
      this.#healthy = true
      this.#outageReported = false
      this.#outageError = undefined
      // Back after a failure that was not a reconnect: what was kept for replay goes out now.
      if (this.#pending.length > 0) this.#replayPending().catch((error: unknown) => this.#markDown(error))
      return result
    } catch (error) {
      // Redis answered with an error (a key of the wrong type, say): it is up, the call failed.
      if (error instanceof ErrorReply) throw error
      this.#markDown(error)
      if (this.#outageReported || this.#closed) return fallback
      this.#outageReported = true
      throw error
    }
  }

  /**
   * A reply that does not come within commandTimeoutMs counts as a failure. node-redis's own
   * command timeout stops only commands not yet sent, not one whose reply is slow to come.
   */
  #withinTime<T>(work: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${this.#commandTimeoutMs} ms`)), this.#commandTimeoutMs)
    })
    return Promise.race([work, late]).finally(() => clearTimeout(timer))
  }

  /** Back after an outage: read the generation, replay what was invalidated meanwhile. */
  async #recover(): Promise<void> {
    try {
      const generation = Number(await this.#client.get(`${this.#prefix}gen`))
      this.#generation = Number.isSafeInteger(generation) ? generation : 0
      if (this.#readyOnce) this.#memory?.clear() // invalidations may have been missed
      this.#readyOnce = true
      this.#healthy = true
      this.#outageReported = false
      this.#outageError = undefined
      await this.#replayPending()
      this.#markReady()
    } catch (error) {
      this.#markDown(error)
    }
  }

  /** Applies the invalidations kept while Redis was away, oldest first, each once it succeeds. */
  async #replayPending(): Promise<void> {
    if (this.#replaying) return
    this.#replaying = true
    try {
      while (this.#pending.length > 0) {
        await this.#withinTime(this.#invalidateRemote(this.#pending[0]!))
        this.#pending.shift() // only once applied: a failure leaves it for the next try
      }
    } finally {
      this.#replaying = false
    }
  }

  get(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined> {
    const local = this.#memory?.get(key)
    if (local !== undefined) return local
    const invalidationsBefore = this.#invalidations
    return this.#attempt(async () => {
      const entry = deserializeEntry(await this.#client.get(this.#entryKey(key)), this.#maxEntryBytes)
      if (entry !== undefined && this.#invalidations === invalidationsBefore) this.#memory?.set(key, entry)
      return entry
    }, undefined)
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    this.#memory?.set(key, entry)
    const text = serializeEntry(entry, this.#maxEntryBytes)
    const lifetime = storedLifetimeSeconds(entry)
    await this.#attempt(async () => {
      const transaction = this.#client.multi().set(this.#entryKey(key), text, { EX: lifetime })
      for (const tag of entry.tags ?? []) {
        transaction.sAdd(this.#tagKey(tag), key).expire(this.#tagKey(tag), lifetime, 'GT').expire(this.#tagKey(tag), lifetime, 'NX')
      }
      // Other instances drop their memory copy, so they read this value instead of refreshing again.
      transaction.publish(this.#channel, JSON.stringify({ from: this.#instance, kind: 'fill', key } satisfies Message))
      await transaction.exec()
    }, undefined)
  }

  async delete(key: string): Promise<void> {
    this.#memory?.delete(key)
    await this.#invalidate({ kind: 'key', key })
  }

  async deleteTag(tag: string): Promise<void> {
    this.#memory?.deleteTag(tag)
    await this.#invalidate({ kind: 'tag', tag })
  }

  async clear(): Promise<void> {
    this.#memory?.clear()
    await this.#invalidate({ kind: 'all' })
  }

  /**
   * Applies an invalidation in Redis now, or keeps it to replay when Redis is back: the caller is
   * not failed for an outage, and the outage is reported by the next read or write that meets it.
   */
  async #invalidate(invalidation: Invalidation): Promise<void> {
    this.#invalidations++
    if (this.#usable()) {
      try {
        await this.#withinTime(this.#invalidateRemote(invalidation))
        return
      } catch (error) {
        this.#markDown(error)
      }
    }
    this.#keepForReplay(invalidation)
  }

  #keepForReplay(invalidation: Invalidation): void {
    if (this.#pending.length >= MAX_PENDING_INVALIDATIONS) this.#pending = [{ kind: 'all' }]
    else this.#pending.push(invalidation)
  }

  async #invalidateRemote(invalidation: Invalidation): Promise<void> {
    const message: Message = { from: this.#instance, ...invalidation }
    if (invalidation.kind === 'key') await this.#client.del(this.#entryKey(invalidation.key))
    if (invalidation.kind === 'tag') {
      const keys = await this.#client.sMembers(this.#tagKey(invalidation.tag))
      await this.#client.del([this.#tagKey(invalidation.tag), ...keys.map((key) => this.#entryKey(key))])
    }
    if (invalidation.kind === 'all') {
      this.#generation = await this.#client.incr(`${this.#prefix}gen`)
      message.generation = this.#generation
    }
    await this.#client.publish(this.#channel, JSON.stringify(message))
  }

  /** An invalidation published by another instance: drop it from memory, fence fetches here. */
  #receive(text: string): void {
    let message: Message
    try {
      message = JSON.parse(text) as Message
    } catch {
      return
    }
    if (message.from === this.#instance) return
    this.#invalidations++
    if (message.kind === 'fill') {
      if (typeof message.key === 'string') this.#memory?.delete(message.key)
      return
    }
    if (message.kind === 'key' && typeof message.key === 'string') this.#memory?.delete(message.key)
    else if (message.kind === 'tag' && typeof message.tag === 'string') this.#memory?.deleteTag(message.tag)
    else if (message.kind === 'all') {
      this.#memory?.clear()
      if (Number.isSafeInteger(message.generation)) this.#generation = Math.max(this.#generation, message.generation!)
    } else return
    for (const listener of this.#listeners) listener(message)
  }

  subscribe(listener: (invalidation: Invalidation) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  async acquireLock(key: string): Promise<string | undefined> {
    const token = `${this.#instance}:${randomUUID()}`
    // Unreachable Redis: nobody can coordinate, so this instance fetches on its own.
    const reply = await this.#attempt(() => this.#client.set(this.#lockKey(key), token, { NX: true, PX: this.#lockMs }), 'OK' as const)
    return reply === 'OK' ? token : undefined
  }

  async releaseLock(key: string, token: string): Promise<void> {
    await this.#attempt(() => this.#client.eval(RELEASE_LOCK_SCRIPT, { keys: [this.#lockKey(key)], arguments: [token] }), 0)
  }

  /**
   * Resolves once Redis has answered for the first time. Nothing needs to wait for it (the store
   * serves from memory and the fetcher until then); it is there for start-up checks and tests.
   */
  ready(): Promise<void> {
    return this.#ready
  }

  /** Closes the connections this store opened. */
  async close(): Promise<void> {
    this.#closed = true
    const closing = [this.#subscriber.close()]
    if (this.#ownsClient) closing.push(this.#client.close())
    await Promise.allSettled(closing)
  }
}

export function redisStore(options?: RedisStoreOptions): RedisStore {
  return new RedisStore(options)
}
