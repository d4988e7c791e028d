// What the cache did for the current request, for the `x-revalidate` header and the layout's badge:
// the least fresh of the request's cached reads (one MISS makes the page a MISS), with its age and
// key. withCacheHeader from @revalidate/runtime/node reports page entries (`page:` keys) only; this
// blog's home page reads the list it caches by hand (`posts:all`), and its badge shows more than
// the state.
import { AsyncLocalStorage } from 'node:async_hooks'
import { configure } from '@revalidate/runtime'
import { BLOG_TEST_CLOCK } from 'astro:env/server'

export type CacheState = 'HIT' | 'STALE' | 'MISS'

export interface CacheRecord {
  state?: CacheState
  /** Seconds since the value was stored (0 for a MISS). */
  ageSeconds?: number
  key?: string
}

const RANK: Record<CacheState, number> = { HIT: 0, STALE: 1, MISS: 2 }
const requests = new AsyncLocalStorage<CacheRecord>()

/** Tests move the cache's clock (BLOG_TEST_CLOCK=true), so a ttl passes without waiting for it. */
let clockOffsetMs = 0
export const testClockEnabled = BLOG_TEST_CLOCK

export function advanceClock(seconds: number): void {
  clockOffsetMs += seconds * 1000
}

function note(state: CacheState, ageMs: number, key: string): void {
  const record = requests.getStore()
  if (record === undefined || (record.state !== undefined && RANK[state] <= RANK[record.state])) return
  record.state = state
  record.ageSeconds = Math.floor(ageMs / 1000)
  record.key = key
}

configure({
  now: () => Date.now() + clockOffsetMs,
  onEvent(event) {
    if (event.type === 'hit') note('HIT', event.age, event.key)
    else if (event.type === 'stale') note('STALE', event.age, event.key)
    else if (event.type === 'miss') note('MISS', 0, event.key)
    // A failed miss fails its requests, which Astro reports; a failed background refresh only shows here.
    else if (event.type === 'error' && event.phase !== 'miss') console.error(`[revalidate] ${event.phase} error for ${event.key}:`, event.error)
  },
})

/** Runs `respond` with `record` filled in by every cached read it makes. */
export function trackCache<T>(record: CacheRecord, respond: () => T): T {
  return requests.run(record, respond)
}
