// The one route grammar (packages/runtime/src/route-pattern.ts), as a table run against every
// caller: the module itself, the runtime's `pageKey` (a key when no URL is at hand), and the
// plugin's Vercel Build Output (config.json's patterns, and the function that rebuilds a path
// from the route params it is invoked with), served the way Vercel routes it. The routes the
// plugin writes (file routes, Remix flat routes, TanStack paths) are checked to be in the grammar.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tanstackStart } from '../packages/plugin/src/frameworks/tanstack-start.js'
import { DEFAULT_ROUTES_DIRS } from '../packages/plugin/src/options.js'
import { routeFromId } from '../packages/plugin/src/route.js'
import { writeVercelOutput } from '../packages/plugin/src/vercel-output.js'
import { serveBuildOutput } from '../packages/plugin/test/vercel-app/serve-output.js'
import { pageKey } from '../packages/runtime/src/page-key.js'
import { bySpecificity, fileRoute, fillRoute, matchRoute, parseRoute, routeRegExpSource } from '../packages/runtime/src/route-pattern.js'

type Params = Record<string, string | string[]>

interface RouteCase {
  route: string
  /** Its params as `name`, `name?` (optional), `name+` (many), `name*` (optional, many). */
  params: string[]
  regExp: string
  /** Paths the route answers, with the params read from them; undefined: it answers another. */
  paths: [path: string, params: Params | undefined][]
  /** Params, and the path they fill in (or the error). */
  fills: [params: Params, path: string | RegExp][]
}

