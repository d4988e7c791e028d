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
import { pageKeyAt, PART_SEPARATOR, requestUrl } from './page-key.js'
import { withReplayedReads, type Tracking } from './replay.js'
import type { RevalidateOptions } from './types.js'
import { checkedAlready, checkedOnce, markedChecked } from './validate.js'
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
export interface PageEntry {
  key: string
  options: RevalidateOptions
}

/**
 * What a compiled page's key and options need beyond the request, made once per page, never per
 * URL (a URL is the client's to make up): the part its keys end with, its options (whole when they
 * do not depend on the key: no part, no query), and the entry of the last URL it was called for.
 *
 * That one remembered entry is what makes a hit cheap: a key made anew is a new string, which the
 * cache's Map must flatten and hash (some 150 ns for a 47-character key, as much as the whole hit
 * of a key it has seen; bench/RESULTS.md, section 1), while the remembered one is hashed already.
 * A page of one URL (`/`, `/posts`) always finds it; a dynamic page finds it for a run of requests
 * of one URL, and makes its key anew otherwise. A URL and a string of the same text are kept
 * apart (pageKey reads each its own way).
 */
interface PagePlan {
  /** `#<part>`, or '' for a page of one loader. */
  readonly suffix: string
  /** The options of every request, when they are the same for all. */
  readonly options: RevalidateOptions | undefined
  /** The options without tags, checked, and the pragma's tags: what a request's options are made of. */
  readonly base: Omit<RevalidateOptions, 'tags'>
  readonly tags: readonly string[]
  last: { readonly text: string; readonly ofUrl: boolean; readonly entry: PageEntry } | undefined
}

const plans = new WeakMap<CompiledPage, PagePlan>()

function planOf(page: CompiledPage): PagePlan {
  let plan = plans.get(page)
  if (plan !== undefined) return plan
  const base: RevalidateOptions = { version: page.version }
  if (page.staleSeconds !== undefined) base.staleSeconds = page.staleSeconds
  const tags = page.tags ?? []
  const keyFree = page.part === undefined && !page.query?.length
  // Checked as a whole, once: a page constant the cache refuses stays refused on every call.
  const whole = checkedOnce(tags.length > 0 ? { ...base, tags: [...tags] } : { ...base })
  const suffix = page.part === undefined ? '' : `${PART_SEPARATOR}${page.part}`
  plan = { suffix, options: keyFree || !checkedAlready(whole) ? whole : undefined, base, tags, last: undefined }
  plans.set(page, plan)
  return plan
}

/**
 * The page's entry for this request. A warm-up's call is marked, only so that its events say so
 * (warm-up.ts); the header is read only when someone hears the events, since reading a Request's
 * header costs about as much as a hit (some 250 ns).
 */
function requestEntry(page: CompiledPage, context: unknown): PageEntry {
  const entry = pageEntry(page, context)
  return defaultCacheReportsEvents() && isWarmUpRequest(context) ? { key: entry.key, options: asWarmUp(entry.options) } : entry
}

/** The key and options of a page's entry for this request (exported for bench/hot-path.mjs, which times it alone). */
export function pageEntry(page: CompiledPage, context: unknown): PageEntry {
  const plan = planOf(page)
  const url = requestUrl(context)
  const ofUrl = url instanceof URL
  const text = ofUrl ? url.href : url
  const last = plan.last
  if (last !== undefined && text === last.text && ofUrl === last.ofUrl) return last.entry
  const key = pageKeyAt(url, page.route, context, page.query)
  // Made of the page's checked options and page keys (well-formed by construction): no second check.
  const options = plan.options ?? markedChecked({ ...plan.base, tags: pageTags(key, plan.suffix !== '', plan.tags) })
  const entry = { key: `${key}${plan.suffix}`, options }
  if (text !== undefined) plan.last = { text, ofUrl, entry }
  return entry
}

/**
 * An entry's tags: the pragma's, and the page keys it answers to besides its own:
 * `invalidate('page:/search')` reaches the entries of every query of it (`page:/search?q=a`), and
 * a page key reaches each loader's part.
 */
function pageTags(key: string, hasPart: boolean, tags: readonly string[]): string[] {
  const query = key.indexOf('?')
  const pages = query === -1 ? (hasPart ? [key] : []) : hasPart ? [key, key.slice(0, query)] : [key.slice(0, query)]
  for (const tag of tags) pages.push(tag)
  return pages
}

/** Runs `read` through the context's own untrack function (SvelteKit's `untrack`), when it has one. */
function untracked<T>(context: unknown, name: string, read: () => T): T {
  const untrack = (context as Record<string, unknown> | null | undefined)?.[name]
  return typeof untrack === 'function' ? (untrack as (run: () => T) => T).call(context, read) : read()
}
