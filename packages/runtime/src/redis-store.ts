/**
 * One cache for many Node instances, on Redis (node-redis), behind a bounded in-memory tier.
 *
 *   <prefix>gen                  the namespace generation; invalidateAll increments it
 *   <prefix><gen>:e:<key>        one entry: the serialized envelope, expiring at ttl + staleSeconds,
 *                                opening with the number of the fetch that made it ({"n":…,): a
 *                                fetch that began earlier (its lock expired while it ran) does
 *                                not replace it
 *   <prefix><gen>:t:<tag>        the keys stored with a tag: a sorted set scored by when each
 *                                entry expires, by Redis's clock, trimmed on every write, so it
 *                                holds live keys only
 *   <prefix><gen>:d:<tag>        the keys of a tag being invalidated, deleted a batch at a time
 *   <prefix>lock:<key>           the fetch lock: one instance fetches a key at a time
 *   <prefix>fence                the latest number given to an invalidation of a key or tag, or to
 *                                a fetch as it began ("seq"), and the highest invalidation number no
 *                                longer on record ("floor")
 *   <prefix>fence:recent         the number of the latest invalidation of each key ("k:<key>") and
 *                                tag ("t:<tag>"), the last 10,000 of them: a write whose fetch began
 *                                before one of its key's or tags' is refused (see WRITE_SCRIPT)
 *   <prefix>tagtimes             when tags were revalidated, for caches that judge entries by time
 *                                (Next.js's): a hash of "<stale>,<expired>,<expires>" by tag (tag-revalidations.ts)
 *   <prefix>tagtimes:recent      the same tags scored by when they were last recorded; the newest
 *                                10,000 are kept
 *   <prefix>invalidate           the pub/sub channel that carries invalidations, tag revalidation
 *                                times and "this key was written anew" to every instance
 *
 * Writes and invalidations are Lua scripts, so each is one step: a tagged write cannot land
 * between reading a tag's keys and deleting them. A write carries the mark its fetch took before it
 * began (`writeFence`): one that an invalidation made by another instance overtook on its way is
 * refused in Redis, so the pub/sub message that tells this instance too late costs nothing.
 *
 * A tag's invalidation is one step that moves the tag's keys aside (a write after it starts a new
 * index), then short steps that each delete a batch of them, so Redis answers other clients
 * between steps instead of being held for the whole tag (a third of a second for 100,000 keys in
 * one script; see bench/RESULTS.md). Until the last step, other instances may still read entries
 * not yet deleted; the message to them goes out once every batch is gone.
 *
 * Time inside scripts is Redis's (TIME), never an instance's: an instance whose clock runs ahead
 * would otherwise trim other instances' live keys from a tag's index. Every script answers with
 * the generation it found: an instance that remembers another one (Redis lost its data to a
 * FLUSHALL, or evicted the generation key, without a reconnect) reads it again.
 *
 * Redis down, slow or restarting means slower, never down: reads fall back to the memory tier
 * and the fetcher, the first failure of an outage is reported (thrown once to the coordinator,
 * which reports it through onEvent) and the rest are quiet. An invalidation made meanwhile (or
 * cut off half way) is kept, reported, and replayed when Redis answers again, before anything is
 * read from it: by the next call, or by a timer of the store's own (backing off, never holding
 * the process open) when this instance makes none. The memory tier is emptied then, since
 * invalidations from other instances may have been missed. Redis answering with an error (a key
 * of the wrong type, say) is not an outage: it is up, and that one call failed.
 */
import { randomUUID } from 'node:crypto'
import { createClient, ErrorReply, type RedisClientType } from 'redis'
import { DEFAULT_LOCK_SECONDS } from './cache.js'
import { callSafely } from './hooks.js'
import { DEFAULT_MAX_ENTRIES } from './memory-store.js'
import { MemoryTier } from './memory-tier.js'
import { DEFAULT_MAX_ENTRY_BYTES, deserializeEntry, serializeEntry, storedLifetimeSeconds, utf8Bytes } from './serialize.js'
import { formatTagTimes, mergeTagRevalidations, parseTagTimes, readTagRevalidations, RECORD_TAG_REVALIDATIONS_SCRIPT } from './tag-revalidations.js'
import type { CacheEntry, CacheStore, Invalidation, ListedEntry, ListEntriesOptions, MemoryUsage, TagRevalidation } from './types.js'
import { batchSizeOf } from './validate.js'
import { isUncacheableValue } from './value-model.js'

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

/**
 * What instances tell each other: an invalidation, that a key was written anew ("fill"), or tag
 * revalidation times, with the generation Redis had when the script that sent it ran.
 */
type Message = { from: string; generation?: number } & (
  | Invalidation
  | { kind: 'fill'; key: string }
  | { kind: 'tag-times'; revalidations: Record<string, TagRevalidation> }
)

