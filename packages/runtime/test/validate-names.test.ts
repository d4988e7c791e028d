// Keys and tags must be well-formed Unicode (validate.ts): the check itself, and the service
// worker's rule, which names its tags once for every response it caches.
import { describe, expect, it } from 'vitest'
import { serveWithRevalidate, type FetchEventLike } from '../src/service-worker.js'
import { illFormedName } from '../src/validate.js'

const LONE_HIGH = String.fromCharCode(0xd83d)
const LONE_LOW = String.fromCharCode(0xde00)

describe('illFormedName', () => {
  it('accepts well-formed text, surrogate pairs (emoji) included', () => {
    for (const name of ['posts', '', 'café', 'profile:😀', '😀😀', '\u{10FFFF}', 'a\uFFFDb']) expect(illFormedName('f', 'key', name)).toBeUndefined()
  })

  it('refuses a lone surrogate anywhere, high or low, with a TypeError naming the text in a readable form', () => {
    for (const name of [LONE_HIGH, `a${LONE_HIGH}`, `${LONE_LOW}a`, `😀${LONE_HIGH}`, `${LONE_LOW}${LONE_HIGH}`]) {
      const error = illFormedName('invalidate', 'key', name)
      expect(error).toBeInstanceOf(TypeError)
      expect(error?.message).toMatch(/^invalidate: key must be well-formed Unicode, got the string ".*\\ud[89a-f][0-9a-f]{2}.*", which holds a lone UTF-16 surrogate at index \d+ /)
    }
  })
})

describe('serveWithRevalidate rule', () => {
  it('a tag that is not well-formed Unicode is a TypeError naming it, before the request is looked at', () => {
    const event = {} as FetchEventLike // never read: the rule is refused first
    expect(() => serveWithRevalidate(event, { match: '/api/', ttl: 60, tags: ['posts', `feed${LONE_HIGH}`] })).toThrow(
      /^serveWithRevalidate\(event, rule\): rule\.tags\[1\] must be well-formed Unicode, got the string "feed\\ud83d", which holds a lone UTF-16 surrogate at index 4 /,
    )
  })
})
