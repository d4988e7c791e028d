/**
 * Astro's `CacheProvider` on our coordinator: whole rendered responses, kept as data (status,
 * headers, body bytes) under `astro:<origin><path><query>` in the runtime's default cache.
 *
 *   30 requests for a cold page      -> one render (Astro's `next()`), each gets a Response of its own
 *   30 requests for a stale page     -> the stale page at once, one background render
 *   Astro.cache.invalidate({ path }) -> invalidate('page:<path>'): this path's responses, and the pragma's data of it
 *   Astro.cache.invalidate({ tags }) -> invalidateTag(tag) for each: responses with that Cache-Tag, and data with that tag
 *
 * How long a response is kept is known only once it is rendered (Astro writes `Astro.cache.set()`
 * and route rules into its headers; policy.ts), so the render tells the coordinator (`keepFor`).
 * Every entry is also tagged with its `page:` path, so an invalidation in flight fences the render
 * from the start; the response's own tags fence it from when they are known, and the coordinator
 * refuses a render that an invalidation of one of them overtook.
 *
 * A render that must not be cached (no max-age, Set-Cookie, Vary: Cookie) belongs to the request
 * that made it: requests that waited for it render for themselves, and the key renders without
 * the cache from then on, until a render of it is cacheable again. A response that varies on a
 * request header (Vary) is kept per value of that header once its first render has named it.
 */
import type { CacheProvider, InvalidateOptions } from 'astro'
import { canonicalPath } from '../canonical-path.js'
import { invalidate, invalidateTag, withRevalidate } from '../default-cache.js'
import { cacheStateOf, respondFrom, storeResponse, type StoredResponse } from '../stored-response.js'
import type { FetchContext } from '../types.js'
import type { RevalidateCacheOptions } from './options.js'
import { isInternalHeader, policyOf } from './policy.js'
import { queryKeyOf, type QueryKey } from './query.js'

type RequestContext = Parameters<NonNullable<CacheProvider['onRequest']>>[0]
type Next = Parameters<NonNullable<CacheProvider['onRequest']>>[1]

/** What a render leaves for the callers that waited on it. */
type Rendered =
  | { response: StoredResponse; maxAge: number }
  /** Not cached: the render that made it is its own request's; `vary` when it named a Vary this key did not have. */
  | { skipped: 'uncacheable' | 'vary' }

/**
 * The call's ttl and stale window: each response's own headers decide (keepFor), and the
 * coordinator judges an entry by the shorter of the call's lifetime and the entry's.
 */
const UNBOUNDED_SECONDS = 2 ** 31
/** Keys remembered as uncacheable, and Vary names per page, before the memory starts over. */
const MAX_REMEMBERED_KEYS = 10_000

const PROVIDER = 'Astro.cache'

interface Page {
  key: string
  /** `page:<path>`, and `page:<path>?<query>` with a query: what `invalidate({ path })` reaches. */
  tags: string[]
  /** The path and query as the request had them, for warnings. */
  where: string
}

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (map.size >= MAX_REMEMBERED_KEYS && !map.has(key)) map.clear()
  map.set(key, value)
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i])
}

/** The request's values of the headers a response varies on, as the end of its key: ` accept-language=en`. */
function varySuffix(request: Request, names: readonly string[]): string {
  return ` ${names.map((name) => `${name}=${encodeURIComponent(request.headers.get(name) ?? '')}`).join('&')}`
}

