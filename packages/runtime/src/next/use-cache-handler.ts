/**
 * Next.js's `'use cache'` handler (`cacheHandlers.default` / `.remote` in next.config) on our
 * coordinator and stores. The contract is Next's (next/dist/server/lib/cache-handlers/types.d.ts):
 *
 *   get(key, softTags)   a new stream over the stored bytes each time; undefined for a miss, which
 *                        the caller renders (and, across instances on Redis, only that caller)
 *   set(key, pending)    reads the pending entry's stream once and keeps the bytes; a get of the key
 *                        meanwhile waits for it
 *   refreshTags()        nothing to do: a shared store pushes other instances' tag times here
 *   getExpiration(tags)  the latest past expiry of those (implicit) tags
 *   updateTags(tags, d)  revalidateTag / updateTag / revalidatePath, on every instance
 *
 * Stale entries (past `revalidate`, or a tag revalidated with a profile) are served while one
 * instance renders them again; see next-cache.ts.
 */
import type { NextEntry } from './entry.js'
import { type NextCache, nextCache, type NextCacheOptions } from './next-cache.js'

/** An entry as Next hands it over and takes it back (`CacheEntry` in Next's cache-handlers/types.d.ts). */
export interface UseCacheEntry {
  value: ReadableStream<Uint8Array>
  tags: string[]
  /** Seconds the client may use it without asking (not used for expiry here). */
  stale: number
  /** When it was made, ms since the epoch. */
  timestamp: number
  /** Seconds after `timestamp` past which it is not served. */
  expire: number
  /** Seconds after `timestamp` past which Next makes it again in the background; negative: at once. */
  revalidate: number
}

/** Next's `CacheHandler` for `'use cache'`, as `cacheHandlers` takes it. */
export interface UseCacheHandler {
  get(cacheKey: string, softTags: string[]): Promise<UseCacheEntry | undefined>
  set(cacheKey: string, pendingEntry: Promise<UseCacheEntry>): Promise<void>
  refreshTags(): Promise<void>
  getExpiration(tags: string[]): Promise<number>
  updateTags(tags: string[], durations?: { expire?: number }): Promise<void>
}

/** What is kept of a `'use cache'` entry besides its NextEntry fields. */
interface UseCacheData {
  stale: number
  body: Uint8Array
}

/** Next's keys are its own; ours live beside them in the same store. */
const KEY_PREFIX = 'next:use-cache:'

function isUseCacheData(data: unknown): data is UseCacheData {
  const { stale, body } = (data ?? {}) as Partial<UseCacheData>
  return typeof stale === 'number' && body instanceof Uint8Array
}

/**
 * A `'use cache'` handler over the Next.js cache of this process (one per process, shared with the
 * ISR handler): in memory by default, on the store you give (Redis, for many instances).
 * @example
 * // use-cache-handler.mjs, next to next.config: cacheHandlers: { default: resolve('./use-cache-handler.mjs') }
 * import { createUseCacheHandler } from '@revalidate/runtime/next'
 * import { redisStore } from '@revalidate/runtime/redis'
 * export default createUseCacheHandler({ store: redisStore({ url: process.env.REDIS_URL }) })
 */
export function createUseCacheHandler(options?: NextCacheOptions): UseCacheHandler {
  return useCacheHandlerOver(nextCache(options))
}

/** The handler over a given Next.js cache (tests make two, as two instances would). */
export function useCacheHandlerOver(cache: NextCache): UseCacheHandler {
  return {
    async get(cacheKey, softTags) {
      const found = await cache.read(KEY_PREFIX + cacheKey, { softTags })
      if (found === undefined || !isUseCacheData(found.entry.data)) return undefined
      const { entry } = found
      return {
        value: streamOf(found.entry.data.body),
        tags: [...entry.tags],
        stale: found.entry.data.stale,
        timestamp: entry.timestamp,
        expire: entry.expire,
        revalidate: revalidateFor(entry, found.refresh, found.freshUntil),
      }
    },
    set(cacheKey, pendingEntry) {
      return cache.write(KEY_PREFIX + cacheKey, collect(pendingEntry))
    },
    async refreshTags() {},
    async getExpiration(tags) {
      return cache.tagTimes.expiration(tags, Date.now())
    },
    updateTags(tags, durations) {
      return cache.revalidateTags(tags, durations)
    },
  }
}

/**
 * The `revalidate` Next sees: stale to the one caller that renders it again (negative when only a
 * tag made it stale, which Next reads as "now"), fresh for a moment to the others.
 */
function revalidateFor(entry: NextEntry, refresh: 'here' | 'elsewhere' | undefined, freshUntil: number | undefined): number {
  const revalidate = entry.revalidate ?? entry.expire
  if (refresh === 'here') return Date.now() > entry.timestamp + revalidate * 1000 ? revalidate : -1
  if (refresh === 'elsewhere') return Math.ceil((freshUntil! - entry.timestamp) / 1000)
  return revalidate
}

/** The pending entry as we keep it: its stream read once, to the end. Undefined when Next should not keep it (expire 0: dynamic). */
async function collect(pendingEntry: Promise<UseCacheEntry>): Promise<NextEntry<UseCacheData> | undefined> {
  const entry = await pendingEntry
  const body = await bytesOf(entry.value)
  if (entry.expire <= 0) return undefined
  return { timestamp: entry.timestamp, revalidate: entry.revalidate, expire: entry.expire, tags: [...entry.tags], data: { stale: entry.stale, body } }
}

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let length = 0
  const reader = stream.getReader()
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    chunks.push(read.value)
    length += read.value.byteLength
  }
  if (chunks.length === 1 && chunks[0]!.byteOffset === 0 && chunks[0]!.byteLength === chunks[0]!.buffer.byteLength) return chunks[0]!
  const bytes = new Uint8Array(length)
  let at = 0
  for (const chunk of chunks) {
    bytes.set(chunk, at)
    at += chunk.byteLength
  }
  return bytes
}

function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes)
      controller.close()
    },
  })
}
