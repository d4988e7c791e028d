/**
 * An isolate's side of the Durable Object coordinator: what it knows of every location's
 * invalidations, the leases it holds, and what it does while the coordinator cannot be reached.
 *
 *   sync        at most once per syncMs, one round trip per coordinator object, shared by every
 *               read that needs it; the same round asks about entries written before this isolate
 *               started listening (a Cache API entry may be a day old, its invalidation too)
 *   the log     every invalidation since then (bounded: past MAX_LOG names, or when a sync
 *               brings more than one reply carries, it starts over: older entries are asked about
 *               again, and what is in flight is treated as invalidated by "all")
 *   leases      one fetch per key across locations; a location that waits gets the holder's value
 *   outage      unreachable or slower than timeoutMs: the store decides per location, reads
 *               report the outage once, invalidations are queued (each one not delivered is
 *               reported) and replayed in order by the next round or the next invalidation (which
 *               tries the coordinator itself, so an isolate that never reads still delivers), and
 *               what memory took in meanwhile is dropped when a round succeeds again
 *
 * Rounds run in the request that needs them (a Worker must not do I/O for a request that is
 * over): a read that finds a round on its way waits for it, then starts the next one itself if
 * its own question is still open.
 */
import { docsLink } from '../docs-link.js'
import type { AcquireReply, Change, Check, CoordinatorNamespace, CoordinatorRpc, Fill, InvalidationKind, ReleaseFill, SyncReply } from './coordinator-protocol.js'
import { shardOf } from './shard.js'
import type { Invalidation } from '../types.js'

/** Names (keys and tags) whose invalidation times an isolate keeps before starting over. */
const MAX_LOG = 10_000
/** Invalidations kept for replay while the coordinator is unreachable; past it, one "all" stands for them. */
const MAX_QUEUED = 1000
/** Own invalidations remembered, so they are not taken for another isolate's when sync returns them. */
const MAX_OWN = 1000
/** After a failure, how long the coordinator is left alone before a read tries it again. */
const RETRY_AFTER_MS = 1000
/** How long an acquire waits for another location's value. */
const WAIT_FOR_HOLDER_MS = 10_000
/** Leases held here past which expired ones are looked for. */
const MAX_LEASES = 100
/** A lease token for fetching without the coordinator (it cannot answer). */
const LOCAL_TOKEN = 'local:'

export interface CoordinatorClientOptions {
  namespace: CoordinatorNamespace
  /** Coordinator objects; keys are spread over them by hash, tags and "all" go to every one. */
  shards: number
  /** Names the objects apart, for several stores on one namespace. */
  name: string
  syncMs: number
  timeoutMs: number
  leaseMs: number
  /** An invalidation learned from the coordinator; `remote` unless this isolate made it. "all" when the log starts over. */
  onChange(invalidation: Invalidation, remote: boolean): void
  /** An outage ended: what memory took in meanwhile could not be checked. */
  onReset(): void
}

interface Shard {
  id: unknown
  /** The last change seen; null before the first contact. */
  cursor: number | null
  /** The coordinator's time from which this isolate's log is complete. */
  horizon: number
  /** The coordinator's time at the last sync. */
  now: number
  /** Invalidations before this time may be missing from the log: it started over then. */
  forgotBefore: number
}

interface PendingCheck {
  check: Check
  done: boolean
  /** undefined: the coordinator could not answer. */
  verdict: boolean | undefined
}

interface Lease {
  token: string
  /** When it began, on the coordinator's clock. */
  at: number
  /** When it expires, on this isolate's clock. */
  endsBy: number
  fill?: ReleaseFill
}

export type LeaseResult = { token: string } | { fill: Fill } | { held: true }

class CoordinatorTimeout extends Error {
  override name = 'TimeoutError'
}

export class CoordinatorClient {
  readonly #options: CoordinatorClientOptions
  readonly #shards: Shard[]
  /** When the last round that succeeded began (this isolate's clock). */
  #syncedAt = Number.NEGATIVE_INFINITY
  readonly #keyTimes = new Map<string, number>()
  readonly #tagTimes = new Map<string, number>()
  #allAt = 0
  readonly #own = new Set<string>()
  #pending: PendingCheck[] = []
  #round: Promise<void> | undefined
  /** Rounds begun and rounds over (one at a time): a sync waits for a round that began after it asked. */
  #roundsBegun = 0
  #roundsOver = 0
  #outage: { error: unknown; reported: boolean; retryAt: number } | undefined
  /** Invalidations not yet recorded by the coordinator, oldest first. */
  #queued: Array<[InvalidationKind, string]> = []
  /** The delivery of #queued under way: one at a time, so each is recorded once, in order. */
  #delivering: Promise<void> = Promise.resolve()
  readonly #leases = new Map<string, Lease>()

