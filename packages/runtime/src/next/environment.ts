// The options of this process's Next.js cache, read from the settings in the environment
// (settings.ts). Only the handler modules Next loads by path import this: it loads the Redis store
// when the settings name a Redis, which no bundle of the app should follow.
import { installedNextCache } from './installed.js'
import { DEFAULT_NEXT_MAX_ENTRIES, DEFAULT_NEXT_MAX_MEMORY_BYTES, type NextCacheOptions } from './next-cache.js'
import { NEXT_CACHE_SETTINGS_ENV, type NextCacheSettings } from './settings.js'

function readSettings(text: string | undefined): NextCacheSettings {
  if (text === undefined || text === '') return {}
  let settings: unknown
  try {
    settings = JSON.parse(text)
  } catch {
    throw new TypeError(`${NEXT_CACHE_SETTINGS_ENV} is not JSON: set it through withRevalidate(nextConfig, { cache }) in next.config, or leave it unset`)
  }
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) throw new TypeError(`${NEXT_CACHE_SETTINGS_ENV} must hold a JSON object, got ${text.slice(0, 80)}`)
  return settings as NextCacheSettings
}

let options: Promise<NextCacheOptions> | undefined

/**
 * The options of this process's Next.js cache, from the environment: one answer for both handler
 * modules (Next may load them at once), so they make one cache on one store.
 */
export function optionsFromEnvironment(): Promise<NextCacheOptions> {
  return (options ??= installedNextCache() === undefined ? fromSettings(readSettings(process.env[NEXT_CACHE_SETTINGS_ENV])) : Promise.resolve({}))
}

async function fromSettings({ redis, prefix, maxEntries, maxMemoryBytes, lockSeconds }: NextCacheSettings): Promise<NextCacheOptions> {
  if (redis === undefined) return { maxEntries, maxMemoryBytes }
  // Loaded only for Redis: an app that keeps its cache in memory needs no Redis client installed.
  const { redisStore } = await import('../stores/redis-store.js').catch((error: unknown) => {
    if ((error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND' || !/'redis'/.test((error as Error).message)) throw error
    throw new Error(`${NEXT_CACHE_SETTINGS_ENV} names a Redis (withRevalidate's cache.redis), and the redis package is not installed: npm install redis`, { cause: error })
  })
  return { store: redisStore({ url: redis, prefix, maxEntries: maxEntries ?? DEFAULT_NEXT_MAX_ENTRIES, maxMemoryBytes: maxMemoryBytes ?? DEFAULT_NEXT_MAX_MEMORY_BYTES, lockSeconds }) }
}
