/**
 * What a cache has done since it was made, for `cache.stats()` and the inspector:
 *
 *   cache.stats() -> { lookups: { hit: 9120, stale: 31, miss: 12 }, fetches: { miss: 12, refresh: 30 },
 *                      refreshes: { ok: 29, error: 1, ... }, topKeys: { byLookups: [...], byFetchTime: [...] }, ... }
 *
 * Counts are exact. Which keys are looked up most comes from a sketch of a fixed number of slots
 * (top-keys.ts), fed every lookup for the first EXACT_LOOKUPS and then a sample of them (one
 * lookup in SAMPLE_GAP on average, at random, weighted by the gap): a hit costs an increment and
 * a decrement, however many keys pass through. Fetches are rare; each is recorded.
 */
import { TopKeys, type TopKey } from './top-keys.js'
import type { MemoryUsage } from './types.js'

export type LookupResult = 'hit' | 'stale' | 'miss'
export type FetchReason = 'miss' | 'refresh'
/**
 * How a fetch ended: `ok` (its value was written), `error`, `timeout` (its `timeoutSeconds`
 * passed), `fenced` (an invalidation overtook it: its value was not written), `elsewhere` (the
 * fetcher was not called here: another instance held the key's lock, or had written a value by
 * the time this one got it).
 */
export type FetchOutcome = 'ok' | 'error' | 'timeout' | 'fenced' | 'elsewhere'
export type ErrorPhase = 'miss' | 'refresh' | 'store' | 'hook'

export interface CacheStats {
  /** The cache's name (`CacheOptions.name`). */
  name: string
  /** When counting began (the cache was made), in milliseconds since the epoch. */
  since: number
  /** Every `withRevalidate` call by what it found; a caller that joins a fetch in flight is a miss. */
  lookups: Record<LookupResult, number>
  /** Fetcher calls, for misses and for background refreshes. */
  fetches: Record<FetchReason, number>
  /** Background refreshes, by how they ended. */
  refreshes: Record<FetchOutcome, number>
  /** Errors by phase, as `onEvent` reports them. */
  errors: Record<ErrorPhase, number>
  /** Invalidations by kind; `remote`: made by another instance and heard through the store. */
  invalidations: { key: number; tag: number; all: number; remote: number }
  /** What the store keeps in this process's memory now; undefined when it cannot tell. */
  memory: MemoryUsage | undefined
  topKeys: {
    /** Estimated lookups: `lookups` over-counts by at most `error`. */
    byLookups: Array<{ key: string; lookups: number; error: number }>
    /** Time spent in the key's fetcher since it was tracked, in milliseconds, and how many fetches that was. */
    byFetchTime: Array<{ key: string; fetchMs: number; fetches: number }>
  }
}

/** The last fetch of a key, for the inspector. */
export interface FetchRecord {
  /** When it ended, in milliseconds since the epoch. */
  at: number
  /** Time in the fetcher, in milliseconds. */
  ms: number
  reason: FetchReason
  outcome: FetchOutcome
  /** The error's message, for a fetch that failed. */
  error?: string
}

/** What the cache knows of one key, for the inspector. */
export interface KeyInfo {
  /** Its lookups as the sketch estimates them, when it tracks the key. */
  lookups?: TopKey
  lastFetch?: FetchRecord
}

/** Lookups that all go into the sketch before sampling begins: a small or young cache is counted exactly. */
export const EXACT_LOOKUPS = 10_000
/** After that, one lookup in this many (on average) goes into the sketch, weighted by its gap. */
const SAMPLE_GAP = 64
/** Slots of each sketch. */
const TOP_KEY_SLOTS = 64
/** Keys whose last fetch is remembered (the most recently fetched). */
const REMEMBERED_FETCHES = 256

export class StatsRecorder {
  readonly since = Date.now()
  // Stale reads and misses in named fields (a count looked up by name, `lookups[result]++`, made a
  // hit measurably slower). Hits are not counted apart: they are the lookups the sampler has seen
  // less these, so a hit costs one decrement.
  #stales = 0
  #misses = 0
  readonly fetches: Record<FetchReason, number> = { miss: 0, refresh: 0 }
  readonly refreshes: Record<FetchOutcome, number> = { ok: 0, error: 0, timeout: 0, fenced: 0, elsewhere: 0 }
  readonly errors: Record<ErrorPhase, number> = { miss: 0, refresh: 0, store: 0, hook: 0 }
  readonly invalidations = { key: 0, tag: 0, all: 0, remote: 0 }
  /** Lookups left until the next one goes into the sketch. */
  #sampleIn = 1
  /** The weight of that one: the lookups it stands for. */
  #gap = 1
  /** The lookups the samples taken so far stand for. */
  #sampledWeight = 0
  readonly #byLookups = new TopKeys(TOP_KEY_SLOTS)
  readonly #byFetchTime = new TopKeys(TOP_KEY_SLOTS)
  readonly #lastFetches = new Map<string, FetchRecord>()

  /** Counts a hit; true when it is one of the sampled lookups (the cache records its served age then). */
  hit(key: string): boolean {
    return --this.#sampleIn === 0 && this.#sample(key)
  }

  stale(key: string): boolean {
    this.#stales++
    return --this.#sampleIn === 0 && this.#sample(key)
  }

  miss(key: string): void {
    this.#misses++
    if (--this.#sampleIn === 0) this.#sample(key)
  }

  /** Every lookup so far: those of the samples taken, and those since the last one. */
  #lookups(): number {
    return this.#sampledWeight + this.#gap - this.#sampleIn
  }

  #sample(key: string): true {
    this.#byLookups.add(key, this.#gap)
    this.#sampledWeight += this.#gap
    this.#gap = this.#sampledWeight < EXACT_LOOKUPS ? 1 : 1 + Math.floor(Math.random() * (2 * SAMPLE_GAP - 1))
    this.#sampleIn = this.#gap
    return true
  }

  fetched(key: string, record: FetchRecord): void {
    this.#byFetchTime.add(key, record.ms)
    this.#lastFetches.delete(key)
    this.#lastFetches.set(key, record)
    if (this.#lastFetches.size > REMEMBERED_FETCHES) this.#lastFetches.delete(this.#lastFetches.keys().next().value as string)
  }

  /** What is known of one key: its estimated lookups (when the sketch tracks it) and its last fetch (when remembered). */
  keyInfo(key: string): KeyInfo {
    return { lookups: this.#byLookups.get(key), lastFetch: this.#lastFetches.get(key) }
  }

  snapshot(name: string, memory: MemoryUsage | undefined, top = 10): CacheStats {
    return {
      name,
      since: this.since,
      lookups: { hit: this.#lookups() - this.#stales - this.#misses, stale: this.#stales, miss: this.#misses },
      fetches: { ...this.fetches },
      refreshes: { ...this.refreshes },
      errors: { ...this.errors },
      invalidations: { ...this.invalidations },
      memory,
      topKeys: {
        byLookups: this.#byLookups.top(top).map(({ key, weight, error }) => ({ key, lookups: weight, error })),
        byFetchTime: this.#byFetchTime.top(top).map(({ key, weight, count }) => ({ key, fetchMs: weight, fetches: count })),
      },
    }
  }
}
