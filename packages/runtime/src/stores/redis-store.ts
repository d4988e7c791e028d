/**
 * One cache for many Node instances, on Redis (node-redis), one server or a Redis Cluster, behind
 * the shared memory tier (shared-store.ts). Where each key lives and the Lua that changes them:
 * redis-layout.ts; the connections: redis-link.ts; why each step is safe: docs/targets/redis.md,
 * "Redis Cluster".
 *
 *   a read          GET of the entry in the generation this instance knows (one key, one slot)
 *   a fetch begins  its fence, in one round trip: the generation, the key's record (which numbers
 *                   the fetch) and each tag's record, in parallel to their slots
 *   a write         in each tag's slot, refused if the tag was invalidated since the fence, else
 *                   indexed; then in the key's slot, refused if the key was invalidated since the
 *                   fence, the fence is older than a record lives, or a later fetch wrote; else
 *                   written and announced
 *   invalidate(k)   in k's slot: record, delete, announce; then the generation read again, and
 *                   the same done in a newer one if an invalidateAll came meanwhile
 *   invalidateTag   in the tag's slot: record, and its index moved to its doomed set; then each
 *                   doomed key recorded and deleted in its own slot, a batch at a time; announced
 *   invalidateAll   the generation incremented and announced: every name moves on
 *
 * Redis down, slow or restarting means slower, never down: reads fall back to the memory tier
 * and the fetcher, the first failure of an outage is reported (thrown once to the coordinator,
 * which reports it through onEvent) and the rest are quiet. An invalidation made meanwhile (or
 * cut off half way) is kept, reported, and replayed when Redis answers again, before anything is
 * read from it: by the next call, or by a timer of the store's own (backing off, never holding
 * the process open) when this instance makes none. The memory tier is emptied then, since
 * invalidations from other instances may have been missed. On a cluster, a failure that is not a
 * reply (a master that died) also makes a new cluster client, which finds the promoted replica.
 * Redis answering with an error (a key of the wrong type, say) is not an outage: it is up, and
 * that one call failed.
 */
import { randomUUID } from 'node:crypto'
import { ErrorReply, type RedisClusterOptions } from 'redis'
import { callSafely } from '../hooks.js'
import { describeInvalidation, invalidationOf, readInstanceMessage, repeats, type InstanceMessage } from '../invalidation.js'
import { DEFAULT_LOCK_SECONDS } from './locks.js'
import { DEFAULT_MAX_ENTRIES } from './memory-store.js'
import { deserializeEntry, storedLifetimeSeconds, utf8Bytes } from '../serialize.js'
import { SharedStore, type RemoteEntry, type WriteOutcome } from './shared-store.js'
import {
  ACQUIRE_LOCK,
  checkPrefix,
  DOOM_TAG,
  DOOMED_BATCH,
  DOOMED_DONE,
  FENCE_KEY,
  INDEX_UNDER_TAG,
  INVALIDATE_KEY,
  NEXT_GENERATION,
  RedisLayout,
  RELEASE_LOCK,
  TAG_RECORD,
  WRITE_ENTRY,
  type Script,
} from './redis-layout.js'
import { RedisLink, type AnyRedisClient, type NodeRedisClient } from './redis-link.js'
import { formatTagTimes, mergeTagRevalidations, parseTagTimes, readTagRevalidations, RECORD_TAG_REVALIDATIONS_SCRIPT } from '../tag-revalidations.js'
import type { CacheEntry, Invalidation, ListedEntry, ListEntriesOptions, TagRevalidation } from '../types.js'
import { batchSizeOf } from '../validate.js'

export interface RedisStoreOptions {
  /** One server: `redis://user:password@host:6379/0`, or `rediss://…` for TLS. Give one of `url`, `client` and `cluster`. */
  url?: string
  /**
   * A node-redis client to use (connected or not): `createClient()` for one server, `createCluster()`
   * for Redis Cluster. The store duplicates it once for its pub/sub subscription, and closes
   * neither on `close()`. A client of another library (ioredis) is a TypeError.
   */
  client?: NodeRedisClient
  /**
   * Redis Cluster: node-redis's cluster options, `rootNodes` (a few of the nodes; the rest are
   * found from them) and `defaults` for every node's connection (credentials, TLS). The store makes
   * and closes the cluster client.
   * @example redisStore({ cluster: { rootNodes: [{ url: 'redis://10.0.0.1:6379' }, { url: 'redis://10.0.0.2:6379' }], defaults: { password } } })
   */
  cluster?: RedisClusterOptions
  /**
   * Every Redis key of this cache starts with it, so several caches share one Redis. It may not
   * hold `{` or `}` (they choose a key's slot in Redis Cluster).
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
   * Bytes of serialized entries (UTF-8) the in-memory tier keeps at most; past it the least
   * recently used go, and an entry larger than this is read from Redis each time. A count alone
   * lets a few large pages take the server's memory.
   * @default 64 MiB
   */
  maxMemoryBytes?: number
  /**
   * Longest a fetch lock is held: if its holder dies, another instance fetches after this, and
   * no caller ever waits longer than this for another instance's fetch.
   * @default 30
   */
  lockSeconds?: number
  /**
   * A reply slower than this counts as Redis being down for that call: the request goes on with
   * the memory tier and the fetcher instead of waiting.
   * @default 1000
   */
  commandTimeoutMs?: number
  /**
   * How long the first calls after start-up wait for the first connection, so a new instance
   * (a serverless cold start) reads and fills the shared cache instead of going around it.
   * @default 2000
   */
  connectTimeoutMs?: number
  /** Largest entry written or read, in UTF-8 bytes. @default 8 MiB */
  maxEntryBytes?: number
}