  constructor(options: CoordinatorClientOptions) {
    this.#options = options
    this.#shards = Array.from({ length: options.shards }, (_, index) => ({
      id: options.namespace.idFromName(options.shards === 1 ? options.name : `${options.name}#${index}`),
      cursor: null,
      horizon: Number.POSITIVE_INFINITY,
      now: 0,
      forgotBefore: Number.NEGATIVE_INFINITY,
    }))
  }

  /** False during an outage: the store decides per location meanwhile. */
  get reachable(): boolean {
    return this.#outage === undefined
  }

  /** Whether what this isolate synced may still be trusted without asking. The hot path. */
  fresh(): boolean {
    return Date.now() - this.#syncedAt < this.#options.syncMs && this.#outage === undefined
  }

  /** The failure that began the current outage, once: the store reports it by throwing it. */
  takeOutageReport(): unknown {
    if (this.#outage === undefined || this.#outage.reported) return undefined
    this.#outage.reported = true
    return this.#outage.error
  }

  /**
   * Syncs unless fresh: waits for one round that begins after this call (a round already on its
   * way may predate an invalidation the caller must see), never more, however long rounds take
   * against syncMs. False when the coordinator cannot be reached (decide per location).
   */
  async sync(): Promise<boolean> {
    await this.#ask(undefined)
    return this.#outage === undefined
  }

  /**
   * Whether an entry of `key` with `tags`, written at `writtenAt`, was invalidated since, in any
   * location; undefined when the coordinator cannot be reached.
   */
  async invalidated(key: string, tags: readonly string[], writtenAt: number): Promise<boolean | undefined> {
    if (writtenAt > this.#shardOf(key).horizon) return (await this.sync()) ? this.knownInvalidated(key, tags, writtenAt) : undefined
    // Written before this isolate listened (or before it started over): ask, in the same round as the sync.
    return this.#ask({ key, tags, writtenAt })
  }

  /** What the log says, without a round trip: false may only mean "not since this isolate listens". */
  knownInvalidated(key: string, tags: readonly string[], writtenAt: number): boolean {
    return this.#allAt >= writtenAt || (this.#keyTimes.get(key) ?? 0) >= writtenAt || tags.some((tag) => (this.#tagTimes.get(tag) ?? 0) >= writtenAt)
  }

  /**
   * Whether a value of a fetch that began at `writtenAt` may not go into memory: invalidated since,
   * or begun before the log last started over (what it forgot may have named it; a read asks).
   */
  unvouched(key: string, tags: readonly string[], writtenAt: number): boolean {
    return writtenAt < this.#shardOf(key).forgotBefore || this.knownInvalidated(key, tags, writtenAt)
  }

  /**
   * Records an invalidation for every location, after those still queued, even during an outage:
   * an isolate that never reads (a webhook, a cron Worker) has no round to replay them. What the
   * coordinator does not take stays queued for the next attempt, and the failure is thrown, every
   * time: unlike a read, whose caller is served all the same, this caller may act on it (a webhook
   * answers with an error and is sent again), and the queue dies with the isolate.
   */
  async invalidate(kind: InvalidationKind, name: string): Promise<void> {
    try {
      if (this.#queued.length > 0) await this.#deliverQueued()
      await this.#record(kind, name)
    } catch (error) {
      this.#fail(error)
      this.#enqueue(kind, name)
      this.takeOutageReport() // reported here: reads need not report this outage again
      throw error
    }
    // It answers again: the next read need not wait out the retry delay to catch up.
    if (this.#outage !== undefined) this.#outage.retryAt = 0
  }

  async #record(kind: InvalidationKind, name: string): Promise<void> {
    const shards = kind === 'k' ? [this.#shardIndex(name)] : this.#shards.map((_, index) => index)
    const times = await Promise.all(shards.map((index) => this.#call(index, (stub) => stub.invalidate(kind, name))))
    for (const at of times) {
      this.#remember(this.#own, `${kind}\0${name}\0${at}`, MAX_OWN)
      this.#log([kind, name, at])
    }
  }

  /**
   * A lease on `key`, the value of `version` another location fetched under its lease, or "held".
   * Asked first without waiting, so an object that does not answer is found out within timeoutMs;
   * only then does it wait for the holder's value.
   */
  async acquire(key: string, version: string | undefined): Promise<LeaseResult> {
    if (this.#outage !== undefined) return { token: `${LOCAL_TOKEN}${crypto.randomUUID()}` }
    const { leaseMs, timeoutMs } = this.#options
    const waitMs = Math.min(WAIT_FOR_HOLDER_MS, leaseMs)
    let reply: AcquireReply
    try {
      reply = await this.#call(this.#shardIndex(key), (stub) => stub.acquire(key, { leaseMs, waitMs: 0, version }))
      if ('held' in reply) reply = await this.#call(this.#shardIndex(key), (stub) => stub.acquire(key, { leaseMs, waitMs, version }), waitMs + timeoutMs)
    } catch (error) {
      this.#fail(error)
      return { token: `${LOCAL_TOKEN}${crypto.randomUUID()}` }
    }
    if ('token' in reply) this.#keepLease(key, { token: reply.token, at: reply.at, endsBy: Date.now() + leaseMs })
    return reply
  }

  /** Leases whose release never came (their fetch was cut off) go once they have expired anyway. */
  #keepLease(key: string, lease: Lease): void {
    this.#leases.set(key, lease)
    if (this.#leases.size <= MAX_LEASES) return
    const now = Date.now()
    for (const [held, { endsBy }] of this.#leases) if (endsBy < now) this.#leases.delete(held)
  }

  /** When the fetch holding `key`'s lease here began, on the coordinator's clock. */
  leaseTime(key: string): number | undefined {
    return this.#leases.get(key)?.at
  }

  /** What was written under `key`'s lease, for the locations waiting on it. */
  attachFill(key: string, fill: ReleaseFill): void {
    const lease = this.#leases.get(key)
    if (lease !== undefined) lease.fill = fill
  }

  async release(key: string, token: string): Promise<void> {
    const lease = this.#leases.get(key)
    if (lease?.token === token) this.#leases.delete(key)
    // A local token, or an outage: the lease (if any) ends by itself.
    if (token.startsWith(LOCAL_TOKEN) || this.#outage !== undefined) return
    try {
      await this.#call(this.#shardIndex(key), (stub) => stub.release(key, token, lease?.token === token ? lease.fill : undefined))
    } catch (error) {
      this.#fail(error)
    }
  }

  /** Waits for (or runs) the round that answers `check`, or that syncs when `check` is undefined. */
  async #ask(check: Check | undefined): Promise<boolean | undefined> {
    const pending: PendingCheck | undefined = check === undefined ? undefined : { check, done: false, verdict: undefined }
    if (pending !== undefined) this.#pending.push(pending)
    const roundsBegunBefore = this.#roundsBegun
    for (;;) {
      if (pending?.done) return pending.verdict
      if (pending === undefined && (this.fresh() || this.#roundsOver > roundsBegunBefore)) return undefined
      if (this.#round !== undefined) {
        await this.#round
        continue
      }
      if (this.#outage !== undefined && Date.now() < this.#outage.retryAt) {
        if (pending !== undefined) this.#pending = this.#pending.filter((other) => other !== pending)
        return undefined
      }
      const batch = this.#pending
      this.#pending = []
      this.#roundsBegun++
      this.#round = this.#runRound(batch).finally(() => {
        this.#round = undefined
        this.#roundsOver++
      })
      await this.#round
    }
  }

  /** One sync with every object, carrying `batch`'s checks; never rejects. */
  async #runRound(batch: PendingCheck[]): Promise<void> {
    const startedAt = Date.now()
    try {
      const recovering = this.#outage !== undefined
      if (recovering) await this.#deliverQueued()
      const replies = await Promise.all(
        this.#shards.map((shard, index) => {
          const checks = batch.filter((pending) => this.#shardIndex(pending.check.key) === index)
          return this.#call(index, (stub) => stub.sync({ since: shard.cursor, checks: checks.map((pending) => pending.check) })).then((reply) => ({ reply, checks }))
        }),
      )
      let startOver = false
      replies.forEach(({ reply, checks }, index) => {
        startOver = this.#apply(this.#shards[index]!, reply) || startOver
        checks.forEach((pending, at) => Object.assign(pending, { done: true, verdict: reply.verdicts[at] }))
      })
      if (startOver || this.#keyTimes.size + this.#tagTimes.size > MAX_LOG) this.#startOver()
      this.#syncedAt = startedAt
      if (recovering) {
        this.#outage = undefined
        // Memory took in entries it could not check meanwhile.
        this.#options.onReset()
      }
    } catch (error) {
      this.#fail(error)
    } finally {
      for (const pending of batch) pending.done = true
    }
  }

  /** Applies one object's reply; true when the isolate must start over (it fell too far behind). */
  #apply(shard: Shard, reply: SyncReply): boolean {
    const firstContact = shard.cursor === null
    shard.cursor = reply.seq
    shard.now = reply.now
    if (firstContact) shard.horizon = reply.now
    if (reply.overflow) return true
    for (const change of reply.changes ?? []) {
      this.#log(change)
      const [kind, name, at] = change
      const own = this.#own.delete(`${kind}\0${name}\0${at}`)
      this.#options.onChange(kind === 'k' ? { kind: 'key', key: name } : kind === 't' ? { kind: 'tag', tag: name } : { kind: 'all' }, !own)
    }
    return false
  }

  /**
   * Forgets the log: entries written before now are asked about again. What it forgot may have
   * named anything this isolate has in memory or in flight, so that counts as invalidated by "all".
   */
  #startOver(): void {
    this.#keyTimes.clear()
    this.#tagTimes.clear()
    for (const shard of this.#shards) shard.horizon = shard.forgotBefore = shard.now
    this.#options.onChange({ kind: 'all' }, true)
  }

  #log([kind, name, at]: Change): void {
    if (kind === 'a') this.#allAt = Math.max(this.#allAt, at)
    else {
      const times = kind === 'k' ? this.#keyTimes : this.#tagTimes
      times.set(name, Math.max(times.get(name) ?? 0, at))
    }
  }

  /** Records #queued in order, after any delivery under way; rejects with the first failure (it and the rest stay queued). */
  #deliverQueued(): Promise<void> {
    const delivery = this.#delivering.catch(() => {}).then(async () => {
      while (this.#queued.length > 0) {
        const first = this.#queued[0]!
        await this.#record(...first)
        // Unless an "all" took the queue's place meanwhile (it is delivered next).
        if (this.#queued[0] === first) this.#queued.shift()
      }
    })
    this.#delivering = delivery
    return delivery
  }

  /** An "all" stands for everything queued before it, and past MAX_QUEUED for the whole queue. */
  #enqueue(kind: InvalidationKind, name: string): void {
    if (this.#queued.length >= MAX_QUEUED || kind === 'a') this.#queued = [['a', '']]
    else this.#queued.push([kind, name])
  }

  #fail(error: unknown): void {
    const retryAt = Date.now() + RETRY_AFTER_MS
    if (this.#outage === undefined) this.#outage = { error, reported: false, retryAt }
    else this.#outage.retryAt = retryAt
  }

  #remember(set: Set<string>, item: string, max: number): void {
    set.add(item)
    if (set.size > max) set.delete(set.values().next().value as string)
  }

  #shardIndex(key: string): number {
    return this.#shards.length === 1 ? 0 : shardOf(key, this.#shards.length)
  }

  #shardOf(key: string): Shard {
    return this.#shards[this.#shardIndex(key)]!
  }

  /** One RPC to one object, bounded by `timeoutMs`: slower counts as unreachable. */
  async #call<T>(index: number, rpc: (stub: CoordinatorRpc) => Promise<T>, timeoutMs = this.#options.timeoutMs): Promise<T> {
    const stub = this.#options.namespace.get(this.#shards[index]!.id as never)
    if (typeof stub.sync !== 'function') {
      throw new TypeError(
        'The coordinator binding answers no RPC: bind it to RevalidateCoordinator (exported by @revalidate/runtime/cloudflare) ' +
          'and set compatibility_date to 2024-04-03 or later (Workers RPC). See ' + docsLink('targets/cloudflare.md') + '.',
      )
    }
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CoordinatorTimeout(`The revalidate coordinator did not answer within ${timeoutMs} ms`)), timeoutMs)
    })
    try {
      return await Promise.race([rpc(stub), timeout])
    } finally {
      clearTimeout(timer)
    }
  }
}
