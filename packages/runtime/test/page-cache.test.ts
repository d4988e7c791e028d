// What compiled pages call: one entry per loader of a URL, `invalidate('page:<path>')` reaching
// them all, framework tracking replayed, and the per-request cache header.
import { beforeEach, describe, expect, it } from 'vitest'
import { cachePage, configure, invalidate, type CacheEvent, type CompiledPage } from '../src/index.js'
import { withCacheHeader } from '../src/targets/node.js'
import { eventTaps } from '../src/event-taps.js'

const layout: CompiledPage = { route: '/posts', ttl: 60, version: 'v1', part: 'src/routes/posts/+layout.server' }
const page: CompiledPage = { route: '/posts/[slug]', ttl: 60, version: 'v1', part: 'src/routes/posts/[slug]/+page.server' }
const request = (path: string) => ({ url: new URL(`https://site.example${path}`), params: { slug: path.split('/').pop() } })

let events: CacheEvent[]
beforeEach(() => {
  events = []
  configure({ onEvent: (event) => events.push(event) })
})

function counter() {
  const calls = { layout: 0, page: 0 }
  return {
    calls,
    layout: (path: string) => cachePage(layout, request(path), () => async () => ({ list: ++calls.layout })),
    page: (path: string) => cachePage(page, request(path), (context) => async () => ({ slug: context.params.slug, n: ++calls.page })),
  }
}

describe('cachePage', () => {
  it('gives each loader of a URL its own entry, keyed by the URL and the loader’s module', async () => {
    const app = counter()
    const [list, post] = await Promise.all([app.layout('/posts/hello'), app.page('/posts/hello')])
    expect(list).toEqual({ list: 1 })
    expect(post).toEqual({ slug: 'hello', n: 1 })
    expect(await app.page('/posts/hello')).toEqual({ slug: 'hello', n: 1 })
    const missed = events.filter((event) => event.type === 'miss').map((event) => event.key)
    expect(missed).toEqual(['page:/posts/hello#src/routes/posts/+layout.server', 'page:/posts/hello#src/routes/posts/[slug]/+page.server'])
  })

  it('invalidate("page:<path>") reaches every loader of that path, and no other path', async () => {
    const app = counter()
    await Promise.all([app.layout('/posts/hello'), app.page('/posts/hello'), app.page('/posts/world')])
    await invalidate('page:/posts/hello')
    await Promise.all([app.layout('/posts/hello'), app.page('/posts/hello'), app.page('/posts/world')])
    expect(app.calls).toEqual({ layout: 2, page: 3 })
  })

  it('a page without parts is keyed page:<path> itself', async () => {
    let calls = 0
    const plain: CompiledPage = { route: '/about', ttl: 60, version: 'v1', tags: ['site'] }
    await cachePage(plain, request('/about'), () => () => ++calls)
    await invalidate('page:/about')
    expect(await cachePage(plain, request('/about'), () => () => ++calls)).toBe(2)
    expect(events.some((event) => event.type === 'miss' && event.key === 'page:/about')).toBe(true)
  })

  it('callers that join a running fetch are reported as joined misses', async () => {
    const app = counter()
    await Promise.all([app.page('/posts/x'), app.page('/posts/x'), app.page('/posts/x')])
    const misses = events.filter((event) => event.type === 'miss')
    expect(misses.map((event) => 'joined' in event && event.joined === true)).toEqual([false, true, true])
    expect(app.calls.page).toBe(1)
  })

  it('remembers the key of the last URL per page, never a list of URLs: a run of one URL reads its path once', async () => {
    let pathReads = 0
    class CountingURL extends URL {
      override get pathname() {
        pathReads++
        return super.pathname
      }
    }
    const plain: CompiledPage = { route: '/posts/[slug]', ttl: 60, version: 'v1' }
    const load = (path: string) => cachePage(plain, { url: new CountingURL(`https://site.example${path}`) }, () => () => path)
    expect(await load('/posts/once')).toBe('/posts/once')
    const readsForItsKey = pathReads
    expect(readsForItsKey).toBeGreaterThan(0)
    expect(await load('/posts/once')).toBe('/posts/once')
    expect(pathReads).toBe(readsForItsKey) // the second request's hit
    expect(await load('/posts/other')).toBe('/posts/other') // another URL, another key
    expect(events.filter((event) => event.type === 'miss').map((event) => event.key)).toEqual(['page:/posts/once', 'page:/posts/other'])
    // The page remembers only its last URL: the first one's key is made again.
    const readsBefore = pathReads
    expect(await load('/posts/once')).toBe('/posts/once')
    expect(pathReads).toBeGreaterThan(readsBefore)
  })

  it('keys every URL as its own, however many and however long', async () => {
    const plain: CompiledPage = { route: '/posts/[slug]', ttl: 60, version: 'v1' }
    configure({ maxEntries: 2000, onEvent: (event) => events.push(event) }) // the store keeps them all
    const paths = [...Array.from({ length: 1100 }, (_, i) => `/posts/p${i}`), `/posts/${'long'.repeat(200)}`]
    const load = (path: string) => cachePage(plain, { request: { url: `https://site.example${path}?ref=${path.length}` } }, () => () => path)
    for (const path of paths) expect(await load(path)).toBe(path)
    for (const path of paths) expect(await load(path)).toBe(path)
    const missed = events.filter((event) => event.type === 'miss').map((event) => event.key)
    expect(missed).toEqual(paths.map((path) => `page:${path}`)) // once each: the second round hit
  })

  it('refuses a page constant the cache refuses on every call, not just the first', async () => {
    const bad = { route: '/bad', ttl: 60, version: 42 } as unknown as CompiledPage
    const request = { url: new URL('https://site.example/bad') }
    for (let call = 0; call < 2; call++) await expect(cachePage(bad, request, () => () => 'data')).rejects.toThrow(/options\.version must be a string/)
  })
})

