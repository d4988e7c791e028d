import { describe, expect, it } from 'vitest'
import { DEFAULT_ROUTES_DIRS } from '../src/options.js'
import { bySpecificity, parseRoute, routeFromId } from '../src/route.js'
import { targetFor } from '../src/vite.js'

const route = (id: string, routesDirs = DEFAULT_ROUTES_DIRS) => routeFromId(id, { root: '/app', routesDirs })

describe('routeFromId', () => {
  it('reads file-based routes of the common frameworks', () => {
    expect(route('/app/src/routes/index.tsx')).toBe('/')
    expect(route('/app/src/pages/posts/[slug].astro')).toBe('/posts/[slug]')
    expect(route('/app/app/(blog)/posts/[slug]/page.tsx')).toBe('/posts/[slug]')
    expect(route('/app/src/routes/blog/[slug]/+page.server.ts')).toBe('/blog/[slug]')
    expect(route('/app/app/routes/posts.$slug.tsx')).toBe('/posts/:slug')
    expect(route('/app/pages/docs/[...path].tsx?v=123')).toBe('/docs/[...path]')
    expect(route('/app/app/routes/posts._index.tsx')).toBe('/posts')
    expect(route('/app/src/routes/posts/+layout.server.ts')).toBe('/posts')
  })

  it('uses the routesDir option when given', () => {
    expect(route('/app/web/views/about.tsx', ['web/views'])).toBe('/about')
  })
})

describe('targetFor (Vite auto target)', () => {
  const environment = (consumer: 'client' | 'server', conditions: string[] = []) => ({ config: { consumer, resolve: { conditions } } }) as never

  it('client -> browser; workerd -> cloudflare; else node', () => {
    expect(targetFor(environment('client'))).toBe('browser')
    expect(targetFor(environment('server', ['workerd', 'worker']))).toBe('cloudflare')
    expect(targetFor(environment('server'))).toBe('node')
  })

  it('VERCEL set -> vercel for the server', () => {
    process.env.VERCEL = '1'
    try {
      expect(targetFor(environment('server'))).toBe('vercel')
      expect(targetFor(environment('client'))).toBe('browser')
    } finally {
      delete process.env.VERCEL
    }
  })
})

describe('parseRoute (the route grammar, one place for every reader)', () => {
  const matches = (route: string, path: string) => new RegExp(parseRoute(route).pattern).test(path)

  it('reads each param form, and matches the paths of the route', () => {
    expect(parseRoute('/posts/[slug]/comments/:id').segments).toEqual(['posts', { param: 'slug', kind: 'one' }, 'comments', { param: 'id', kind: 'one' }])
    expect(parseRoute('/docs/[...path]').segments[1]).toEqual({ param: 'path', kind: 'rest' })
    expect(parseRoute('/docs/[[...path]]').segments[1]).toEqual({ param: 'path', kind: 'optionalRest' })
    expect(parseRoute('/[[lang]]/about').segments[0]).toEqual({ param: 'lang', kind: 'optional' }) // SvelteKit
    expect(parseRoute('/items/[id=integer]').segments[1]).toEqual({ param: 'id', kind: 'one' }) // SvelteKit's matcher
    expect(parseRoute('/:lang?/files/:rest*/:all+').segments).toEqual([{ param: 'lang', kind: 'optional' }, 'files', { param: 'rest', kind: 'optionalRest' }, { param: 'all', kind: 'rest' }])
    expect(matches('/posts/[slug]', '/posts/hello')).toBe(true)
    expect(matches('/posts/[slug]', '/posts/hello/')).toBe(true)
    expect(matches('/posts/[slug]', '/posts/a/b')).toBe(false)
    expect(matches('/docs/[...path]', '/docs/a/b')).toBe(true)
    expect(matches('/docs/[...path]', '/docs')).toBe(false)
    expect(matches('/docs/[[...path]]', '/docs')).toBe(true)
    expect(matches('/docs/[[...path]]', '/docsxyz')).toBe(false)
    expect(matches('/[[lang]]/about', '/about')).toBe(true)
    expect(matches('/[[lang]]/about', '/fr/about')).toBe(true)
    expect(matches('/[[lang]]/about', '/fr/de/about')).toBe(false)
    expect(matches('/sitemap.xml', '/sitemapxxml')).toBe(false) // literal text is escaped
  })

  it('orders routes most specific first: literal segments before params, params before catch-alls', () => {
    const routes = ['/docs/[[...path]]', '/docs/[...path]', '/docs/[slug]', '/docs/intro', '/[[lang]]/docs/intro']
    expect([...routes].map((route) => ({ route, parsed: parseRoute(route) })).sort((a, b) => bySpecificity(a.parsed, b.parsed)).map(({ route }) => route)).toEqual([
      '/docs/intro',
      '/docs/[slug]',
      '/[[lang]]/docs/intro',
      '/docs/[...path]',
      '/docs/[[...path]]',
    ])
  })
})
