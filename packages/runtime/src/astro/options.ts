/**
 * The options of the Astro cache provider, as `astro.config` writes them and as the provider
 * reads them back: Astro serializes a provider's `config` into the build (JSON), so every option
 * is plain data. Checked twice with the same rules: by `revalidateCache()` when the config loads,
 * so a mistake stops `astro build` with a message, and by the provider, for a config written by hand.
 */
import { docsLink } from '../docs-link.js'
import type { RedisStoreOptions } from '../stores/redis-store.js'

/** How the query string enters a page's cache key; the same options as Astro's `memoryCache()`. */
export interface QueryOptions {
  /**
   * Sort the parameters by name, so `?b=2&a=1` and `?a=1&b=2` are one entry.
   * @default true
   */
  sort?: boolean
  /**
   * Only these parameter names are part of the key; all others (tracking parameters included)
   * are left out. Cannot be used with `exclude`.
   * @example { include: ['page', 'sort', 'q'] }
   */
  include?: string[]
  /**
   * Parameter names left out of the key; `*` matches any run of characters, case does not matter.
   * Replaces the default list; `[]` keeps every parameter. Cannot be used with `include`.
   * @default DEFAULT_EXCLUDED_PARAMS (utm_*, fbclid, gclid, ... as Astro's memoryCache)
   */
  exclude?: string[]
}

/** The Redis store's options that fit in a config: everything but a client object. */
export type RedisConnectionOptions = Omit<RedisStoreOptions, 'client' | 'memoryEntries'> & { url: string }

export interface RevalidateCacheOptions {
  /**
   * Keep responses in Redis, shared by every Node instance (entries, invalidations, one render
   * per page at a time across them): `redis://host:6379`, or the Redis store's options with a
   * `url`. Without it, responses stay in the process's memory (Cloudflare: the Workers Cache
   * API, with the Durable Object coordinator when it is bound).
   * @example revalidateCache({ redis: process.env.REDIS_URL })
   */
  redis?: string | RedisConnectionOptions
  /**
   * Entries kept in memory: the whole store without `redis`, the tier in front of Redis with it.
   * @default 1000
   */
  maxEntries?: number
  /** How the query string enters the key: tracking parameters left out, the rest sorted. */
  query?: QueryOptions
}

/** Tracking and analytics parameters Astro's memory provider leaves out of its keys (its docs list them). */
export const DEFAULT_EXCLUDED_PARAMS: readonly string[] = [
  'utm_*', 'fbclid', 'gclid', 'gbraid', 'wbraid', 'dclid', 'msclkid', 'twclid', 'li_fat_id', 'mc_cid', 'mc_eid',
  '_ga', '_gl', '_hsenc', '_hsmi', '_ke', 'oly_anon_id', 'oly_enc_id', 'rb_clickid', 's_cid', 'vero_id', 'wickedid',
  'yclid', '__s', 'ref',
]

const OPTION_NAMES = ['redis', 'maxEntries', 'query']
const QUERY_OPTION_NAMES = ['sort', 'include', 'exclude']

const isPlainRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '')

function unknownOption(where: string, name: string, known: string[]): TypeError {
  return new TypeError(`${where}: unknown option "${name}" (the options are ${known.join(', ')})`)
}

/**
 * `options` when they are valid; otherwise a TypeError naming the first wrong one. `where` is how
 * the message starts (`revalidateCache()` at config time, the provider at run time).
 */
export function checkProviderOptions(options: unknown, where: string): RevalidateCacheOptions {
  if (options === undefined) return {}
  if (!isPlainRecord(options)) throw new TypeError(`${where}: options must be an object such as { redis: 'redis://localhost:6379' }`)
  for (const name of Object.keys(options)) if (!OPTION_NAMES.includes(name)) throw unknownOption(where, name, OPTION_NAMES)
  const { redis, maxEntries, query } = options
  if (redis !== undefined) {
    const url = typeof redis === 'string' ? redis : isPlainRecord(redis) ? redis.url : undefined
    if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) {
      throw new TypeError(`${where}: redis must be a redis:// or rediss:// URL, or the Redis store's options with one as url, got ${JSON.stringify(redis)}`)
    }
    if (isPlainRecord(redis) && 'client' in redis) {
      throw new TypeError(`${where}: redis.client cannot go through astro.config (Astro writes the config into the build as JSON); give a url, or configure() the runtime with your own store (${docsLink('frameworks/astro.md')})`)
    }
  }
  if (maxEntries !== undefined && !(Number.isInteger(maxEntries) && (maxEntries as number) >= 1)) {
    throw new TypeError(`${where}: maxEntries must be a whole number of at least 1, got ${JSON.stringify(maxEntries)}`)
  }
  if (query !== undefined) checkQueryOptions(query, where)
  return options as RevalidateCacheOptions
}

function checkQueryOptions(query: unknown, where: string): void {
  if (!isPlainRecord(query)) throw new TypeError(`${where}: query must be an object such as { include: ['page'] }`)
  for (const name of Object.keys(query)) if (!QUERY_OPTION_NAMES.includes(name)) throw unknownOption(`${where}: query`, name, QUERY_OPTION_NAMES)
  const { sort, include, exclude } = query
  if (sort !== undefined && typeof sort !== 'boolean') throw new TypeError(`${where}: query.sort must be true or false, got ${JSON.stringify(sort)}`)
  if (include !== undefined && exclude !== undefined) {
    throw new TypeError(`${where}: query.include and query.exclude cannot be used together: include names the parameters kept in the key (all others are left out), exclude the ones left out`)
  }
  for (const [name, list] of [['include', include], ['exclude', exclude]] as const) {
    if (list !== undefined && !isStringList(list)) throw new TypeError(`${where}: query.${name} must be an array of parameter names, got ${JSON.stringify(list)}`)
  }
}
