/**
 * Where the Redis store keeps what, and the Lua that changes it: one layout for one server and for
 * Redis Cluster. Every key a script touches is declared in KEYS and shares one hash slot (the text
 * between `{` and `}`), so no script reaches into another slot, and no key name is built inside a
 * script. docs/targets/redis.md, "Redis Cluster", says why each key lives where it does and what
 * each step guarantees.
 *
 *   <prefix>{k:<key>}:<gen>:e    the entry of <key> in generation <gen>: the serialized envelope,
 *                                opening with the number of the fetch that made it ({"n":…,)
 *   <prefix>{k:<key>}:lock       the fetch lock of <key>
 *   <prefix>{k:<key>}:rec        <key>'s record: "inv", its latest invalidation, and "fetch", the
 *                                number of its latest fetch; both from Redis TIME in microseconds,
 *                                maxed with the previous + 1 so they only grow; expires after
 *                                RECORD_LIFETIME_MS without a change
 *   <prefix>{t:<tag>}:idx        the entries stored with <tag>: "<gen>:<key>" scored by when each
 *                                entry expires (Redis TIME, ms), trimmed on every write
 *   <prefix>{t:<tag>}:doomed     the entries of <tag> an invalidation is deleting, a batch at a time
 *   <prefix>{t:<tag>}:rec        <tag>'s record: "inv", its latest invalidation, as for a key
 *   <prefix>{g}:gen              the namespace generation; invalidateAll increments it
 *   <prefix>{tagtimes}:times     when tags were revalidated, for Next.js (tag-revalidations.ts)
 *   <prefix>{tagtimes}:recent    the same tags scored by when they were last recorded
 *   <prefix>invalidate           the pub/sub channel (classic PUBLISH reaches every node's subscribers)
 *
 * A key holding `}` keeps all of its own keys in one slot all the same: its hash tag is the text up
 * to that `}`, the same in each of them. The prefix may hold neither brace (checked when the store
 * is made): it would move every hash tag.
 */
/**
 * How long an invalidation record is kept after its last change, and so the oldest fence a write
 * may carry: a fetch that took longer writes nothing (its invalidations may have been forgotten).
 * Well beyond any fetch: a lock lives 30 s by default.
 */
export const RECORD_LIFETIME_MS = 60 * 60 * 1000

export function checkPrefix(prefix: unknown): string {
  if (typeof prefix === 'string' && !prefix.includes('{') && !prefix.includes('}')) return prefix
  throw new TypeError(
    `redisStore: prefix must be a string without "{" or "}", got ${JSON.stringify(prefix)}: braces mark a key's hash slot in Redis Cluster, and the store places its keys by them`,
  )
}

/** The names of one store's keys. */
export class RedisLayout {
  readonly #prefix: string
  constructor(prefix: string) {
    this.#prefix = prefix
  }
  get prefix(): string {
    return this.#prefix
  }
  entry(key: string, generation: number): string {
    return `${this.#prefix}{k:${key}}:${generation}:e`
  }
  /**
   * A SCAN pattern of every entry of `generation`, and the key of a name it matches: the prefix's
   * glob characters escaped, the key the part between `{k:` and `}:<gen>:e`.
   */
  entries(generation: number): { match: string; keyOf(name: string): string } {
    const head = `${this.#prefix}{k:`
    const tail = `}:${generation}:e`
    return { match: `${head.replace(/[*?[\]\\]/g, '\\$&')}*${tail}`, keyOf: (name) => name.slice(head.length, name.length - tail.length) }
  }
  /** One fetch lock per key and version: a deploy's new code never waits for the old code's fetch. */
  lock(key: string, version: string | undefined): string {
    return version === undefined ? `${this.#prefix}{k:${key}}:lock` : `${this.#prefix}{k:${key}}:lock:${version}`
  }
  keyRecord(key: string): string {
    return `${this.#prefix}{k:${key}}:rec`
  }
  tagIndex(tag: string): string {
    return `${this.#prefix}{t:${tag}}:idx`
  }
  tagDoomed(tag: string): string {
    return `${this.#prefix}{t:${tag}}:doomed`
  }
  tagRecord(tag: string): string {
    return `${this.#prefix}{t:${tag}}:rec`
  }
  get generation(): string {
    return `${this.#prefix}{g}:gen`
  }
  get tagTimes(): [times: string, recent: string] {
    return [`${this.#prefix}{tagtimes}:times`, `${this.#prefix}{tagtimes}:recent`]
  }
  get channel(): string {
    return `${this.#prefix}invalidate`
  }
}

