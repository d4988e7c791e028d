/**
 * Listeners on the events of every cache, beside each cache's own `onEvent`: the dev server's
 * one-line log (`[revalidate] HIT page:/posts/hello age 12s`) and the per-request cache header
 * (`withCacheHeader`). Kept on `globalThis` under a registered symbol, so the plugin's dev server
 * can add one without importing the runtime, and two copies of the runtime share them.
 */
import type { CacheEvent } from './types.js'

const TAPS = Symbol.for('@revalidate/runtime:event-taps')

export type EventTap = (event: CacheEvent) => unknown

/** The process's event taps (empty, and cheap to check, unless someone listens). */
export function eventTaps(): Set<EventTap> {
  const global = globalThis as { [TAPS]?: Set<EventTap> }
  return (global[TAPS] ??= new Set())
}