describe('withCacheHeader', () => {
  it('says MISS, then HIT, then nothing for a response that read no page (no onEvent needed)', async () => {
    configure({})
    const app = counter()
    const respond = () => withCacheHeader(async () => (await Promise.all([app.layout('/posts/h'), app.page('/posts/h')]), new Response('ok')))
    expect((await respond()).headers.get('x-revalidate')).toBe('MISS')
    expect((await respond()).headers.get('x-revalidate')).toBe('HIT')
    expect((await withCacheHeader(() => new Response('static'))).headers.has('x-revalidate')).toBe(false)
  })

  it('one loader that missed makes the page a MISS; concurrent requests keep their own state', async () => {
    const app = counter()
    await app.layout('/posts/a')
    const [both, again] = await Promise.all([
      withCacheHeader(async () => (await Promise.all([app.layout('/posts/a'), app.page('/posts/a')]), new Response('1'))),
      withCacheHeader(async () => (await app.layout('/posts/a'), new Response('2'))),
    ])
    expect(both.headers.get('x-revalidate')).toBe('MISS')
    expect(again.headers.get('x-revalidate')).toBe('HIT')
  })

  it('sets the header on a response whose headers are immutable, and never leaves a tap behind per call', async () => {
    const app = counter()
    const taps = eventTaps().size
    const redirect = await withCacheHeader(async () => (await app.page('/posts/r'), Response.redirect('https://site.example/')))
    expect(redirect.status).toBe(302)
    expect(redirect.headers.get('x-revalidate')).toBe('MISS')
    await withCacheHeader(() => new Response(''))
    expect(eventTaps().size).toBe(taps)
  })

  it('a nested withCacheHeader tells the outer one what it heard; a handler that returns no Response is an error', async () => {
    configure({})
    const app = counter()
    await app.page('/posts/n') // the page entry exists: a HIT for the outer read below
    let inner: Response | undefined
    const outer = await withCacheHeader(async () => {
      await app.page('/posts/n')
      inner = await withCacheHeader(async () => (await app.layout('/posts/n'), new Response('inner')))
      return new Response('outer')
    })
    expect(inner!.headers.get('x-revalidate')).toBe('MISS')
    expect(outer.headers.get('x-revalidate')).toBe('MISS') // the least fresh read, the inner one's included
    const notAResponse = withCacheHeader(async () => (await app.page('/posts/n'), { body: 'x' }) as unknown as Response)
    await expect(notAResponse).rejects.toThrow(/withCacheHeader: the handler returned object, not a Response/)
  })
})

describe('invalidating pages', () => {
  it('onInvalidate hears every local invalidation after the store applied it, and its failure is reported, not thrown', async () => {
    const heard: unknown[] = []
    const errors: unknown[] = []
    configure({ onInvalidate: async (invalidation) => heard.push(invalidation), onEvent: (event) => event.type === 'error' && errors.push(event.error) })
    await invalidate('page:/posts/hello')
    await invalidate('posts:all')
    expect(heard).toEqual([{ kind: 'key', key: 'page:/posts/hello' }, { kind: 'key', key: 'posts:all' }])
    configure({ onInvalidate: () => Promise.reject(new Error('Next is not serving a request')), onEvent: (event) => event.type === 'error' && errors.push(event.error) })
    await expect(invalidate('page:/x')).resolves.toBeUndefined()
    expect(errors).toEqual([new Error('Next is not serving a request')])
  })

  it('says when a page key reached nothing: no entry here, and no platform cache to tell', async () => {
    await invalidate('page:/never-cached')
    expect(events.at(-1)).toEqual({ type: 'invalidate', key: 'page:/never-cached', held: false })
    const app = counter()
    await app.page('/posts/held')
    await invalidate('page:/posts/held')
    expect(events.filter((event) => event.type === 'invalidate' && event.key === 'page:/posts/held')).toEqual([{ type: 'invalidate', key: 'page:/posts/held' }])
  })
})

describe('pages keyed by query', () => {
  it('invalidate("page:<path>") reaches the entries of every query of the page, with and without parts', async () => {
    for (const part of [undefined, 'src/routes/search/+page.server']) {
      configure({})
      let calls = 0
      const search: CompiledPage = { route: '/search', ttl: 60, version: 'v1', query: ['q'], part }
      const load = (q: string) => cachePage(search, { url: new URL(`https://site.example/search?q=${q}`) }, () => () => ++calls)
      await Promise.all([load('a'), load('b')])
      await invalidate('page:/search')
      expect([await load('a'), await load('b')]).toEqual([3, 4])
      await invalidate('page:/search?q=a') // one query's page alone
      expect([await load('a'), await load('b')]).toEqual([5, 4])
    }
  })
})
