// Astro's cache provider with revalidateCache({ redis }): responses and the pragma's data in Redis, shared by every Node instance.
import './node.js'
import { providerFactory } from '../astro/factory.js'
import { redisStore } from '../stores/redis-store.js'

export default providerFactory('@revalidate/runtime/astro/redis', ({ redis, maxEntries }) =>
  redisStore({ maxEntries, ...(typeof redis === 'string' ? { url: redis } : redis) }),
)
