/**
 * What the provider entrypoints default-export: Astro calls it with the `config` that
 * `revalidateCache()` put in astro.config, once, at the first request.
 */
import type { CacheProvider } from 'astro'
import { configure } from '../default-cache.js'
import type { CacheOptions } from '../types.js'
import { checkProviderOptions, type RevalidateCacheOptions } from './options.js'
import { astroCacheProvider } from './provider.js'

/**
 * The factory of one entrypoint. `storeFor` makes the store its options ask for (the Redis one);
 * without it, `maxEntries` sizes the default cache's memory store. Either way the runtime's
 * default cache is configured once, here, before any page runs, so the pragma's data and the
 * responses share one store, one coordinator and one invalidation.
 */
export function providerFactory(entrypoint: string, storeFor?: (options: RevalidateCacheOptions) => CacheOptions['store']) {
  return (config: RevalidateCacheOptions | undefined): CacheProvider => {
    const options = checkProviderOptions(config, entrypoint)
    if (storeFor !== undefined) configure({ store: storeFor(options) })
    else if (options.maxEntries !== undefined) configure({ maxEntries: options.maxEntries })
    return astroCacheProvider(options)
  }
}
