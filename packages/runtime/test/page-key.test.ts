import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createCache, pageKey } from '../src/index.js'

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

  it('reads getServerSideProps’ resolvedUrl before req.url, which is /_next/data/<build>/<path>.json on client navigations', () => {
    const context = { req: { url: '/_next/data/abc123/posts/hello.json?slug=hello' }, resolvedUrl: '/posts/hello', params: { slug: 'hello' } }
    expect(pageKey('/posts/[slug]', context)).toBe('page:/posts/hello')
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

  it('rejects a route that is not an absolute path', () => {
    expect(() => pageKey('posts', {})).toThrow(/route must be a path starting with "\/"/)
  })

  it('reads the framework’s normalised url before the raw request (SvelteKit event.url, React Router 8 url)', () => {
    const svelteKit = { url: new URL('https://blog.dev/posts/hello'), request: new Request('https://blog.dev/posts/hello/__data.json') }
    expect(pageKey('/posts/[slug]', svelteKit)).toBe('page:/posts/hello')
    const reactRouter = { url: new URL('https://blog.dev/posts/hello'), request: new Request('https://blog.dev/posts/hello.data?_routes=x') }
    expect(pageKey('/posts/:slug', reactRouter)).toBe('page:/posts/hello')
    expect(pageKey('/posts/$id', { location: { href: '/posts/7?tab=1', pathname: '/posts/7' } })).toBe('page:/posts/7')
  })

  it('one page, one key: escapes of unreserved characters, hex case, // and trailing slashes, dot segments', () => {
    const spellings = ['/posts/hello', '/posts/%68ello', '/posts/%68%65%6C%6c%6F', '/posts//hello', '/posts/hello/', '/posts/hello//', '/posts/./hello', '/posts/x/../hello', '/posts/x/%2e%2e/hello', '/posts/x/%2E./hello']
    for (const path of spellings) {
      expect(pageKey('/posts/[slug]', { request: { url: path } }), path).toBe('page:/posts/hello')
      expect(pageKey('/posts/[slug]', { request: { url: `https://blog.dev${path}?ref=x` } }), path).toBe('page:/posts/hello')
    }
    expect(pageKey('/x', { url: '/caf%c3%a9' })).toBe('page:/caf%C3%A9')
    expect(pageKey('/x', { url: '/café' })).toBe('page:/caf%C3%A9')
    expect(pageKey('/x', { url: new URL('https://blog.dev/caf%c3%a9') })).toBe('page:/caf%C3%A9')
    expect(pageKey('/x', { url: '/a%2fb' })).toBe('page:/a%2Fb') // an escaped "/" is not a "/"
    expect(pageKey('/x', { url: '/a%2fb' })).not.toBe(pageKey('/x', { url: '/a/b' }))
  })

  it('2,048 spellings of one post make one fetcher call', async () => {
    const cache = createCache()
    let calls = 0
    // Each of 11 bits picks one way to spell the same post: 2,048 spellings.
    const spell = (n: number) => {
      const bit = (i: number) => (n >> i) & 1
      const hex = (char: string) => char.charCodeAt(0).toString(16)[bit(5) ? 'toUpperCase' : 'toLowerCase']()
      const slug = [...'hello'].map((char, i) => (bit(i) ? `%${hex(char)}` : char)).join('')
      return `/posts${bit(7) ? '//' : '/'}${bit(8) ? './' : ''}${bit(10) ? 'x/../' : ''}${slug}${bit(6) ? '/' : ''}${bit(9) ? '?utm=mail' : ''}`
    }
    const keys = new Set<string>()
    for (let n = 0; n < 2048; n++) {
      const key = pageKey('/posts/[slug]', { url: `https://blog.dev${spell(n)}` })
      keys.add(key)
      await cache.withRevalidate(key, 60, () => ++calls)
    }
    expect([...keys]).toEqual(['page:/posts/hello'])
    expect(calls).toBe(1)
  })

  it('never maps a path onto another page: protocol-relative, backslash, above the root, broken escapes are refused', () => {
    const refused = ['//evil.example/about', '/\\evil.example/about', '/posts\\..\\about', '/../about', '/%2e%2e/about', '/a/%zz', '/a/%4', '/a/%']
    for (const url of refused) expect(() => pageKey('/about', { req: { url } }), url).toThrow(TypeError)
    expect(() => pageKey('/z', { request: { url: 'https://site//attacker.example/z' } })).toThrow(/protocol-relative/)
    expect(() => pageKey('/about', { url: 'about' })).toThrow(/expected an absolute URL or a path starting with "\/"/)
    expect(() => pageKey('/posts/[slug]', { params: { slug: '..' } })).toThrow(/params.slug of route "\/posts\/\[slug\]" is "\.\."/)
    expect(pageKey('/docs/[...path]', { url: '/docs/%2e%2e/about' })).toBe('page:/about') // as the URL standard resolves it, and routers on it
  })

  it('a page key is well-formed Unicode once decoded: a lone surrogate or escapes of no UTF-8 text are refused, never keyed as U+FFFD', () => {
    // Each of these would be keyed as (or decoded by a router to) the page of `/u/\uFFFD`, another user's.
    for (const url of ['/u/\uD83D', 'https://x.dev/u/a\uDE00', '/u/%ED%A0%BD', '/u/%ff', '/u/%C3', '/u/%C0%AF'])
      expect(() => pageKey('/u/[name]', { request: { url } }), url).toThrow(/pageKey: the path .* (lone UTF-16 surrogate|not UTF-8 text)/)
    expect(() => pageKey('/u/[name]', { url: new URL('https://x.dev/u/%ff') })).toThrow(/not UTF-8 text/)
    expect(() => pageKey('/u/[name]', { params: { name: 'alice\uD83D' } })).toThrow(
      /^pageKey: params.name of route "\/u\/\[name\]" must be well-formed Unicode, got the string "alice\\ud83d", which holds a lone UTF-16 surrogate at index 5/,
    )
    expect(() => pageKey('/search', { searchParams: { q: 'caf\uD83D' } }, ['q'])).toThrow(/^pageKey: query parameter "q" must be well-formed Unicode/)
    // Parameters the page does not vary on are not looked at.
    expect(pageKey('/search', { searchParams: { q: 'caf\u00e9', utm: '\uD83D' } }, ['q'])).toBe('page:/search?q=caf%C3%A9')
    // Well-formed text, escaped or not, keeps its one key.
    expect(pageKey('/u/[name]', { params: { name: '\u{1F600}' } })).toBe('page:/u/%F0%9F%98%80')
    expect(pageKey('/u/[name]', { request: { url: '/u/%f0%9f%98%80' } })).toBe('page:/u/%F0%9F%98%80')
    expect(pageKey('/u/[name]', { request: { url: '/u/\uFFFD' } })).toBe('page:/u/%EF%BF%BD')
  })

  it('takes its options as an object too', () => {
    expect(pageKey('/search', { url: new URL('https://blog.dev/search?q=a&x=1') }, { query: ['q'] })).toBe('page:/search?q=a')
    expect(pageKey('/search', { url: '/search//?q=a&x=1' }, { query: ['q'] })).toBe('page:/search?q=a')
  })

  it('the fast path for plain URLs agrees with a plain reference implementation of the canonical form, for any request URL', () => {
    const piece = fc.constantFrom('a', 'B', '0', '-', '_', '~', '.', '..', '%2e', '%2E', '%41', '%7e', '%c3%a9', '%c3', '%a9', '%ff', '%ed%a0%bd', '%2f', '%25', 'é', '\u{1F600}', ' ', '[', '!', '@', ':', '/', '//', '%', '%zz', '\\', '?q=1', '#h')
    const path = fc.array(piece, { maxLength: 10 }).map((pieces) => `/${pieces.join('')}`)
    fc.assert(
      fc.property(fc.constantFrom('', 'http://blog.test', 'https://x.dev:8443', 'http://[::1]:3000'), path, (origin, rest) => {
        const href = `${origin}${rest}`
        const expected = referenceKey(rest)
        const context = { request: { url: href } }
        if (expected === 'refused') expect(() => pageKey('/x', context), href).toThrow(TypeError)
        else expect(pageKey('/x', context), href).toBe(expected)
      }),
      { numRuns: 3000 },
    )
    // URL objects arrive already parsed by the URL standard (dots resolved, some characters escaped).
    fc.assert(
      fc.property(path, (rest) => {
        let url: URL
        try {
          url = new URL(`https://blog.dev${rest}`)
        } catch {
          return
        }
        const expected = url.pathname.startsWith('//') || url.pathname.includes('\\') ? 'refused' : referenceKey(url.pathname)
        if (expected === 'refused') expect(() => pageKey('/x', { url })).toThrow(TypeError)
        else expect(pageKey('/x', { url }), url.href).toBe(expected)
      }),
      { numRuns: 2000 },
    )
  })
})