const TABLE: RouteCase[] = [
  { route: '/', params: [], regExp: '^/?$', paths: [['/', {}], ['/x', undefined]], fills: [[{}, '/']] },
  {
    route: '/posts/[slug]',
    params: ['slug'],
    regExp: '^/posts/([^/]+?)/?$',
    paths: [['/posts/hello', { slug: 'hello' }], ['/posts/hello/', { slug: 'hello' }], ['/posts', undefined], ['/posts/a/b', undefined], ['/postsx/a', undefined]],
    fills: [
      [{ slug: 'hello world' }, '/posts/hello%20world'],
      [{ slug: 'a/b' }, '/posts/a%2Fb'],
      [{}, /route "\/posts\/\[slug\]" needs params\.slug/],
      [{ slug: '..' }, /params\.slug of route "\/posts\/\[slug\]" is "\.\."/],
      [{ slug: ['a', 'b'] }, /params\.slug of route "\/posts\/\[slug\]" must be one value, got 2/],
    ],
  },
  {
    route: '/posts/:slug',
    params: ['slug'],
    regExp: '^/posts/([^/]+?)/?$',
    paths: [['/posts/hello', { slug: 'hello' }], ['/posts', undefined]],
    fills: [[{ slug: 'hello' }, '/posts/hello'], [{}, /needs params\.slug/]],
  },
  {
    route: '/users/:id/posts/:postId',
    params: ['id', 'postId'],
    regExp: '^/users/([^/]+?)/posts/([^/]+?)/?$',
    paths: [['/users/1/posts/x', { id: '1', postId: 'x' }], ['/users/1/posts', undefined]],
    fills: [[{ id: '1', postId: 'x' }, '/users/1/posts/x'], [{ id: '1' }, /needs params\.postId/]],
  },
  {
    route: '/docs/[...path]',
    params: ['path+'],
    regExp: '^/docs/(.+?)/?$',
    paths: [['/docs/a', { path: ['a'] }], ['/docs/a/b', { path: ['a', 'b'] }], ['/docs', undefined]],
    fills: [[{ path: ['a', 'b'] }, '/docs/a/b'], [{ path: 'a' }, '/docs/a'], [{}, /needs params\.path/], [{ path: ['a', '..'] }, /is "\.\."/]],
  },
  {
    route: '/docs/:path+',
    params: ['path+'],
    regExp: '^/docs/(.+?)/?$',
    paths: [['/docs/a/b', { path: ['a', 'b'] }], ['/docs', undefined]],
    fills: [[{ path: ['a', 'b'] }, '/docs/a/b'], [{}, /needs params\.path/]],
  },
  {
    route: '/docs/[[...path]]',
    params: ['path*'],
    regExp: '^/docs(?:/(.+?))?/?$',
    paths: [['/docs', {}], ['/docs/', {}], ['/docs/a/b', { path: ['a', 'b'] }], ['/docsxyz', undefined]],
    fills: [[{}, '/docs'], [{ path: [] }, '/docs'], [{ path: ['a', 'b'] }, '/docs/a/b']],
  },
  {
    route: '/files/:rest*',
    params: ['rest*'],
    regExp: '^/files(?:/(.+?))?/?$',
    paths: [['/files', {}], ['/files/a/b', { rest: ['a', 'b'] }]],
    fills: [[{}, '/files'], [{ rest: ['a', 'b'] }, '/files/a/b']],
  },
  {
    route: '/[[lang]]/about',
    params: ['lang?'],
    regExp: '^(?:/([^/]+?))?/about/?$',
    paths: [['/about', {}], ['/en/about', { lang: 'en' }], ['/en/fr/about', undefined]],
    fills: [[{}, '/about'], [{ lang: 'en' }, '/en/about'], [{ lang: ['en', 'fr'] }, /must be one value/]],
  },
  {
    route: '/:lang?/about',
    params: ['lang?'],
    regExp: '^(?:/([^/]+?))?/about/?$',
    paths: [['/about', {}], ['/en/about', { lang: 'en' }]],
    fills: [[{}, '/about'], [{ lang: 'en' }, '/en/about']],
  },
  {
    route: '/[lang]-[slug]',
    params: ['lang', 'slug'],
    regExp: '^/([^/]+?)-([^/]+?)/?$',
    paths: [['/en-hello', { lang: 'en', slug: 'hello' }], ['/en', undefined]],
    fills: [[{ lang: 'en', slug: 'hello' }, '/en-hello'], [{ lang: 'en' }, /needs params\.slug/]],
  },
  {
    route: '/items/[id=integer]',
    params: ['id'],
    regExp: '^/items/([^/]+?)/?$',
    paths: [['/items/7', { id: '7' }], ['/items', undefined]],
    fills: [[{ id: '7' }, '/items/7'], [{}, /needs params\.id/]],
  },
  {
    route: '/[[lang=locale]]/docs/[...path=segments]',
    params: ['lang?', 'path+'],
    regExp: '^(?:/([^/]+?))?/docs/(.+?)/?$',
    paths: [['/docs/a/b', { path: ['a', 'b'] }], ['/en/docs/a', { lang: 'en', path: ['a'] }], ['/en/docs', undefined]],
    fills: [[{ path: ['a'] }, '/docs/a'], [{ lang: 'en', path: ['a', 'b'] }, '/en/docs/a/b']],
  },
  {
    route: '/v1.0/[id]',
    params: ['id'],
    regExp: '^/v1\\.0/([^/]+?)/?$',
    paths: [['/v1.0/7', { id: '7' }], ['/v1x0/7', undefined]],
    fills: [[{ id: '7' }, '/v1.0/7']],
  },
]

const describeParams = (route: string) =>
  parseRoute(route).params.map((param) => `${param.name}${param.many ? (param.optional ? '*' : '+') : param.optional ? '?' : ''}`)

