import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { pageKey } from '../src/index.js'

describe('pageKey', () => {
  it('reads the pathname of ctx.request.url (Remix, React Router, SvelteKit, Astro)', () => {
    expect(pageKey('/posts/[slug]', { request: new Request('https://blog.dev/posts/hello?ref=x') })).toBe('page:/posts/hello')
  })

  it('reads ctx.url as a URL or a string, and a Node request’s relative url', () => {
    expect(pageKey('/about', { url: new URL('https://blog.dev/about/') })).toBe('page:/about')
    expect(pageKey('/about', { url: '/about?x=1' })).toBe('page:/about')
    expect(pageKey('/posts/[id]', { req: { url: '/posts/7' }, params: { id: '7' } })).toBe('page:/posts/7')
  })

  it('fills file-route and pattern params: [slug], [...rest], [[...rest]], :slug, :rest*', () => {
    expect(pageKey('/posts/[slug]', { params: { slug: 'hello world' } })).toBe('page:/posts/hello%20world')
    expect(pageKey('/docs/[...path]', { params: { path: ['a', 'b'] } })).toBe('page:/docs/a/b')
    expect(pageKey('/docs/[[...path]]', { params: {} })).toBe('page:/docs')
    expect(pageKey('/users/:id/posts/:postId', { params: { id: 1, postId: 'x' } })).toBe('page:/users/1/posts/x')
    expect(pageKey('/files/:rest*', { params: { rest: ['a', 'b'] } })).toBe('page:/files/a/b')
    expect(pageKey('/', {})).toBe('page:/')
  })

  it('two URLs of one dynamic route never share a key', () => {
    expect(pageKey('/posts/[slug]', { params: { slug: 'a' } })).not.toBe(pageKey('/posts/[slug]', { params: { slug: 'b' } }))
  })

  it('a missing param is an error, not "undefined" in a key', () => {
    expect(() => pageKey('/posts/[slug]', { params: {} })).toThrow(
      new TypeError('pageKey: route "/posts/[slug]" needs params.slug, but the context has none'),
    )
    expect(() => pageKey('/posts/:slug', undefined)).toThrow(/needs params.slug/)
  })

  it('a params Promise (Next.js 15+ page props) asks to be awaited first', () => {
    expect(() => pageKey('/posts/[slug]', { params: Promise.resolve({ slug: 'a' }) })).toThrow(/is a Promise; await it/)
  })

  it('leaves the query string out unless its names are allowed, then keeps only those, sorted', () => {
    const url = new URL('https://blog.dev/search?q=cats&utm=mail&page=2&q=dogs')
    expect(pageKey('/search', { url })).toBe('page:/search')
    expect(pageKey('/search', { url }, ['q', 'page'])).toBe('page:/search?page=2&q=cats&q=dogs')
    expect(pageKey('/search', { url: '/search?utm=x' }, ['q'])).toBe('page:/search')
    expect(pageKey('/search', { searchParams: { q: 'cats' } }, ['q'])).toBe('page:/search?q=cats')
  })

  it('gives the pathname URL parsing gives, for any request URL', () => {
    const path = fc.stringMatching(/^(\/[a-zA-Z0-9\-_~.%20 é?#&=+:@!$'()*,;\\]{0,12}){0,4}$/)
    fc.assert(
      fc.property(fc.constantFrom('http://blog.test', 'https://x.dev:8443', 'http://[::1]:3000'), path, (origin, rest) => {
        const href = `${origin}${rest}`
        const expected = new URL(href).pathname
        const normalized = expected.length > 1 && expected.endsWith('/') ? expected.slice(0, -1) : expected
        expect(pageKey('/x', { request: { url: href } })).toBe(`page:${normalized}`)
      }),
      { numRuns: 2000 },
    )
  })

  it('rejects a route that is not an absolute path', () => {
    expect(() => pageKey('posts', {})).toThrow(/route must be a path starting with "\/"/)
  })
})
