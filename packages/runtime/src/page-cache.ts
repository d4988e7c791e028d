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
import { withRevalidate } from './default-cache.js'
import { pageKey, PART_SEPARATOR } from './page-key.js'
import { withReplayedReads, type Tracking } from './replay.js'
import type { RevalidateOptions } from './types.js'

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
  const key = tracking?.untrack ? untracked(context, tracking.untrack, () => pageKey(page.route, context, page)) : pageKey(page.route, context, page)
  const options: RevalidateOptions = { version: page.version }
  if (page.staleSeconds !== undefined) options.staleSeconds = page.staleSeconds
  if (page.part !== undefined) options.tags = [key, ...(page.tags ?? [])]
  else if (page.tags !== undefined) options.tags = page.tags
  const entryKey = page.part === undefined ? key : `${key}${PART_SEPARATOR}${page.part}`
  if (tracking === undefined || typeof context !== 'object' || context === null) {
    return withRevalidate(entryKey, page.ttl, fetcherFor(context), options)
  }
  return withReplayedReads(context, tracking, (fetcher) => withRevalidate(entryKey, page.ttl, fetcher, options), fetcherFor as (context: C & object) => () => T | Promise<T>)
}

/** Runs `read` through the context's own untrack function (SvelteKit's `untrack`), when it has one. */
function untracked<T>(context: unknown, name: string, read: () => T): T {
  const untrack = (context as Record<string, unknown> | null | undefined)?.[name]
  return typeof untrack === 'function' ? (untrack as (run: () => T) => T).call(context, read) : read()
}
