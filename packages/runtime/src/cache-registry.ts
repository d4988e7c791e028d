/**
 * Every live cache of the process, for the inspector: `createCache` adds each cache here, and
 * `dispose()` takes it out. Kept on `globalThis` under a registered symbol, like the event taps,
 * so an inspector loaded as another copy of the runtime (the Vite plugin's, beside the dev
 * server's SSR modules) sees the caches the app made. A cache is held weakly: one nobody uses
 * any more is not kept alive by being listed.
 */
import type { KeyInfo } from './cache-stats.js'
import type { CacheStore, RevalidateCache } from './types.js'

const REGISTRY = Symbol.for('@revalidate/runtime:caches')

/** What the inspector reads of a cache: the cache itself, and what it does not show its users. */
export interface InspectableCache {
  readonly cache: RevalidateCache
  readonly name: string
  readonly store: CacheStore
  /** The cache's clock, in milliseconds (entries' ages are judged by it). */
  now(): number
  /** What the cache knows of one key: estimated lookups, its last fetch. */
  keyInfo(key: string): KeyInfo
}

interface Registry {
  caches: Set<Pick<WeakRef<InspectableCache>, 'deref'>>
  /** Caches made so far: the number in the name of the next unnamed one. */
  made: number
}

function registry(): Registry {
  const global = globalThis as { [REGISTRY]?: Registry }
  return (global[REGISTRY] ??= { caches: new Set(), made: 0 })
}

/** The name of the next cache made without one: `cache-1`, `cache-2`, ... */
export function nextCacheName(): string {
  return `cache-${++registry().made}`
}

/** Caches listed at most where there is no WeakRef (workerd before its 2025-05-05 compatibility date): they are held strongly there. */
const MAX_STRONGLY_HELD = 64

/**
 * Lists `cache` until the returned function is called. Held weakly: the cache must keep a
 * reference to it for as long as it lives. Where the platform has no WeakRef, the first
 * MAX_STRONGLY_HELD caches are listed (held until disposed), and later ones are not.
 */
export function registerCache(cache: InspectableCache): () => void {
  const { caches } = registry()
  if (typeof WeakRef !== 'function' && caches.size >= MAX_STRONGLY_HELD) return () => {}
  const ref: Pick<WeakRef<InspectableCache>, 'deref'> = typeof WeakRef === 'function' ? new WeakRef(cache) : { deref: () => cache }
  caches.add(ref)
  if (caches.size % 256 === 0) registeredCaches() // drops the caches collected meanwhile
  return () => caches.delete(ref)
}

/** The live caches, oldest first (the default cache is usually the first). */
export function registeredCaches(): InspectableCache[] {
  const live: InspectableCache[] = []
  for (const ref of registry().caches) {
    const cache = ref.deref()
    if (cache === undefined) registry().caches.delete(ref)
    else live.push(cache)
  }
  return live
}
