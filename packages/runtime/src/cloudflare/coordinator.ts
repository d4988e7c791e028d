/**
 * `RevalidateCoordinator`: a Durable Object that makes invalidation reach every location and lets
 * one location fetch a key at a time, for the Cloudflare store (`cloudflareStore({ coordinator })`).
 *
 *   invalidations (SQLite)   kind, name -> when it was last invalidated, and a sequence number:
 *                            isolates fetch "everything since n" at most once per syncSeconds, and
 *                            ask about entries written before they started listening
 *   leases (SQLite)          key -> the one fetch running for it anywhere; others wait for its
 *                            value instead of fetching too; an alarm ends leases nobody released
 *
 * Keys and tags must be well-formed Unicode: SQLite keeps text as UTF-8, where a lone surrogate
 * would become U+FFFD and name another key. A call naming one is refused with a TypeError (the RPC
 * caller receives it) before anything is stored.
 *
 * Its clock only moves forward (at least a microsecond per event, across restarts: the last lease
 * time is kept in `meta` and invalidation times in their table), so a lease
 * taken before an invalidation is always older than it: a fetch that began before an
 * invalidation never counts as fresh after it, in any location. Invalidation records are kept
 * for RETAIN_MS (far longer than an entry lives); an entry older than what was pruned counts as
 * invalidated.
 */
import { DurableObject } from 'cloudflare:workers'
import type { AcquireOptions, AcquireReply, Change, Check, Fill, InvalidationKind, ReleaseFill, SyncReply, SyncRequest } from './coordinator-protocol.js'
import { refuseIllFormed } from '../validate.js'

/** How long invalidation records are kept. */
const RETAIN_MS = 30 * 86_400_000
/** Most changes one sync reply carries; past it the isolate starts over. */
const MAX_CHANGES = 1000
/** Longest an acquire waits for another location's value before answering "held". */
const MAX_WAIT_MS = 10_000
/** Most time a fetched value is handed to locations that arrive after its fetch ended. */
const FILL_SHARE_MS = 5_000
/** Values kept for late arrivals, by count and by bytes (UTF-16 units: this is only a bound). */
const MAX_FILLS = 1000
const MAX_FILL_CHARS = 16 * 1024 * 1024
/** How often the alarm prunes when no lease needs it sooner. */
const PRUNE_EVERY_MS = 86_400_000

interface Lease {
  token: string
  at: number
  expires: number
}

interface SharedFill extends Fill {
  tags: readonly string[]
  version: string | undefined
  until: number
}

/** A location waiting for a lease's holder, for the value of `version`. */
interface Waiter {
  version: string | undefined
  wake(reply: AcquireReply): void
}

/** The reply that hands a fetched value to a location. */
function handOut(fill: SharedFill): AcquireReply {
  return { fill: { text: fill.text, writtenAt: fill.writtenAt } }
}

export class RevalidateCoordinator extends DurableObject {
  #clock = 0
  #seq = 0
  /** Sequence numbers up to this one were pruned: an isolate behind it starts over. */
  #prunedSeq = 0
  /** Invalidations before this time were pruned: entries older than it count as invalidated. */
  #prunedBefore = 0
  #alarmAt: number | null = null
  readonly #waiting = new Map<string, Set<Waiter>>()
  readonly #fills = new Map<string, SharedFill>()
  #fillChars = 0

  constructor(ctx: ConstructorParameters<typeof DurableObject>[0], env: unknown) {
    super(ctx, env)
    const sql = ctx.storage.sql
    sql.exec(`CREATE TABLE IF NOT EXISTS invalidations (kind TEXT NOT NULL, name TEXT NOT NULL, at REAL NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (kind, name))`)
    sql.exec(`CREATE INDEX IF NOT EXISTS invalidations_by_seq ON invalidations (seq)`)
    sql.exec(`CREATE TABLE IF NOT EXISTS leases (key TEXT PRIMARY KEY, token TEXT NOT NULL, at REAL NOT NULL, expires REAL NOT NULL)`)
    sql.exec(`CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value REAL NOT NULL)`)
    const numbers = sql
      .exec<{ clock: number | null; seq: number | null; leased: number | null }>(
        `SELECT (SELECT max(at) FROM invalidations) AS clock, (SELECT max(seq) FROM invalidations) AS seq, (SELECT max(at) FROM leases) AS leased`,
      )
      .one()
    const meta = new Map(sql.exec<{ name: string; value: number }>(`SELECT name, value FROM meta`).toArray().map((row) => [row.name, row.value]))
    this.#prunedSeq = meta.get('prunedSeq') ?? 0
    this.#prunedBefore = meta.get('prunedBefore') ?? 0
    this.#clock = Math.max(numbers.clock ?? 0, numbers.leased ?? 0, meta.get('clock') ?? 0)
    this.#seq = Math.max(numbers.seq ?? 0, this.#prunedSeq)
    void ctx.blockConcurrencyWhile(async () => {
      this.#alarmAt = await ctx.storage.getAlarm()
    })
  }