/** What an instance publishes besides invalidations and fills (invalidation.ts): tag revalidation times. */
type TagTimesMessage = { from: string; kind: 'tag-times'; revalidations: Record<string, TagRevalidation> }

/** Where a fetch began (`writeFence`); `set` gets it back. */
interface RedisWriteFence {
  readonly generation: number
  /** The key's latest invalidation when the fetch began. */
  readonly invalidated: number
  /** The fetch's own number, from Redis TIME in the key's slot: above every fetch of the key that began before. */
  readonly number: number
  /** Each tag's latest invalidation when the fetch began. */
  readonly tags: ReadonlyMap<string, number>
}

function isRedisWriteFence(fence: unknown): fence is RedisWriteFence {
  const { generation, invalidated, number, tags } = (fence ?? {}) as Partial<RedisWriteFence>
  return Number.isSafeInteger(generation) && Number.isSafeInteger(invalidated) && Number.isSafeInteger(number) && tags instanceof Map
}

/** What the in-memory tier keeps at most, in bytes of serialized entries. */
export const DEFAULT_MAX_MEMORY_BYTES = 64 * 1024 * 1024

/** Invalidations made while Redis was unreachable; past this many, replay invalidates everything. */
const MAX_PENDING_INVALIDATIONS = 1000
/** After a failure, how long Redis is left alone before the next call tries it again. */
const RETRY_AFTER_FAILURE_MS = 1000
/** Longest wait between two tries of the store's own to replay what it kept. */
const MAX_RETRY_MS = 30_000
/** What the fetch number at the head of a stored entry adds to it, at most (`"n":<16 digits>,`). */
const FETCH_NUMBER_BYTES = 24
/** Keys one step of a tag's invalidation takes off its doomed set and deletes, each a script in its own slot, sent together. */
const BATCH = 100
/** Commands sent together for one write or fence (one per tag), so that the last answers within commandTimeoutMs. */
const WAVE = 1000

/**
 * A pub/sub message as sent by another instance, with the generation Redis had when the script
 * that sent it ran, or undefined for anything else: never a throw.
 */
function parseMessage(text: string): ((InstanceMessage & { generation?: number }) | TagTimesMessage) | undefined {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return undefined
  }
  const { from, kind, revalidations } = (data ?? {}) as Record<string, unknown>
  if (kind === 'tag-times' && typeof from === 'string') {
    const record = readTagRevalidations(revalidations)
    return record === undefined ? undefined : { from, kind, revalidations: record }
  }
  const message = readInstanceMessage(data)
  if (message === undefined) return undefined
  return { ...message, generation: Number.isSafeInteger(message.generation) ? (message.generation as number) : undefined }
}

export class RedisStore extends SharedStore {
  readonly kind = 'redis'
  readonly lockSeconds: number
  readonly #link: RedisLink
  readonly #subscriber: RedisLink
  readonly #layout: RedisLayout
  readonly #lockMs: number
  readonly #commandTimeoutMs: number
  readonly #instance = randomUUID()
  readonly #tagTimeListeners = new Set<(revalidations: Record<string, TagRevalidation>) => void>()
  /** Tag revalidation times recorded while Redis was unreachable, merged; recorded when it is back. */
  readonly #pendingTagTimes = new Map<string, TagRevalidation>()
  #generation = 0
  /** The generation has been read and every pending invalidation replayed since the last (re)connect. */
  #synced = false
  #everSynced = false
  #resyncing: Promise<void> | undefined
  /** The subscription is live: only then can the memory tier trust that it hears every invalidation. */
  #subscribed = false
  #everSubscribed = false
  #lastFailureAt = 0
  /** The error of the current outage, thrown once by the next call that meets it. */
  #outageError: unknown
  #outageReported = false
  #pending: Invalidation[] = []
  /** The store's own next try at replaying what it kept, while an instance that makes no call would never replay it. */
  #retryTimer: ReturnType<typeof setTimeout> | undefined
  #retries = 0
  /** A cluster link's new client on its way (after a failure that was not a reply): one at a time per link. */
  readonly #replacing = new Map<RedisLink, ReturnType<typeof setTimeout>>()
  #closed = false
  #markReady!: () => void
  readonly #ready = new Promise<void>((resolve) => (this.#markReady = resolve))
  /** Resolves at the first sync, or once connectTimeoutMs has passed without one. */
  readonly #coldStart: Promise<void>

