/**
 * Every compile error of a pragma written on an exported function (cached-functions.ts,
 * checks.ts), in one place, each in the form of the page errors: what is wrong, then the fix.
 * Each has its code in diagnostics.ts and its section in docs/diagnostics.md (a per-visitor read
 * is RV201, as in a page).
 */
import type { Node } from '@babel/types'
import type { RevalidateError, SourceText } from './errors.js'

const FORMS = '`export async function getPost(slug) { ... }` or `export const getPost = async (slug) => ...`'

/** A pragma above a function that is not exported where it is declared: its key is the name of that export. */
export function notExported(source: SourceText, at: Node, name: string, exportList: string | undefined): RevalidateError {
  const what = exportList === undefined ? 'which is not exported' : `which is declared without \`export\` (\`${exportList}\` exports it further down)`
  return source.error('RV312', at.start!, at.end!, `The pragma is on "${name}", ${what}; a pragma caches a function exported where it is declared (or, in the header, a page).`, `export it there: ${FORMS.replaceAll('getPost', name)}.`)
}

/** `export default async function`: a cached function's key and `key()` go by its exported name. */
export function defaultExport(source: SourceText, start: number, end: number, local: string | undefined): RevalidateError {
  const name = local ?? 'getPost'
  return source.error('RV314', start, end, "The pragma is on the module's default export; a cached function is keyed by its exported name, and a default export has none of its own.", `export it by name below the pragma, then make that the default: \`export async function ${name}(…) { … }\` and \`export default ${name}\`.`)
}

/** `export { getPost }` below a pragma: a list declares no function to wrap. */
export function exportList(source: SourceText, at: Node, text: string, name: string): RevalidateError {
  return source.error('RV313', at.start!, at.end!, `The pragma is on \`${text}\`, an export list, which is not a function the pragma can wrap.`, `put the pragma right above the function's declaration and export it there: ${FORMS.replaceAll('getPost', name)}.`)
}

/** `export declare function getPost(...)`: an ambient declaration has no body to cache. */
export function noBody(source: SourceText, at: Node, name: string): RevalidateError {
  return source.error('RV313', at.start!, at.end!, `The pragma is on "${name}", a declaration without a body, which is not a function the pragma can wrap.`, `put the pragma above the module that implements "${name}", right above its \`export\`.`)
}

/** A pragma above an export that is no function literal (`export const getPost = cached(load)`). */
export function notAFunction(source: SourceText, at: Node, name: string): RevalidateError {
  return source.error('RV313', at.start!, at.end!, `The pragma is on "${name}", which is not a function the pragma can wrap.`, `declare it as a function right below the pragma: ${FORMS.replaceAll('getPost', name)}.`)
}

/** `export const a = async () => ..., b = ...`: which one the pragma is on is not said. */
export function severalDeclarators(source: SourceText, at: Node): RevalidateError {
  return source.error('RV313', at.start!, at.end!, 'The pragma is on an `export const` that declares several names; it caches one function.', 'declare each function in a statement of its own, the pragma right above the one to cache.')
}

export function generator(source: SourceText, at: Node, name: string): RevalidateError {
  return source.error('RV313', at.start!, at.end!, `The pragma is on "${name}", a generator function, which cannot be cached.`, 'return the data from a plain (async) function.')
}

/** `query` in a function's pragma: the function's arguments are its key, there is no query to list. */
export function queryOption(source: SourceText, start: number, end: number, name: string): RevalidateError {
  return source.error('RV111', start, end, `The option "query" is for pages; "${name}" is keyed by its arguments.`, `remove \`query …\` from the pragma, and pass what the function needs of the query as arguments: \`${name}(url.searchParams.get('page'))\`.`)
}

/** A tag's `{name}` that names no parameter. */
export function unknownTagParameter(source: SourceText, start: number, end: number, tag: string, placeholder: string, fnName: string, params: readonly string[], guess: string | undefined): RevalidateError {
  const known = params.length === 0 ? `"${fnName}" has no parameter a tag can name` : `the parameters of "${fnName}" are ${params.map((param) => `\`${param}\``).join(', ')}`
  return source.error(
    'RV112',
    start,
    end,
    `The tag "${tag}" reads \`{${placeholder}}\`, which names no parameter of "${fnName}"${guess ? `; did you mean \`{${guess}}\`?` : '.'}`,
    `${known}: a tag is filled from the argument of that name (\`{slug}\`) or a field of it (\`{post.id}\`).`,
  )
}

