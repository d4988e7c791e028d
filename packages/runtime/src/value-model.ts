/**
 * One value model on every store (docs/architecture.md, "Values"): what a remote store can keep through
 * `devalue`, the memory store keeps too, and nothing else, so code that works against memory in
 * development works against Redis or Cloudflare in production.
 *
 *   { at: new Date(), ids: new Set([1]), big: 10n }   -> kept
 *   { post: new Post() }                              -> TypeError: a Post instance at value.post
 *   { format: () => 1 }                               -> TypeError: a function at value.format
 *
 * Checked when a value is written (never on a hit). Outside production the memory store also
 * deep-freezes what it keeps: every caller of a key shares one object, so a request that mutates
 * it would change what every later request sees; frozen, the mutation throws where it is written.
 */
import { docsLink } from './docs-link.js'

/** The `code` of the TypeError for a value no store can keep. */
export const UNCACHEABLE_VALUE = 'ERR_REVALIDATE_UNCACHEABLE_VALUE'

export function isUncacheableValue(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === UNCACHEABLE_VALUE
}

/** Kept as they are and never walked into. */
export const LEAF_TAGS = new Set([
  'Number', 'String', 'Boolean', 'BigInt', 'Date', 'RegExp', 'URL', 'URLSearchParams',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Float16Array', 'Int32Array',
  'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'DataView', 'ArrayBuffer',
  'Temporal.Duration', 'Temporal.Instant', 'Temporal.PlainDate', 'Temporal.PlainTime', 'Temporal.PlainDateTime',
  'Temporal.PlainMonthDay', 'Temporal.PlainYearMonth', 'Temporal.ZonedDateTime',
])
/** Binary data cannot be frozen (the engine refuses to freeze a view with elements). */
const UNFREEZABLE_TAGS = new Set([...LEAF_TAGS].filter((tag) => tag.endsWith('Array') || tag === 'DataView' || tag === 'ArrayBuffer'))
/** Past this length an array is walked by its own keys, so a sparse one of length 2**32 - 1 costs nothing. */
const DENSE_WALK_LIMIT = 100_000

const OBJECT_PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype).sort().join('\0')

/** A plain object by the rule devalue uses, so both accept exactly the same objects. */
export function isPlainObject(object: object): boolean {
  const proto = Object.getPrototypeOf(object) as object | null
  return (
    proto === Object.prototype ||
    proto === null ||
    Object.getPrototypeOf(proto) === null ||
    Object.getOwnPropertyNames(proto).sort().join('\0') === OBJECT_PROTO_NAMES
  )
}

/** The kinds the value model treats apart from plain objects: a tag that claims one must be the engine's. */
const KIND_TAGS = new Set([...LEAF_TAGS, 'Array', 'Map', 'Set'])
/** The prototypes whose own `Symbol.toStringTag` is the engine's (`Map.prototype`, `URL.prototype`, every typed array's). */
const ENGINE_TAG_HOLDERS = new Set<unknown>(
  [...KIND_TAGS, 'TypedArray'].map((name) => {
    if (name === 'TypedArray') return Object.getPrototypeOf(Uint8Array.prototype) as unknown
    const constructor = name.split('.').reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part], globalThis)
    return (constructor as { prototype?: unknown } | undefined)?.prototype
  }).filter((prototype) => prototype !== undefined),
)

/**
 * What kind of object it is (`Map`, `Date`, `Uint8Array`, `Object`, ...). A `Symbol.toStringTag` of
 * the code's own (a field, a class's getter) does not make an object a Map or an Array: it is then an
 * `Object`, so `{ [Symbol.toStringTag]: 'Array', length: 1, 0: 'a' }` is never taken for `['a']`.
 */
export function tagOf(object: object): string {
  const tag = Object.prototype.toString.call(object).slice(8, -1)
  if (!KIND_TAGS.has(tag)) return tag
  for (let at: object | null = object; at !== null; at = Object.getPrototypeOf(at) as object | null) {
    // The tag came from the first `Symbol.toStringTag` on the chain; none means the engine's own (Array, Date, ...).
    if (Object.hasOwn(at, Symbol.toStringTag)) return at !== object && isEngineTagHolder(at) ? tag : 'Object'
  }
  return tag
}

const NATIVE_CODE = /\{\s*\[native code\]\s*\}$/

/** This realm's prototype of a kind, or another realm's (a `vm` context, Jest's `Buffer`): one whose constructor is the engine's. */
function isEngineTagHolder(prototype: object): boolean {
  if (ENGINE_TAG_HOLDERS.has(prototype)) return true
  const constructor = Object.getOwnPropertyDescriptor(prototype, 'constructor')?.value as unknown
  return typeof constructor === 'function' && NATIVE_CODE.test(Function.prototype.toString.call(constructor))
}

/** Whether a plain object has a symbol key `Object.keys` would skip: data with a part no text or store keeps. */
export function hasSymbolKeys(object: object): boolean {
  return Object.getOwnPropertySymbols(object).some((symbol) => Object.getOwnPropertyDescriptor(object, symbol)?.enumerable)
}

/** A step of the walk: the value, and how it was reached (for the path in an error). */
interface Step {
  value: unknown
  parent: Step | undefined
  via: string
}

