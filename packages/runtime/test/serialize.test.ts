import { stringify } from 'devalue'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { deserializeEntry, ENVELOPE_FORMAT, serializeEntry, type CacheEntry } from '../src/index.js'
import { checkCacheable } from '../src/value-model.js'

const entry = (value: unknown): CacheEntry => ({ value, storedAt: 1000, ttlMs: 60_000, staleMs: 5000, tags: ['posts'], version: 'v1' })
const roundTrip = (value: unknown) => deserializeEntry(serializeEntry(entry(value)))?.value
/** An envelope around a devalue payload written by hand, as a hostile writer would. */
const envelope = (payload: string) => `{"f":${ENVELOPE_FORMAT},"storedAt":1,"ttlMs":1,"staleMs":1,"value":${payload}}`

class Post {
  constructor(readonly title: string) {}
}

describe('the serialization envelope', () => {
  it('keeps Date, Map, Set, BigInt, undefined, odd numbers, RegExp, URL and typed arrays, nested', () => {
    const value = {
      at: new Date(1_700_000_000_000),
      invalid: new Date(Number.NaN),
      byId: new Map<unknown, unknown>([[1, { tags: new Set(['a', 'b']) }], ['k', [undefined, 10n]]]),
      big: -12345678901234567890n,
      missing: undefined,
      numbers: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1.5],
      holes: [1, , 3], // eslint-disable-line no-sparse-arrays
      pattern: /^post-(\d+)$/giu,
      link: new URL('https://blog.dev/posts?id=1'),
      bytes: new Uint8Array([1, 2, 255]),
    }
    const back = roundTrip(value) as typeof value
    expect(back).toEqual(value)
    expect(back.at).toBeInstanceOf(Date)
    expect(Number.isNaN(back.invalid.getTime())).toBe(true)
    expect(back.byId.get(1)).toEqual({ tags: new Set(['a', 'b']) })
    expect(Object.hasOwn(back, 'missing')).toBe(true)
    expect(Object.is(back.numbers[3], -0)).toBe(true)
    expect(back.pattern.flags).toBe('giu')
    expect(back.link.searchParams.get('id')).toBe('1')
  })

  it('keeps repeated references and cycles: { a: o, b: o } comes back with a === b', () => {
    const shared = { id: 7 }
    const cyclic: Record<string, unknown> = { name: 'root' }
    cyclic.self = cyclic
    const back = roundTrip({ a: shared, b: shared, list: [shared], cyclic }) as { a: object; b: object; list: object[]; cyclic: Record<string, unknown> }
    expect(back.a).toBe(back.b)
    expect(back.list[0]).toBe(back.a)
    expect(back.cyclic.self).toBe(back.cyclic)
  })

  it('keeps the entry metadata', () => {
    expect(deserializeEntry(serializeEntry(entry('x')))).toEqual(entry('x'))
  })

  it('refuses what no store can keep with a TypeError naming where it is: class instances are not flattened', () => {
    expect(() => serializeEntry(entry({ posts: [new Post('hi')] }), undefined, 'posts:all')).toThrow(
      /The value for "posts:all" cannot be cached: a Post instance at value\.posts\[0\]/,
    )
    expect(() => serializeEntry(entry({ posts: [{ format: () => 1 }] }))).toThrow(/a function at value\.posts\[0\]\.format/)
    expect(() => serializeEntry(entry(new Response('{}')))).toThrow(/a Response \(cache the data, and build the Response from it\) at value/)
    expect(() => serializeEntry(entry({ money: { toJSON: () => '12.50 EUR', amount: 12.5, currency: Symbol('EUR') } }))).toThrow(/a symbol at value\.money\.currency/)
    expect(() => serializeEntry(entry(new Map([['k', Promise.resolve(1)]])))).toThrow(/a promise \(await it first\) at value\.get\("k"\)/)
  })

  it('measures the size limit in UTF-8 bytes, not UTF-16 units', () => {
    const text = serializeEntry(entry(''))
    const limit = text.length + 40
    expect(() => serializeEntry(entry('é'.repeat(30)), limit)).toThrow(/bytes is larger than the \d+ bytes a shared cache keeps/) // 30 units, 60 bytes
    expect(serializeEntry(entry('e'.repeat(30)), limit)).toContain('eee')
    const written = serializeEntry(entry('😀'.repeat(10)))
    expect(deserializeEntry(written, Buffer.byteLength(written) - 1)).toBeUndefined()
    expect(deserializeEntry(written, Buffer.byteLength(written))?.value).toBe('😀'.repeat(10))
  })

  it('reads anything malformed or of another format (earlier versions’ format 1 included) as a miss', () => {
    const good = serializeEntry(entry({ a: 1 }))
    const formatOne = '{"f":1,"storedAt":1,"ttlMs":1,"staleMs":1,"value":{"a":1}}'
    for (const text of ['not json', '', 'null', '[]', '{"f":2}', formatOne, good.replace(`"f":${ENVELOPE_FORMAT}`, '"f":99'), envelope('"not devalue"'), envelope('[["Nope",1]]'), envelope('[["BigInt","1e5"]]'), envelope('[[1,2,99]]'), envelope('[{"a":5}]'), '['.repeat(100_000)]) {
      expect(deserializeEntry(text), text.slice(0, 60)).toBeUndefined()
    }
    expect(deserializeEntry(42)).toBeUndefined()
    expect(deserializeEntry(good, 10)).toBeUndefined()
  })

  it('a hostile BigInt (8 million digits) is a miss, not seconds of parsing', () => {
    const hostile = serializeEntry(entry(123n)).replace('"123"', `"${'9'.repeat(8_000_000)}"`)
    expect(deserializeEntry(hostile, 16 * 1024 * 1024)).toBeUndefined()
    // Nor can many long ones add up: 11 BigInts of 10,000 digits pass the per-BigInt bound, not the per-entry one.
    const many = Array.from({ length: 11 }, (_, i) => BigInt(`${i + 1}${'0'.repeat(9_999)}`))
    expect(deserializeEntry(serializeEntry(entry(many)))).toBeUndefined()
    expect(roundTrip(many.slice(0, 9))).toEqual(many.slice(0, 9))
  })

  it('a reference chain deep enough to overflow the stack is a miss, not a crash', () => {
    const depth = 200_000
    const payload = `[${Array.from({ length: depth }, (_, i) => (i === depth - 1 ? '1' : `{"next":${i + 1}}`)).join(',')}]`
    expect(deserializeEntry(envelope(payload))).toBeUndefined()
  })

  it('never turns a "__proto__" key into a prototype', () => {
    const value = deserializeEntry(envelope('[{"__proto__":1,"name":2},{"polluted":3},"x",true]'))
    expect(value).toBeUndefined()
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(() => serializeEntry(entry(JSON.parse('{"__proto__":{"admin":true}}')))).toThrow(/own "__proto__" key at value/)
  })
})

describe('the value model', () => {
  /** Values devalue may or may not keep: data of every kind, plus what no store keeps. */
  const anyValue = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.anything({ maxDepth: 2, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withSparseArray: true, withBoxedValues: true }),
      fc.constantFrom<unknown>(() => 1, Symbol('s'), new Post('p'), new Response(''), Promise.resolve(1), /x/g, new URL('https://a.b/'), new ArrayBuffer(2), { [Symbol('k')]: 1 }),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 3 }), tie('value'), { maxKeys: 3 }),
    ),
  })).value

  it('the memory store accepts exactly what devalue can write (so what works in memory works on Redis)', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        let devalueKeeps = true
        try {
          stringify(value)
        } catch {
          devalueKeeps = false
        }
        let modelKeeps = true
        try {
          checkCacheable('k', value, false)
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError)
          modelKeeps = false
        }
        expect(modelKeeps).toBe(devalueKeeps)
      }),
      { numRuns: 3000 },
    )
  })
})
