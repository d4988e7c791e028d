/**
 * The Vercel target: pages are cached by Vercel's own ISR, not by this runtime, so invalidating
 * a page key asks the platform to regenerate the page (on-demand ISR):
 *
 *   invalidate('page:/posts')  ->  HEAD https://<this deployment>/posts
 *                                  x-prerender-revalidate: <bypass token>
 *                              <-  x-vercel-cache: REVALIDATED   (anything else is a failure)
 *
 * The token opens every cached page of the deployment, so it only ever goes to the deployment's
 * own origin: a key whose path would leave it (`page://host/x`, `page:/\host`) is refused, and a
 * redirect is never followed. In a preview deployment the preview itself is revalidated
 * (VERCEL_URL), never production: its token is the preview's own.
 *
 * Every other key lives in memory, as on Node, or, given `runtimeCache: getCache()` from
 * @vercel/functions, in Vercel's Runtime Cache, shared by the function's instances in a region.
 * That cache drops an entry at its TTL and knows nothing of staleness, so entries go in as our
 * envelope with TTL = ttl + staleSeconds, and the coordinator judges freshness as everywhere.
 * `invalidateTag` and `invalidateAll` reach those entries, not pages: the platform's page cache
 * has no tags to aim at.
 */
import { docsLink } from '../docs-link.js'
import { MemoryStore } from './memory-store.js'
import { deserializeEntry, serializeEntry, storedLifetimeSeconds } from '../serialize.js'
import type { CacheEntry, CacheStore, MaybePromise } from '../types.js'

/** The part of Vercel's Runtime Cache (`getCache()` from @vercel/functions) this store uses. */
export interface RuntimeCacheLike {
  get(key: string): Promise<unknown>
  set(key: string, value: unknown, options?: { ttl?: number; tags?: string[] }): Promise<void>
  delete(key: string): Promise<void>
  expireTag(tag: string | string[]): Promise<void>
}

export interface VercelStoreOptions {
  /**
   * Where the deployment answers; the bypass token is only ever sent there.
   * @default process.env.REVALIDATE_ORIGIN, else https:// + VERCEL_PROJECT_PRODUCTION_URL in
   * production (VERCEL_ENV=production) and VERCEL_URL elsewhere (a preview revalidates itself)
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

  /** Sends the documented on-demand revalidation request for `path`; rejects unless Vercel regenerated the page. */
  async #revalidatePage(path: string): Promise<void> {
    const call = `invalidate('${PAGE_PREFIX}${path}')`
    const origin = this.#options.origin ?? environment('REVALIDATE_ORIGIN') ?? deploymentOrigin()
    const token = this.#options.bypassToken ?? environment('REVALIDATE_BYPASS_TOKEN')
    if (origin === undefined) {
      throw new TypeError(`${call}: no deployment origin; set REVALIDATE_ORIGIN (Vercel sets VERCEL_URL)`)
    }
    if (token === undefined) {
      throw new TypeError(`${call}: no bypass token; set REVALIDATE_BYPASS_TOKEN to the token the build wrote`)
    }
    const url = pageUrl(call, path, origin)
    const headers: Record<string, string> = { 'x-prerender-revalidate': token }
    // Standard Deployment Protection guards preview URLs; its automation secret lets this request through.
    const protectionBypass = environment('VERCEL_AUTOMATION_BYPASS_SECRET')
    if (protectionBypass !== undefined) headers['x-vercel-protection-bypass'] = protectionBypass
    // A redirect could lead the token to another host: it is an answer, never followed.
    const response = await (this.#options.fetch ?? fetch)(url, { method: 'HEAD', headers, redirect: 'manual' })
    const cacheStatus = response.headers.get('x-vercel-cache')
    if (!response.ok || cacheStatus?.toUpperCase() !== 'REVALIDATED') {
      throw new Error(
        `${call}: the deployment at ${url.origin} did not regenerate the page (status ${response.status}, ` +
          `x-vercel-cache: ${cacheStatus ?? 'absent'}; Vercel answers REVALIDATED when the bypass token matches ` +
          'the one the build wrote into the page\'s prerender config). See ' + docsLink('targets/vercel.md', 'On-demand revalidation') + '.',
      )
    }
  }
}

/**
 * The URL of `path` on `origin`, or a TypeError when the path is not a plain absolute path there:
 * URL parsing turns `//host/x`, `/\host` or `/\t/host` into another host, and the token must not go there.
 */
function pageUrl(call: string, path: string, origin: string): URL {
  const base = new URL(origin)
  const url = path.startsWith('/') ? new URL(path, base) : undefined
  if (url === undefined || url.origin !== base.origin) {
    throw new TypeError(
      `${call}: a page key is "page:" followed by an absolute path on this deployment (page:/posts/hello); ` +
        `this one would send the bypass token to ${url?.origin ?? 'no origin at all'}, so nothing was sent`,
    )
  }
  return url
}

/**
 * This deployment's address: in production its production domain (the deployment's own
 * *.vercel.app address is behind Deployment Protection by default), elsewhere the deployment
 * itself. VERCEL_PROJECT_PRODUCTION_URL is set in previews too, and a preview must never
 * revalidate production (nor send production its own token).
 */
function deploymentOrigin(): string | undefined {
  const production = environment('VERCEL_ENV') === 'production' ? environment('VERCEL_PROJECT_PRODUCTION_URL') : undefined
  const host = production ?? environment('VERCEL_URL')
  return host === undefined ? undefined : `https://${host}`
}

export function vercelStore(options?: VercelStoreOptions): VercelStore {
  return new VercelStore(options)
}
