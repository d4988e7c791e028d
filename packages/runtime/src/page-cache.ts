/**
 * What a compiled page calls: its data, cached under the page's key.
 *
 *   export async function loader({ params }) { return db.post(params.slug) }
 *   ->
 *   const __rv_page = { route: '/posts/:slug', ttl: 60, version: 'a1b2c3', part: 'app/routes/post' }
 *   export async function loader(__rv_ctx) {
 *     return __rv_cachePage(__rv_page, __rv_ctx, (__rv_ctx) => { let { params } = __rv_ctx; return async () => db.post(params.slug) })
 *   }
 *
 * The key is `pageKey(route, context)`, `page:<pathname>`. A page of a framework that runs several
 * loaders for one URL (a layout's and a page's, a parent route's and a child's) names each loader's
 * module as its `part`: the entry is `page:<pathname>#<part>`, tagged `page:<pathname>`, so each
 * loader has its own entry and `invalidate('page:<pathname>')` reaches them all.
 *
 * Where the framework tracks what a load reads (`tracking`), the key is read untracked and the
 * load's reads are replayed on every caller that did not run it (see replay.ts).
 */
import { defaultCacheReportsEvents, withRevalidate } from './default-cache.js'
import { pageKey, PART_SEPARATOR, requestUrl } from './page-key.js'
import { withReplayedReads, type Tracking } from './replay.js'
import type { RevalidateOptions } from './types.js'
import { checkedOnce } from './validate.js'
import { asWarmUp, isWarmUpRequest } from './warm-up.js'

export interface CompiledPage {
  /** The route, in file (`/posts/[slug]`) or pattern (`/posts/:slug`) form: the key when no URL is at hand. */
  route: string
  ttl: number
  /** A hash of the page's data code: entries of another deploy's code are misses. */
  version: string
  /** The loader's module, where several loaders render one URL. */
  part?: string
  /** The pragma's `query` names. */
  query?: readonly string[]
  /** The pragma's `tags`. */
  tags?: readonly string[]
  /** The pragma's `stale`. */
  staleSeconds?: number
  /** What the framework tracks about a load's inputs. */
  tracking?: Tracking
}

export function cachePage<C, T>(page: CompiledPage, context: C, fetcherFor: (context: C) => () => T | Promise<T>): Promise<T> {
  const { tracking } = page
  const { key, options } = tracking?.untrack ? untracked(context, tracking.untrack, () => requestEntry(page, context)) : requestEntry(page, context)
  if (tracking === undefined || typeof context !== 'object' || context === null) {
    return withRevalidate(key, page.ttl, fetcherFor(context), options)
  }
  return withReplayedReads(context, tracking, (fetcher) => withRevalidate(key, page.ttl, fetcher, options), fetcherFor as (context: C & object) => () => T | Promise<T>)
}

/** The key of a page's entry for one request, and the options it is read and written with. */
interface PageEntry {
  key: string
  options: RevalidateOptions
}

/**
 * The page entries of the request URLs compiled pages were last called with, so that a hit of a
 * URL seen before costs a lookup rather than the key's making (the path read from the URL and
 * checked, `page:<path>#<part>` built anew, and a new string hashed by the cache): that made a
 * compiled page's hit several times the cost of the cache's own lookup (bench/RESULTS.md,
 * section 1). A URL and a string of the same text are kept apart (pageKey reads each its own way).
 * Bounded for the whole process, whatever URLs clients make up: past the bound it starts over,
 * and a URL longer than most is never kept.
 */
const entriesByUrl = { fromStrings: new Map<string, Map<CompiledPage, PageEntry>>(), fromUrls: new Map<string, Map<CompiledPage, PageEntry>>() }
const MAX_REMEMBERED_URLS = 1000
const MAX_REMEMBERED_URL_LENGTH = 512

/**
 * The page's entry for this request. A warm-up's call is marked, only so that its events say so
 * (warm-up.ts); the header is read only when someone hears the events, since reading a Request's
 * header costs about as much as a hit (some 250 ns).
 */
function requestEntry(page: CompiledPage, context: unknown): PageEntry {
  const entry = pageEntry(page, context)
  return defaultCacheReportsEvents() && isWarmUpRequest(context) ? { key: entry.key, options: asWarmUp(entry.options) } : entry
}

function pageEntry(page: CompiledPage, context: unknown): PageEntry {
  const url = requestUrl(context)
  const text = url instanceof URL ? url.href : url
  if (text === undefined || text.length > MAX_REMEMBERED_URL_LENGTH) return entryOf(page, pageKey(page.route, context, page))
  const urls = url instanceof URL ? entriesByUrl.fromUrls : entriesByUrl.fromStrings
  let pages = urls.get(text)
  if (pages === undefined) {
    if (urls.size >= MAX_REMEMBERED_URLS) urls.clear()
    urls.set(text, (pages = new Map()))
  }
  let entry = pages.get(page)
  if (entry === undefined) pages.set(page, (entry = entryOf(page, pageKey(page.route, context, page))))
  return entry
}

function entryOf(page: CompiledPage, key: string): PageEntry {
  const options: RevalidateOptions = { version: page.version }
  if (page.staleSeconds !== undefined) options.staleSeconds = page.staleSeconds
  const tags = [...pageTags(key, page.part !== undefined), ...(page.tags ?? [])]
  if (tags.length > 0) options.tags = tags
  return { key: page.part === undefined ? key : `${key}${PART_SEPARATOR}${page.part}`, options: checkedOnce(options) }
}

/**
 * The page keys an entry answers to besides its own: `invalidate('page:/search')` reaches the
 * entries of every query of it (`page:/search?q=a`), and a page key reaches each loader's part.
 */
function pageTags(key: string, hasPart: boolean): string[] {
  const query = key.indexOf('?')
  if (query === -1) return hasPart ? [key] : []
  return hasPart ? [key, key.slice(0, query)] : [key.slice(0, query)]
}

/** Runs `read` through the context's own untrack function (SvelteKit's `untrack`), when it has one. */
function untracked<T>(context: unknown, name: string, read: () => T): T {
  const untrack = (context as Record<string, unknown> | null | undefined)?.[name]
  return typeof untrack === 'function' ? (untrack as (run: () => T) => T).call(context, read) : read()
}
