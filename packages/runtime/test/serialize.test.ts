import { describe, expect, it } from 'vitest'
import { deserializeEntry, serializeEntry, type CacheEntry } from '../src/index.js'

const entry = (value: unknown): CacheEntry => ({ value, storedAt: 1000, ttlMs: 60_000, staleMs: 5000, tags: ['posts'], version: 'v1' })
const roundTrip = (value: unknown) => deserializeEntry(serializeEntry(entry(value)))?.value

describe('the serialization envelope', () => {
  it('keeps Date, Map, Set, BigInt, undefined and odd numbers, nested', () => {
    const value = {
      at: new Date(1_700_000_000_000),
      invalid: new Date(Number.NaN),
      byId: new Map<unknown, unknown>([[1, { tags: new Set(['a', 'b']) }], ['k', [undefined, 10n]]]),
      big: -12345678901234567890n,
      missing: undefined,
      numbers: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1.5],
      holes: [1, , 3], // eslint-disable-line no-sparse-arrays
    }
    const back = roundTrip(value) as typeof value
    expect(back).toEqual(value)
    expect(back.at).toBeInstanceOf(Date)
    expect(Number.isNaN(back.invalid.getTime())).toBe(true)
    expect(back.byId.get(1)).toEqual({ tags: new Set(['a', 'b']) })
    expect(Object.hasOwn(back, 'missing')).toBe(true)
    expect(Object.is(back.numbers[3], -0)).toBe(true)
  })

  it('keeps the entry metadata', () => {
    expect(deserializeEntry(serializeEntry(entry('x')))).toEqual(entry('x'))
  })

  it('keeps an object whose own key is "$" apart from the tags it uses', () => {
    expect(roundTrip({ $: 'date', v: 0 })).toEqual({ $: 'date', v: 0 })
  })

  it('uses toJSON like JSON does, for class instances that define it', () => {
    const money = { toJSON: () => '12.50 EUR' }
    expect(roundTrip({ price: money })).toEqual({ price: '12.50 EUR' })
  })

  it('refuses what a shared cache cannot keep, naming where it is', () => {
    expect(() => serializeEntry(entry({ posts: [{ format: () => 1 }] }))).toThrow(/A function cannot be stored in a shared cache \(at value.posts\[0\].format\)/)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(() => serializeEntry(entry(cyclic))).toThrow(/circular reference/)
    expect(() => serializeEntry(entry('x'.repeat(100)), 50)).toThrow(/larger than the 50/)
    expect(() => serializeEntry(entry(new Response('{}')))).toThrow(/A Response cannot be stored in a shared cache \(at value\): cache the data/)
  })

  it('reads anything malformed, of another format or too large as a miss', () => {
    const good = serializeEntry(entry({ a: 1 }))
    for (const text of ['not json', '', 'null', '[]', '{"f":2}', good.replace('"f":1', '"f":99'), '{"f":1,"storedAt":"x","ttlMs":1,"staleMs":1,"value":1}', '{"f":1,"storedAt":1,"ttlMs":1,"staleMs":1}', '{"f":1,"storedAt":1,"ttlMs":1,"staleMs":1,"value":{"$":"bogus"}}', '{"f":1,"storedAt":1,"ttlMs":1,"staleMs":1,"value":{"$":"bigint","v":"1e5"}}', '['.repeat(100_000)]) {
      expect(deserializeEntry(text), text.slice(0, 40)).toBeUndefined()
    }
    expect(deserializeEntry(42)).toBeUndefined()
    expect(deserializeEntry(good, 10)).toBeUndefined()
  })

  it('never turns a "__proto__" key into a prototype', () => {
    const text = '{"f":1,"storedAt":1,"ttlMs":1,"staleMs":1,"value":{"__proto__":{"polluted":true},"nested":{"__proto__":{"admin":true}}}}'
    const value = deserializeEntry(text)!.value as Record<string, Record<string, unknown>>
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(value.polluted).toBeUndefined()
    expect(value.nested!.admin).toBeUndefined()
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.hasOwn(value, '__proto__')).toBe(true)
  })
})