export function astroCacheProvider(options: RevalidateCacheOptions): CacheProvider {
  const queryKey = queryKeyOf(options.query)
  /** Vary header names each page's responses named, by key without them. */
  const varyNames = new Map<string, string[]>()
  /** Keys whose last render was not cacheable: rendered without the cache until one is. */
  const uncacheable = new Map<string, true>()

  /** The page a request is for, or undefined for a path no page of this site has (`//x`, a backslash). */
  function pageOf(url: URL): Page | undefined {
    let path: string
    try {
      path = canonicalPath(url.pathname, PROVIDER)
    } catch {
      return undefined
    }
    const query = queryKey(url.searchParams)
    return {
      key: `astro:${url.origin}${path}${query}`,
      tags: query === '' ? [`page:${path}`] : [`page:${path}`, `page:${path}${query}`],
      where: `${url.pathname}${url.search}`,
    }
  }

  /** A render outside the cache, for a key whose last render was uncacheable; one that is cacheable lets the cache in again. */
  async function renderUncached(context: RequestContext, next: Next, page: Page, key: string): Promise<Response> {
    const response = await next()
    const policy = policyOf(response, page.where)
    if (policy.cache) uncacheable.delete(key)
    else if (policy.warning !== undefined) context.logger.warn(policy.warning)
    return response
  }

  async function serve(context: RequestContext, next: Next, page: Page, retried: boolean): Promise<Response> {
    const names = varyNames.get(page.key)
    const key = names === undefined ? page.key : page.key + varySuffix(context.request, names)
    if (uncacheable.has(key)) return renderUncached(context, next, page, key)
    const askedAt = Date.now()
    /** This request's own render, when the cache keeps none of it: only this request may have it. */
    let own: Response | undefined
    let claimed = false
    let failed = false
    /** Settles once this request has its answer: a render that ends after it ran in the background. */
    let answer!: () => void
    const answered = new Promise<void>((resolve) => (answer = resolve))
    const render = async ({ keepFor }: FetchContext): Promise<Rendered> => {
      let response: Response
      try {
        response = await next()
      } catch (error) {
        // Unless this request fails with it, no request is there to show the error.
        void answered.then(() => {
          if (!failed) context.logger.warn(`Background revalidation failed for ${page.where}: ${String(error)}`)
        })
        throw error
      }
      const policy = policyOf(response, page.where)
      const varyChanged = policy.cache && !sameNames(policy.vary, names ?? [])
      if (!policy.cache || varyChanged) {
        keepFor(false)
        if (!policy.cache) {
          if (policy.warning !== undefined) context.logger.warn(policy.warning)
          remember(uncacheable, key, true)
        } else if (policy.vary.length > 0) remember(varyNames, page.key, policy.vary)
        else varyNames.delete(page.key)
        own = response
        // A render that ran in the background (this request got a cached answer) is read by nobody.
        void answered.then(() => {
          if (!claimed) response.body?.cancel().catch(() => {})
        })
        return { skipped: varyChanged ? 'vary' : 'uncacheable' }
      }
      keepFor({ ttlSeconds: policy.maxAge, staleSeconds: policy.swr, tags: policy.tags })
      return { response: await storeResponse(response, isInternalHeader), maxAge: policy.maxAge }
    }
    let rendered: Rendered
    try {
      rendered = await withRevalidate(key, UNBOUNDED_SECONDS, render, { staleSeconds: UNBOUNDED_SECONDS, tags: page.tags })
    } catch (error) {
      failed = true
      throw error
    } finally {
      answer()
    }
    if ('response' in rendered) {
      return respondFrom(rendered.response, { 'x-astro-cache': cacheStateOf(rendered.response, askedAt, rendered.maxAge * 1000) })
    }
    if (own !== undefined) {
      claimed = true
      return own
    }
    // Another request's render that the cache did not keep: render for this one.
    if (rendered.skipped === 'vary' && !retried) return serve(context, next, page, true)
    return next()
  }

  return {
    name: 'revalidate',

    onRequest(context, next) {
      if (context.request.method !== 'GET') return next()
      const page = pageOf(context.url)
      return page === undefined ? next() : serve(context, next, page, false)
    },

    async invalidate(invalidation: InvalidateOptions) {
      const { path, tags } = invalidation ?? {}
      const work: Promise<void>[] = []
      if (path !== undefined) work.push(invalidate(pathKeyOf(path, queryKey)))
      for (const tag of tags === undefined ? [] : Array.isArray(tags) ? tags : [tags]) work.push(invalidateTag(tag))
      await Promise.all(work)
    },
  }
}

/** `page:<path><query>` for the path `invalidate({ path })` names, made canonical as request paths are. */
function pathKeyOf(path: unknown, queryKey: QueryKey): string {
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//')) {
    throw new TypeError(`${PROVIDER}.invalidate: path must be a path starting with "/" (such as "/posts/hello"), got ${JSON.stringify(path)}`)
  }
  const url = new URL(path, 'http://invalidate.internal')
  return `page:${canonicalPath(url.pathname, `${PROVIDER}.invalidate`)}${queryKey(url.searchParams)}`
}
