// Tests only (BLOG_TEST_CLOCK=true): POST ?advance=<seconds> moves the cache's clock, so that a
// ttl passes without waiting for it. Otherwise there is no such page.
import type { APIRoute } from 'astro'
import { advanceClock, testClockEnabled } from '../../lib/cache-state'

export const POST: APIRoute = ({ url }) => {
  const seconds = Number(url.searchParams.get('advance'))
  if (!testClockEnabled) return new Response('Not found', { status: 404 })
  if (!Number.isFinite(seconds) || seconds <= 0) return new Response('advance must be a number of seconds > 0', { status: 400 })
  advanceClock(seconds)
  return new Response(null, { status: 204 })
}
