// Functions cached with a pragma: the canonical key of their arguments, the tags filled from them,
// key(fn, ...args), and withRevalidate's rules through cacheFunction (one fetch for concurrent
// callers, stale served during one refresh, fences). The last test compiles a module with the
// plugin and runs it against the built runtime, as an app does.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { transform } from '../../plugin/src/index.js'
import {
  cacheFunction,
  configure,
  invalidate,
  invalidateTag,
  key,
  MAX_FUNCTION_KEY_LENGTH,
  MemoryStore,
  registerFunction,
  UNKEYABLE_ARGUMENT,
  type CacheEvent,
  type CompiledFunction,
} from '../src/index.js'
import { deferred, manualClock, storeOver } from './helpers.js'

let events: CacheEvent[]
let clock: ReturnType<typeof manualClock>
beforeEach(() => {
  events = []
  clock = manualClock()
  configure({ now: clock.now, onEvent: (event) => events.push(event) })
})

const getPostInfo: CompiledFunction = { module: 'app/lib/posts', name: 'getPost', params: ['slug', 'options'], ttl: 60, version: 'v1', tags: ['posts', 'post:{0}', 'author:{1.author.id}'] }

/** A function as the compiler writes it: its body the fetcher, its parameters the key. */
function compiledGetPost() {
  const calls: unknown[][] = []
  async function getPost(slug: unknown, options: unknown = {}) {
    return cacheFunction(getPostInfo, [slug, options], async () => {
      calls.push([slug, options])
      return { slug, n: calls.length }
    })
  }
  registerFunction(getPost, getPostInfo, (slug, options = {}) => [slug, options])
  return { getPost, calls }
}

function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  return proxy
}

const keyOf = (...args: unknown[]) => {
  const info: CompiledFunction = { module: 'm', name: 'f', params: ['a', 'b'], ttl: 60, version: 'v' }
  const f = (..._args: unknown[]) => undefined
  registerFunction(f, info, (...values) => values)
  return key(f, ...args)
}