/** A Lua script: every key it touches in KEYS, all of them in one hash slot. */
export type Script = string

/** Lua: Redis's clock in microseconds and in milliseconds (an instance's clock may be minutes off). */
const CLOCK = `
local function nowMicros()
  local clock = redis.call('time')
  return tonumber(clock[1]) * 1000000 + tonumber(clock[2])
end
local function nowMs()
  return math.floor(nowMicros() / 1000)
end`

/** Lua: a record's field, 0 when there is none; a key of another type someone wrote there reads as none. */
const RECORDED = `
local function recorded(key, field)
  if redis.call('type', key).ok ~= 'hash' then return 0 end
  return tonumber(redis.call('hget', key, field)) or 0
end`

/** Lua: moves a record's field past Redis's clock and its previous value, and keeps the record RECORD_LIFETIME_MS more. */
const BUMP = `${CLOCK}${RECORDED}
local function bump(key, field)
  local number = math.max(nowMicros(), recorded(key, field) + 1)
  if redis.call('type', key).ok ~= 'hash' then redis.call('del', key) end
  redis.call('hset', key, field, string.format('%d', number))
  redis.call('pexpire', key, ${RECORD_LIFETIME_MS})
  return number
end`

/** KEYS: the key's record. The start of a fetch: {the key's latest invalidation, the fetch's number}. */
export const FENCE_KEY = `${BUMP}
return {recorded(KEYS[1], 'inv'), bump(KEYS[1], 'fetch')}`

/** KEYS: a tag's record. Its latest invalidation, 0 for none. */
export const TAG_RECORD = `${RECORDED}
return recorded(KEYS[1], 'inv')`

/**
 * KEYS: the tag's record, its index. ARGV: '1' for a fenced write, the tag's record as the fence
 * saw it, the member ("<gen>:<key>"), the entry's lifetime in ms. The first step of a write, in each
 * tag's slot: refused (0) when the tag was invalidated after the fence; otherwise the entry is
 * indexed under the tag, and what has expired is trimmed (1). For a tag the fence did not see (its
 * fetcher named it late, `keepFor`), the fetch's own number stands for the tag's record: Redis TIME
 * of the key's node against that of the tag's, exact on one server, as close as the nodes' clocks
 * on a cluster (NTP keeps them within a millisecond or so in one data centre; the instance's own
 * fence, told by pub/sub, covers the rest unless its message comes after the write).
 */
export const INDEX_UNDER_TAG = `${CLOCK}${RECORDED}
if ARGV[1] == '1' and recorded(KEYS[1], 'inv') > tonumber(ARGV[2]) then return 0 end
local now = nowMs()
local lifetime = tonumber(ARGV[4])
if redis.call('type', KEYS[2]).ok ~= 'zset' then redis.call('del', KEYS[2]) end
redis.call('zadd', KEYS[2], now + lifetime, ARGV[3])
redis.call('zremrangebyscore', KEYS[2], '-inf', now)
if redis.call('pttl', KEYS[2]) < lifetime then redis.call('pexpire', KEYS[2], lifetime) end
return 1`

/**
 * KEYS: the key's record, its entry. ARGV: the text, its lifetime in ms, '1' for a fenced write,
 * the key's record as the fence saw it, the fetch's number, the channel, the message. The last
 * step of a write, in the key's slot: refused (0) when the key was invalidated after the fence,
 * when the fence is older than a record lives, or when the entry there comes from a fetch that
 * began later (this one outlived its lock); otherwise written and announced (1).
 */
