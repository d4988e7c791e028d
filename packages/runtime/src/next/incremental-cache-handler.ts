/**
 * Next.js's incremental cache handler (`cacheHandler` in next.config): ISR pages, route handler
 * responses, `fetch` caching and optimized images, on the same Next.js cache of this process as
 * the `'use cache'` handler (next-cache.ts). Next makes one instance per request, so an instance
 * holds nothing of its own.
 *
 *   get(key, { kind })      { lastModified, value, cacheControl } or null (a miss the caller renders)
 *   set(key, value, ctx)    kept until ctx.cacheControl.expire (fetch: revalidate + a day)
 *   revalidateTag(tags, d)  the same tag times as 'use cache': revalidateTag, revalidatePath, ours
 *
 * Pages are kept under the build's id (an entry of another deploy is a miss), fetch results and
 * images under none, as Next's own cache does. Their bytes (Buffers) are kept as exact copies and
 * handed back as Buffers.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULT_STALE_SECONDS } from '../cache.js'
import { type NextEntry, ONE_YEAR_SECONDS } from './entry.js'
import { type NextCache, nextCache, type NextCacheOptions } from './next-cache.js'

/** What Next's route kinds cache: `IncrementalCacheValue` in next/dist/server/response-cache/types.d.ts. */
export type IncrementalCacheValue = { kind: string; [field: string]: unknown }

export interface IncrementalCacheControl {
  revalidate: number | false
  expire?: number
}

/** What Next gives the constructor (`CacheHandlerContext`); only `serverDistDir` is read here. */
export interface IncrementalCacheContext {
  serverDistDir?: string
  [field: string]: unknown
}

/** The second argument of `get` (`kind` is one of FETCH, APP_PAGE, APP_ROUTE, PAGES, IMAGE). */
export interface IncrementalGetContext {
  kind: string
  tags?: string[]
  softTags?: string[]
  [field: string]: unknown
}

/** The third argument of `set`. */
export interface IncrementalSetContext {
  fetchCache?: boolean
  tags?: string[]
  cacheControl?: IncrementalCacheControl
  [field: string]: unknown
}

/** What `get` resolves to (`CacheHandlerValue`). */
export interface IncrementalCacheHandlerValue {
  lastModified: number
  value: IncrementalCacheValue | null
  cacheControl?: IncrementalCacheControl
}

export interface IncrementalCacheHandler {
  get(cacheKey: string, context: IncrementalGetContext): Promise<IncrementalCacheHandlerValue | null>
  set(cacheKey: string, data: IncrementalCacheValue | null, context: IncrementalSetContext): Promise<void>
  revalidateTag(tags: string | string[], durations?: { expire?: number }): Promise<void>
  resetRequestCache(): void
}

/** What is kept of an ISR entry besides its NextEntry fields. */
interface IncrementalData {
  value: IncrementalCacheValue | null
  cacheControl?: IncrementalCacheControl
}

const PAGE_KINDS = new Set(['APP_PAGE', 'APP_ROUTE', 'PAGES', 'REDIRECT'])
const TAGS_HEADER = 'x-next-cache-tags'

/**
 * The class Next instantiates for `cacheHandler`, over the Next.js cache of this process (one per
 * process, shared with the `'use cache'` handler).
 * @example
 * // cache-handler.mjs, next to next.config: cacheHandler: resolve('./cache-handler.mjs')
 * import { createIncrementalCacheHandler } from '@revalidate/runtime/next'
 * import { redisStore } from '@revalidate/runtime/redis'
 * export default createIncrementalCacheHandler({ store: redisStore({ url: process.env.REDIS_URL }) })
 */
export function createIncrementalCacheHandler(options?: NextCacheOptions): new (context?: IncrementalCacheContext) => IncrementalCacheHandler {
  return incrementalCacheHandlerOver(nextCache(options))
}

