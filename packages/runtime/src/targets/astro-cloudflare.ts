// Astro's cache provider (revalidateCache() in astro.config) under @astrojs/cloudflare: the default
// cache of the Cloudflare target (the Workers Cache API, the REVALIDATE Durable Object when bound,
// background renders kept alive by waitUntil).
import './cloudflare.js'
import { providerFactory } from '../astro/factory.js'

export default providerFactory('@revalidate/runtime/astro/provider')