  constructor(options: RedisStoreOptions = {}) {
    super('redisStore', options, { maxEntries: DEFAULT_MAX_ENTRIES, maxMemoryBytes: DEFAULT_MAX_MEMORY_BYTES })
    this.#commandTimeoutMs = options.commandTimeoutMs ?? 1000
    const connectTimeoutMs = options.connectTimeoutMs ?? 2000
    this.#layout = new RedisLayout(checkPrefix(options.prefix ?? 'revalidate:'))
    this.#link = RedisLink.fromOptions(options, { connectTimeoutMs })
    this.#subscriber = this.#link.duplicate()
    this.lockSeconds = options.lockSeconds ?? DEFAULT_LOCK_SECONDS
    this.#lockMs = Math.max(1, Math.round(this.lockSeconds * 1000))
    this.#coldStart = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, connectTimeoutMs) as { unref?: () => void }
      timer.unref?.() // never keeps a Node process alive
      void this.#ready.then(resolve)
    })
    this.#watchMain(this.#link.client)
    this.#watchSubscriber(this.#subscriber.client)
    this.#connect()
  }

  /** Without an error listener node-redis would crash the process on the first failure. */
  #watchMain(client: AnyRedisClient): void {
    // A cluster client's 'error' is about one node or one discovery; its commands say whether it is down.
    client.on('error', (error: unknown) => (this.#link.cluster ? undefined : this.#markDown(error)))
    // One server says when it is ready again; a cluster client, once it has connected (#connectMain).
    if (!this.#link.cluster) client.on('ready', () => void this.#resync())
  }

  #watchSubscriber(client: AnyRedisClient): void {
    // A client the link has replaced still ends (it is destroyed): that says nothing of the current one.
    const current = () => client === this.#subscriber.client
    client.on('error', () => current() && this.#subscriptionLost())
    client.on('end', () => current() && (this.#subscribed = false))
    if (!this.#subscriber.cluster) client.on('ready', () => this.#resubscribed())
    // A cluster client tells a node's failure as 'node-error' or 'node-disconnect', never as 'error',
    // so when the node holding its subscription dies, messages stop without a word. node-redis does
    // not say which node that is: any node failing once the subscription stands makes it anew (the
    // failures of a new client's discovery, a dead root node among them, come before it stands).
    else for (const event of ['node-error', 'node-disconnect']) client.on(event, () => current() && this.#subscribed && this.#subscriptionLost())
  }

  #connect(): void {
    this.#connectMain()
    this.#subscribe()
  }

  #connectMain(): void {
    if (!this.#link.open) {
      this.#link.connect().then(
        () => this.#link.cluster && void this.#resync(),
        (error: unknown) => this.#markDown(error),
      )
    } else if (this.#link.up) void this.#resync()
  }

  #subscribe(): void {
    const subscriber = this.#subscriber
    subscriber
      .connect()
      .then(() => subscriber.subscribe(this.#layout.channel, (message) => this.#receive(message)))
      .then(() => {
        // A cluster's subscription made anew (a failover): what was published meanwhile is lost.
        if (subscriber.cluster && this.#everSubscribed) this.#resubscribed()
        this.#subscribed = true
        this.#everSubscribed = true
      })
      .catch(() => this.#subscriptionLost())
  }

  /** One server's subscriber reconnects by itself; a cluster's is made anew (its node may be gone). */
  #subscriptionLost(): void {
    this.#subscribed = false
    this.#replaceOnCluster(this.#subscriber, (client) => {
      this.#watchSubscriber(client)
      this.#subscribe()
    })
  }

  /**
   * After a failure that was not a reply, on a cluster: a new client, which reads the slot map
   * from the root nodes again (node-redis 5 does so only on MOVED or ASK, which a dead master never
   * sends). Once the link's last connection is over (never while one is on its way), one
   * replacement at a time, RETRY_AFTER_FAILURE_MS after the failure.
   */
  #replaceOnCluster(link: RedisLink, connect: (client: AnyRedisClient) => void): void {
    if (!link.cluster || !link.settled || this.#closed || this.#replacing.has(link)) return
    const timer = setTimeout(() => {
      this.#replacing.delete(link)
      if (this.#closed) return
      link.replaceCluster().then((client) => client !== undefined && connect(client), (error: unknown) => this.#markDown(error))
    }, RETRY_AFTER_FAILURE_MS)
    ;(timer as { unref?: () => void }).unref?.()
    this.#replacing.set(link, timer)
  }

  /** A message to the other instances, with the generation it was made in (a later one than theirs is an invalidateAll they missed). */
  #message(body: Invalidation | { kind: 'fill'; key: string } | Omit<TagTimesMessage, 'from'>, generation = this.#generation): string {
    return JSON.stringify({ from: this.#instance, ...body, generation })
  }

  #markDown(error?: unknown): void {
    this.#synced = false
    this.#lastFailureAt = Date.now()
    this.#outageError ??= error
    this.#replaceOnCluster(this.#link, (client) => {
      this.#watchMain(client)
      this.#connectMain()
    })
  }

  /**
   * Before a call: wait for the first connection (bounded), and for a resync when one is due, so
   * nothing is read from Redis before the generation is known and pending invalidations are applied.
   */
  async #beforeCall(): Promise<boolean> {
    if (!this.#everSynced) await this.#coldStart
    if (!this.#synced) {
      if (this.#resyncing !== undefined) await this.#resyncing
      else if (!this.#closed && this.#link.up && Date.now() - this.#lastFailureAt > RETRY_AFTER_FAILURE_MS) await this.#resync()
    }
    return !this.#closed && this.#synced && this.#link.up
  }

  /** Runs calls to Redis (each bounded by commandTimeoutMs); an outage is thrown once (to be reported) and quiet after. */
  async #attempt<T>(call: () => Promise<T>, fallback: T): Promise<T> {
    if (!(await this.#beforeCall())) return this.#outage(fallback)
    try {
      return await call()
    } catch (error) {
      if (isReply(error)) throw error // Redis is up; this call failed: the caller reports it
      this.#markDown(error)
      return this.#outage(fallback)
    }
  }

  #outage<T>(fallback: T): T {
    if (this.#outageError === undefined || this.#outageReported || this.#closed) return fallback
    this.#outageReported = true
    throw this.#outageError
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

  /**
   * A script, bounded by commandTimeoutMs, with its keys and arguments in one flat command
   * (node-redis's `eval()` spreads them into a function call, which overflows the stack for an
   * entry of about 100,000 tags); on a cluster it goes to the node of its first key's slot, which
   * every key of a script shares. EVAL, not EVALSHA: a server that does not have a script yet
   * answers EVALSHA with NOSCRIPT, and sending it again would let a later command (a lock's
   * release, then its next acquire) run before it.
   */
  #eval(script: Script, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    return this.#withinTime(this.#link.send(keys[0], ['EVAL', script, String(keys.length), ...keys, ...args]))
  }

  /**
   * `call` for each of `items`, WAVE of them sent together and the next wave once they have
   * answered: an entry of 100,000 tags would otherwise queue replies past commandTimeoutMs.
   */
  async #inWaves<T>(items: readonly T[], call: (item: T) => Promise<unknown>): Promise<unknown[]> {
    const answers: unknown[] = []
    for (let from = 0; from < items.length; from += WAVE) answers.push(...(await Promise.all(items.slice(from, from + WAVE).map(call))))
    return answers
  }

  /** A plain command, bounded by commandTimeoutMs, routed by its key. */
  #command(key: string, args: string[]): Promise<unknown> {
    return this.#withinTime(this.#link.send(key, args))
  }

  /**
   * A script's answer said which generation Redis has. A higher one than remembered is an
   * invalidateAll whose message has not come (or was missed): taken at once. A lower one means
   * Redis lost its data (FLUSHALL, FLUSHDB, an evicted generation key) and nobody reconnected:
   * read again, or this instance would read one namespace while everyone writes another.
   */
  #observeGeneration(generation: unknown): void {
    if (typeof generation !== 'number' || !Number.isSafeInteger(generation) || generation === this.#generation) return
    if (generation > this.#generation) {
      this.#generation = generation
      this.resetMemory()
    } else void this.#resync()
  }

  #resync(): Promise<void> {
    return (this.#resyncing ??= this.#recover().finally(() => (this.#resyncing = undefined)))
  }

  /** (Re)connected: read the generation, replay what was invalidated meanwhile, and only then use Redis. */
  async #recover(): Promise<void> {
    this.#synced = false
    try {
      let generation = 0
      try {
        generation = Number(await this.#command(this.#layout.generation, ['GET', this.#layout.generation]))
      } catch (error) {
        if (!isReply(error)) throw error
        this.report(error) // a generation key someone overwrote: Redis is up; reported, and namespace 0
      }
      this.#generation = Number.isSafeInteger(generation) ? generation : 0
      if (this.#everSynced) this.resetMemory() // invalidations may have been missed
      await this.#replayPending()
      await this.#catchUpTagTimes()
      this.#synced = true
      this.#everSynced = true
      this.#outageError = undefined
      this.#outageReported = false
      this.#markReady()
    } catch (error) {
      this.#markDown(error)
    }
  }

  /** Applies the invalidations kept while Redis was away, oldest first, each once it succeeds. */
  async #replayPending(): Promise<void> {
    while (this.#pending.length > 0) {
      const invalidation = this.#pending[0]!
      try {
        await this.#applyInvalidation(invalidation)
      } catch (error) {
        if (!isReply(error)) throw error // still down: kept for the next try
        this.report(error, invalidation) // Redis refuses this one: reported, and the rest go on
      }
      this.#pending.shift()
    }
  }

  /**
   * Keeps an invalidation Redis could not take, to replay it before anything is read from Redis
   * again, and reports it: until then other instances serve what it names.
   */
  #keep(invalidation: Invalidation): void {
    if (this.#closed) return // closed by its owner: nothing will replay it, and nothing is unreachable
    // Kept already (a caller retrying during an outage): replayed once, and told once.
    if (this.#pending.some((earlier) => repeats(invalidation, earlier))) return
    if (this.#pending.length >= MAX_PENDING_INVALIDATIONS) this.#pending = [{ kind: 'all' }]
    else this.#pending.push(invalidation)
    const cause = this.#outageError instanceof Error ? this.#outageError.message : 'it is not connected'
    this.report(new Error(`Redis is unreachable (${cause}): ${describeInvalidation(invalidation)} is kept, and applied when Redis answers again`, { cause: this.#outageError }), invalidation)
    this.#outageReported = true // this outage has been told
    this.#scheduleRetry()
  }

  /** The next try at replaying what was kept, backing off; it never holds a Node process open. */
  #scheduleRetry(): void {
    if (this.#retryTimer !== undefined || this.#closed) return
    const delay = Math.min(RETRY_AFTER_FAILURE_MS * 2 ** this.#retries, MAX_RETRY_MS)
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined
      void this.#retryPending()
    }, delay)
    ;(this.#retryTimer as { unref?: () => void }).unref?.()
  }

  async #retryPending(): Promise<void> {
    if (this.#closed) return
    // Disconnected, node-redis reconnects by itself and its 'ready' resyncs; connected (Redis was paused or slow), nothing else would.
    if (this.#link.up && (!this.#synced || this.#pending.length > 0)) await this.#resync()
    if (this.#synced && this.#pending.length === 0) {
      this.#retries = 0
      return
    }
    this.#retries++
    this.#scheduleRetry()
  }

  /** The subscription is back after a drop: what was published meanwhile is lost, so start over. */
  #resubscribed(): void {
    if (!this.#everSubscribed) return // the first connection: #connect subscribes, then says so
    // node-redis subscribed again before 'ready'.
    this.#synced = false
    void this.#resync()
    this.heard({ kind: 'all' }) // fence fetches in flight here: they may predate a missed invalidation
    this.#subscribed = true
  }

  /** While the subscription is down the memory tier may miss invalidations: Redis is read, unless it is down too. */
  protected servesFromMemory(): boolean {
    return this.#subscribed || !this.#synced
  }

  protected readRemote(key: string): Promise<RemoteEntry | undefined> {
    return this.#attempt(async () => {
      const name = this.#layout.entry(key, this.#generation)
      const text = (await this.#command(name, ['GET', name])) as string | null
      const entry = deserializeEntry(text, this.maxEntryBytes + FETCH_NUMBER_BYTES)
      return entry === undefined ? undefined : { entry, bytes: utf8Bytes(text!), keep: this.#subscribed }
    }, undefined)
  }

  /**
   * Marks where a fetch of `key` with `tags` begins among the invalidations recorded in Redis, and
   * among the other fetches of `key`: the generation, the key's record (which numbers the fetch)
   * and each tag's record, asked of their slots together (one round trip, taken by the coordinator
   * before it calls the fetcher, never on a hit). Undefined while Redis is down.
   */
  async writeFence(key: string, tags: readonly string[] = []): Promise<RedisWriteFence | undefined> {
    return this.#attempt(async () => {
      const generation = this.#command(this.#layout.generation, ['GET', this.#layout.generation])
      const ofKey = this.#eval(FENCE_KEY, [this.#layout.keyRecord(key)], [])
      const ofTags = this.#inWaves(tags, (tag) => this.#eval(TAG_RECORD, [this.#layout.tagRecord(tag)], []))
      const [current, [invalidated, number], tagRecords] = (await Promise.all([generation, ofKey, ofTags])) as [string | null, [number, number], unknown[]]
      this.#observeGeneration(Number(current ?? 0))
      return { generation: Number(current ?? 0) || 0, invalidated, number, tags: new Map(tags.map((tag, i) => [tag, tagRecords[i] as number])) }
    }, undefined)
  }

  /**
   * With `fence` (from `writeFence`), the write is refused in Redis, quietly, when an invalidation
   * of `key` or of one of the entry's tags came after it (another instance invalidated while this
   * value was on its way, and its message reaches this one too late), when the fence is older than
   * Redis keeps records, or when the entry there was fetched by a fetch that began after this one
   * (this one outlived its lock, and another instance fetched meanwhile). It is written in the
   * generation the fetch began in: after an invalidateAll, nobody reads that one.
   */
  protected writeRemote(key: string, entry: CacheEntry, text: string, fence: unknown): Promise<WriteOutcome> {
    const lifetimeMs = String(storedLifetimeSeconds(entry) * 1000)
    const mark = isRedisWriteFence(fence) ? fence : undefined
    return this.#attempt<WriteOutcome>(async () => {
      const generation = mark?.generation ?? this.#generation
      const member = `${generation}:${key}`
      const tags = entry.tags ?? []
      // First in each tag's slot: an invalidation of the tag from then on finds the key.
      const indexed = await this.#inWaves(tags, (tag) => {
        const seen = mark === undefined ? 0 : (mark.tags.get(tag) ?? mark.number)
        return this.#eval(INDEX_UNDER_TAG, [this.#layout.tagRecord(tag), this.#layout.tagIndex(tag)], [mark === undefined ? '' : '1', String(seen), member, lifetimeMs])
      })
      if (indexed.includes(0)) return 'refused'
      const stored = mark === undefined ? text : `{"n":${mark.number},${text.slice(1)}`
      // Other instances drop their memory copy, so they read this value instead of refreshing again.
      const message = this.#message({ kind: 'fill', key }, generation)
      const keys = [this.#layout.keyRecord(key), this.#layout.entry(key, generation)]
      const args = [stored, lifetimeMs, mark === undefined ? '' : '1', String(mark?.invalidated ?? 0), String(mark?.number ?? 0), this.#layout.channel, message]
      return (await this.#eval(WRITE_ENTRY, keys, args)) === 1 ? 'written' : 'refused'
    }, 'unwritten')
  }

  /**
   * Applies an invalidation in Redis now, or keeps it to replay when Redis is back: the caller is
   * not failed for an outage. Redis refusing it (an error reply) is the caller's to hear.
   */
  protected async invalidateRemote(invalidation: Invalidation): Promise<void> {
    if (await this.#beforeCall()) {
      try {
        await this.#applyInvalidation(invalidation)
        return
      } catch (error) {
        if (isReply(error)) throw error
        this.#markDown(error)
      }
    }
    this.#keep(invalidation)
  }

  /** Each call to Redis is bounded by commandTimeoutMs; an invalidation makes several. */
  async #applyInvalidation(invalidation: Invalidation): Promise<void> {
    if (invalidation.kind === 'key') return this.#invalidateKey(invalidation)
    if (invalidation.kind === 'tag') return this.#invalidateTag(invalidation)
    // The script closes the message with the generation it makes.
    const args = [this.#layout.channel, `${JSON.stringify({ from: this.#instance, ...invalidation }).slice(0, -1)},"generation":`]
    this.#observeGeneration(await this.#eval(NEXT_GENERATION, [this.#layout.generation], args))
  }

  /**
   * In the key's slot: recorded (a write whose fence is older is refused from now on), deleted,
   * announced. Then the generation is read again: an invalidateAll may have come between, after
   * which a write landed in the new one before the record; that one is deleted too.
   */
  async #invalidateKey(invalidation: Extract<Invalidation, { kind: 'key' }>): Promise<void> {
    for (let generation = this.#generation; ; ) {
      const keys = [this.#layout.keyRecord(invalidation.key), this.#layout.entry(invalidation.key, generation)]
      await this.#eval(INVALIDATE_KEY, keys, [this.#layout.channel, this.#message(invalidation, generation)])
      const current = Number((await this.#command(this.#layout.generation, ['GET', this.#layout.generation])) ?? 0) || 0
      this.#observeGeneration(current)
      if (current <= generation) return
      generation = current
    }
  }

  /**
   * In the tag's slot: recorded (a write indexing under it whose fence is older is refused from
   * now on) and its index moved to its doomed set; then each doomed key is recorded and deleted in
   * its own slot, BATCH at a time, and taken off the doomed set; announced once none is left.
   * Interrupted (Redis gone between steps), it is replayed from the start, which picks up the
   * doomed set where it was left. Until the last step other instances may still read entries not
   * yet deleted; the message to them goes out once every batch is gone.
   */
  async #invalidateTag(invalidation: Extract<Invalidation, { kind: 'tag' }>): Promise<void> {
    const { tag } = invalidation
    const doomed = this.#layout.tagDoomed(tag)
    await this.#eval(DOOM_TAG, [this.#layout.tagRecord(tag), this.#layout.tagIndex(tag), doomed], [])
    for (;;) {
      const members = (await this.#eval(DOOMED_BATCH, [doomed], [String(BATCH)])) as string[]
      if (members.length === 0) break
      await Promise.all(
        members.map((member) => {
          const split = member.indexOf(':')
          const key = member.slice(split + 1)
          return this.#eval(INVALIDATE_KEY, [this.#layout.keyRecord(key), this.#layout.entry(key, Number(member.slice(0, split)))], [''])
        }),
      )
      await this.#eval(DOOMED_DONE, [doomed], members)
    }
    await this.#command(this.#layout.channel, ['PUBLISH', this.#layout.channel, this.#message(invalidation)])
  }

  /** A message published by another instance: what it names leaves memory, and fences fetches here. */
  #receive(text: string): void {
    const message = parseMessage(text)
    if (message === undefined || message.from === this.#instance) return
    if (message.kind === 'tag-times') return this.#tellTagTimes(message.revalidations)
    // A later generation than this one's is an invalidateAll it missed; an earlier one is the sender's to catch up on.
    if ((message.generation ?? 0) > this.#generation) this.#observeGeneration(message.generation)
    if (message.kind === 'fill') this.refilled(message.key)
    else this.heard(invalidationOf(message))
  }

  /** Records tag revalidation times for every instance, or keeps them to record once Redis is back. */
  async recordTagRevalidations(revalidations: Record<string, TagRevalidation>): Promise<void> {
    if (await this.#beforeCall()) {
      try {
        return await this.#recordTagTimesRemote(revalidations)
      } catch (error) {
        if (isReply(error)) throw error
        this.#markDown(error)
      }
    }
    mergeTagRevalidations(this.#pendingTagTimes, revalidations)
  }

  async #recordTagTimesRemote(revalidations: Record<string, TagRevalidation>): Promise<void> {
    const tags = Object.keys(revalidations)
    if (tags.length === 0) return
    const args = [this.#layout.channel, this.#message({ kind: 'tag-times', revalidations }), String(Date.now())]
    for (const tag of tags) args.push(tag, ...formatTagTimes(revalidations[tag]!).split(','))
    await this.#eval(RECORD_TAG_REVALIDATIONS_SCRIPT, this.#layout.tagTimes, args)
  }

  watchTagRevalidations(listener: (revalidations: Record<string, TagRevalidation>) => void): () => void {
    this.#tagTimeListeners.add(listener)
    // Already synced: this listener has not had the record yet. (Before that, the sync gives it.)
    if (this.#synced) void this.#readTagTimes().then((record) => callSafely(() => listener(record), () => {}), () => {})
    return () => this.#tagTimeListeners.delete(listener)
  }

  /** After a (re)connection: records what was kept meanwhile, then hands the whole record to listeners (messages may have been missed). */
  async #catchUpTagTimes(): Promise<void> {
    if (this.#pendingTagTimes.size > 0) {
      try {
        await this.#recordTagTimesRemote(Object.fromEntries(this.#pendingTagTimes))
      } catch (error) {
        if (!isReply(error)) throw error // still down: kept for the next try
        this.report(error) // Redis refuses them: reported, and dropped
      }
      this.#pendingTagTimes.clear()
    }
    if (this.#tagTimeListeners.size > 0) this.#tellTagTimes(await this.#readTagTimes())
  }

  async #readTagTimes(): Promise<Record<string, TagRevalidation>> {
    let stored: Record<string, string> = {}
    try {
      stored = pairs((await this.#command(this.#layout.tagTimes[0], ['HGETALL', this.#layout.tagTimes[0]])) as string[] | Record<string, string>)
    } catch (error) {
      if (!isReply(error)) throw error
      this.report(error) // someone wrote another type there: Redis is up; reported, and no times
    }
    const record: Record<string, TagRevalidation> = {}
    for (const [tag, text] of Object.entries(stored)) {
      const times = parseTagTimes(text)
      if (times !== undefined) record[tag] = times
    }
    return record
  }

  #tellTagTimes(revalidations: Record<string, TagRevalidation>): void {
    for (const listener of this.#tagTimeListeners) callSafely(() => listener(revalidations), () => {})
  }

  async acquireLock(key: string, version?: string): Promise<string | undefined> {
    // The token ends with the version whose lock it holds: its release finds that lock by it alone.
    const token = `${this.#instance}:${randomUUID()}${version === undefined ? '' : `:${version}`}`
    // Unreachable Redis: nobody can coordinate, so this instance fetches on its own.
    const won = await this.#attempt(() => this.#eval(ACQUIRE_LOCK, [this.#layout.lock(key, version)], [token, String(this.#lockMs)]), 1)
    return won === 1 ? token : undefined
  }

  async releaseLock(key: string, token: string): Promise<void> {
    await this.#attempt(() => this.#eval(RELEASE_LOCK, [this.#layout.lock(key, lockVersionOf(token))], [token]), 0)
  }

  /**
   * The entries of this prefix in Redis (its current generation), for the inspector: SCAN (never
   * KEYS, which holds Redis for the whole keyspace) with a MATCH on the layout's entry names, on
   * every node that holds keys (each master of a cluster), `batchSize` keys at a time, and the
   * entries of each batch read in one pipelined round trip. An entry that has expired or gone
   * between the two steps, or cannot be read, is left out. Throws while Redis is unreachable (the
   * memory tier alone is not what the cache holds).
   */
  override async *entries(options?: ListEntriesOptions): AsyncIterable<ListedEntry> {
    const batchSize = batchSizeOf(options)
    if (!(await this.#beforeCall())) throw new Error(`Redis is unreachable: the entries of "${this.#layout.prefix}" cannot be listed`, { cause: this.#outageError })
    const { match, keyOf } = this.#layout.entries(this.#generation)
    for (const node of await this.#withinTime(this.#link.nodes())) {
      let cursor = '0'
      do {
        const [next, names] = (await this.#withinTime(node.sendCommand(['SCAN', cursor, 'MATCH', match, 'COUNT', String(batchSize), 'TYPE', 'string']))) as [string, string[]]
        cursor = next
        const texts = await Promise.all(names.map((name) => this.#withinTime(node.get(name))))
        for (const [at, text] of texts.entries()) {
          const entry = deserializeEntry(text, this.maxEntryBytes + FETCH_NUMBER_BYTES)
          if (entry !== undefined) yield { key: keyOf(names[at]!), entry, bytes: utf8Bytes(text!) }
        }
      } while (cursor !== '0')
    }
  }

  /**
   * Resolves once Redis has answered for the first time. Nothing needs to wait for it (calls wait
   * for the first connection by themselves, up to connectTimeoutMs); it is there for start-up
   * checks and tests.
   */
  ready(): Promise<void> {
    return this.#ready
  }

  /**
   * Closes the connections this store opened. One that has not closed within commandTimeoutMs
   * (node-redis can wait forever on a subscription cut mid-resubscribe) is destroyed.
   */
  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#retryTimer)
    for (const timer of this.#replacing.values()) clearTimeout(timer)
    const links = this.#link.owned ? [this.#subscriber, this.#link] : [this.#subscriber]
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise((resolve) => (timer = setTimeout(resolve, this.#commandTimeoutMs)))
    await Promise.race([Promise.allSettled(links.map((link) => link.close())), late])
    clearTimeout(timer)
    for (const link of links) if (link.open) link.destroy()
  }
}

/**
 * Whether a failure is Redis answering with an error (it is up; that call failed) rather than an
 * outage. During a failover a cluster answers CLUSTERDOWN, or TRYAGAIN: those are outages.
 */
function isReply(error: unknown): boolean {
  return error instanceof ErrorReply && !/^(CLUSTERDOWN|TRYAGAIN|MASTERDOWN|LOADING)\b/.test(error.message)
}

/** The version a lock token of `acquireLock` was taken for: what follows its instance and its own id (two UUIDs, no colon in either). */
function lockVersionOf(token: string): string | undefined {
  const afterId = token.indexOf(':', token.indexOf(':') + 1)
  return afterId === -1 ? undefined : token.slice(afterId + 1)
}

/** HGETALL's reply, as RESP2's flat list of fields and values, or as node-redis's object. */
function pairs(reply: string[] | Record<string, string>): Record<string, string> {
  if (!Array.isArray(reply)) return reply
  const record: Record<string, string> = {}
  for (let i = 0; i + 1 < reply.length; i += 2) record[reply[i]!] = reply[i + 1]!
  return record
}

export function redisStore(options?: RedisStoreOptions): RedisStore {
  return new RedisStore(options)
}
