/**
 * The settings `withRevalidate(nextConfig, { cache })` (@revalidate/plugin/next) hands the handler
 * modules Next loads by path (use-cache.ts, cache-handler.ts). next.config runs in the process that
 * serves (and in the one that builds, whose workers inherit its environment), so the settings
 * travel as JSON in an environment variable: only what JSON can carry, a Redis URL and numbers.
 */
export const NEXT_CACHE_SETTINGS_ENV = 'REVALIDATE_NEXT_CACHE'

export interface NextCacheSettings {
  /** `redis://…` or `rediss://…`: entries and invalidations shared by every instance. Without it, this process's memory. */
  redis?: string
  /** Prefix of every Redis key. @default 'revalidate:' */
  prefix?: string
  /** Entries kept in memory (all of them without Redis, the tier in front of it with). @default 10000 */
  maxEntries?: number
  /** Bytes kept in memory, counted as serialized entries. @default 50 MiB */
  maxMemoryBytes?: number
  /** Longest one instance renders a key while the others wait for it (Redis only). @default 30 */
  lockSeconds?: number
}
