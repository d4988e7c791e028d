// The Vercel target: pages are cached by the platform's ISR; `invalidate('page:<path>')` asks it
// to regenerate the page, and direct withRevalidate calls use memory.
import { setPlatformDefaults } from '../default-cache.js'
import { vercelStore } from '../stores/vercel-store.js'

setPlatformDefaults(() => ({ store: vercelStore() }))

export * from '../index.js'
export { VercelStore, vercelStore, type RuntimeCacheLike, type VercelStoreOptions } from '../stores/vercel-store.js'
