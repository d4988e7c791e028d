/**
 * The query string as it enters a page's cache key, by the rules of Astro's memory provider:
 *
 *   ?utm_source=x&b=2&a=1        -> ?a=1&b=2      tracking parameters left out, the rest sorted
 *   include: ['page']  ?page=2&q=x -> ?page=2     only the named ones
 *   exclude: []        ?utm_source=x -> ?utm_source=x
 */
import { DEFAULT_EXCLUDED_PARAMS, type QueryOptions } from './options.js'

export type QueryKey = (search: URLSearchParams) => string

/** `*` is any run of characters; everything else is itself. Case does not matter, as in Astro's matcher. */
function globToRegExp(pattern: string): RegExp {
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')
  return new RegExp(`^${source}$`, 'i')
}

/** The function that turns a request's parameters into the query part of its key (`''` or `?a=1&b=2`). */
export function queryKeyOf(options: QueryOptions = {}): QueryKey {
  const sort = options.sort !== false
  const include = options.include === undefined ? undefined : new Set(options.include)
  const excluded = include === undefined ? (options.exclude ?? DEFAULT_EXCLUDED_PARAMS).map(globToRegExp) : []
  const kept = (name: string) => (include === undefined ? !excluded.some((pattern) => pattern.test(name)) : include.has(name))
  return (search) => {
    const params = new URLSearchParams()
    for (const [name, value] of search) if (kept(name)) params.append(name, value)
    if (sort) params.sort()
    const query = params.toString()
    return query === '' ? '' : `?${query}`
  }
}
