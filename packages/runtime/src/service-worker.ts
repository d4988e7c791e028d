/**
 * A service worker's fetch handler with the same rules as `withRevalidate`: a fresh response is
 * answered from Cache Storage, a stale one at once while one refresh runs (kept alive by the
 * event's `waitUntil`), a missing one fetched once however many requests wait for it.
 *
 *   self.addEventListener('fetch', (event) => {
 *     serveWithRevalidate(event, { match: '/api/', ttl: 60, tags: ['posts'] })
 *   })
 *
 * A response is cached as data under the key `fetch:<pathname><search>` (status, headers, body
 * bytes), in the default cache of the service-worker target: the `cacheStorageStore` that the
 * site's pages share, so `invalidate('fetch:/api/posts')` or `invalidateTag('posts')` in a page
 * reaches it. Left to the network, untouched: other methods than GET, other origins, requests that
 * carry credentials (`Authorization`, or `Cookie`) unless `credentials: true`, range requests, and
 * requests that ask to bypass caches (`cache: 'no-store' | 'reload' | 'no-cache'`).
 *
 * A response it does not cache (anything but a same-origin 200 reached without a redirect: a 204,
 * an opaque redirect, an opaque cross-origin answer, a 404) goes to the page as the network gave
 * it, never rebuilt: a Response cannot be rebuilt with a body for a 204, nor at all for status 0,
 * and a rebuilt one would lose where a redirect led.
 */
import { withRevalidate } from './default-cache.js'
import { cacheStateOf, respondFrom, storeResponse, type StoredResponse } from './stored-response.js'
import { refuseIllFormed } from './validate.js'

export interface ServeRule {
  /**
   * Which same-origin GET requests this rule serves: a path prefix (`'/api/'`), a RegExp tested
   * against the path with its query (`/^\/api\/posts(\/|$)/`), or a function of the URL and request.
   */
  match: string | RegExp | ((url: URL, request: Request) => boolean)
  /** Seconds a response stays fresh. */
  ttl: number
  /** Seconds past `ttl` a response may still be answered while it refreshes. @default the cache's staleSeconds (86400) */
  staleSeconds?: number
  /** Names under which `invalidateTag` (in a page or here) finds these responses. */
  tags?: string[]
  /**
   * Serve and cache requests that carry credentials too, and fetch with the request's own
   * credentials. Only for data that is the same for everyone who uses this browser profile.
   * @default false: a request with an `Authorization` or `Cookie` header goes to the network as
   * it is, and cached responses are fetched without cookies (`credentials: 'omit'`), so what is
   * cached is what any visitor would get
   */
  credentials?: boolean
}

/** The part of a service worker's FetchEvent this helper uses. */
export interface FetchEventLike {
  readonly request: Request
  respondWith(response: Response | Promise<Response>): void
  waitUntil(work: Promise<unknown>): void
}

/** Thrown by the fetcher for a response that must not be cached; each of its callers gets a copy of it, unread. */
class UncacheableResponse extends Error {
  constructor(readonly response: Response, reason: string) {
    super(`serveWithRevalidate: not cached: ${reason}`)
  }
}

/** Work started by the cache (background refreshes) that a fetch event has to keep alive. */
const background = new Set<Promise<unknown>>()

/** The service-worker target's `waitUntil`: holds refreshes until the event that started them lets go. */
export function keepAlive(work: Promise<unknown>): void {
  background.add(work)
  const done = () => background.delete(work)
  work.then(done, done)
}

async function backgroundSettled(): Promise<void> {
  while (background.size > 0) await Promise.allSettled([...background])
}

