// The Worker's entry under @astrojs/cloudflare: Astro answers requests; RevalidateCoordinator is
// exported for the REVALIDATE Durable Object binding (wrangler.jsonc).
import { handle } from '@astrojs/cloudflare/handler'

export { RevalidateCoordinator } from '@revalidate/runtime/cloudflare'

export default { fetch: handle }
