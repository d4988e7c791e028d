// The Cloudflare Workers target: the default cache keeps entries in the Workers Cache API behind
// isolate memory, and background refreshes outlive the response through `waitUntil`.
import { waitUntil } from 'cloudflare:workers'
import { cloudflareStore } from '../cloudflare-store.js'
import { setPlatformDefaults } from '../default-cache.js'

// Date.now() as it is: Workers advance it only on I/O, and a timer (which the coarse default
// clock uses) may never fire once a request has ended.
setPlatformDefaults(() => ({ store: cloudflareStore(), waitUntil, now: Date.now }))

export * from '../index.js'
export { CloudflareStore, cloudflareStore, type CloudflareStoreOptions } from '../cloudflare-store.js'
