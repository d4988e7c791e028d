// The Cloudflare Workers target: the default cache keeps entries in the Workers Cache API behind
// isolate memory, and background refreshes outlive the response through `waitUntil`.
import { waitUntil } from 'cloudflare:workers'
import { cloudflareStore } from '../cloudflare-store.js'
import { setPlatformDefaults } from '../default-cache.js'

/**
 * Workers give work handed to `waitUntil` 30 seconds after the response, then cut it off; a fetch
 * that takes longer is over here too, so a cut-off refresh never holds its key.
 */
export const WAIT_UNTIL_LIMIT_SECONDS = 30

// Date.now() as it is: Workers advance it only on I/O, and a timer (which the coarse default
// clock uses) may never fire once a request has ended.
setPlatformDefaults(() => ({ store: cloudflareStore(), waitUntil, now: Date.now, timeoutSeconds: WAIT_UNTIL_LIMIT_SECONDS }))

export * from '../index.js'
export { CloudflareStore, cloudflareStore, type CloudflareStoreOptions } from '../cloudflare-store.js'
