/**
 * How long a store's fetch lock lives when the store has locks and does not say: the coordinator
 * waits at most this long for another holder, and the stores (Redis, Cache Storage, Cloudflare's
 * leases) let a lock expire by itself after it.
 */
export const DEFAULT_LOCK_SECONDS = 30
