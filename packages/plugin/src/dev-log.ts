/**
 * In Vite dev, one line per cache event of a compiled page, so a HIT and a MISS can be told
 * apart without wiring `onEvent`:
 *
 *   [revalidate] HIT page:/posts/hello#src/routes/posts/[slug]/+page.server age 12s
 *   [revalidate] STALE page:/posts/hello age 75s, refreshing
 *   [revalidate] MISS page:/posts/hello
 *   [revalidate] MISS page:/posts/hello (warm-up)        a request of `revalidate warm`
 *
 * The runtime runs in the dev server's process (Vite's module runner), where it hands every event
 * to the listeners kept under a registered symbol; the plugin adds one there without importing
 * the runtime (which it does not depend on).
 */

/** The runtime's event taps: the symbol of packages/runtime/src/event-taps.ts. */
const EVENT_TAPS = Symbol.for('@revalidate/runtime:event-taps')

/** The part of the runtime's CacheEvent the log reads. */
interface LoggedEvent {
  type: string
  key?: string
  tag?: string
  all?: true
  age?: number
  joined?: true
  phase?: string
  error?: unknown
  warm?: true
}

const seconds = (ms: number | undefined) => `${Math.floor((ms ?? 0) / 1000)}s`

const warmUp = (event: LoggedEvent) => (event.warm ? ' (warm-up)' : '')

/** The line for an event, or undefined for events that say nothing new (a refresh starting). */
export function describeCacheEvent(event: LoggedEvent): string | undefined {
  const page = event.key?.startsWith('page:') === true
  switch (event.type) {
    case 'hit':
      return page ? `HIT ${event.key} age ${seconds(event.age)}${warmUp(event)}` : undefined
    case 'stale':
      return page ? `STALE ${event.key} age ${seconds(event.age)}, refreshing${warmUp(event)}` : undefined
    case 'miss':
      return page ? `MISS ${event.key}${event.joined ? ' (waits for the fetch in flight)' : ''}${warmUp(event)}` : undefined
    case 'error':
      return `ERROR ${event.key || '(store)'} in ${event.phase}: ${event.error instanceof Error ? event.error.message : String(event.error)}`
    case 'invalidate':
      return `INVALIDATE ${event.all ? 'everything' : event.tag !== undefined ? `tag ${event.tag}` : event.key}`
    default:
      return undefined
  }
}

/** Logs every cache event of the process through `log`; returns what stops it. */
export function logCacheEvents(log: (line: string) => void): () => void {
  const global = globalThis as { [EVENT_TAPS]?: Set<(event: LoggedEvent) => void> }
  const taps = (global[EVENT_TAPS] ??= new Set())
  const tap = (event: LoggedEvent) => {
    const line = describeCacheEvent(event)
    if (line !== undefined) log(`[revalidate] ${line}`)
  }
  taps.add(tap)
  return () => taps.delete(tap)
}
