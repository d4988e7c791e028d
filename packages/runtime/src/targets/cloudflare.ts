// The Cloudflare Workers target: the default cache keeps entries in the Workers Cache API behind
// isolate memory, and background refreshes outlive the response through `waitUntil`.
import { waitUntil } from 'cloudflare:workers'
import { cloudflareStore } from '../cloudflare-store.js'
import { setPlatformDefaults } from '../default-cache.js'

setPlatformDefaults(() => ({ store: cloudflareStore(), waitUntil }))

export * from '../index.js'
export { CloudflareStore, cloudflareStore, type CloudflareStoreOptions } from '../cloudflare-store.js'
