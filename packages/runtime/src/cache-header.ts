/**
 * What a response's page data came from, as a header, for any framework whose server hook wraps
 * the response (SvelteKit's `handle`, React Router middleware, Astro middleware, a fetch handler):
 *
 *   export const handle = ({ event, resolve }) => withCacheHeader(() => resolve(event))
 *   -> x-revalidate: HIT | STALE | MISS
 *
 * The events of every page entry read while the response was made are collected in an
 * AsyncLocalStorage scope; the header says the least fresh of them (one loader that missed makes
 * the page a MISS). A response that read no page entry gets no header.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { eventTaps } from './event-taps.js'
import type { CacheEvent } from './types.js'

export type CacheState = 'HIT' | 'STALE' | 'MISS'

const STATE_OF: Partial<Record<CacheEvent['type'], CacheState>> = { hit: 'HIT', stale: 'STALE', miss: 'MISS' }
const RANK: Record<CacheState, number> = { HIT: 0, STALE: 1, MISS: 2 }

interface Scope {
  state: CacheState | undefined
  /** The scope this one runs in (a nested withCacheHeader): what it hears, that one hears too. */
  outer: Scope | undefined
}

const scopes = new AsyncLocalStorage<Scope>()
let listening = false

function listen(): void {
  if (listening) return
  listening = true
  eventTaps().add((event) => {
    const state = STATE_OF[event.type]
    if (state === undefined || !('key' in event) || !event.key?.startsWith('page:')) return
    for (let scope = scopes.getStore(); scope !== undefined; scope = scope.outer) {
      if (scope.state === undefined || RANK[state] > RANK[scope.state]) scope.state = state
    }
  })
}

export interface CacheHeaderOptions {
  /** @default 'x-revalidate' */
  header?: string
}

/** Runs `respond` and sets on its response how fresh the page data it read was. */
export async function withCacheHeader(respond: () => Response | Promise<Response>, options: CacheHeaderOptions = {}): Promise<Response> {
  listen()
  const scope: Scope = { state: undefined, outer: scopes.getStore() }
  const response = await scopes.run(scope, respond)
  if (scope.state === undefined) return response
  if (typeof (response as Partial<Response> | null)?.headers?.set !== 'function') {
    throw new TypeError(`withCacheHeader: the handler returned ${response === null ? 'null' : typeof response}, not a Response, so there is no header to set`)
  }
  const name = options.header ?? 'x-revalidate'
  try {
    response.headers.set(name, scope.state)
    return response
  } catch {
    // Immutable headers (a redirect, a fetched response): the same response with headers of its own.
    const copy = new Response(response.body, response)
    copy.headers.set(name, scope.state)
    return copy
  }
}