/** Where a fetch began (FENCE_SCRIPT); `set` gets it back. */
interface RedisWriteFence {
  readonly generation: number
  /**
   * The fetch's own number, above every invalidation recorded before it began and below every
   * one after, and above every fetch that began before it.
   */
  readonly number: number
}

function isRedisWriteFence(fence: unknown): fence is RedisWriteFence {
  const { generation, number } = (fence ?? {}) as Partial<RedisWriteFence>
  return Number.isSafeInteger(generation) && Number.isSafeInteger(number)
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

/** Invalidation records of keys and tags kept; a fetch that outlasts more than this many is not written. */
const MAX_INVALIDATION_RECORDS = 10_000

/**
 * Lua: the next number of the sequence that orders invalidations and the starts of fetches: above
 * every earlier one and above Redis's clock in microseconds, so the count goes on upwards even
 * when the records are lost (a flush, an eviction, or keys of the wrong type someone wrote there,
 * replaced).
 */
const NEXT_NUMBER = `
local function nextNumber(fence)
  if redis.call('type', fence).ok ~= 'hash' then redis.call('del', fence) end
  local clock = redis.call('time')
  local number = math.max(tonumber(clock[1]) * 1000000 + tonumber(clock[2]), (tonumber(redis.call('hget', fence, 'seq')) or 0) + 1)
  redis.call('hset', fence, 'seq', string.format('%d', number))
  return number
end`

/** Lua: Redis's clock in milliseconds; an instance's clock may be minutes off. */
const NOW_MS = `
local function nowMs()
  local clock = redis.call('time')
  return tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
end`

/** Lua: the generation in `key`, 0 when there is none (the namespace a flush leaves). */
const GENERATION = `
local function generation(key)
  return tonumber(redis.call('get', key) or '0') or 0
end`

/**
 * Lua, in the scripts that invalidate: records that member ('k:<key>' or 't:<tag>') was invalidated,
 * under the next number, and a tag's number as the latest of any tag ("tag"). Past
 * MAX_INVALIDATION_RECORDS the oldest record goes, and its number becomes the floor. Scripts
 * record last, so records that fail cannot stop an invalidation.
 */
const RECORD_INVALIDATION = `${NEXT_NUMBER}
local function recordInvalidation(fence, recent, member)
  local number = nextNumber(fence)
  if redis.call('type', recent).ok ~= 'zset' then redis.call('del', recent) end
  redis.call('zadd', recent, number, member)
  if string.sub(member, 1, 2) == 't:' then redis.call('hset', fence, 'tag', string.format('%d', number)) end
  if redis.call('zcard', recent) > ${MAX_INVALIDATION_RECORDS} then
    redis.call('hset', fence, 'floor', redis.call('zpopmin', recent)[2])
  end
end`

/** Lua: a field of the invalidation records, 0 when there is none (or the key holds something else). */
const RECORDED = `
local function recorded(kind, key, command, field)
  if redis.call('type', key).ok ~= kind then return 0 end
  return tonumber(redis.call(command, key, field)) or 0
end`

/** KEYS: gen, fence. A fetch's mark: the generation, and the fetch's number. */
const FENCE_SCRIPT = `${NEXT_NUMBER}${GENERATION}
return {generation(KEYS[1]), nextNumber(KEYS[2])}`

/**
 * Lua: puts `member` in the tag indexes KEYS[first..], scored by when its entry expires (now +
 * `lifetime` ms, by Redis's clock), and trims what has expired from them. An index of the old layout
 * (a set) is converted; a key of another type someone wrote there is replaced.
 */
const INDEX_UNDER_TAGS = `${NOW_MS}
local function indexUnderTags(first, member, lifetime)
  local now = nowMs()
  local expiresAt = now + tonumber(lifetime)
  for i = first, #KEYS do
    local kind = redis.call('type', KEYS[i]).ok
    if kind == 'set' then
      local members = redis.call('smembers', KEYS[i])
      redis.call('del', KEYS[i])
      for j = 1, #members do redis.call('zadd', KEYS[i], expiresAt, members[j]) end
    elseif kind ~= 'zset' and kind ~= 'none' then
      redis.call('del', KEYS[i])
    end
    redis.call('zadd', KEYS[i], expiresAt, member)
    redis.call('zremrangebyscore', KEYS[i], '-inf', now)
    if redis.call('pttl', KEYS[i]) < tonumber(lifetime) then redis.call('pexpire', KEYS[i], lifetime) end
  end
end`

/**
 * KEYS: entry, gen, fence, recent, tag keys. ARGV: text, lifetime ms, key, channel, message up to
 * its generation, the generation the entry is written in, the fetch's number ('' for an unmarked
 * write), '1' when the entry has more tags than these (indexed before, by INDEX_SCRIPT), these
 * tags. Writes nothing when the generation is no longer Redis's, or, for a marked write, when an
 * invalidation of the key or of one of its tags came after the fetch began (or may have: its
 * record is gone; for an entry of more tags than these, any tag's), or the entry there comes from
 * a fetch that began later. Returns {1 when written else 0, Redis's generation}.
 */
const WRITE_SCRIPT = `${RECORDED}${INDEX_UNDER_TAGS}${GENERATION}
local current = generation(KEYS[2])
if current ~= tonumber(ARGV[6]) then return {0, current} end
if ARGV[7] ~= '' then
  local since = tonumber(ARGV[7])
  if recorded('hash', KEYS[3], 'hget', 'floor') > since then return {0, current} end
  if recorded('zset', KEYS[4], 'zscore', 'k:' .. ARGV[3]) > since then return {0, current} end
  if ARGV[8] == '1' and recorded('hash', KEYS[3], 'hget', 'tag') > since then return {0, current} end
  for i = 9, #ARGV do
    if recorded('zset', KEYS[4], 'zscore', 't:' .. ARGV[i]) > since then return {0, current} end
  end
  if redis.call('type', KEYS[1]).ok == 'string' then
    local stored = tonumber(string.match(redis.call('getrange', KEYS[1], 0, 40), '^{"n":(%d+),')) or 0
    if stored > since then return {0, current} end
  end
end
redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
indexUnderTags(5, ARGV[3], ARGV[2])
redis.call('publish', ARGV[4], ARGV[5] .. current .. '}')
return {1, current}`

/**
 * Tags one step of a write indexes: an entry of more takes several steps, so Redis answers other
 * clients between them. On a busy 2-core machine a step of 1,000 tags held Redis 12 ms at the
 * median (70 at worst), one of 100 0.7 ms; one script for 100,000 held it over a second.
 */
const WRITE_TAG_BATCH = 100

/**
 * KEYS: tag keys. ARGV: key, lifetime ms. Indexes an entry under some of its tags, ahead of the
 * WRITE_SCRIPT that writes it: an invalidation of one of them from then on finds the key (and
 * deletes the entry if it has landed; if it has not, WRITE_SCRIPT sees that a tag was invalidated).
 */
const INDEX_SCRIPT = `${INDEX_UNDER_TAGS}
indexUnderTags(1, ARGV[1], ARGV[2])`

/** Entries one step of a tag's invalidation deletes: a step this short holds other clients for well under a millisecond. */
const TAG_BATCH = 100

/**
 * KEYS: gen, fence, recent. ARGV: prefix, tag. The first step of a tag's invalidation: it is
 * recorded (a write of the tag whose fetch began before is refused from now on), and the tag's
 * index moves to its doomed set (merged into what an interrupted or concurrent invalidation of
 * the tag left there, keeping the later expiry), so no key is lost and a write from now on starts
 * a new index. Returns {the generation, the namespace the doomed set is in}.
 */
const DOOM_TAG_SCRIPT = `${RECORD_INVALIDATION}${GENERATION}
local current = generation(KEYS[1])
local namespace = ARGV[1] .. current .. ':'
local tagKey = namespace .. 't:' .. ARGV[2]
local doomed = namespace .. 'd:' .. ARGV[2]
local kind = redis.call('type', tagKey).ok
if redis.call('type', doomed).ok ~= 'zset' then redis.call('del', doomed) end
if kind == 'set' then
  local members = redis.call('smembers', tagKey)
  for i = 1, #members do redis.call('zadd', doomed, 0, members[i]) end
  redis.call('del', tagKey)
elseif kind == 'zset' then
  local left = redis.call('pttl', doomed)
  if left == -2 then
    redis.call('rename', tagKey, doomed)
  else
    local ttl = redis.call('pttl', tagKey)
    redis.call('zunionstore', doomed, 2, doomed, tagKey)
    redis.call('del', tagKey)
    if left > 0 and ttl > 0 then redis.call('pexpire', doomed, math.max(left, ttl)) end
  end
elseif kind ~= 'none' then
  redis.call('del', tagKey)
end
recordInvalidation(KEYS[2], KEYS[3], 't:' .. ARGV[2])
return {current, namespace}`

/** KEYS: doomed set. ARGV: namespace, batch size. Deletes one batch of its entries; returns how many are left. */
const DELETE_DOOMED_SCRIPT = `
local last = tonumber(ARGV[2]) - 1
local members = redis.call('zrange', KEYS[1], 0, last)
if #members == 0 then return 0 end
for i = 1, #members do members[i] = ARGV[1] .. 'e:' .. members[i] end
redis.call('unlink', unpack(members))
redis.call('zremrangebyrank', KEYS[1], 0, last)
return redis.call('zcard', KEYS[1])`

/** KEYS: gen, fence, recent. ARGV: prefix, key, channel, message up to its generation. Returns the generation. */
const INVALIDATE_KEY_SCRIPT = `${RECORD_INVALIDATION}${GENERATION}
local current = generation(KEYS[1])
redis.call('del', ARGV[1] .. current .. ':e:' .. ARGV[2])
redis.call('publish', ARGV[3], ARGV[4] .. current .. '}')
recordInvalidation(KEYS[2], KEYS[3], 'k:' .. ARGV[2])
return current`

/**
 * KEYS: gen. ARGV: channel, message up to its generation. Returns the new generation: a write
 * whose fetch began under the old one is refused.
 */
const INVALIDATE_ALL_SCRIPT = `
local generation = redis.call('incr', KEYS[1])
redis.call('publish', ARGV[1], ARGV[2] .. generation .. '}')
return generation`

/**
 * KEYS: lock, gen. ARGV: token, ms. Returns {1 when taken else 0, the generation}. A lock someone
 * left without an expiry gets one, so it cannot live forever.
 */
const ACQUIRE_LOCK_SCRIPT = `${GENERATION}
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1, generation(KEYS[2])} end
if redis.call('pttl', KEYS[1]) == -1 then redis.call('pexpire', KEYS[1], ARGV[2]) end
return {0, generation(KEYS[2])}`

const RELEASE_LOCK_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`

/** A pub/sub message as sent by another instance, or undefined for anything else: never a throw. */
function parseMessage(text: string): Message | undefined {
  let message: unknown
  try {
    message = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof message !== 'object' || message === null) return undefined
  const { from, kind, key, tag, generation, revalidations } = message as Record<string, unknown>
  if (typeof from !== 'string') return undefined
  if (kind === 'tag-times') {
    const record = readTagRevalidations(revalidations)
    return record === undefined ? undefined : { from, kind, revalidations: record }
  }
  const at = Number.isSafeInteger(generation) ? { generation: generation as number } : {}
  if ((kind === 'key' || kind === 'fill') && typeof key === 'string') return { from, kind, key, ...at }
  if (kind === 'tag' && typeof tag === 'string') return { from, kind, tag, ...at }
  if (kind === 'all') return { from, kind, ...at }
  return undefined
}

/** How a kept invalidation is named in what is reported about it. */
function describeInvalidation(invalidation: Invalidation): string {
  if (invalidation.kind === 'key') return `invalidate(${JSON.stringify(invalidation.key)})`
  return invalidation.kind === 'tag' ? `invalidateTag(${JSON.stringify(invalidation.tag)})` : 'invalidateAll()'
}

export class RedisStore implements CacheStore {
  readonly kind = 'redis'
  readonly lockSeconds: number
  /** The bound of the memory tier in bytes (0 without a tier). */
  readonly maxMemoryBytes: number
  readonly #client: RedisClientType
  readonly #subscriber: RedisClientType
  readonly #ownsClient: boolean
  readonly #prefix: string
  readonly #memory: MemoryTier | undefined
  readonly #lockMs: number
  readonly #commandTimeoutMs: number
  readonly #maxEntryBytes: number
  readonly #instance = randomUUID()
  readonly #listeners = new Set<(invalidation: Invalidation) => void>()
  /** Where failures of what the store does on its own (a kept invalidation, its replay) are reported. */
  readonly #errorListeners = new Set<(error: unknown, invalidation?: Invalidation) => void>()
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
  /** Counts invalidations seen here; a read that overlapped one must not refill the memory tier. */
  #invalidations = 0
  #closed = false
  #markReady!: () => void
  readonly #ready = new Promise<void>((resolve) => (this.#markReady = resolve))
  /** Resolves at the first sync, or once connectTimeoutMs has passed without one. */
  readonly #coldStart: Promise<void>

  constructor(options: RedisStoreOptions = {}) {
    this.#commandTimeoutMs = options.commandTimeoutMs ?? 1000
    const connectTimeoutMs = options.connectTimeoutMs ?? 2000
    this.#ownsClient = options.client === undefined
    const base =
      options.client ??
      (createClient({
        url: options.url,
        disableOfflineQueue: true, // fail at once while disconnected instead of queueing requests
        socket: { connectTimeout: connectTimeoutMs, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000) },
      }) as RedisClientType)
    this.#client = base
    this.#subscriber = base.duplicate({ disableOfflineQueue: true }) as RedisClientType
    this.#prefix = options.prefix ?? 'revalidate:'
    const maxEntries = options.maxEntries ?? options.memoryEntries ?? DEFAULT_MAX_ENTRIES
    this.maxMemoryBytes = maxEntries === false || maxEntries === 0 ? 0 : (options.maxMemoryBytes ?? DEFAULT_MAX_MEMORY_BYTES)
    this.#memory = this.maxMemoryBytes === 0 ? undefined : new MemoryTier({ maxEntries: maxEntries as number, maxBytes: this.maxMemoryBytes })
    this.lockSeconds = options.lockSeconds ?? DEFAULT_LOCK_SECONDS
    this.#lockMs = Math.max(1, Math.round(this.lockSeconds * 1000))
    this.#maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES
    this.#coldStart = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, connectTimeoutMs) as { unref?: () => void }
      timer.unref?.() // never keeps a Node process alive
      void this.#ready.then(resolve)
    })
    // Without an error listener node-redis would crash the process on the first failure.
    base.on('error', (error: unknown) => this.#markDown(error))
    base.on('ready', () => void this.#resync())
    this.#subscriber.on('error', () => (this.#subscribed = false))
    this.#subscriber.on('end', () => (this.#subscribed = false))
    this.#subscriber.on('ready', () => this.#resubscribed())
    this.#connect(base)
  }

  #connect(base: RedisClientType): void {
    if (!base.isOpen) base.connect().catch((error: unknown) => this.#markDown(error))
    else if (base.isReady) void this.#resync()
    this.#subscriber
      .connect()
      .then(() => this.#subscriber.subscribe(this.#channel, (message) => this.#receive(message)))
      .then(() => {
        this.#subscribed = true
        this.#everSubscribed = true
      })
      .catch(() => (this.#subscribed = false))
  }

  get #channel(): string {
    return `${this.#prefix}invalidate`
  }

  get #generationKey(): string {
    return `${this.#prefix}gen`
  }

  #entryKey(key: string, generation = this.#generation): string {
    return `${this.#prefix}${generation}:e:${key}`
  }

  #tagKey(tag: string, generation = this.#generation): string {
    return `${this.#prefix}${generation}:t:${tag}`
  }

  /** The invalidation records (see the file's header): what a write's mark is compared with. */
  get #fenceKeys(): [fence: string, recent: string] {
    return [`${this.#prefix}fence`, `${this.#prefix}fence:recent`]
  }

  #lockKey(key: string): string {
    return `${this.#prefix}lock:${key}`
  }

  #message(body: Invalidation | { kind: 'fill'; key: string } | { kind: 'tag-times'; revalidations: Record<string, TagRevalidation> }): string {
    return JSON.stringify({ from: this.#instance, ...body } satisfies Message)
  }

  /** The message without its end, for a script to close with the generation it found: `…,"generation":` + generation + `}`. */
  #messageUpToGeneration(body: Invalidation | { kind: 'fill'; key: string }): string {
    return `${this.#message(body).slice(0, -1)},"generation":`
  }

  #markDown(error?: unknown): void {
    this.#synced = false
    this.#lastFailureAt = Date.now()
    this.#outageError ??= error
  }

  /**
   * Before a call: wait for the first connection (bounded), and for a resync when one is due, so
   * nothing is read from Redis before the generation is known and pending invalidations are applied.
   */
  async #beforeCall(): Promise<boolean> {
    if (!this.#everSynced) await this.#coldStart
    if (!this.#synced) {
      if (this.#resyncing !== undefined) await this.#resyncing
      else if (!this.#closed && this.#client.isReady && Date.now() - this.#lastFailureAt > RETRY_AFTER_FAILURE_MS) await this.#resync()
    }
    return !this.#closed && this.#synced && this.#client.isReady
  }

  /** Runs calls to Redis (each bounded by commandTimeoutMs); an outage is thrown once (to be reported) and quiet after. */
  async #attempt<T>(call: () => Promise<T>, fallback: T): Promise<T> {
    if (!(await this.#beforeCall())) return this.#outage(fallback)
    try {
      return await call()
    } catch (error) {
      if (error instanceof ErrorReply) throw error // Redis is up; this call failed: the caller reports it
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
   * EVAL, bounded by commandTimeoutMs, with its keys and arguments in one flat command:
   * node-redis's `eval()` spreads them into a function call, which overflows the stack for an
   * entry of about 100,000 tags.
   */
  #eval(script: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    return this.#withinTime(this.#client.sendCommand(['EVAL', script, String(keys.length), ...keys, ...args]))
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
      this.#memory?.clear()
    } else void this.#resync()
  }

  #report(error: unknown, invalidation?: Invalidation): void {
    for (const listener of this.#errorListeners) callSafely(() => listener(error, invalidation), () => {})
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
        generation = Number(await this.#withinTime(this.#client.get(this.#generationKey)))
      } catch (error) {
        if (!(error instanceof ErrorReply)) throw error
        this.#report(error) // a generation key someone overwrote: Redis is up; reported, and namespace 0
      }
      this.#generation = Number.isSafeInteger(generation) ? generation : 0
      if (this.#everSynced) this.#memory?.clear() // invalidations may have been missed
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
        await this.#invalidateRemote(invalidation)
      } catch (error) {
        if (!(error instanceof ErrorReply)) throw error // still down: kept for the next try
        this.#report(error, invalidation) // Redis refuses this one: reported, and the rest go on
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
    if (this.#pending.length >= MAX_PENDING_INVALIDATIONS) this.#pending = [{ kind: 'all' }]
    else this.#pending.push(invalidation)
    const cause = this.#outageError instanceof Error ? this.#outageError.message : 'it is not connected'
    this.#report(new Error(`Redis is unreachable (${cause}): ${describeInvalidation(invalidation)} is kept, and applied when Redis answers again`, { cause: this.#outageError }), invalidation)
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
    if (this.#client.isReady && (!this.#synced || this.#pending.length > 0)) await this.#resync()
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
    this.#memory?.clear()
    this.#synced = false
    void this.#resync()
    this.#notify({ kind: 'all' }) // fence fetches in flight here: they may predate a missed invalidation
    this.#subscribed = true
  }

  get(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined> {
    // While the subscription is down the memory tier may miss invalidations: read Redis, unless it is down too.
    if (this.#memory !== undefined && (this.#subscribed || !this.#synced)) {
      const local = this.#memory.get(key)
      if (local !== undefined) return local
    }
    const invalidationsBefore = this.#invalidations
    return this.#attempt(async () => {
      const text = await this.#withinTime(this.#client.get(this.#entryKey(key)))
      const entry = deserializeEntry(text, this.#maxEntryBytes + FETCH_NUMBER_BYTES)
      if (entry !== undefined && this.#subscribed && this.#invalidations === invalidationsBefore) this.#memory?.set(key, entry, utf8Bytes(text!))
      return entry
    }, undefined)
  }

  /**
   * Marks where a fetch begins among the invalidations recorded in Redis, and among the other
   * fetches (one round trip, taken by the coordinator before it calls the fetcher, never on a
   * hit). Undefined while Redis is down.
   */
  async writeFence(): Promise<RedisWriteFence | undefined> {
    return this.#attempt(async () => {
      const [generation, number] = (await this.#eval(FENCE_SCRIPT, [this.#generationKey, this.#fenceKeys[0]], [])) as [number, number]
      this.#observeGeneration(generation)
      return { generation, number }
    }, undefined)
  }

  /**
   * With `fence` (from `writeFence`), the write is refused in Redis, quietly, when an invalidation
   * of everything, of `key` or of one of the entry's tags came after it (another instance
   * invalidated while this value was on its way, and its message reaches this one too late), or
   * when the entry there was fetched by a fetch that began after this one (this one outlived its
   * lock, and another instance fetched meanwhile).
   */
  async set(key: string, entry: CacheEntry, fence?: unknown): Promise<void> {
    let text: string
    try {
      text = serializeEntry(entry, this.#maxEntryBytes, key)
    } catch (error) {
      // A value no store keeps is refused before anything is kept; one too large for Redis
      // stays in this instance's memory tier (reported) if the tier has room for more than
      // maxEntryBytes, so it is not fetched on every request.
      if (!isUncacheableValue(error)) this.#memory?.set(key, entry, this.#maxEntryBytes + 1)
      throw error
    }
    this.#memory?.set(key, entry, utf8Bytes(text))
    const lifetimeMs = String(storedLifetimeSeconds(entry) * 1000)
    const mark = isRedisWriteFence(fence) ? fence : undefined
    const written = await this.#attempt(async () => {
      // Written in the generation the fetch began in: an invalidateAll since then refuses it.
      const generation = mark?.generation ?? this.#generation
      const tags = entry.tags ?? []
      // An entry of many tags is indexed under all but the last batch first, a step at a time.
      const last = tags.length - (tags.length % WRITE_TAG_BATCH || WRITE_TAG_BATCH)
      for (let from = 0; from < last; from += WRITE_TAG_BATCH) {
        const batch = tags.slice(from, from + WRITE_TAG_BATCH).map((tag) => this.#tagKey(tag, generation))
        await this.#eval(INDEX_SCRIPT, batch, [key, lifetimeMs])
      }
      const lastTags = tags.slice(last)
      const keys = [this.#entryKey(key, generation), this.#generationKey, ...this.#fenceKeys, ...lastTags.map((tag) => this.#tagKey(tag, generation))]
      // Other instances drop their memory copy, so they read this value instead of refreshing again.
      const message = this.#messageUpToGeneration({ kind: 'fill', key })
      const stored = mark === undefined ? text : `{"n":${mark.number},${text.slice(1)}`
      const args = [stored, lifetimeMs, key, this.#channel, message, String(generation), mark === undefined ? '' : String(mark.number), last > 0 ? '1' : '', ...lastTags]
      const [done, current] = (await this.#eval(WRITE_SCRIPT, keys, args)) as [number, number]
      this.#observeGeneration(current)
      return done
    }, 1)
    // Overtaken by an invalidation: not kept here either (unless something newer took its place).
    if (written === 0 && this.#memory?.get(key) === entry) this.#memory.delete(key)
  }

  async delete(key: string): Promise<void> {
    this.#memory?.delete(key)
    await this.#invalidate({ kind: 'key', key })
  }

  async deleteTag(tag: string): Promise<void> {
    this.#memory?.deleteTag(tag)
    await this.#invalidate({ kind: 'tag', tag })
    // A read made between the invalidation's steps may have brought one of its entries back into
    // memory, and one still on its way may yet: drop those, and keep the rest from filling.
    this.#invalidations++
    this.#memory?.deleteTag(tag)
  }

  async clear(): Promise<void> {
    this.#memory?.clear()
    await this.#invalidate({ kind: 'all' })
  }

  /**
   * Applies an invalidation in Redis now, or keeps it to replay when Redis is back: the caller is
   * not failed for an outage. Redis refusing it (an error reply) is the caller's to hear.
   */
  async #invalidate(invalidation: Invalidation): Promise<void> {
    this.#invalidations++
    if (await this.#beforeCall()) {
      try {
        await this.#invalidateRemote(invalidation)
        return
      } catch (error) {
        if (error instanceof ErrorReply) throw error
        this.#markDown(error)
      }
    }
    this.#keep(invalidation)
  }

  /** Each call to Redis is bounded by commandTimeoutMs; a tag's invalidation makes several. */
  async #invalidateRemote(invalidation: Invalidation): Promise<void> {
    // Keys and tags are recorded, so a write whose fetch began before is refused; "all" moves the generation.
    const recorded = [this.#generationKey, ...this.#fenceKeys]
    if (invalidation.kind === 'key') {
      const args = [this.#prefix, invalidation.key, this.#channel, this.#messageUpToGeneration(invalidation)]
      this.#observeGeneration(await this.#eval(INVALIDATE_KEY_SCRIPT, recorded, args))
    } else if (invalidation.kind === 'tag') {
      // Interrupted (Redis gone between steps), it is replayed from the start, which picks up the doomed set where it was left.
      const [generation, namespace] = (await this.#eval(DOOM_TAG_SCRIPT, recorded, [this.#prefix, invalidation.tag])) as [number, string]
      this.#observeGeneration(generation)
      const doomed = [`${namespace}d:${invalidation.tag}`]
      for (let left = Infinity; left > 0; ) left = Number(await this.#eval(DELETE_DOOMED_SCRIPT, doomed, [namespace, String(TAG_BATCH)]))
      await this.#withinTime(this.#client.publish(this.#channel, this.#message(invalidation)))
    } else {
      this.#observeGeneration(await this.#eval(INVALIDATE_ALL_SCRIPT, [this.#generationKey], [this.#channel, this.#messageUpToGeneration(invalidation)]))
    }
  }

  /** A message published by an instance: drop what it names from memory, fence fetches here. */
  #receive(text: string): void {
    const message = parseMessage(text)
    if (message === undefined || message.from === this.#instance) return
    if (message.kind === 'tag-times') return this.#tellTagTimes(message.revalidations)
    this.#invalidations++
    if (message.kind === 'fill' || message.kind === 'key') this.#memory?.delete(message.key)
    else if (message.kind === 'tag') this.#memory?.deleteTag(message.tag)
    else this.#memory?.clear()
    this.#observeGeneration(message.generation)
    if (message.kind !== 'fill') this.#notify(message)
  }

  #notify(invalidation: Invalidation): void {
    // A listener that throws or rejects must not stop the others, nor the subscription.
    for (const listener of this.#listeners) callSafely(() => listener(invalidation), () => {})
  }

  /**
   * `onError` hears of failures of what the store does on its own: an invalidation kept while
   * Redis is unreachable (named), one Redis refused when it was replayed, a generation key it
   * cannot read.
   */
  subscribe(listener: (invalidation: Invalidation) => void, onError?: (error: unknown, invalidation?: Invalidation) => void): () => void {
    this.#listeners.add(listener)
    if (onError !== undefined) this.#errorListeners.add(onError)
    return () => {
      this.#listeners.delete(listener)
      if (onError !== undefined) this.#errorListeners.delete(onError)
    }
  }

  get #tagTimeKeys(): [times: string, recent: string] {
    return [`${this.#prefix}tagtimes`, `${this.#prefix}tagtimes:recent`]
  }

  /** Records tag revalidation times for every instance, or keeps them to record once Redis is back. */
  async recordTagRevalidations(revalidations: Record<string, TagRevalidation>): Promise<void> {
    if (await this.#beforeCall()) {
      try {
        return await this.#recordTagTimesRemote(revalidations)
      } catch (error) {
        if (error instanceof ErrorReply) throw error
        this.#markDown(error)
      }
    }
    mergeTagRevalidations(this.#pendingTagTimes, revalidations)
  }

  async #recordTagTimesRemote(revalidations: Record<string, TagRevalidation>): Promise<void> {
    const tags = Object.keys(revalidations)
    if (tags.length === 0) return
    const args = [this.#channel, this.#message({ kind: 'tag-times', revalidations }), String(Date.now())]
    for (const tag of tags) args.push(tag, ...formatTagTimes(revalidations[tag]!).split(','))
    await this.#eval(RECORD_TAG_REVALIDATIONS_SCRIPT, this.#tagTimeKeys, args)
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
        if (!(error instanceof ErrorReply)) throw error // still down: kept for the next try
        this.#report(error) // Redis refuses them: reported, and dropped
      }
      this.#pendingTagTimes.clear()
    }
    if (this.#tagTimeListeners.size > 0) this.#tellTagTimes(await this.#readTagTimes())
  }

  async #readTagTimes(): Promise<Record<string, TagRevalidation>> {
    let stored: Record<string, string> = {}
    try {
      stored = (await this.#withinTime(this.#client.hGetAll(this.#tagTimeKeys[0]))) as Record<string, string>
    } catch (error) {
      if (!(error instanceof ErrorReply)) throw error
      this.#report(error) // someone wrote another type there: Redis is up; reported, and no times
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

  /** What the memory tier holds now; for diagnostics and tests. */
  get memoryUsage(): { entries: number; bytes: number } {
    return this.#memory?.usage ?? { entries: 0, bytes: 0 }
  }

  async acquireLock(key: string): Promise<string | undefined> {
    const token = `${this.#instance}:${randomUUID()}`
    // Unreachable Redis: nobody can coordinate, so this instance fetches on its own.
    const won = await this.#attempt(async () => {
      const [taken, generation] = (await this.#eval(ACQUIRE_LOCK_SCRIPT, [this.#lockKey(key), this.#generationKey], [token, String(this.#lockMs)])) as [number, number]
      this.#observeGeneration(generation)
      return taken
    }, 1)
    return won === 1 ? token : undefined
  }

  async releaseLock(key: string, token: string): Promise<void> {
    await this.#attempt(() => this.#eval(RELEASE_LOCK_SCRIPT, [this.#lockKey(key)], [token]), 0)
  }

  /**
   * The entries of this prefix in Redis (its current generation), for the inspector: SCAN (never
   * KEYS, which holds Redis for the whole keyspace) with a MATCH on the prefix, `batchSize` keys
   * at a time, and the entries of each batch read in one pipelined round trip. An entry that has
   * expired or gone between the two steps, or cannot be read, is left out. Throws while Redis is
   * unreachable (the memory tier alone is not what the cache holds).
   */
  async *entries(options?: ListEntriesOptions): AsyncIterable<ListedEntry> {
    const batchSize = batchSizeOf(options)
    if (!(await this.#beforeCall())) throw new Error(`Redis is unreachable: the entries of "${this.#prefix}" cannot be listed`, { cause: this.#outageError })
    const namespace = this.#entryKey('')
    const match = `${namespace.replace(/[*?[\]\\]/g, '\\$&')}*`
    let cursor = '0'
    do {
      const [next, names] = (await this.#withinTime(this.#client.sendCommand(['SCAN', cursor, 'MATCH', match, 'COUNT', String(batchSize), 'TYPE', 'string']))) as [string, string[]]
      cursor = next
      const texts = await Promise.all(names.map((name) => this.#withinTime(this.#client.get(name))))
      for (const [at, text] of texts.entries()) {
        const entry = deserializeEntry(text, this.#maxEntryBytes + FETCH_NUMBER_BYTES)
        if (entry !== undefined) yield { key: names[at]!.slice(namespace.length), entry, bytes: utf8Bytes(text!) }
      }
    } while (cursor !== '0')
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
    const clients = this.#ownsClient ? [this.#subscriber, this.#client] : [this.#subscriber]
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise((resolve) => (timer = setTimeout(resolve, this.#commandTimeoutMs)))
    await Promise.race([Promise.allSettled(clients.map((client) => client.close())), late])
    clearTimeout(timer)
    for (const client of clients) if (client.isOpen) client.destroy()
  }
}

export function redisStore(options?: RedisStoreOptions): RedisStore {
  return new RedisStore(options)
}
