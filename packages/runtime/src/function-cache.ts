/**
 * What a function cached with a pragma calls (docs/pragma.md, "On exported functions"):
 *
 *   // Pragma: revalidate 5m tags posts,post:{slug}
 *   export async function getPost(slug: string) { return db.post(slug) }
 *   ->
 *   const __rv_fn_getPost = { module: 'app/lib/posts', name: 'getPost', params: ['slug'], ttl: 300, version: 'a1b2c3', tags: ['posts', 'post:{0}'] }
 *   export async function getPost(slug: string) { return __rv_cacheFunction(__rv_fn_getPost, [slug], async () => { return db.post(slug) }) }
 *   __rv_registerFunction(getPost, __rv_fn_getPost)
 *
 * The entry is `withRevalidate(key, ttl, fetcher, { version, tags, staleSeconds })` on the default
 * cache, so a call has every rule of withRevalidate (one fetch for concurrent callers, stale served
 * while one refresh runs, fences on invalidation) on every target. Tags name arguments by place,
 * `{0}` or `{0.id}` (the compiler turns the pragma's `{slug}` and `{post.id}` into these).
 */
import { withRevalidate } from './default-cache.js'
import { docsLink } from './docs-link.js'
import { argumentName, functionKey, functionKeyPrefix, type KeyedFunction } from './function-key.js'
import type { RevalidateOptions } from './types.js'
import { checkedAlready, checkedOnce, markedChecked, notWellFormed } from './validate.js'

export interface CompiledFunction extends KeyedFunction {
  ttl: number
  /** A hash of the function's code and what it references in its module. */
  version: string
  /** The pragma's tags; `{<index>}` and `{<index>.<field>...}` are filled from the arguments. */
  tags?: readonly string[]
  staleSeconds?: number
}

/** What a function's calls share, made once: the key's start, its tags' pieces, the last call's entry. */
interface FunctionPlan {
  readonly prefix: string
  /** The options of every call, when no tag reads an argument. */
  readonly options: RevalidateOptions | undefined
  readonly base: RevalidateOptions
  readonly tags: readonly TagTemplate[]
  /** The last call whose arguments were all strings or numbers: a run of calls with them finds its key here. */
  last: { args: ArrayLike<unknown>; key: string; options: RevalidateOptions } | undefined
}

/** A tag as text between argument reads: `post:{0.id}` is ['post:', [0, 'id'], '']. */
type TagTemplate = ReadonlyArray<string | readonly [number, ...string[]]>

const PLACEHOLDER = /\{(\d+)((?:\.[^.{}]+)*)\}/g

const plans = new WeakMap<CompiledFunction, FunctionPlan>()

function planOf(fn: CompiledFunction): FunctionPlan {
  let plan = plans.get(fn)
  if (plan !== undefined) return plan
  const base: RevalidateOptions = { version: fn.version }
  if (fn.staleSeconds !== undefined) base.staleSeconds = fn.staleSeconds
  const tags = (fn.tags ?? []).map(parseTag)
  const filled = tags.some((tag) => tag.length > 1)
  // Checked once, as a page's are: a call's own options are made of these parts and its filled tags.
  const options = filled ? undefined : checkedOnce(tags.length > 0 ? { ...base, tags: tags.map((tag) => tag[0] as string) } : { ...base })
  plan = { prefix: functionKeyPrefix(fn), options, base: checkedOnce({ ...base, tags: tags.flatMap((tag) => tag.filter((part): part is string => typeof part === 'string' && part !== '')) }), tags, last: undefined }
  plans.set(fn, plan)
  return plan
}

function parseTag(tag: string): TagTemplate {
  const parts: Array<string | readonly [number, ...string[]]> = []
  let at = 0
  for (const match of tag.matchAll(PLACEHOLDER)) {
    parts.push(tag.slice(at, match.index))
    parts.push([Number(match[1]), ...(match[2] ? match[2].slice(1).split('.') : [])])
    at = match.index + match[0].length
  }
  if (parts.length === 0) return [tag]
  parts.push(tag.slice(at))
  return parts
}

/**
 * A tag with its placeholders filled from the call's arguments; undefined when one reads nothing
 * (an optional argument left out, a field it does not have) or it is empty: the entry goes without that tag.
 */
