// Which URLs `revalidate warm` requests for the routes of a manifest and the URLs given.
import { describe, expect, it } from 'vitest'
import type { ManifestRoute } from '../../src/manifest.js'
import { planWarmUp } from '../../src/warm/plan.js'

const BASE = new URL('http://localhost:3000/')
const route = (pattern: string, extra: Partial<ManifestRoute> = {}): ManifestRoute => ({
  route: pattern,
  ttl: 60,
  stale: null,
  tags: [],
  query: [],
  version: 'v',
  target: 'node',
  framework: 'vite',
  vercel: null,
  source: `src/routes${pattern}.ts`,
  ...extra,
})
const paths = (plan: ReturnType<typeof planWarmUp>) => plan.targets.map((target) => `${new URL(target.url).pathname}${new URL(target.url).search} ${target.route}`)

describe('planWarmUp', () => {
  it('gives a URL to the most specific route it belongs to, and requests each URL once', () => {
    const plan = planWarmUp(BASE, [route('/posts/[slug]'), route('/posts/new'), route('/docs/[[...path]]')], ['/posts/new', '/posts/hello', 'https://blog.example/posts/hello', '/docs', '/docs/a/b'])
    expect(paths(plan)).toEqual(['/posts/new /posts/new', '/posts/hello /posts/[slug]', '/docs /docs/[[...path]]', '/docs/a/b /docs/[[...path]]'])
    expect(plan).toMatchObject({ unmatched: [], routesWithoutUrls: [] })
  })

  it('warms a route of several loaders (a layout’s and a page’s) once, keeping the query names of both', () => {
    const plan = planWarmUp(BASE, [route('/search', { query: ['q'] }), route('/search', { query: ['page'], source: 'src/routes/search/+layout.server.ts' })], ['/search?q=a&page=2&utm=x'])
    expect(paths(plan)).toEqual(['/search /search', '/search?q=a&page=2 /search'])
  })

  it('leaves out routes it cannot request: dynamic ones without URLs, browser ones', () => {
    const plan = planWarmUp(BASE, [route('/'), route('/files/[a]-[b]'), route('/posts/[slug]'), route('/island', { target: 'browser' })], ['/files/x-y', '/other/x'])
    expect(paths(plan)).toEqual(['/ /', '/files/x-y /files/[a]-[b]']) // params inside a segment, in the one route grammar
    expect(plan).toMatchObject({ unmatched: ['/other/x'], routesWithoutUrls: ['/posts/[slug]'], browserRoutes: ['/island'] })
  })

  it('counts a route with brackets the grammar reads as text (`[...slug].json`) as dynamic: no one path stands for it', () => {
    const plan = planWarmUp(BASE, [route('/feeds/[...slug].json')], [])
    expect(plan).toMatchObject({ targets: [], routesWithoutUrls: ['/feeds/[...slug].json'] })
  })

  it('requests static routes in the manifests’ order, then the given URLs in theirs', () => {
    const plan = planWarmUp(BASE, [route('/'), route('/posts/[slug]'), route('/about/team'), route('/posts')], ['/posts/b', '/posts/a'])
    expect(paths(plan)).toEqual(['/ /', '/about/team /about/team', '/posts /posts', '/posts/b /posts/[slug]', '/posts/a /posts/[slug]'])
  })

  it('does not count a route the server caches as a browser route when the client build compiled it too (React Router)', () => {
    const plan = planWarmUp(BASE, [route('/posts'), route('/posts', { target: 'browser' }), route('/island', { target: 'browser' })], [])
    expect(paths(plan)).toEqual(['/posts /posts'])
    expect(plan.browserRoutes).toEqual(['/island'])
  })

  it('keeps a path that reads like a scheme (`/a:b`) a path', () => {
    expect(paths(planWarmUp(BASE, [route('/a:b')], []))).toEqual(['/a:b /a:b'])
  })
})