describe.each(TABLE)('route $route', ({ route, params, regExp, paths, fills }) => {
  it('the module: parses its params, builds its pattern, matches its paths, fills its params', () => {
    expect(describeParams(route)).toEqual(params)
    expect(routeRegExpSource(route)).toBe(regExp)
    for (const [path, expected] of paths) expect(matchRoute(route, path), path).toEqual(expected)
    for (const [values, expected] of fills) {
      if (typeof expected === 'string') expect(fillRoute(route, values)).toBe(expected)
      else expect(() => fillRoute(route, values)).toThrow(expected)
    }
  })

  it("the runtime's pageKey: a key filled from the params when no URL is at hand", () => {
    for (const [values, expected] of fills) {
      if (typeof expected === 'string') expect(pageKey(route, { params: values })).toBe(`page:${expected}`)
      else expect(() => pageKey(route, { params: values })).toThrow(new RegExp(`^pageKey: .*${expected.source}`))
    }
  })

  describe("the plugin's Vercel Build Output, served as Vercel routes it", () => {
    let dir: string
    let deployment: Awaited<ReturnType<typeof serveBuildOutput>>
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'routes-'))
      mkdirSync(join(dir, 'server'))
      // The app answers with the path it was asked for: the path the function rebuilt.
      writeFileSync(join(dir, 'server/entry.mjs'), 'export default { fetch: (request) => new Response(new URL(request.url).pathname) }\n')
      writeVercelOutput({ root: dir, serverDir: join(dir, 'server'), serverEntry: 'entry.mjs', routes: [route], cached: [{ route, ttl: 60, query: [] }], options: {} })
      deployment = await serveBuildOutput(join(dir, '.vercel/output'))
    })
    afterAll(async () => {
      await deployment?.close()
      rmSync(dir, { recursive: true, force: true })
    })

    it('config.json sends the paths it answers, and no others, to its function', async () => {
      for (const [path, expected] of paths) {
        const response = await fetch(`${deployment.origin}${path}`)
        if (expected === undefined) {
          expect(response.status, path).toBe(404)
          continue
        }
        expect(response.headers.get('x-test-function'), path).toBe(fileRoute(route)) // Vercel names functions in file-route form
        expect(await response.text(), path).toBe(fillRoute(route, expected))
      }
    })

    it('the function rebuilds the path from the route params it is invoked with, or answers 404', async () => {
      const { params } = parseRoute(route)
      if (params.length === 0) return
      for (const [values, expected] of fills) {
        // A query value is one string: a list for a one-segment param cannot be sent.
        if (params.some((param) => !param.many && Array.isArray(values[param.name]))) continue
        // Vercel's rewrite sends a param of many segments as the path it matched: joined by "/".
        const query = new URLSearchParams(Object.entries(values).map(([name, value]) => [`__route_${name}`, [value].flat().join('/')]))
        const response = await fetch(`${deployment.origin}${fileRoute(route)}?${query}`)
        if (typeof expected === 'string') expect(await response.text(), String(query)).toBe(expected)
        else expect(response.status, String(query)).toBe(404)
      }
    })
  })
})

describe('bySpecificity', () => {
  it('orders routes most specific first: literal segments before params, params before catch-alls', () => {
    const routes = ['/docs/[[...path]]', '/docs/[...path]', '/docs/[slug]', '/docs/intro', '/[[lang]]/docs/intro']
    expect(routes.map(parseRoute).sort(bySpecificity).map(({ route }) => route)).toEqual(['/docs/intro', '/docs/[slug]', '/[[lang]]/docs/intro', '/docs/[...path]', '/docs/[[...path]]'])
  })
})

describe('the routes the plugin writes are in the grammar', () => {
  const fromFile = (id: string) => routeFromId(id, { root: '/app', routesDirs: DEFAULT_ROUTES_DIRS })
  it.each([
    ['/app/src/pages/posts/[slug].astro', '/posts/[slug]', ['slug']],
    ['/app/pages/docs/[...path].tsx', '/docs/[...path]', ['path+']],
    ['/app/app/docs/[[...path]]/page.tsx', '/docs/[[...path]]', ['path*']],
    ['/app/src/routes/[[lang]]/about/+page.server.ts', '/[[lang]]/about', ['lang?']],
    ['/app/app/routes/posts.$slug.tsx', '/posts/:slug', ['slug']],
  ])('the file %s is the route %s', (id, route, params) => {
    expect(fromFile(id)).toBe(route)
    expect(describeParams(route)).toEqual(params)
  })

  it.each([
    ['/posts/$postId', '/posts/:postId', ['postId']],
    ['/docs/$', '/docs/:_splat*', ['_splat*']],
    ['/{-$lang}/about', '/:lang?/about', ['lang?']],
  ])("TanStack Start's path %s is the route %s", (path, route, params) => {
    expect(tanstackStart.routeOfLoaderCall!(path)).toBe(route)
    expect(describeParams(route)).toEqual(params)
  })
})