/** A tag reading a destructured name with a default: the argument as passed may not have it, and the tag would be left off. */
export function tagReadsDefault(source: SourceText, start: number, end: number, tag: string, placeholder: string, withDefault: string, fnName: string): RevalidateError {
  return source.error(
    'RV112',
    start,
    end,
    `The tag "${tag}" reads \`{${placeholder}}\`, a destructured name with a default (\`${withDefault}\`): a tag is filled from the argument as passed, so a call that leaves it out gets no tag while the function reads the default, and invalidating the default's tag would not reach it.`,
    `pass the value at every call, or make it a parameter of its own, whose default applies before the tag is filled: \`${fnName}(${withDefault}, …)\`.`,
  )
}

/** `tags post:{slug}` in a page's pragma: kept as the literal text, so `invalidateTag('post:hello')` would not reach the page. */
export function pageTagPlaceholder(source: SourceText, start: number, end: number, tag: string): RevalidateError {
  return source.error(
    'RV112',
    start,
    end,
    `The tag "${tag}" is on a page, whose tags are kept as written: only a function's pragma fills \`{name}\` from its arguments, so no invalidation of a filled tag would reach this page.`,
    "invalidate the page by its key, which each of its entries carries as a tag (`invalidate('page:/posts/hello')`), or cache the data in a function whose pragma fills the tag (`// Pragma: revalidate 5m tags post:{slug}` above `export async function getPost(slug)`) and call it from the loader.",
  )
}

/** A tag whose braces do not hold a name (`post:{}`, `post:{a b}`, an unclosed `{`). */
export function badTagPlaceholder(source: SourceText, start: number, end: number, tag: string): RevalidateError {
  return source.error('RV112', start, end, `The tag "${tag}" has a \`{…}\` that is not a parameter name.`, 'write `{name}` for the argument of that name, or `{name.field}` for a field of it: `tags posts,post:{slug}`.')
}

/** A parameter typed as the request or a framework's request context: per visitor, and no data to key by. */
export function requestParameter(source: SourceText, at: Node, fnName: string, param: string, type: string): RevalidateError {
  return source.error(
    'RV209',
    at.start!,
    at.end!,
    `"${fnName}" takes \`${param}\`, ${type}: a cached function's arguments are its key, and a request carries the visitor's cookies and headers, which its result would be shared with every visitor under.`,
    `pass only the fields the function needs (\`${fnName}(params.slug)\`, \`url.pathname\`), and read per-visitor data outside the cached function.`,
  )
}

/** Why a per-visitor read in a cached function is wrong (checks.ts words the read). */
export const FUNCTION_SHARED = "a cached function's result is shared with every caller, so one visitor's data would be served to all"

/** `this` in a cached function: `posts.getPost('a')` and `drafts.getPost('a')` would share one entry. */
export function readsThis(source: SourceText, at: Node, fnName: string): RevalidateError {
  return source.error('RV211', at.start!, at.end!, `"${fnName}" reads \`this\`, which is no part of its key: its calls on two objects with the same arguments would share one entry, the first one's.`, `pass what it needs of \`this\` as an argument instead, or remove the pragma.`)
}

/** A cached function that reads the query string, which it can only have reached through the request. */
export function functionQueryRead(source: SourceText, at: Node, code: string, path: string, fnName: string): RevalidateError {
  return source.error('RV210', at.start!, at.end!, `\`${code}\` reads the query string${path}, but "${fnName}" is keyed by its arguments only, so every query would get the first one's result.`, `pass the query values it needs as arguments: \`${fnName}(url.searchParams.get('page'))\`.`)
}

/** A pragma after a statement on its line: it reads as that statement's, but the one below would be cached. */
export function trailingPragma(source: SourceText, start: number, end: number): RevalidateError {
  return source.error('RV106', start, end, 'A pragma at the end of a line caches nothing there: a pragma caches the function on the lines right below it.', 'write it on a line of its own, right above the `export` of the function to cache.')
}

export function twoPragmas(source: SourceText, start: number, end: number, name: string): RevalidateError {
  return source.error('RV105', start, end, `"${name}" has two pragmas; a function has one.`, 'merge them into one line, e.g. `// Pragma: revalidate 60 tags posts`.')
}

/** How to fix a per-visitor read in a cached function (the read itself is worded by checks.ts). */
export function functionVisitorFix(fnName: string, code: string): string {
  return `read it in the caller, outside the cached function, and pass "${fnName}" only what its result depends on; or remove the pragma. If it is the same for every visitor, say so right before it: \`/* revalidate-safe: <why> */ ${code}\`.`
}
