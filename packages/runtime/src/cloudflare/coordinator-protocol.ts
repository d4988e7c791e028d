/**
 * What isolates and the Durable Object coordinator say to each other (Workers RPC, structured
 * clone). Times are the coordinator's own clock, in milliseconds, strictly increasing across
 * every invalidation and lease it records, so "invalidated after this fetch began" is exact.
 *
 *   invalidate(kind, name)           -> at                 recorded durably (SQLite)
 *   sync({ since, checks })          -> changes since `since` (its sequence number), and for each
 *                                       check whether the entry was invalidated after it was written
 *   acquire(key, { leaseMs, waitMs, version })
 *                                    -> a lease, or the value of that version another location
 *                                       just fetched, or "held" once waitMs passed
 *   release(key, token, fill?)       -> the lease ends; its value goes to locations waiting for it
 */

/** `k` a key, `t` a tag, `a` everything (name ''). */
export type InvalidationKind = 'k' | 't' | 'a'

/** One recorded invalidation: the latest time each name was invalidated. */
export type Change = [kind: InvalidationKind, name: string, at: number]

/** An entry read from the Cache API whose writing predates what the isolate has synced. */
export interface Check {
  key: string
  tags: readonly string[]
  writtenAt: number
}

export interface SyncRequest {
  /** The sequence number of the last change this isolate has; null on first contact. */
  since: number | null
  checks: Check[]
}

export interface SyncReply {
  /** The coordinator's latest sequence number: the next `since`. */
  seq: number
  /** The coordinator's clock: every invalidation at or before it is in the changes up to `seq`. */
  now: number
  /** Changes since `since`, oldest first; absent on first contact. */
  changes?: Change[]
  /** More changes than one reply carries (or some were pruned): start over from `now`. */
  overflow?: true
  /** One per check: whether that entry was invalidated at or after it was written. */
  verdicts: boolean[]
}

/** A value one location fetched under its lease, handed to the locations that waited for it. */
export interface Fill {
  /** The serialized entry, as the Cache API keeps it. */
  text: string
  /** When the fetch that made it began (its lease's time): what invalidations are compared with. */
  writtenAt: number
}

export type AcquireReply = { token: string; at: number } | { fill: Fill } | { held: true }

export interface AcquireOptions {
  /** How long the lease lives if never released. */
  leaseMs: number
  /** How long to wait for the holder's value before answering `held`. */
  waitMs: number
  /** The version the caller fetches (`RevalidateOptions.version`): a value of another is never handed to it. */
  version?: string
}

export interface ReleaseFill {
  text: string
  tags: readonly string[]
  /** How long other locations may still take this value instead of fetching (its ttl). */
  shareMs: number
  /** The entry's version: only callers of the same version take it. */
  version?: string
}

/** The RPC surface of `RevalidateCoordinator`, as a stub exposes it. */
export interface CoordinatorRpc {
  invalidate(kind: InvalidationKind, name: string): Promise<number>
  sync(request: SyncRequest): Promise<SyncReply>
  acquire(key: string, options: AcquireOptions): Promise<AcquireReply>
  release(key: string, token: string, fill?: ReleaseFill): Promise<void>
}

/** The part of a Durable Object namespace binding (`env.REVALIDATE`) the store uses. */
export interface CoordinatorNamespace {
  idFromName(name: string): unknown
  get(id: never): CoordinatorRpc
}