export const WRITE_ENTRY = `${CLOCK}${RECORDED}
if ARGV[3] == '1' then
  local number = tonumber(ARGV[5])
  if nowMicros() - number > ${RECORD_LIFETIME_MS * 1000} then return 0 end
  if recorded(KEYS[1], 'inv') > tonumber(ARGV[4]) then return 0 end
  if redis.call('type', KEYS[2]).ok == 'string' then
    local stored = tonumber(string.match(redis.call('getrange', KEYS[2], 0, 40), '^{"n":(%d+),')) or 0
    if stored > number then return 0 end
  end
end
redis.call('set', KEYS[2], ARGV[1], 'PX', ARGV[2])
redis.call('publish', ARGV[6], ARGV[7])
return 1`

/**
 * KEYS: the key's record, its entry. ARGV: the channel and message ('' for none). A key's
 * invalidation, in its slot: recorded (a write whose fence is older is refused from now on), then
 * the entry deleted.
 */
export const INVALIDATE_KEY = `${BUMP}
bump(KEYS[1], 'inv')
redis.call('del', KEYS[2])
if ARGV[1] ~= '' then redis.call('publish', ARGV[1], ARGV[2]) end
return 1`

/**
 * KEYS: the tag's record, its index, its doomed set. The first step of a tag's invalidation, in the
 * tag's slot: recorded (a write indexing under it whose fence is older is refused from now on), and
 * the index moved into the doomed set (merged with what an interrupted or concurrent invalidation
 * left there, keeping the later expiry), so a write from now on starts a new index. Returns how many
 * entries are doomed.
 */
export const DOOM_TAG = `${BUMP}
bump(KEYS[1], 'inv')
if redis.call('type', KEYS[3]).ok ~= 'zset' then redis.call('del', KEYS[3]) end
local kind = redis.call('type', KEYS[2]).ok
if kind == 'zset' then
  local left = redis.call('pttl', KEYS[3])
  if left == -2 then
    redis.call('rename', KEYS[2], KEYS[3])
  else
    local ttl = redis.call('pttl', KEYS[2])
    redis.call('zunionstore', KEYS[3], 2, KEYS[3], KEYS[2], 'aggregate', 'max')
    redis.call('del', KEYS[2])
    if left > 0 and ttl > 0 then redis.call('pexpire', KEYS[3], math.max(left, ttl)) end
  end
elseif kind ~= 'none' then
  redis.call('del', KEYS[2])
end
return redis.call('zcard', KEYS[3])`

/** KEYS: a doomed set. ARGV: how many. The next batch of its members ("<gen>:<key>"). */
export const DOOMED_BATCH = `
if redis.call('type', KEYS[1]).ok ~= 'zset' then return {} end
return redis.call('zrange', KEYS[1], 0, tonumber(ARGV[1]) - 1)`

/** KEYS: a doomed set. ARGV: members. Those members are done. */
export const DOOMED_DONE = `
if redis.call('type', KEYS[1]).ok ~= 'zset' then return 0 end
return redis.call('zrem', KEYS[1], unpack(ARGV))`

/** KEYS: the generation. ARGV: channel, message up to its generation. invalidateAll: the next generation, announced. */
export const NEXT_GENERATION = `
local generation = redis.call('incr', KEYS[1])
redis.call('publish', ARGV[1], ARGV[2] .. generation .. '}')
return generation`

/** KEYS: lock. ARGV: token, ms. 1 when taken. A lock someone left without an expiry gets one, so it cannot live forever. */
export const ACQUIRE_LOCK = `
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('pttl', KEYS[1]) == -1 then redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0`

/** KEYS: lock. ARGV: token. Releases the lock only if this token still holds it. */
export const RELEASE_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`
