/**
 * The key of one call of a function cached with a pragma: `fn:<module>#<name>:<arguments>`, the
 * arguments in a canonical text of the runtime's value model (docs/runtime.md, "Cached functions"):
 *
 *   getPost('hello')                       -> fn:app/lib/posts#getPost:"hello"
 *   list({ tag: 'js', page: 2 })           -> fn:app/lib/posts#list:{"page":2,"tag":"js"}     (keys sorted)
 *   list({ tag: 'js', page: undefined })   -> fn:app/lib/posts#list:{"tag":"js"}              (undefined is missing)
 *   search('a', undefined)                 -> fn:app/lib/posts#search:"a"                      (so are trailing arguments)
 *   getPost('x'.repeat(2000))              -> fn:app/lib/posts#getPost:#<sha-256, 32 hex digits>
 *
 * Two calls share an entry exactly when their arguments are the same data. What is not data (a
 * function, a class instance, a symbol, a promise) or has no finite text (a cycle) is a TypeError
 * naming the argument and the path in it, before anything is fetched.
 */
import { docsLink } from './docs-link.js'
import { sha256Hex } from './sha256.js'
import { hasSymbolKeys, isPlainObject, LEAF_TAGS, tagOf } from './value-model.js'

/** Past this many characters, a key's arguments part is replaced by its hash. */
export const MAX_FUNCTION_KEY_LENGTH = 512

/**
 * The longest array an argument may hold. An array's length need not be memory (`new Array(2 ** 32 - 1)`
 * is a few bytes) while its key text is as long as it: past this, a TypeError, not a stall or a crash.
 */
export const MAX_KEYED_ARRAY_LENGTH = 100_000

/** The `code` of the TypeError for an argument that cannot be part of a key. */
export const UNKEYABLE_ARGUMENT = 'ERR_REVALIDATE_UNKEYABLE_ARGUMENT'

/** What the key needs of the function: where it is, its name, and its parameters' names (for messages). */
export interface KeyedFunction {
  module: string
  name: string
  params: readonly string[]
}

/** `fn:<module>#<name>:` — the part every key of the function starts with. */
export function functionKeyPrefix(fn: KeyedFunction): string {
  return `fn:${fn.module}#${fn.name}:`
}

/** The key of a call with `args`, its arguments part hashed past MAX_FUNCTION_KEY_LENGTH. */
export function functionKey(fn: KeyedFunction, prefix: string, args: ArrayLike<unknown>): string {
  // The most common call, one string (a slug, an id), without the loop.
  if (args.length === 1 && typeof args[0] === 'string') {
    const key = prefix + JSON.stringify(args[0])
    return key.length <= MAX_FUNCTION_KEY_LENGTH ? key : `${prefix}#${sha256Hex(key.slice(prefix.length)).slice(0, 32)}`
  }
  let count = args.length
  while (count > 0 && args[count - 1] === undefined) count--
  let text = ''
  for (let i = 0; i < count; i++) {
    const arg = args[i]
    // The common argument, a string or a number, without the walk.
    const part = typeof arg === 'string' ? JSON.stringify(arg) : typeof arg === 'number' && Number.isFinite(arg) && !Object.is(arg, -0) ? String(arg) : encodeArgument(fn, i, arg)
    text = i === 0 ? part : `${text},${part}`
  }
  const key = prefix + text
  return key.length <= MAX_FUNCTION_KEY_LENGTH ? key : `${prefix}#${sha256Hex(text).slice(0, 32)}`
}

/** How an argument is named in a message: by its parameter, or by its place. */
export function argumentName(fn: KeyedFunction, index: number): string {
  const name = fn.params[index]
  return name ? `"${name}"` : `${index + 1}`
}

function unkeyable(fn: KeyedFunction, index: number, path: string, what: string): TypeError {
  const error = new TypeError(
    `${fn.name}(): argument ${argumentName(fn, index)}${path ? ` at ${path}` : ''} is ${what}, which cannot be part of a cache key. ` +
      'The arguments of a function cached with a pragma are its key, so they must be data (strings, numbers, booleans, BigInt, ' +
      'plain objects, arrays, Date, Map, Set, RegExp, URL, typed arrays). Pass the fields the function needs instead (`getPost(post.slug)`, not `getPost(post)`); ' +
      `see ${docsLink('pragma.md', 'On exported functions')}.`,
  )
  return Object.assign(error, { code: UNKEYABLE_ARGUMENT })
}

