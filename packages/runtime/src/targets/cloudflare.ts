// The Cloudflare Workers target: the default cache keeps entries in the Workers Cache API behind
// isolate memory, and background refreshes outlive the response through `waitUntil`. A Durable
// Object namespace bound as REVALIDATE (to the RevalidateCoordinator class this module exports)
// makes it the default cache's coordinator, with no code.
import * as workers from 'cloudflare:workers'
import { cloudflareStore } from '../cloudflare/store.js'
import type { CoordinatorNamespace } from '../cloudflare/coordinator-protocol.js'
import { setPlatformDefaults } from '../default-cache.js'

/**
 * Workers give work handed to `waitUntil` 30 seconds after the response, then cut it off; a fetch
 * that takes longer is over here too, so a cut-off refresh never holds its key.
 */
export const WAIT_UNTIL_LIMIT_SECONDS = 30
/** The binding name the default cache looks for. */
export const COORDINATOR_BINDING = 'REVALIDATE'

/** The REVALIDATE binding, when the Worker has one (read when the default cache is made, inside a request). */
function boundCoordinator(): CoordinatorNamespace | undefined {
  const binding = workers.env?.[COORDINATOR_BINDING] as Partial<CoordinatorNamespace> | undefined
  return typeof binding?.idFromName === 'function' && typeof binding.get === 'function' ? (binding as CoordinatorNamespace) : undefined
}

// Date.now() as it is: Workers advance it only on I/O, and a timer (which the coarse default
// clock uses) may never fire once a request has ended.
setPlatformDefaults(() => ({
  store: cloudflareStore({ coordinator: boundCoordinator() }),
  waitUntil: workers.waitUntil,
  now: Date.now,
  timeoutSeconds: WAIT_UNTIL_LIMIT_SECONDS,
}))

export * from '../index.js'
export { CloudflareStore, cloudflareStore, type CloudflareStoreOptions } from '../cloudflare/store.js'
export { RevalidateCoordinator } from '../cloudflare/coordinator.js'
export type { CoordinatorNamespace } from '../cloudflare/coordinator-protocol.js'