function pathOf(step: Step): string {
  let path = ''
  for (let at: Step | undefined = step; at !== undefined; at = at.parent) path = at.via + path
  return path
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/
const propertyVia = (key: string) => (IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`)
const describeKey = (key: unknown) => (typeof key === 'string' ? JSON.stringify(key) : typeof key === 'object' && key !== null ? '…' : String(key))

/** What is wrong with `value` itself (not its children), or undefined when it may be kept. */
function refusal(value: unknown): string | undefined {
  const type = typeof value
  if (type === 'function') return 'a function'
  if (type === 'symbol') return 'a symbol'
  if (type !== 'object' || value === null) return undefined
  const object = value as object
  if (typeof (object as { then?: unknown }).then === 'function') return 'a promise (await it first)'
  const tag = tagOf(object)
  if (LEAF_TAGS.has(tag) || tag === 'Array' || tag === 'Map' || tag === 'Set') return undefined
  if (tag === 'Response' || tag === 'Request') return `a ${tag} (cache the data, and build the ${tag} from it)`
  if (!isPlainObject(object)) {
    const name = (object as { constructor?: { name?: unknown } }).constructor?.name
    return typeof name === 'string' && name !== '' ? `a ${name} instance` : 'an object with a prototype of its own'
  }
  if (hasSymbolKeys(object)) return 'an object with symbol keys'
  if (Object.hasOwn(object, '__proto__')) return 'an object with an own "__proto__" key'
  return undefined
}

function uncacheable(key: string | undefined, step: Step, what: string): TypeError {
  const error = new TypeError(
    `${key === undefined ? 'This value' : `The value for "${key}"`} cannot be cached: ${what} at value${pathOf(step)}. Cached values are data ` +
      '(plain objects, arrays, strings, numbers, BigInt, Date, Map, Set, RegExp, URL, typed arrays), the same on every ' +
      'store (memory, Redis, Cloudflare). Return plain data instead, e.g. { ...post } for a class instance. ' +
      `See ${docsLink('runtime.md', 'Values')}.`,
  )
  return Object.assign(error, { code: UNCACHEABLE_VALUE })
}

/** The children of an accepted object, each with how it is reached. */
function* childrenOf(object: object, tag: string): Generator<[unknown, string]> {
  if (tag === 'Array') {
    const array = object as unknown[]
    if (array.length > DENSE_WALK_LIMIT) {
      for (const index of Object.keys(array)) if (String(Number(index)) === index) yield [array[Number(index)], `[${index}]`]
    } else {
      for (let i = 0; i < array.length; i++) if (Object.hasOwn(array, i)) yield [array[i], `[${i}]`]
    }
  } else if (tag === 'Map') {
    let i = 0
    for (const [key, item] of object as Map<unknown, unknown>) {
      yield [key, `.keys()[${i++}]`]
      yield [item, `.get(${describeKey(key)})`]
    }
  } else if (tag === 'Set') {
    let i = 0
    for (const item of object as Set<unknown>) yield [item, `.values()[${i++}]`]
  } else if (!LEAF_TAGS.has(tag)) {
    for (const key of Object.keys(object)) yield [(object as Record<string, unknown>)[key], propertyVia(key)]
  }
}

const MUTATORS: Record<string, readonly string[]> = {
  Map: ['set', 'delete', 'clear'],
  Set: ['add', 'delete', 'clear'],
  Date: Object.getOwnPropertyNames(Date.prototype).filter((name) => name.startsWith('set')),
}

/** Object.freeze, plus mutators that throw for what freezing alone does not stop (Map, Set, Date). */
function freeze(object: object, tag: string): void {
  if (UNFREEZABLE_TAGS.has(tag) || Object.isFrozen(object)) return
  for (const name of MUTATORS[tag] ?? []) {
    Object.defineProperty(object, name, {
      value: () => {
        throw new TypeError(
          `Cannot ${name}() a cached ${tag}: every caller of its key shares it. Copy it first (new ${tag}(value)). ` +
            'Cached values are frozen outside production; see ' + docsLink('runtime.md', 'Values') + '.',
        )
      },
    })
  }
  Object.freeze(object)
}

/**
 * Throws a TypeError (code ERR_REVALIDATE_UNCACHEABLE_VALUE) naming the path of the first part of
 * `value` that no store can keep, and deep-freezes it when `freezeIt`. Walks with its own stack, so
 * a deep value neither overflows the call stack nor is left half-checked; shared references and
 * cycles are visited once.
 */
export function checkCacheable(key: string | undefined, value: unknown, freezeIt: boolean): void {
  if (typeof value !== 'object' || value === null) {
    const what = refusal(value)
    if (what !== undefined) throw uncacheable(key, { value, parent: undefined, via: '' }, what)
    return
  }
  const seen = new Set<object>()
  const stack: Step[] = [{ value, parent: undefined, via: '' }]
  const frozen: Array<[object, string]> = []
  while (stack.length > 0) {
    const step = stack.pop()!
    const what = refusal(step.value)
    if (what !== undefined) throw uncacheable(key, step, what)
    if (typeof step.value !== 'object' || step.value === null || seen.has(step.value)) continue
    const object = step.value
    seen.add(object)
    const tag = tagOf(object)
    if (freezeIt) frozen.push([object, tag])
    for (const [child, via] of childrenOf(object, tag)) {
      if (typeof child === 'object' ? child !== null && !seen.has(child) : refusal(child) !== undefined) {
        stack.push({ value: child, parent: step, via })
      }
    }
  }
  // Frozen only once all of it is known to be cacheable: a refused value is left as it was.
  for (const [object, tag] of frozen) freeze(object, tag)
}

/** Whether this is a production build or process: `process.env.NODE_ENV`, where there is one. */
export function isProduction(): boolean {
  try {
    return process.env.NODE_ENV === 'production' // a bundler's define may replace the whole expression
  } catch {
    return false // no `process` here (a browser, a Worker without Node compatibility)
  }
}
