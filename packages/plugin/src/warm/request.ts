/**
 * One warm-up request: a GET marked `x-revalidate-warm: 1`, its body read to the end (so the page
 * renders whole), retried with backoff on a 5xx, a 429 or a network error, and what the cache
 * said about it, from the first of these headers the response has:
 *
 *   x-revalidate      (withCacheHeader; the runtime's targets)   HIT | STALE | MISS
 *   x-nextjs-cache    (next start)                                HIT | STALE | MISS | REVALIDATED
 *   x-astro-cache     (Astro's cache)                             HIT | STALE | MISS
 *   x-vercel-cache    (Vercel's edge)                             HIT | STALE | MISS | PRERENDER | REVALIDATED
 *
 *   MISS, REVALIDATED -> 'warmed'   HIT, PRERENDER -> 'hit'   STALE -> 'stale' (a refresh started)
 *   no such header -> 'uncached'    a status of 400 or more, or no answer -> 'failed'
 */
import { reasonOf } from './errors.js'

/** The header the runtime reads to mark a warm-up's cache events (packages/runtime/src/warm-up.ts). */
export const WARM_UP_HEADER = 'x-revalidate-warm'
export const CACHE_HEADERS = ['x-revalidate', 'x-nextjs-cache', 'x-astro-cache', 'x-vercel-cache']

export type Outcome = 'warmed' | 'hit' | 'stale' | 'uncached' | 'failed'

export interface RequestResult {
  url: string
  /** The last answer's status; null when no answer came. */
  status: number | null
  /** The cache header's value, as sent. */
  cache: string | null
  outcome: Outcome
  /** From the first attempt to the end of the last, retries and backoff included. */
  ms: number
  attempts: number
  /** Why no answer came (a network error, a timeout). */
  error: string | null
}

export interface RequestOptions {
  timeoutMs: number
  retries: number
  /** The wait before the first retry; each next one waits twice as long. */
  backoffMs?: number
  /** Sent besides the warm-up header. */
  headers?: Record<string, string>
}

const DEFAULT_BACKOFF_MS = 500
/** A Retry-After longer than this is not waited for in full. */
const MAX_WAIT_MS = 30_000
const USER_AGENT = 'revalidate-warm (@revalidate/plugin)'

const OUTCOME_OF_STATE: Record<string, Outcome> = { MISS: 'warmed', REVALIDATED: 'warmed', HIT: 'hit', PRERENDER: 'hit', STALE: 'stale' }

export async function warmUrl(url: string, options: RequestOptions): Promise<RequestResult> {
  const started = performance.now()
  const backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS
  for (let attempt = 1; ; attempt++) {
    const answer = await requestOnce(url, options)
    const retryable = answer.status === null || answer.status >= 500 || answer.status === 429
    if (!retryable || attempt > options.retries) {
      const { status, cache, error } = answer
      return { url, status, cache, outcome: outcomeOf(answer), ms: Math.round(performance.now() - started), attempts: attempt, error }
    }
    const wait = Math.min(MAX_WAIT_MS, Math.max(backoffMs * 2 ** (attempt - 1), answer.retryAfterMs ?? 0))
    await new Promise((resolve) => setTimeout(resolve, wait))
  }
}

interface Answer {
  status: number | null
  cache: string | null
  error: string | null
  retryAfterMs?: number
}

async function requestOnce(url: string, { timeoutMs, headers }: RequestOptions): Promise<Answer> {
  try {
    const response = await fetch(url, {
      headers: { accept: 'text/html,*/*', 'user-agent': USER_AGENT, ...headers, [WARM_UP_HEADER]: '1' },
      signal: AbortSignal.timeout(timeoutMs),
    })
    // The page is rendered (and its data cached) by the time its body has been sent.
    await response.body?.pipeTo(new WritableStream())
    const cache = CACHE_HEADERS.map((name) => response.headers.get(name)).find((value) => value !== null) ?? null
    return { status: response.status, cache, error: null, retryAfterMs: retryAfterMs(response.headers.get('retry-after')) }
  } catch (error) {
    const timedOut = (error as Error | null)?.name === 'TimeoutError'
    return { status: null, cache: null, error: timedOut ? `timed out after ${timeoutMs / 1000} s` : reasonOf(error) }
  }
}

function outcomeOf(answer: Answer): Outcome {
  if (answer.status === null || answer.status >= 400) return 'failed'
  return OUTCOME_OF_STATE[answer.cache?.trim().toUpperCase() ?? ''] ?? 'uncached'
}

/** Retry-After, in seconds or as a date. */
function retryAfterMs(value: string | null): number | undefined {
  if (value === null) return undefined
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}
