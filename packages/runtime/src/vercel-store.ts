/**
 * The Vercel target: pages are cached by Vercel's own ISR, not by this runtime, so invalidating
 * a page key asks the platform to regenerate the page (on-demand ISR):
 *
 *   invalidate('page:/posts')  ->  HEAD https://<deployment>/posts
 *                                  x-prerender-revalidate: <bypass token>
 *
 * Every other key lives in memory, as on Node, or, given `runtimeCache: getCache()` from
 * @vercel/functions, in Vercel's Runtime Cache, shared by the function's instances in a region.
 * That cache drops an entry at its TTL and knows nothing of staleness, so entries go in as our
 * envelope with TTL = ttl + staleSeconds, and the coordinator judges freshness as everywhere.
 * `invalidateTag` and `invalidateAll` reach those entries, not pages: the platform's page cache
 * has no tags to aim at.
 */
import { MemoryStore } from './memory-store.js'
import { deserializeEntry, serializeEntry, storedLifetimeSeconds } from './serialize.js'
import type { CacheEntry, CacheStore, MaybePromise } from './types.js'

/** The part of Vercel's Runtime Cache (`getCache()` from @vercel/functions) this store uses. */
export interface RuntimeCacheLike {
  get(key: string): Promise<unknown>
  set(key: string, value: unknown, options?: { ttl?: number; tags?: string[] }): Promise<void>
  delete(key: string): Promise<void>
  expireTag(tag: string | string[]): Promise<void>
}

export interface VercelStoreOptions {
  /**
   * Where the deployment answers.
   * @default process.env.REVALIDATE_ORIGIN, else https:// + VERCEL_PROJECT_PRODUCTION_URL or VERCEL_URL
   */
  origin?: string
  /**
   * The prerender bypass token the build wrote into each page's prerender config.
   * @default process.env.REVALIDATE_BYPASS_TOKEN
   */
  bypassToken?: string
  /**
   * Vercel's Runtime Cache for non-page keys (`getCache()` from @vercel/functions), shared by
   * the function's instances; without it they live in this instance's memory.
   */
  runtimeCache?: RuntimeCacheLike
  /** Entries kept in memory when there is no `runtimeCache`. @default 1000 */
  maxEntries?: number
  /** @default globalThis.fetch */
  fetch?: typeof fetch
}

const PAGE_PREFIX = 'page:'
/** Carried by every Runtime Cache entry, so invalidateAll is one expireTag. */
const ALL_TAG = 'revalidate:all'

function environment(name: string): string | undefined {
  return typeof process === 'undefined' ? undefined : process.env[name] || undefined
}

export class VercelStore implements CacheStore {
  readonly #memory: MemoryStore
  readonly #options: VercelStoreOptions

  constructor(options: VercelStoreOptions = {}) {
    this.#options = options
    this.#memory = new MemoryStore({ maxEntries: options.maxEntries })
  }

  get(key: string): MaybePromise<CacheEntry | undefined> {
    const shared = this.#options.runtimeCache
    if (shared === undefined) return this.#memory.get(key)
    return shared.get(key).then((text) => deserializeEntry(text))
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    const shared = this.#options.runtimeCache
    if (shared === undefined) return this.#memory.set(key, entry)
    await shared.set(key, serializeEntry(entry), { ttl: storedLifetimeSeconds(entry), tags: [...(entry.tags ?? []), ALL_TAG] })
  }

  async delete(key: string): Promise<void> {
    this.#memory.delete(key)
    await this.#options.runtimeCache?.delete(key)
    if (key.startsWith(PAGE_PREFIX)) await this.#revalidatePage(key.slice(PAGE_PREFIX.length))
  }

  async deleteTag(tag: string): Promise<void> {
    this.#memory.deleteTag(tag)
    await this.#options.runtimeCache?.expireTag(tag)
  }

  async clear(): Promise<void> {
    this.#memory.clear()
    await this.#options.runtimeCache?.expireTag(ALL_TAG)
  }

  /** Sends the documented on-demand revalidation request for `path`; rejects if it fails. */
  async #revalidatePage(path: string): Promise<void> {
    const origin = this.#options.origin ?? environment('REVALIDATE_ORIGIN') ?? deploymentOrigin()
    const token = this.#options.bypassToken ?? environment('REVALIDATE_BYPASS_TOKEN')
    if (origin === undefined) {
      throw new TypeError(`invalidate('page:${path}'): no deployment origin; set REVALIDATE_ORIGIN (Vercel sets VERCEL_URL)`)
    }
    if (token === undefined) {
      throw new TypeError(`invalidate('page:${path}'): no bypass token; set REVALIDATE_BYPASS_TOKEN to the token the build wrote`)
    }
    const response = await (this.#options.fetch ?? fetch)(new URL(path, origin), { method: 'HEAD', headers: { 'x-prerender-revalidate': token } })
    if (!response.ok) throw new Error(`invalidate('page:${path}'): Vercel answered ${response.status} to the revalidation request`)
  }
}

function deploymentOrigin(): string | undefined {
  const host = environment('VERCEL_PROJECT_PRODUCTION_URL') ?? environment('VERCEL_URL')
  return host === undefined ? undefined : `https://${host}`
}

export function vercelStore(options?: VercelStoreOptions): VercelStore {
  return new VercelStore(options)
}
