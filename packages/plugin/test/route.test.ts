import { describe, expect, it } from 'vitest'
import { DEFAULT_ROUTES_DIRS } from '../src/options.js'
import { routeFromId } from '../src/route.js'
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
