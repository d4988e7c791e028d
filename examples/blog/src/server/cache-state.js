// What the cache did for the current request, for the `x-revalidate` header and the badge:
// the first hit, stale read or miss of the request is its outermost cached call (the page's own
// key on pragma pages), so that is the state reported.
import { AsyncLocalStorage } from 'node:async_hooks'
import { configure } from '@revalidate/runtime'

const requests = new AsyncLocalStorage()
const STATES = { hit: 'HIT', stale: 'STALE', miss: 'MISS' }

/** Tests may move the cache's clock (BLOG_TEST_CLOCK=1): a 60 s ttl passes without waiting. */
let clockOffsetMs = 0
export const testClockEnabled = process.env.BLOG_TEST_CLOCK === '1'

export function advanceClock(seconds) {
  clockOffsetMs += seconds * 1000
}

configure({
  maxEntries: 5000,
  now: () => Date.now() + clockOffsetMs,
  onEvent(event) {
    const request = requests.getStore()
    if (request && request.state === undefined && STATES[event.type]) {
      request.state = STATES[event.type]
      request.ageSeconds = Math.floor((event.age ?? 0) / 1000)
      request.key = event.key
    }
    if (event.type === 'error') console.error(`[revalidate] ${event.phase} error for ${event.key}:`, event.error)
  },
})

/** Runs `render` with a fresh record of what the cache does; returns both. */
export async function trackCache(render) {
  const record = {}
  const result = await requests.run(record, render)
  return { result, cache: record }
}
