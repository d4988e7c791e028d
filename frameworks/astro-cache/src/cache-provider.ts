// The cache provider, chosen when the server starts: CACHE_PROVIDER=revalidate (ours, in memory;
// the default), revalidate-redis (ours, on REDIS_URL) or astro-memory (Astro's memoryCache()).
import revalidate from '@revalidate/runtime/astro/provider'
import revalidateRedis from '@revalidate/runtime/astro/redis'
import type { CacheProvider } from 'astro'
import astroMemory from 'astro/cache/memory'

export default function chosenProvider(): CacheProvider {
  const chosen = process.env.CACHE_PROVIDER ?? 'revalidate'
  if (chosen === 'revalidate') return revalidate(undefined)
  if (chosen === 'revalidate-redis') return revalidateRedis({ redis: process.env.REDIS_URL })
  if (chosen === 'astro-memory') return astroMemory(undefined)
  throw new Error(`CACHE_PROVIDER=${chosen}: expected revalidate, revalidate-redis or astro-memory`)
}
