// The dev server's one line per cache event of a compiled page.
import { describe, expect, it } from 'vitest'
import { describeCacheEvent } from '../src/dev-log.js'

describe('describeCacheEvent', () => {
  it('says HIT, STALE and MISS of a page, and marks the requests of `revalidate warm`', () => {
    expect(describeCacheEvent({ type: 'hit', key: 'page:/posts/hello', age: 12_400 })).toBe('HIT page:/posts/hello age 12s')
    expect(describeCacheEvent({ type: 'miss', key: 'page:/posts/hello', warm: true })).toBe('MISS page:/posts/hello (warm-up)')
    expect(describeCacheEvent({ type: 'hit', key: 'page:/posts/hello', age: 0, warm: true })).toBe('HIT page:/posts/hello age 0s (warm-up)')
    expect(describeCacheEvent({ type: 'stale', key: 'page:/', age: 75_000, warm: true })).toBe('STALE page:/ age 75s, refreshing (warm-up)')
    expect(describeCacheEvent({ type: 'hit', key: 'posts:all', age: 0, warm: true })).toBeUndefined() // not a page's
  })
})
