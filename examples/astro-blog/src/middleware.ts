// Every response says where its data came from, in the x-revalidate header (HIT, STALE or MISS)
// and x-revalidate-age; the layout shows the same record as the badge (Astro.locals.cache).
import { defineMiddleware } from 'astro:middleware'
import { trackCache } from './lib/cache-state'

export const onRequest = defineMiddleware(async (context, next) => {
  // A rewrite (the post page's "not found" goes to /404) runs this again for the same request:
  // one record for both, so the badge of the page rendered last says what the request read.
  const cache = (context.locals.cache ??= {})
  const response = await trackCache(cache, next)
  if (cache.state !== undefined) {
    response.headers.set('x-revalidate', cache.state)
    response.headers.set('x-revalidate-age', String(cache.ageSeconds ?? 0))
  }
  return response
})