describe('the key of a call', () => {
  it('is fn:<module>#<name>:<arguments>, objects with sorted keys, undefined the same as missing', () => {
    expect(keyOf('hello')).toBe('fn:m#f:"hello"')
    expect(keyOf({ b: 1, a: 'x' })).toBe(keyOf({ a: 'x', b: 1 }))
    expect(keyOf({ a: 1, b: undefined })).toBe(keyOf({ a: 1 }))
    expect(keyOf('a', undefined)).toBe(keyOf('a'))
    expect(keyOf(undefined, 'b')).toBe('fn:m#f:undefined,"b"')
    expect(keyOf(-0)).toBe(keyOf(0))
    expect(keyOf(1)).not.toBe(keyOf('1'))
    expect(keyOf(1n)).toBe('fn:m#f:1n')
    expect(keyOf(new Set([2, 1]))).toBe(keyOf(new Set([1, 2])))
    expect(keyOf(new Map([['b', 2], ['a', 1]]))).toBe(keyOf(new Map([['a', 1], ['b', 2]])))
    expect(keyOf(new Date(0))).toBe('fn:m#f:Date(1970-01-01T00:00:00.000Z)')
    expect(keyOf(new URL('https://a.example/x?q=1'))).toBe('fn:m#f:URL("https://a.example/x?q=1")')
    expect(keyOf(new Uint8Array([1, 255]))).toBe('fn:m#f:Uint8Array(01ff)')
    expect(keyOf([1, [2]])).toBe('fn:m#f:[1,[2]]')
    const shared = { id: 1 }
    expect(keyOf([shared, shared])).toBe('fn:m#f:[{"id":1},{"id":1}]') // a repeated reference is no cycle
  })

  it('refuses a function, a class instance, a symbol and a cycle with a TypeError naming the argument and the path in it', () => {
    class Post {}
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const cases: Array<[unknown[], RegExp]> = [
      [['x', { format: () => 1 }], /f\(\): argument "b" at \.format is a function/],
      [[new Post()], /argument "a" is a Post instance/],
      [[Symbol('s')], /argument "a" is a symbol/],
      [[cyclic], /argument "a" at \.self is a cycle/],
      [[new Request('https://a.example/')], /argument "a" is a Request/],
      [[Promise.resolve(1)], /argument "a" is a promise \(await it first\)/],
      // Object.keys skips symbol keys: keyed, `{ [s]: 1 }` would share `{}`'s entry.
      [['x', { tag: { [Symbol('s')]: 1 } }], /argument "b" at \.tag is an object with symbol keys/],
      // A length that is no memory: its key text would crash the process (out of memory), not hash.
      [['x', { ids: new Array(2 ** 32 - 1) }], /argument "b" at \.ids is an array of 4294967295 elements \(a key takes 100000 at most\)/],
      // What throws when it is read: named, with the place it threw.
      [['x', { post: { get title(): string { throw new Error('not loaded') } } }], /argument "b" at \.post\.title is a value that throws when it is read \(not loaded\)/],
      [[new Proxy(new Map([['a', 1]]), {})], /argument "a" is a value that throws when it is read \(Method Map\.prototype\.entries called on incompatible receiver/],
      [[revoked()], /argument "a" is a value that throws when it is read \(Cannot perform 'get' on a proxy that has been revoked\)/],
      // A Symbol.toStringTag of the code's own makes no Date, URL or Array of an object.
      [[new (class Stamp { get [Symbol.toStringTag]() { return 'Date' } })()], /argument "a" is a Stamp instance/],
    ]
    for (const [args, message] of cases) {
      let error: unknown
      try {
        keyOf(...args)
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(TypeError)
      expect((error as Error).message).toMatch(message)
      expect((error as { code?: string }).code).toBe(UNKEYABLE_ARGUMENT)
    }
  })

  it('never gives two different arguments one key, whatever Symbol.toStringTag they claim', () => {
    const claimsArray = Object.defineProperty({ length: 1, 0: 'a' }, Symbol.toStringTag, { value: 'Array' })
    expect(keyOf(claimsArray)).toBe('fn:m#f:{"0":"a","length":1}')
    expect(keyOf(['a'])).toBe('fn:m#f:["a"]')
    const claimsUrl = Object.defineProperty({ href: 'https://a.example/' }, Symbol.toStringTag, { value: 'URL' })
    expect(keyOf(claimsUrl)).not.toBe(keyOf(new URL('https://a.example/')))
    class Posts extends Map<string, number> {}
    expect(keyOf(new Posts([['a', 1]]))).toBe(keyOf(new Map([['a', 1]]))) // a Map by the engine, subclass or not
    // Another realm's (a vm context; Jest hands tests the outer realm's Buffer): the engine's too.
    expect(keyOf(runInNewContext("new Map([['a', 1]])"))).toBe('fn:m#f:Map("a"=>1)')
    expect(keyOf(runInNewContext('new Uint8Array([1, 255])'))).toBe('fn:m#f:Uint8Array(01ff)')
  })

  it('rejects the call, and fetches nothing, when an argument cannot be keyed', async () => {
    const { getPost, calls } = compiledGetPost()
    await expect(getPost(() => 'hello')).rejects.toThrow(/getPost\(\): argument "slug" is a function/)
    expect(calls).toEqual([])
  })

  it('hashes the arguments past the maximum length, so every key stays within it', () => {
    const long = 'x'.repeat(MAX_FUNCTION_KEY_LENGTH)
    const hashed = keyOf(long)
    expect(hashed).toMatch(/^fn:m#f:#[0-9a-f]{32}$/)
    expect(hashed.length).toBeLessThanOrEqual(MAX_FUNCTION_KEY_LENGTH)
    expect(keyOf(`${long}y`)).not.toBe(hashed)
    expect(keyOf(long)).toBe(hashed)
  })
})

describe('key(fn, ...args)', () => {
  it('gives the key the call makes, with the function’s own defaults', async () => {
    const { getPost } = compiledGetPost()
    await getPost('hello')
    expect(events.find((event) => event.type === 'miss')?.key).toBe(key(getPost, 'hello'))
    expect(key(getPost, 'hello')).toBe(key(getPost, 'hello', {}))
    expect(key(getPost, 'hello')).toBe('fn:app/lib/posts#getPost:"hello",{}')
  })

  it('invalidate(key(getPost, slug)) drops that call’s entry and no other', async () => {
    const { getPost, calls } = compiledGetPost()
    await Promise.all([getPost('a'), getPost('b')])
    await invalidate(key(getPost, 'a'))
    await Promise.all([getPost('a'), getPost('b')])
    expect(calls.map(([slug]) => slug)).toEqual(['a', 'b', 'a'])
  })

  it('is a TypeError for a function no pragma compiled', () => {
    const plain = async (slug: string) => slug
    expect(() => key(plain, 'a')).toThrow(/key\(\): plain is not a function cached with a pragma/)
  })
})

describe('cacheFunction', () => {
  it('fetches once for concurrent callers of one key, and serves the rest from cache', async () => {
    const { getPost, calls } = compiledGetPost()
    const results = await Promise.all(Array.from({ length: 20 }, () => getPost('hello')))
    expect(calls).toHaveLength(1)
    expect(new Set(results).size).toBe(1)
    await getPost('hello')
    expect(calls).toHaveLength(1)
  })

  it('serves the stale value at once while one refresh runs', async () => {
    const { getPost, calls } = compiledGetPost()
    expect(await getPost('hello')).toEqual({ slug: 'hello', n: 1 })
    clock.advance(61)
    const stale = await Promise.all([getPost('hello'), getPost('hello')])
    expect(stale).toEqual([{ slug: 'hello', n: 1 }, { slug: 'hello', n: 1 }])
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(calls).toHaveLength(2)
    expect(await getPost('hello')).toEqual({ slug: 'hello', n: 2 })
  })

  it('fills tags from the arguments: invalidateTag reaches the calls whose arguments made it', async () => {
    const { getPost, calls } = compiledGetPost()
    await Promise.all([getPost('a', { author: { id: 7 } }), getPost('b', { author: { id: 8 } })])
    await invalidateTag('post:a')
    await Promise.all([getPost('a', { author: { id: 7 } }), getPost('b', { author: { id: 8 } })])
    expect(calls.map(([slug]) => slug)).toEqual(['a', 'b', 'a'])
    await invalidateTag('author:8')
    await getPost('b', { author: { id: 8 } })
    expect(calls.map(([slug]) => slug)).toEqual(['a', 'b', 'a', 'b'])
  })

  it('leaves out a tag whose argument is missing, and rejects a call whose tag reads an object', async () => {
    const { getPost, calls } = compiledGetPost()
    await getPost('a', {})
    await invalidateTag('post:a')
    await getPost('a', {})
    expect(calls).toHaveLength(2)
    await expect(getPost('a', { author: { id: {} } })).rejects.toThrow(/a tag of its pragma reads argument "options"\.author\.id, which is an object/)
    expect(calls).toHaveLength(2)
  })

  it('leaves out a tag filled to nothing: a tag is a non-empty string', async () => {
    const info: CompiledFunction = { module: 'm', name: 'bySlug', params: ['slug'], ttl: 60, version: 'v', tags: ['{0}', 'posts'] }
    const tagsOf = new Map<string, readonly string[] | undefined>()
    const memory = new MemoryStore()
    const store = storeOver(memory, { set: (key, entry) => (tagsOf.set(key, entry.tags), memory.set(key, entry)) })
    configure({ now: clock.now, onEvent: (event) => events.push(event), store })
    await cacheFunction(info, [''], async () => 1)
    await cacheFunction(info, ['a'], async () => 2)
    expect(tagsOf.get('fn:m#bySlug:""')).toEqual(['posts'])
    expect(tagsOf.get('fn:m#bySlug:"a"')).toEqual(['a', 'posts'])
  })

  it('rejects a call whose tag would not be well-formed Unicode, naming the argument and the field the tag reads', async () => {
    const { getPost, calls } = compiledGetPost()
    await expect(getPost('\ud800')).rejects.toThrow(/getPost\(\): the tag filled from argument "slug" must be well-formed Unicode/)
    await expect(getPost('a', { author: { id: 'x\udc00' } })).rejects.toThrow(/the tag filled from argument "options"\.author\.id must be well-formed Unicode/)
    expect(calls).toEqual([])
  })

  it('fences a fetch that an invalidation overtook: its value is not cached', async () => {
    const gate = deferred<string>()
    const info: CompiledFunction = { module: 'm', name: 'slow', params: ['id'], ttl: 60, version: 'v', tags: ['item:{0}'] }
    let fetches = 0
    const slow = (id: string) => cacheFunction(info, [id], async () => (++fetches === 1 ? gate.promise : 'fresh'))
    const first = slow('1')
    await invalidateTag('item:1')
    gate.resolve('old')
    expect(await first).toBe('old')
    expect(await slow('1')).toBe('fresh')
  })
})

describe('a module compiled by the plugin', () => {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '.compiled-functions')
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('runs against the built runtime: one fetch for concurrent callers, key() and invalidateTag by a filled tag', async () => {
    const source = `let fetches = 0
export const fetchCount = () => fetches

// Pragma: revalidate 5m tags posts,post:{slug}
export async function getPost(slug, { draft = false } = {}) {
  fetches++
  await new Promise((resolve) => setTimeout(resolve, 5))
  return { slug, draft, fetch: fetches }
}
`
    const result = transform(source, join(dir, 'posts.js'), { root: dir, target: 'node' })!
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'posts.js'), result.code)
    const runtime = await import('@revalidate/runtime/node')
    const posts = (await import(pathToFileURL(join(dir, 'posts.js')).href)) as {
      getPost: (slug: string, options?: { draft?: boolean }) => Promise<{ fetch: number }>
      fetchCount: () => number
    }
    expect(posts.getPost.name).toBe('getPost')
    expect(posts.getPost.length).toBe(1)
    const [a, b] = await Promise.all([posts.getPost('hello'), posts.getPost('hello')])
    expect(a).toBe(b)
    expect(posts.fetchCount()).toBe(1)
    expect(runtime.key(posts.getPost, 'hello')).toBe('fn:posts#getPost:"hello",{}')
    await runtime.invalidateTag('post:hello')
    expect((await posts.getPost('hello')).fetch).toBe(2)
    await runtime.invalidate(runtime.key(posts.getPost, 'hello'))
    expect((await posts.getPost('hello')).fetch).toBe(3)
  })
})
