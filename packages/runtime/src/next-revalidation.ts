/**
 * Inside Next.js, an invalidation also reaches Next's own cache, the one that holds its ISR pages:
 *
 *   invalidate('page:/posts/hello')  ->  revalidatePath('/posts/hello')
 *   invalidateTag('posts')           ->  revalidateTag('posts', { expire: 0 })
 *   invalidateAll()                  ->  revalidatePath('/', 'layout')
 *
 * The `next` CLI sets NEXT_RUNTIME in every process it runs (and Next's bundler writes it into the
 * server bundles). `next/cache` is imported when first needed, at run time and by a name no
 * bundler follows: apps without Next never resolve it, and Next's module finds the request it is
 * called in through Next's own AsyncLocalStorage, kept on globalThis.
 */
import { installedNextCache } from './next/installed.js'
import type { CacheOptions, Invalidation } from './types.js'

interface NextCache {
  revalidatePath(path: string, type?: 'layout' | 'page'): void
  revalidateTag(tag: string, profile: { expire: number }): void
}

export function insideNext(): boolean {
  return typeof process !== 'undefined' && Boolean(process.env.NEXT_RUNTIME)
}

/**
 * What the default cache starts from inside a Next.js server. With our cache handlers in use
 * (@revalidate/runtime/next), Next's caches are ours: the default cache shares their store, and an
 * invalidation reaches Next's entries through tag times on every instance. Without them, it calls
 * Next's own revalidatePath and revalidateTag.
 */
export function defaultsInsideNext(): CacheOptions {
  return installedNextCache()?.defaultCacheOptions() ?? { onInvalidate: revalidateInNext }
}

// With its extension: Next's package has no export map, and Node's ESM resolution wants the file.
const NEXT_CACHE = 'next/cache.js'
let nextCache: Promise<NextCache> | undefined

function loadNextCache(): Promise<NextCache> {
  return (nextCache ??= import(/* webpackIgnore: true */ /* turbopackIgnore: true */ /* @vite-ignore */ NEXT_CACHE) as Promise<NextCache>)
}

/** Applies an invalidation to Next's cache; Next throws outside a request it serves (reported by the cache). */
export async function revalidateInNext(invalidation: Invalidation): Promise<void> {
  if (invalidation.kind === 'key' && !invalidation.key.startsWith('page:')) return
  const next = await loadNextCache()
  if (invalidation.kind === 'all') return next.revalidatePath('/', 'layout')
  if (invalidation.kind === 'tag') return next.revalidateTag(invalidation.tag, { expire: 0 })
  // page:<pathname>[?query]: Next revalidates a path, whatever query its pages were asked with.
  next.revalidatePath(invalidation.key.slice('page:'.length).replace(/[?#].*$/, '') || '/')
}
