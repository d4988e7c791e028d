/**
 * The Vercel target: pages are cached by Vercel's own ISR, not by this runtime, so invalidating
 * a page key asks the platform to regenerate the page (on-demand ISR):
 *
 *   invalidate('page:/posts')  ->  HEAD https://<deployment>/posts
 *                                  x-prerender-revalidate: <bypass token>
 *
 * Every other key lives in memory, as on Node. Entries tagged for `invalidateTag` and
 * `invalidateAll` reach that memory only: the platform's page cache has no tags to aim at.
 */
import { MemoryStore } from './memory-store.js'
import type { CacheEntry, CacheStore } from './types.js'

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
  /** @default 1000 */
  maxEntries?: number
  /** @default globalThis.fetch */
  fetch?: typeof fetch
}

const PAGE_PREFIX = 'page:'

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

  get(key: string): CacheEntry | undefined {
    return this.#memory.get(key)
  }

  set(key: string, entry: CacheEntry): void {
    this.#memory.set(key, entry)
  }

  async delete(key: string): Promise<void> {
    this.#memory.delete(key)
    if (key.startsWith(PAGE_PREFIX)) await this.#revalidatePage(key.slice(PAGE_PREFIX.length))
  }

  deleteTag(tag: string): void {
    this.#memory.deleteTag(tag)
  }

  clear(): void {
    this.#memory.clear()
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
