// The node target keeps entries in process memory (an LRU store) and background refreshes as
// promises the runtime holds. Inside Next.js, invalidations reach Next's own cache too
// (`invalidate('page:/posts')` is `revalidatePath('/posts')`, or, with our cache handlers, the
// same store and tag times on every instance: next-revalidation.ts); elsewhere on Vercel (which sets
// VERCEL in its functions) page keys belong to the platform's ISR, so the default cache uses the
// Vercel store: `invalidate('page:/posts')` regenerates the page there.
import { setPlatformDefaults } from '../default-cache.js'
import { defaultsInsideNext, insideNext } from '../next-revalidation.js'
import { vercelStore } from '../stores/vercel-store.js'

if (insideNext()) setPlatformDefaults(defaultsInsideNext)
else if (typeof process !== 'undefined' && process.env.VERCEL) setPlatformDefaults(() => ({ store: vercelStore() }))

export * from '../index.js'
export { withCacheHeader, type CacheHeaderOptions, type CacheState } from '../cache-header.js'
