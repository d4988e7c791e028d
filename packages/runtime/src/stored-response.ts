/**
 * A response kept as data, so a cache stores it like any other value, on every store (a
 * `Response` itself is refused: value-model.ts), and each caller gets a `Response` of its own:
 *
 *   const stored = await storeResponse(await fetch(url))   // { status, statusText, headers, body: Uint8Array, fetchedAt }
 *   respondFrom(stored, { 'x-cache': 'HIT' })              // a new Response, with `Age` counted from fetchedAt
 *
 * Used by the service worker's `serveWithRevalidate` and the Astro cache provider.
 */
import type { CacheState } from './cache-header.js'

export interface StoredResponse {
  status: number
  statusText: string
  headers: [string, string][]
  /** `null` for a response without one: a 204, 205 or 304 may not carry even an empty body. */
  body: Uint8Array<ArrayBuffer> | null
  /** When it was fetched or rendered (Date.now), for its `Age` and whether a caller got it fresh. */
  fetchedAt: number
}

/** Reads `response` whole into data; headers for which `leaveOut(name)` holds (lower-case names) are not kept. */
export async function storeResponse(response: Response, leaveOut?: (name: string) => boolean): Promise<StoredResponse> {
  const headers: [string, string][] = []
  for (const [name, value] of response.headers) if (leaveOut === undefined || !leaveOut(name)) headers.push([name, value])
  return {
    status: response.status,
    statusText: response.statusText,
    headers,
    body: response.body === null ? null : new Uint8Array(await response.arrayBuffer()),
    fetchedAt: Date.now(),
  }
}

/** A new `Response` from `stored` (the body is copied by the constructor), with its `Age` and `extraHeaders`. */
export function respondFrom(stored: StoredResponse, extraHeaders: Record<string, string>): Response {
  const headers = new Headers(stored.headers)
  headers.set('age', String(Math.max(0, Math.floor((Date.now() - stored.fetchedAt) / 1000))))
  for (const [name, value] of Object.entries(extraHeaders)) headers.set(name, value)
  return new Response(stored.body, { status: stored.status, statusText: stored.statusText, headers })
}

/**
 * What a caller that asked at `askedAt` got: MISS when the response was made for it (after it
 * asked), HIT while younger than `freshMs`, STALE after. Judged on this machine's clock.
 */
export function cacheStateOf(stored: StoredResponse, askedAt: number, freshMs: number): CacheState {
  if (stored.fetchedAt >= askedAt) return 'MISS'
  return Date.now() - stored.fetchedAt < freshMs ? 'HIT' : 'STALE'
}
