/**
 * Warm-up requests: those `revalidate warm` sends after a deploy, marked `x-revalidate-warm: 1`.
 *
 *   GET /posts/hello  x-revalidate-warm: 1   ->  served as any request: HIT, STALE or MISS
 *                                                onEvent({ type: 'miss', key: 'page:/posts/hello', warm: true })
 *
 * The header changes nothing about caching: a warm-up hits, misses and refreshes exactly as a
 * visitor's request does, so nobody can send it to skip the cache or force a refresh. It only
 * marks the page's cache events (`warm: true`), so logs can tell warm-up traffic from visitors.
 */
import type { CacheEvent, RevalidateOptions } from './types.js'

/** The header `revalidate warm` sends (packages/plugin/src/warm/request.ts names it too). */
export const WARM_UP_HEADER = 'x-revalidate-warm'

/** Marks the options of a warm-up's call. Not registered, so no caller can forge it. */
const WARM_UP = Symbol('revalidate: warm-up request')

interface HeadersLike {
  get(name: string): string | null
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined
}

/**
 * Whether a page's context is a warm-up request: read from the request it carries, where
 * frameworks put it (`{ request }`: React Router, SvelteKit, Astro, Qwik; a Request itself; Next's
 * pages router `{ req }`, whose headers are a plain object).
 */
export function isWarmUpRequest(context: unknown): boolean {
  const headers = field(field(context, 'request'), 'headers') ?? field(context, 'headers') ?? field(field(context, 'req'), 'headers')
  if (typeof (headers as HeadersLike | undefined)?.get === 'function') return (headers as HeadersLike).get(WARM_UP_HEADER) === '1'
  return field(headers, WARM_UP_HEADER) === '1'
}

/** The options of a warm-up's call: the same options, marked. */
export function asWarmUp(options: RevalidateOptions): RevalidateOptions {
  return Object.freeze({ ...options, [WARM_UP]: true })
}

/** The event as reported for a call with these options: marked `warm` when the call is a warm-up's. */
export function markedIfWarmUp<E extends CacheEvent & { type: 'hit' | 'stale' | 'miss' }>(event: E, options: RevalidateOptions | undefined): E {
  if ((options as { [WARM_UP]?: true } | undefined)?.[WARM_UP] === true) event.warm = true
  return event
}