/** What reading an argument threw, as the TypeError of an argument that cannot be keyed, with the error as its cause. */
function unreadable(fn: KeyedFunction, index: number, path: string, error: unknown): TypeError {
  const message = error instanceof Error ? error.message : String(error)
  return Object.assign(unkeyable(fn, index, path, `a value that throws when it is read (${message})`), { cause: error })
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/
const propertyPath = (key: string) => (IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`)

/** The canonical text of one argument. */
function encodeArgument(fn: KeyedFunction, index: number, arg: unknown): string {
  // The objects on the way from the argument to the value being encoded: meeting one again is a cycle.
  const ancestors = new Set<object>()
  const encode = (value: unknown, path: string): string => {
    switch (typeof value) {
      case 'string':
        return JSON.stringify(value)
      case 'number':
        return Object.is(value, -0) ? '0' : String(value) // NaN and ±Infinity as written
      case 'bigint':
        return `${value}n`
      case 'boolean':
      case 'undefined':
        return String(value)
      case 'function':
        throw unkeyable(fn, index, path, 'a function')
      case 'symbol':
        throw unkeyable(fn, index, path, 'a symbol')
    }
    if (value === null) return 'null'
    const object = value as object
    if (ancestors.has(object)) throw unkeyable(fn, index, path, 'a cycle (an object that contains itself)')
    ancestors.add(object)
    try {
      if (typeof (object as { then?: unknown }).then === 'function') throw unkeyable(fn, index, path, 'a promise (await it first)')
      const tag = tagOf(object)
      if (tag === 'Array') {
        const array = object as unknown[]
        if (array.length > MAX_KEYED_ARRAY_LENGTH) throw unkeyable(fn, index, path, `an array of ${array.length} elements (a key takes ${MAX_KEYED_ARRAY_LENGTH} at most)`)
        return `[${Array.from({ length: array.length }, (_, i) => encode(array[i], `${path}[${i}]`)).join(',')}]`
      }
      if (tag === 'Map' || tag === 'Set') {
        // Insertion order is not data: sorted, so two maps of the same entries are one key.
        const items = tag === 'Map'
          ? [...(object as Map<unknown, unknown>)].map(([key, item], i) => `${encode(key, `${path}.keys()[${i}]`)}=>${encode(item, `${path}.get(…)`)}`)
          : [...(object as Set<unknown>)].map((item, i) => encode(item, `${path}.values()[${i}]`))
        return `${tag}(${items.sort().join(',')})`
      }
      if (LEAF_TAGS.has(tag)) return leaf(object, tag)
      if (!isPlainObject(object)) {
        const name = (object as { constructor?: { name?: unknown } }).constructor?.name
        const what = tag === 'Request' || tag === 'Response' ? `a ${tag}` : typeof name === 'string' && name !== '' ? `a ${name} instance` : 'an object with a prototype of its own'
        throw unkeyable(fn, index, path, what)
      }
      // Object.keys skips symbol keys: `{ [s]: 1 }` would be the key of `{}`.
      if (hasSymbolKeys(object)) throw unkeyable(fn, index, path, 'an object with symbol keys')
      const record = object as Record<string, unknown>
      const fields: string[] = []
      for (const key of Object.keys(record).sort()) {
        const field = path + propertyPath(key)
        let item
        try {
          item = record[key] // read once: a getter may give another value each time
        } catch (error) {
          throw unreadable(fn, index, field, error)
        }
        if (item !== undefined) fields.push(`${JSON.stringify(key)}:${encode(item, field)}`)
      }
      return `{${fields.join(',')}}`
    } catch (error) {
      // A getter that throws, a revoked Proxy, a Proxy of a Map (whose methods refuse it).
      throw (error as { code?: unknown } | null)?.code === UNKEYABLE_ARGUMENT ? error : unreadable(fn, index, path, error)
    } finally {
      ancestors.delete(object)
    }
  }
  return encode(arg, '')
}

/** Values kept whole by the value model (Date, URL, typed arrays, ...): their tag and their content. */
function leaf(object: object, tag: string): string {
  if (tag === 'Date') {
    const time = (object as Date).getTime()
    return `Date(${Number.isNaN(time) ? 'NaN' : (object as Date).toISOString()})`
  }
  if (tag === 'RegExp') return `RegExp(${JSON.stringify((object as RegExp).source)},${JSON.stringify((object as RegExp).flags)})`
  if (tag === 'ArrayBuffer') return `${tag}(${hex(new Uint8Array(object as ArrayBuffer))})`
  if (ArrayBuffer.isView(object)) return `${tag}(${hex(new Uint8Array(object.buffer, object.byteOffset, object.byteLength))})`
  // URL, URLSearchParams, boxed primitives, Temporal values: their string form is their value.
  return `${tag}(${JSON.stringify(String(object))})`
}

function hex(bytes: Uint8Array): string {
  let text = ''
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0')
  return text
}