  /** The next time on this object's clock: now, or a microsecond after the last one. */
  #tick(): number {
    this.#clock = Math.max(Date.now(), this.#clock + 0.001)
    return this.#clock
  }

  async invalidate(kind: InvalidationKind, name: string): Promise<number> {
    refuseIllFormed('RevalidateCoordinator.invalidate', kind === 't' ? 'tag' : 'key', [name])
    const at = this.#tick()
    const seq = ++this.#seq
    this.ctx.storage.sql.exec(
      `INSERT INTO invalidations (kind, name, at, seq) VALUES (?, ?, ?, ?) ON CONFLICT (kind, name) DO UPDATE SET at = excluded.at, seq = excluded.seq`,
      kind,
      name,
      at,
      seq,
    )
    if (kind === 'k') {
      // The fetch running for this key began before: let the next one start at once.
      this.ctx.storage.sql.exec(`DELETE FROM leases WHERE key = ?`, name)
      this.#dropFill(name)
      this.#wake(name)
    } else {
      for (const [key, fill] of this.#fills) if (kind === 'a' || fill.tags.includes(name)) this.#dropFill(key)
    }
    await this.#scheduleAlarm(Date.now() + PRUNE_EVERY_MS)
    return at
  }

  async sync(request: SyncRequest): Promise<SyncReply> {
    for (const check of request.checks) {
      refuseIllFormed('RevalidateCoordinator.sync', 'key', [check.key])
      refuseIllFormed('RevalidateCoordinator.sync', 'tag', check.tags)
    }
    const reply: SyncReply = { seq: this.#seq, now: this.#clock, verdicts: request.checks.map((check) => this.#invalidatedSince(check)) }
    if (request.since === null) return reply
    if (request.since < this.#prunedSeq) return { ...reply, overflow: true }
    const rows = this.ctx.storage.sql
      .exec<{ kind: InvalidationKind; name: string; at: number }>(`SELECT kind, name, at FROM invalidations WHERE seq > ? ORDER BY seq LIMIT ?`, request.since, MAX_CHANGES + 1)
      .toArray()
    if (rows.length > MAX_CHANGES) return { ...reply, overflow: true }
    return { ...reply, changes: rows.map((row): Change => [row.kind, row.name, row.at]) }
  }

  /** Whether anything that reaches an entry of `key` with `tags` was invalidated at or after `writtenAt`. */
  #invalidatedSince({ key, tags, writtenAt }: Check): boolean {
    if (writtenAt < this.#prunedBefore) return true
    const sql = this.ctx.storage.sql
    const latest = (kind: InvalidationKind, name: string) =>
      sql.exec<{ at: number }>(`SELECT at FROM invalidations WHERE kind = ? AND name = ?`, kind, name).toArray()[0]?.at ?? 0
    return latest('a', '') >= writtenAt || latest('k', key) >= writtenAt || tags.some((tag) => latest('t', tag) >= writtenAt)
  }

  async acquire(key: string, options: AcquireOptions): Promise<AcquireReply> {
    refuseIllFormed('RevalidateCoordinator.acquire', 'key', [key])
    const fill = this.#fills.get(key)
    // Another version's value is no use to this caller (a deploy is under way): it takes a lease, or waits.
    if (fill !== undefined && Date.now() < fill.until && fill.version === options.version) return handOut(fill)
    const held = this.#lease(key)
    if (held === undefined || held.expires <= Date.now()) {
      const at = this.#tick()
      const lease: Lease = { token: crypto.randomUUID(), at, expires: Date.now() + options.leaseMs }
      this.ctx.storage.sql.exec(`INSERT OR REPLACE INTO leases (key, token, at, expires) VALUES (?, ?, ?, ?)`, key, lease.token, lease.at, lease.expires)
      // Leases are deleted when they end; the clock they moved must survive a restart all the same.
      this.ctx.storage.sql.exec(`INSERT OR REPLACE INTO meta (name, value) VALUES ('clock', ?)`, at)
      await this.#scheduleAlarm(lease.expires)
      return { token: lease.token, at }
    }
    const waitMs = Math.min(options.waitMs, MAX_WAIT_MS, held.expires - Date.now())
    if (waitMs <= 0) return { held: true }
    return new Promise<AcquireReply>((resolve) => {
      const waiters = this.#waiting.get(key) ?? new Set<Waiter>()
      this.#waiting.set(key, waiters)
      const waiter: Waiter = {
        version: options.version,
        wake: (reply) => {
          clearTimeout(timer)
          waiters.delete(waiter)
          if (waiters.size === 0 && this.#waiting.get(key) === waiters) this.#waiting.delete(key)
          resolve(reply)
        },
      }
      const timer = setTimeout(() => waiter.wake({ held: true }), waitMs)
      waiters.add(waiter)
    })
  }

  async release(key: string, token: string, fill?: ReleaseFill): Promise<void> {
    refuseIllFormed('RevalidateCoordinator.release', 'key', [key])
    if (fill !== undefined) refuseIllFormed('RevalidateCoordinator.release', 'tag', fill.tags)
    const lease = this.#lease(key)
    // Expired and taken again, or ended by an invalidation: that lease is not this one's to end.
    if (lease === undefined || lease.token !== token) return
    this.ctx.storage.sql.exec(`DELETE FROM leases WHERE key = ?`, key)
    if (fill === undefined || this.#invalidatedSince({ key, tags: fill.tags, writtenAt: lease.at })) {
      this.#wake(key)
      return
    }
    const shared: SharedFill = { text: fill.text, writtenAt: lease.at, tags: fill.tags, version: fill.version, until: Date.now() + Math.min(FILL_SHARE_MS, fill.shareMs) }
    this.#keepFill(key, shared)
    this.#wake(key, shared)
  }

  /** Ends leases nobody released (their waiters then fetch) and prunes old invalidations. */
  async alarm(): Promise<void> {
    this.#alarmAt = null
    const now = Date.now()
    const sql = this.ctx.storage.sql
    for (const { key } of sql.exec<{ key: string }>(`SELECT key FROM leases WHERE expires <= ?`, now).toArray()) {
      sql.exec(`DELETE FROM leases WHERE key = ?`, key)
      this.#wake(key)
    }
    const cutoff = now - RETAIN_MS
    const pruned = sql.exec<{ seq: number | null }>(`SELECT max(seq) AS seq FROM invalidations WHERE at < ?`, cutoff).one().seq
    if (pruned !== null) {
      sql.exec(`DELETE FROM invalidations WHERE at < ?`, cutoff)
      this.#prunedSeq = Math.max(this.#prunedSeq, pruned)
      this.#prunedBefore = Math.max(this.#prunedBefore, cutoff)
      sql.exec(`INSERT OR REPLACE INTO meta (name, value) VALUES ('prunedSeq', ?), ('prunedBefore', ?)`, this.#prunedSeq, this.#prunedBefore)
    }
    const next = sql.exec<{ expires: number | null }>(`SELECT min(expires) AS expires FROM leases`).one().expires
    const hasRecords = sql.exec<{ count: number }>(`SELECT count(*) AS count FROM invalidations`).one().count > 0
    if (next !== null || hasRecords) await this.#scheduleAlarm(Math.min(next ?? Infinity, now + PRUNE_EVERY_MS))
  }

  #lease(key: string): Lease | undefined {
    return this.ctx.storage.sql.exec<Lease>(`SELECT token, at, expires FROM leases WHERE key = ?`, key).toArray()[0]
  }

  async #scheduleAlarm(at: number): Promise<void> {
    if (this.#alarmAt !== null && this.#alarmAt <= at) return
    this.#alarmAt = at
    await this.ctx.storage.setAlarm(at)
  }

  /** Answers the locations waiting on `key`'s lease: the value of `fill` to those of its version, "held" to the rest (they try again). */
  #wake(key: string, fill?: SharedFill): void {
    for (const waiter of [...(this.#waiting.get(key) ?? [])]) {
      waiter.wake(fill !== undefined && fill.version === waiter.version ? handOut(fill) : { held: true })
    }
  }

  #keepFill(key: string, fill: SharedFill): void {
    this.#dropFill(key)
    this.#fills.set(key, fill)
    this.#fillChars += fill.text.length
    const now = Date.now()
    for (const [oldKey, old] of this.#fills) {
      if (this.#fills.size <= MAX_FILLS && this.#fillChars <= MAX_FILL_CHARS && old.until > now) break
      this.#dropFill(oldKey)
    }
  }

  #dropFill(key: string): void {
    const fill = this.#fills.get(key)
    if (fill === undefined) return
    this.#fills.delete(key)
    this.#fillChars -= fill.text.length
  }
}
