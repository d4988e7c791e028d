/**
 * The config helper for `astro.config`: where Astro finds our provider, and its options.
 *
 *   import { revalidateCache } from '@revalidate/runtime/astro'
 *   export default defineConfig({ cache: { provider: revalidateCache({ redis: 'redis://localhost:6379' }) } })
 *   -> { name: 'revalidate', entrypoint: '@revalidate/runtime/astro/redis', config: { redis: 'redis://localhost:6379' } }
 *
 * Nothing here runs in the server: Astro bundles the entrypoint (provider.ts behind a target file)
 * and hands it `config`. With `redis` the entrypoint is the one that loads the Redis store, so an
 * app that keeps responses in memory never bundles the `redis` package.
 */
import type { CacheProviderConfig } from 'astro'
import { checkProviderOptions, type RevalidateCacheOptions } from './options.js'

export { DEFAULT_EXCLUDED_PARAMS, type QueryOptions, type RedisConnectionOptions, type RevalidateCacheOptions } from './options.js'

/** Astro's cache provider on our coordinator; see docs/frameworks/astro.md, "Astro.cache on revalidate". */
export function revalidateCache(options: RevalidateCacheOptions = {}): CacheProviderConfig<RevalidateCacheOptions> {
  const config = checkProviderOptions(options, 'revalidateCache()')
  return {
    name: 'revalidate',
    entrypoint: config.redis === undefined ? '@revalidate/runtime/astro/provider' : '@revalidate/runtime/astro/redis',
    config,
  }
}
