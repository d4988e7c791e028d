/**
 * The default clock: `Date.now()`, read at most once per millisecond. Reading the system clock
 * costs about as much as a whole cache hit, so within one millisecond every caller shares one
 * reading (lru-cache's `ttlResolution` makes the same trade). Freshness is judged in seconds, so
 * a reading up to a millisecond old (longer only while the thread is busy, or while a browser
 * throttles the timers of a hidden tab) changes nothing that matters. The Cloudflare target
 * uses Date.now() itself: Workers may drop a timer once the request that set it has ended.
 */
let cachedMs: number | undefined

function forget(): void {
  cachedMs = undefined
}

export function coarseNow(): number {
  if (cachedMs === undefined) {
    cachedMs = Date.now()
    const timer = setTimeout(forget, 1) as { unref?: () => void }
    timer.unref?.() // never keeps a Node process alive
  }
  return cachedMs
}

/** The longest delay `setTimeout` keeps (about 24.8 days); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1

/** A delay for `setTimeout`: a longer wait than timers can hold is as good as none, not an instant one. */
export function timerDelay(ms: number): number {
  return Math.min(ms, MAX_TIMER_MS)
}