function fillTag(fn: CompiledFunction, tag: TagTemplate, args: ArrayLike<unknown>): string | undefined {
  let text = ''
  for (const part of tag) {
    if (typeof part === 'string') {
      text += part
      continue
    }
    const index = part[0]
    let value: unknown = args[index]
    for (let i = 1; i < part.length && value !== undefined && value !== null; i++) value = (value as Record<string, unknown>)[part[i] as string]
    if (value === undefined || value === null) return undefined
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint' && typeof value !== 'boolean') {
      throw new TypeError(
        `${fn.name}(): a tag of its pragma reads ${placeholderRead(fn, part)}, which is ${typeof value === 'object' ? 'an object' : `a ${typeof value}`}; ` +
          'a tag is filled with a string or a number. Pass it, or name a field that holds one (`{post.id}`); see ' + docsLink('pragma.md', 'On exported functions') + '.',
      )
    }
    // A lone surrogate in a string argument: its key is well-formed (JSON escapes it), a tag would not be.
    if (typeof value === 'string' && !value.isWellFormed()) throw notWellFormed(`${fn.name}()`, `the tag filled from ${placeholderRead(fn, part)}`, value)
    text += String(value)
  }
  // `{slug}` alone filled with '': a tag is a non-empty string (invalidateTag('') is refused), so none.
  return text === '' ? undefined : text
}

/** What a placeholder reads, for an error: `argument "post".author.id`. Made only when one is thrown (a tag is filled on every call). */
function placeholderRead(fn: CompiledFunction, [index, ...fields]: readonly [number, ...string[]]): string {
  return `argument ${argumentName(fn, index)}${fields.map((field) => `.${field}`).join('')}`
}

function filledTags(fn: CompiledFunction, tags: readonly TagTemplate[], args: ArrayLike<unknown>): string[] {
  const filled: string[] = []
  for (const tag of tags) {
    const text = fillTag(fn, tag, args)
    if (text !== undefined) filled.push(text)
  }
  return filled
}

function entryOf(fn: CompiledFunction, args: ArrayLike<unknown>): { key: string; options: RevalidateOptions } {
  const plan = planOf(fn)
  const { last } = plan
  if (last !== undefined && sameArgs(last.args, args)) return last
  const key = functionKey(fn, plan.prefix, args)
  // Made of the function's checked options and tags checked as they were filled: no second check.
  const options = plan.options ?? madeOfChecked(plan, fn, filledTags(fn, plan.tags, args))
  const entry = { args, key, options }
  if (allSimple(args)) plan.last = entry
  return entry
}

/** A call's options with its filled tags, marked checked when the function's own parts passed their check (else withRevalidate checks them). */
function madeOfChecked(plan: FunctionPlan, fn: CompiledFunction, tags: string[]): RevalidateOptions {
  const options: RevalidateOptions = { version: fn.version, tags }
  if (fn.staleSeconds !== undefined) options.staleSeconds = fn.staleSeconds
  return checkedAlready(plan.base) ? markedChecked(options) : options
}

/**
 * Whether every argument is a string or a number, compared by value on the next call. The
 * arguments are the compiled call's own array literal, never changed after the call: kept as it is.
 */
function allSimple(args: ArrayLike<unknown>): boolean {
  for (let i = 0; i < args.length; i++) {
    const type = typeof args[i]
    if (type !== 'string' && type !== 'number') return false
  }
  return true
}

function sameArgs(last: ArrayLike<unknown>, args: ArrayLike<unknown>): boolean {
  if (last.length !== args.length) return false
  for (let i = 0; i < last.length; i++) if (!Object.is(last[i], args[i])) return false
  return true
}

/** Runs a call of a compiled function through the default cache under its key. */
export function cacheFunction<T>(fn: CompiledFunction, args: ArrayLike<unknown>, fetcher: () => T | Promise<T>): Promise<T> {
  let entry
  try {
    entry = entryOf(fn, args)
  } catch (error) {
    return Promise.reject(error)
  }
  return withRevalidate(entry.key, fn.ttl, fetcher, entry.options)
}

/** What the compiler made of a function: its constant, and its parameter list as a function giving their values. */
const compiled = new WeakMap<object, { info: CompiledFunction; keyer: (...args: any[]) => unknown[] }>()

/**
 * Remembers what the compiler made of `fn`, for `key(fn, ...args)`: `keyer` is the function's own
 * parameter list (defaults included) returning the parameters' values, which is what its calls key by.
 */
export function registerFunction(fn: object, info: CompiledFunction, keyer: (...args: any[]) => unknown[]): void {
  compiled.set(fn, { info, keyer })
}

/**
 * The cache key of the call `fn(...args)` of a function cached with a pragma, for `invalidate`:
 * `invalidate(key(getPost, 'hello'))` drops the entry `getPost('hello')` reads.
 */
export function key<F extends (...args: never[]) => unknown>(fn: F, ...args: Parameters<F>): string {
  const found = compiled.get(fn)
  if (found === undefined) {
    const name = typeof fn === 'function' && fn.name ? fn.name : String(fn)
    throw new TypeError(
      `key(): ${name} is not a function cached with a pragma in a module the plugin compiled. Write \`// Pragma: revalidate <ttl>\` right above its \`export\`, ` +
        'or invalidate the key you gave withRevalidate; see ' + docsLink('pragma.md', 'On exported functions') + '.',
    )
  }
  return functionKey(found.info, planOf(found.info).prefix, found.keyer(...(args as unknown[])))
}