/** The handler class over a given Next.js cache (tests make two, as two instances would). */
export function incrementalCacheHandlerOver(cache: NextCache): new (context?: IncrementalCacheContext) => IncrementalCacheHandler {
  return class RevalidateIncrementalCache implements IncrementalCacheHandler {
    readonly #buildId: string | undefined

    constructor(context: IncrementalCacheContext = {}) {
      this.#buildId = buildIdOf(context.serverDistDir)
    }

    async get(cacheKey: string, context: IncrementalGetContext): Promise<IncrementalCacheHandlerValue | null> {
      const fetched = context.kind === 'FETCH'
      const version = fetched || context.kind === 'IMAGE' ? undefined : this.#buildId
      const found = await cache.read(storageKey(cacheKey, fetched), { version, softTags: fetched ? [...(context.tags ?? []), ...(context.softTags ?? [])] : undefined })
      if (found === undefined || !isIncrementalData(found.entry.data)) return null
      const { entry, refresh } = found
      const data = found.entry.data
      let lastModified = entry.timestamp
      const revalidateMs = entry.revalidate === undefined ? undefined : entry.revalidate * 1000
      if (refresh === 'elsewhere' && revalidateMs !== undefined) lastModified = found.freshUntil! - revalidateMs
      // Only a tag made it stale: Next judges ISR staleness by lastModified, so it is moved back past revalidate.
      if (refresh === 'here' && revalidateMs !== undefined) lastModified = Math.min(lastModified, Date.now() - revalidateMs - 1)
      // Stale with no revalidate to move past: render it again before answering.
      if (refresh === 'here' && revalidateMs === undefined) return null
      const value: IncrementalCacheHandlerValue = { lastModified, value: fromStorable(data.value) as IncrementalCacheValue | null }
      if (data.cacheControl !== undefined) value.cacheControl = { ...data.cacheControl }
      return value
    }

    async set(cacheKey: string, data: IncrementalCacheValue | null, context: IncrementalSetContext): Promise<void> {
      const fetched = context.fetchCache === true
      const key = storageKey(cacheKey, fetched)
      const entry: NextEntry<IncrementalData> = { timestamp: cache.renderStart(key), expire: ONE_YEAR_SECONDS, tags: tagsOf(data, context), data: { value: toStorable(data) as IncrementalCacheValue | null } }
      const revalidate = fetched || data?.kind === 'IMAGE' ? (data?.revalidate as number | undefined) : context.cacheControl?.revalidate
      if (typeof revalidate === 'number') {
        entry.revalidate = revalidate
        entry.expire = revalidate + DEFAULT_STALE_SECONDS
      }
      if (context.cacheControl !== undefined) {
        entry.data.cacheControl = { ...context.cacheControl }
        if (typeof context.cacheControl.expire === 'number') entry.expire = context.cacheControl.expire
      }
      const version = fetched || !PAGE_KINDS.has(data?.kind ?? 'PAGES') ? undefined : this.#buildId
      await cache.write(key, Promise.resolve(entry), { version })
    }

    revalidateTag(tags: string | string[], durations?: { expire?: number }): Promise<void> {
      return cache.revalidateTags(typeof tags === 'string' ? [tags] : tags, durations)
    }

    resetRequestCache(): void {}
  }
}

function storageKey(cacheKey: string, fetched: boolean): string {
  return `${fetched ? 'next:fetch:' : 'next:isr:'}${cacheKey}`
}

function isIncrementalData(data: unknown): data is IncrementalData {
  const value = (data as Partial<IncrementalData> | null)?.value
  return value === null || (typeof value === 'object' && value !== undefined && typeof value.kind === 'string')
}

/** An entry's tags: a fetch's own, a page's from the tags header Next writes into it (its implicit path tags among them). */
function tagsOf(data: IncrementalCacheValue | null, context: IncrementalSetContext): string[] {
  if (context.fetchCache === true) return [...new Set([...(context.tags ?? []), ...((data?.tags as string[] | undefined) ?? [])])]
  const header = (data?.headers as Record<string, unknown> | undefined)?.[TAGS_HEADER]
  return typeof header === 'string' && header !== '' ? header.split(',') : []
}

const buildIds = new Map<string, string | undefined>()

/** The id of the build being served (`<distDir>/BUILD_ID`), read once; undefined while it does not exist yet (during `next build`). */
function buildIdOf(serverDistDir: string | undefined): string | undefined {
  if (serverDistDir === undefined) return undefined
  if (buildIds.has(serverDistDir)) return buildIds.get(serverDistDir)
  let id: string | undefined
  try {
    id = readFileSync(join(serverDistDir, '..', 'BUILD_ID'), 'utf8').trim() || undefined
  } catch {
    return undefined // not written yet: asked again next time
  }
  buildIds.set(serverDistDir, id)
  return id
}

/** A copy to keep: bytes as exact Uint8Arrays (a Buffer may be a view of a much larger pool), everything else as it is. */
function toStorable(value: unknown): unknown {
  if (value instanceof Uint8Array) return new Uint8Array(value)
  if (value instanceof Map) return new Map([...value].map(([key, item]) => [key, toStorable(item)]))
  if (Array.isArray(value)) return value.map(toStorable)
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toStorable(item)]))
  return value
}

/** A copy to hand Next: bytes as Buffers (Next calls Buffer methods on them), containers new, so nothing Next changes reaches the cache. */
function fromStorable(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  if (value instanceof Map) return new Map([...value].map(([key, item]) => [key, fromStorable(item)]))
  if (Array.isArray(value)) return value.map(fromStorable)
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fromStorable(item)]))
  return value
}