function checkRule(rule: ServeRule): void {
  const where = 'serveWithRevalidate(event, rule)'
  if (rule === null || typeof rule !== 'object') throw new TypeError(`${where}: rule must be an object such as { match: '/api/', ttl: 60 }`)
  const { match, ttl, staleSeconds, tags } = rule
  if (!((typeof match === 'string' && match.startsWith('/')) || match instanceof RegExp || typeof match === 'function')) {
    throw new TypeError(`${where}: rule.match must be a path prefix starting with "/", a RegExp or a function, got ${String(match)}`)
  }
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0) throw new TypeError(`${where}: rule.ttl must be a number of seconds above 0, got ${String(ttl)}`)
  if (staleSeconds !== undefined && !(typeof staleSeconds === 'number' && Number.isFinite(staleSeconds) && staleSeconds >= 0)) {
    throw new TypeError(`${where}: rule.staleSeconds must be a number of seconds, 0 or more, got ${String(staleSeconds)}`)
  }
  if (tags !== undefined && !(Array.isArray(tags) && tags.every((tag) => typeof tag === 'string' && tag !== ''))) {
    throw new TypeError(`${where}: rule.tags must be an array of non-empty strings`)
  }
  tags?.forEach((tag, index) => refuseIllFormed(where, `rule.tags[${index}]`, [tag]))
}

function matches(match: ServeRule['match'], url: URL, request: Request): boolean {
  if (typeof match === 'string') return url.pathname.startsWith(match)
  if (match instanceof RegExp) {
    match.lastIndex = 0 // a /g or /y RegExp remembers where it stopped
    return match.test(url.pathname + url.search)
  }
  return match(url, request) === true
}

/** Whether this rule may answer `request` from the cache at all. */
function servable(request: Request, url: URL, rule: ServeRule): boolean {
  if (request.method !== 'GET' || url.origin !== globalThis.location?.origin) return false
  if (request.headers.has('range') || request.cache === 'no-store' || request.cache === 'reload' || request.cache === 'no-cache') return false
  if (!rule.credentials && (request.headers.has('authorization') || request.headers.has('cookie'))) return false
  return matches(rule.match, url, request)
}

/** Why a response must not be cached, or undefined when it may be. */
function refusalOf(response: Response): string | undefined {
  if (response.status !== 200 || response.type !== 'basic') return `status ${response.status}, type ${response.type} (only a same-origin 200 is cached)`
  const cacheControl = response.headers.get('cache-control') ?? ''
  if (/(^|[\s,])(no-store|private)([\s,=]|$)/i.test(cacheControl)) return `Cache-Control: ${cacheControl}`
  const vary = response.headers.get('vary')
  if (vary !== null && vary.split(',').some((name) => name.trim().toLowerCase() !== 'accept-encoding')) return `Vary: ${vary} (the cache key is the URL alone)`
  if (response.redirected) return `reached through a redirect, at ${response.url} (a copy would lose that URL)`
  return undefined
}

async function fetchForCache(request: Request, rule: ServeRule, signal: AbortSignal): Promise<StoredResponse> {
  const response = await fetch(new Request(request, { credentials: rule.credentials ? request.credentials : 'omit', signal }))
  const refusal = refusalOf(response)
  if (refusal !== undefined) throw new UncacheableResponse(response, refusal)
  return storeResponse(response)
}

/**
 * Answers `event` from the cache when `rule` matches its request, and returns whether it did;
 * otherwise leaves the event alone (the browser fetches as usual, or another handler answers).
 */
export function serveWithRevalidate(event: FetchEventLike, rule: ServeRule): boolean {
  checkRule(rule)
  const request = event.request
  const url = new URL(request.url)
  if (!servable(request, url, rule)) return false
  const askedAt = Date.now()
  const options = { tags: rule.tags, staleSeconds: rule.staleSeconds }
  const fetcher = ({ signal }: { signal: AbortSignal }) => fetchForCache(request, rule, signal)
  const response = withRevalidate<StoredResponse>(`fetch:${url.pathname}${url.search}`, rule.ttl, fetcher, options).then(
    (stored) => respondFrom(stored, { 'x-revalidate-sw': cacheStateOf(stored, askedAt, rule.ttl * 1000) }),
    (error: unknown) => {
      // Every caller that waited on this fetch gets a copy; the original stays unread.
      if (error instanceof UncacheableResponse) return error.response.clone()
      throw error // the network failed: the page sees the failure it would have seen without us
    },
  )
  event.respondWith(response)
  const settled = () => backgroundSettled()
  event.waitUntil(response.then(settled, settled))
  return true
}