/**
 * The canonical key, computed the plain way: the path of the request text, each escape looked at
 * on its own, then dot segments resolved on a stack.
 */
function referenceKey(rawPathAndMore: string): string {
  const path = rawPathAndMore.split(/[?#]/)[0]!
  if (path.includes('\\') || path.startsWith('//')) return 'refused'
  const segments: string[] = []
  for (const segment of path.split('/').slice(1)) {
    if (/%(?![\dA-Fa-f]{2})/.test(segment)) return 'refused'
    let canonical = ''
    for (const part of segment.match(/%[\dA-Fa-f]{2}|[\s\S]/gu) ?? []) {
      if (part.startsWith('%') && part.length === 3) {
        const char = String.fromCharCode(Number.parseInt(part.slice(1), 16))
        canonical += /[A-Za-z0-9\-._~]/.test(char) ? char : part.toUpperCase()
      } else if (/^[A-Za-z0-9\-._~!$&'()*+,;=:@]$/.test(part)) canonical += part
      else canonical += [...new TextEncoder().encode(part)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('')
    }
    if (!isUtf8Text(canonical)) return 'refused'
    if (canonical !== '') segments.push(canonical)
  }
  const resolved: string[] = []
  for (const segment of segments) {
    if (segment === '.') continue
    if (segment !== '..') resolved.push(segment)
    else if (resolved.pop() === undefined) return 'refused'
  }
  return `page:/${resolved.join('/')}`
}

/** Whether the bytes a canonical segment spells (each `%XX` one byte, every other character ASCII) are UTF-8 text. */
function isUtf8Text(canonical: string): boolean {
  const bytes = (canonical.match(/%[\dA-F]{2}|[\s\S]/g) ?? []).map((part) => (part.length === 3 ? Number.parseInt(part.slice(1), 16) : part.charCodeAt(0)))
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes))
    return true
  } catch {
    return false
  }
}
