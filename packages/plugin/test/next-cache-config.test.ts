// withRevalidate(nextConfig, { cache }): the keys Next reads for its cache handlers, and the
// settings the handler modules read from the environment. The handlers under real Next servers:
// test/next/shared-cache.test.ts.
import { NEXT_CACHE_SETTINGS_ENV } from '@revalidate/runtime/next'
import type { NextConfig } from 'next'
import { afterEach, describe, expect, it } from 'vitest'
import { withRevalidate } from '../src/next.js'

const before = process.env[NEXT_CACHE_SETTINGS_ENV]
afterEach(() => {
  if (before === undefined) delete process.env[NEXT_CACHE_SETTINGS_ENV]
  else process.env[NEXT_CACHE_SETTINGS_ENV] = before
})

describe('withRevalidate(nextConfig, { cache })', () => {
  it("sets Next's keys to the runtime's handler modules, turns Next's memory layer off, and hands the handlers their settings", () => {
    const nextConfig: NextConfig = { reactStrictMode: true }
    const config = withRevalidate(nextConfig, { cache: { redis: 'redis://cache.internal:6379/0', maxMemoryBytes: 1024, lockSeconds: 10 } })
    expect(config.cacheHandlers?.default).toMatch(/runtime\/dist\/next\/use-cache\.js$/)
    expect(config.cacheHandlers?.remote).toBe(config.cacheHandlers?.default)
    expect(config.cacheHandler).toMatch(/runtime\/dist\/next\/cache-handler\.js$/)
    expect(config.cacheMaxMemorySize).toBe(0)
    expect(config.reactStrictMode).toBe(true)
    expect(JSON.parse(process.env[NEXT_CACHE_SETTINGS_ENV]!)).toEqual({ redis: 'redis://cache.internal:6379/0', maxMemoryBytes: 1024, lockSeconds: 10 })
    // The loader Next runs on every page gets the transform's options, not the cache's.
    const rules = config.turbopack?.rules as Record<string, { loaders: Array<{ options: Record<string, unknown> }> }>
    expect(rules['*.tsx']!.loaders[0]!.options).not.toHaveProperty('cache')
  })

  it('`cache: true`, and an unset or empty REDIS_URL, mean this process’s memory', () => {
    withRevalidate({}, { cache: true })
    expect(process.env[NEXT_CACHE_SETTINGS_ENV]).toBe('{}')
    withRevalidate({}, { cache: { redis: undefined } })
    expect(process.env[NEXT_CACHE_SETTINGS_ENV]).toBe('{}')
    withRevalidate({}, { cache: { redis: '' } })
    expect(process.env[NEXT_CACHE_SETTINGS_ENV]).toBe('{}')
  })

  it("without `cache`, Next's own handlers stay", () => {
    delete process.env[NEXT_CACHE_SETTINGS_ENV]
    const config = withRevalidate({})
    expect(config).not.toHaveProperty('cacheHandlers')
    expect(config).not.toHaveProperty('cacheHandler')
    expect(process.env[NEXT_CACHE_SETTINGS_ENV]).toBeUndefined()
  })

  it('refuses what it cannot do, saying what and how to fix it', () => {
    expect(() => withRevalidate({ cacheHandler: '/x.js' }, { cache: true })).toThrow("withRevalidate: next.config sets cacheHandler and withRevalidate's cache option sets it too. Remove one")
    expect(() => withRevalidate({}, { cache: { redis: {} as unknown as string } })).toThrow(/cache.redis must be a redis:\/\/ or rediss:\/\/ URL .*write the handler files yourself/)
    expect(() => withRevalidate({}, { cache: { redis: 'http://cache' } })).toThrow(/cache.redis must be a redis:\/\//)
    expect(() => withRevalidate({}, { cache: { maxEntry: 5 } as never })).toThrow('withRevalidate: cache has no option "maxEntry" (it takes redis, prefix, maxEntries, maxMemoryBytes and lockSeconds)')
    expect(() => withRevalidate({}, { cache: { maxMemoryBytes: 0 } })).toThrow('withRevalidate: cache.maxMemoryBytes must be a number greater than 0, got 0')
  })
})
