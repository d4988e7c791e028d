// The safety analysis on small loaders: it follows bindings, not spellings. Each case is a loader
// body (or a whole module) and what the compiler must say: compiles, or an error matching.
import { describe, expect, it } from 'vitest'
import { transform, type TransformOptions } from '../src/index.js'

const SHARED = /a cached page's data is shared with every visitor/

/** Compiles a React Router route whose loader has `body`, below `imports`; returns the error message or 'compiles'. */
function verdict(body: string, imports = '', pragma = '# Pragma: revalidate 60', options: TransformOptions = {}): string {
  const code = `${pragma}\n${imports}\nexport async function loader(args) {\n  const { request, params, context } = args\n${body}\n}\n`
  return outcome(code, '/app/app/routes/posts.$slug.tsx', options)
}

function outcome(code: string, id: string, options: TransformOptions = {}): string {
  try {
    return transform(code, id, { root: '/app', ...options }) === null ? 'untouched' : 'compiles'
  } catch (error) {
    return (error as Error).message
  }
}

describe('per-visitor reads, by binding', () => {
  it('a local binding that shares a request-bound name is not flagged', () => {
    expect(verdict("  const headers = () => ({ accept: 'text/html' })\n  return { page: await db.page(params.slug, headers()) }")).toBe('compiles')
    expect(verdict("  function cookies() { return [] }\n  return { jar: cookies() }")).toBe('compiles')
    expect(verdict('  return { c: await cookies() }', "import { cookies } from '~/lib/cookies'")).toBe('compiles')
    expect(verdict("  const read = (cookies) => cookies.length\n  return { n: read(['a']) }", "import { cookies } from 'next/headers'")).toBe('compiles')
  })

  it('an import of a request-bound API is flagged under any name, namespace included', () => {
    expect(verdict('  return { d: (await nh.draftMode()).isEnabled }', "import * as nh from 'next/headers'")).toMatch(/^\S+ \[RV201\] `nh\.draftMode\(\)` reads draft mode/)
    expect(verdict("  return { t: (await nh.cookies()).get('theme') }", "import * as nh from 'next/headers'")).toMatch(/`nh\.cookies\(\)` reads the visitor's cookies/)
    expect(verdict('  const h = hdrs\n  return { ua: (await h()).get("user-agent") }', "import { headers as hdrs } from 'next/headers'")).toMatch(/`h\(\)` reads the request headers/)
  })

  it('a module loaded by import() or require() is read as its static import would be', () => {
    expect(verdict("  const { cookies } = await import('next/headers')\n  return { t: (await cookies()).get('theme') }")).toMatch(/`cookies\(\)` reads the visitor's cookies/)
    expect(verdict("  const nh = await import(`next/headers`)\n  return { h: (await nh.headers()).get('x') }")).toMatch(/`nh\.headers\(\)` reads the request headers/)
    expect(verdict("  return { t: (await require('next/headers').cookies()).get('theme') }")).toMatch(/`require\('next\/headers'\)\.cookies\(\)` reads the visitor's cookies/)
    expect(verdict("  const { getSession } = require('next-auth/react')\n  return { s: await getSession() }")).toMatch(/`getSession\(\)` reads the session/)
    expect(verdict("  const theme = await import('next/headers').then((h) => h.cookies())\n  return { theme }")).toMatch(/`h\.cookies\(\)` reads the visitor's cookies/)
    expect(verdict("  const lang = await import('next/headers').then(async ({ headers }) => (await headers()).get('accept-language'))\n  return { lang }")).toMatch(/`headers\(\)` reads the request headers/)
    // A module without per-visitor exports, and a local function that is merely called `require`.
    expect(verdict("  const { format } = await import('date-fns')\n  return { d: format(new Date(), 'yyyy') }")).toBe('compiles')
    expect(verdict("  const require = (name) => ({ cookies: () => name })\n  return { c: require('next/headers').cookies() }")).toBe('compiles')
    // A name the compiler cannot read: what it is handed is used whole, as before.
    expect(verdict('  return { m: await import(request.url) }')).toMatch(/reads the query string at `import\(request\.url\)`/)
  })

  it('follows aliases, destructuring, rest elements and assignments to the request', () => {
    expect(verdict("  const { request: req } = args\n  return { l: req.headers.get('accept-language') }")).toMatch(/`req\.headers` reads the request headers/)
    expect(verdict("  let r\n  r = args.request\n  return { l: r.headers.get('accept-language') }")).toMatch(/`r\.headers` reads/)
    expect(verdict("  const { params: p, ...rest } = args\n  return { l: rest.request.headers.get('x') }")).toMatch(/`rest\.request\.headers` reads/)
    expect(verdict("  const { headers: { cookie } } = request\n  return { cookie }")).toMatch(SHARED)
    expect(verdict("  return { l: arguments[0].request.headers.get('x') }")).toMatch(/`arguments\[0\]\.request\.headers` reads/)
  })

  it('counts every assignment to a name, including one further down a loop than the read', () => {
    expect(verdict("  let r, out\n  for (const i of [1, 2]) { if (r) out = r.headers.get('cookie'); r = request }\n  return { out }")).toMatch(/`r\.headers` reads the request headers/)
    expect(verdict("  let r, out, i = 0\n  while (i++ < 2) { out = r?.headers.get('cookie') ?? 'x'; r = args.request }\n  return { out }")).toMatch(/`r\?\.headers` reads the request headers/)
    // Destructuring assignments and assignments made in a function the loop calls count too.
    expect(verdict("  let h, out\n  for (const i of [1, 2]) { if (h) out = h.get('cookie'); ({ headers: h } = request) }\n  return { out }")).toMatch(/`h` reads the request headers/) // its test `if (h)` reads it already
    expect(verdict("  let r, out\n  const keep = () => { r = request }\n  for (const i of [1, 2]) { if (r) out = r.headers.get('x'); keep() }\n  return { out }")).toMatch(/`r\.headers` reads the request headers/)
    // A module-level variable outlives the request: a function the loader never calls may have set it.
    const nextPage = (declarations: string) =>
      `// Pragma: revalidate 60\nimport { cookies } from 'next/headers'\n${declarations}\nexport default async function Page() {\n  const posts = await db.posts(theme)\n  return <main>{posts.length}</main>\n}\n`
    expect(outcome(nextPage("let theme = 'light'\nexport async function generateMetadata() { theme = (await cookies()).get('theme')?.value; return {} }"), '/app/app/page.tsx')).toMatch(/`theme` reads the visitor's cookies/)
    expect(verdict('  return { n: visits }', 'let visits = 0\nexport function action() { visits = visits + 1; return null }')).toBe('compiles')
    // A name only ever assigned data stays data.
    expect(verdict("  let last, out = []\n  for (const id of [1, 2]) { if (last) out.push(last.id); last = await db.post(id) }\n  return { out }")).toBe('compiles')
  })

  it('follows the request into this module’s functions, and through callbacks', () => {
    const helper = "function theme(r) { return r.headers.get('x-theme') }\nfunction outer(a) { return theme(a.request) }"
    expect(verdict('  return { t: outer(args) }', helper)).toMatch(/`r\.headers` reads the request headers .* \(through `outer\(args\)` on line 6\)/)
    expect(verdict("  return { tags: ['a'].map(() => request.headers.get('x')) }")).toMatch(/`request\.headers` reads/)
    expect(verdict('  return { n: f(request) }', 'function f(r) { return r ? f(r) : 0 }')).toBe('compiles') // recursion ends
    const chain = Array.from({ length: 20 }, (_, i) => `function f${i}(r) { return f${i + 1}(r) }`).join('\n') + '\nfunction f20(r) { return 1 }'
    expect(verdict('  return { n: f0(request) }', chain)).toMatch(/`f\d+\(r\)` hands the request to code the compiler cannot follow/) // too deep to follow
  })

  it('flags the request (or anything carrying it) handed to code it cannot see into', () => {
    expect(verdict('  return { u: await getUser(request) }')).toMatch(/`getUser\(request\)` hands the request to code the compiler cannot follow/)
    expect(verdict('  return { u: await getUser({ request }) }')).toMatch(/hands the request \(inside an object\)/)
    expect(verdict('  return { u: await load({ ...args }) }')).toMatch(/`load\(\{ \.\.\.args \}\)` hands the request \(inside an object\)/)
    expect(verdict('  return { r: await fetch(request) }')).toMatch(/`fetch\(request\)` hands the request/)
    expect(verdict('  console.log(request)\n  return { p: params.slug }')).toBe('compiles')
  })

  it('flags what middleware and sessions hold', () => {
    expect(verdict('  return { user: context.get(userContext) }')).toMatch(/`context\.get\(userContext\)` reads what middleware set/)
    expect(verdict('  return { cart: await context.cart.get() }')).toMatch(/`context\.cart` reads the visitor's cart/)
    expect(verdict('  return { s: await auth() }', "import { auth } from '@/auth'")).toMatch(/`auth\(\)` reads the visitor's session or sign-in/)
    expect(verdict('  return { posts: await auth.api.posts() }', "import { auth } from '@/auth'")).toBe('compiles') // a member, not a call of it
    expect(verdict('  return { v: await getViewer() }', "import { getViewer } from '~/viewer'", undefined, { requestBound: ['getViewer'] })).toMatch(/`getViewer\(\)` reads/)
  })

  it('whether the visitor is signed in is a read too: `!context.user`, `typeof`, a negated test', () => {
    // On a hit the redirect would never run: a signed-out visitor would get the signed-in one's data.
    expect(verdict("  if (!context.user) throw redirect('/login')\n  return { posts: await db.posts() }")).toMatch(/`context\.user` reads the signed-in user/)
    expect(verdict('  const showPrivate = !!context.user\n  return { posts: await db.posts({ showPrivate }) }')).toMatch(/`context\.user` reads/)
    expect(verdict("  return { signedIn: typeof context.session !== 'undefined' }")).toMatch(/`context\.session` reads the visitor's session/)
    // Whether an object is there reads nothing of it.
    expect(verdict("  if (!request) throw new Error('no request')\n  return { p: params.slug }")).toBe('compiles')
  })
})

describe('per-visitor reads the review found missed', () => {
  it('rest parameters, `arguments` and array patterns keep each argument', () => {
    const route = (loader: string) => outcome(`# Pragma: revalidate 60\n${loader}\n`, '/app/app/routes/a.tsx')
    expect(route("export const loader = async (...args) => ({ c: args[0].request.headers.get('cookie') })")).toMatch(/`args\[0\]\.request\.headers` reads/)
    expect(route("export async function loader(...args) {\n  const [{ request }] = args\n  return { c: request.headers.get('cookie') }\n}")).toMatch(/`request\.headers` reads/)
    expect(route("export async function loader() {\n  const [{ request }] = arguments\n  return { c: request.headers.get('cookie') }\n}")).toMatch(/`request\.headers` reads/)
    expect(verdict('  return { c: first(request) }', "function first(...rs) { return rs[0].headers.get('cookie') }")).toMatch(/`rs\[0\]\.headers` reads/)
    expect(verdict('  return { c: all(params, request) }', "function all(...rs) { return rs.map((r) => r.headers) }")).toMatch(/`rs\.map\(.*\)` hands the arguments to code the compiler cannot follow/)
    expect(verdict('  return { s: pick(params, request) }', 'function pick(...xs) { const [p] = xs; return p.slug }')).toBe('compiles')
  })

  it("functions of the module reached through a wrapper, an object's method or a class's static method", () => {
    const start = `// Pragma: revalidate 60\nimport { createFileRoute } from '@tanstack/react-router'\nimport { createServerFn } from '@tanstack/react-start'\nimport { getCookie } from '@tanstack/react-start/server'\nconst getTheme = createServerFn().handler(async () => getCookie('theme'))\nexport const Route = createFileRoute('/posts')({ loader: async () => ({ theme: await getTheme() }) })\n`
    expect(outcome(start, '/app/src/routes/posts.tsx')).toMatch(/`getCookie\('theme'\)` reads the visitor's cookies .*\(through `getTheme\(\)` on line 6\)/)
    const svelte = (helpers: string, call: string) =>
      outcome(`// Pragma: revalidate 60\nimport { getRequestEvent } from '$app/server'\n${helpers}\nexport async function load() {\n  return { user: ${call} }\n}\n`, '/app/src/routes/blog/+page.server.ts')
    expect(svelte('const auth = { user() { return getRequestEvent().locals.user } }', 'auth.user()')).toMatch(/`getRequestEvent\(\)\.locals\.user` reads .*\(through `auth\.user\(\)`/)
    expect(svelte('class Auth { static user() { return getRequestEvent().locals.user } }', 'Auth.user()')).toMatch(/\(through `Auth\.user\(\)`/)
    expect(svelte('const memo = (fn) => fn\nconst current = memo(() => getRequestEvent().locals.user)', 'current()')).toMatch(/\(through `current\(\)`/)
    const next = "// Pragma: revalidate 60\nimport { cache } from 'react'\nimport { cookies } from 'next/headers'\nconst getViewer = cache(async () => (await cookies()).get('session')?.value)\nexport default async function Page() {\n  const viewer = await getViewer()\n  return <p>{viewer}</p>\n}\n"
    expect(outcome(next, '/app/app/posts/page.tsx')).toMatch(/`cookies\(\)` reads the visitor's cookies .*\(through `getViewer\(\)`/)
    expect(svelte('const posts = { all() { return [1, 2] } }\nclass Repo { static count() { return 2 } }', 'posts.all().length + Repo.count()')).toBe('compiles')
  })

  it('a function of the module handed to code it cannot see is walked as if called: by name, in an options object', () => {
    expect(verdict('  return { prices: await Promise.all([1, 2].map(priceOf)) }', "import { auth } from '@/auth'\nasync function priceOf(id) { return db.price(id, (await auth()).currency) }")).toMatch(/`auth\(\)` reads the visitor's session or sign-in/)
    const start = `// Pragma: revalidate 60\nimport { createFileRoute } from '@tanstack/react-router'\nimport { queryOptions } from '@tanstack/react-query'\nimport { getCookie } from '@tanstack/react-start/server'\nconst cartQuery = queryOptions({ queryKey: ['cart'], queryFn: () => getCookie('cart') })\nexport const Route = createFileRoute('/cart')({ loader: ({ context }) => context.queryClient.ensureQueryData(cartQuery) })\n`
    expect(outcome(start, '/app/src/routes/cart.tsx')).toMatch(/`getCookie\('cart'\)` reads the visitor's cookies/)
    expect(verdict('  return { rows: await Promise.all([1, 2].map(rowOf)) }', 'async function rowOf(id) { return db.row(id) }')).toBe('compiles')
  })

  it("instances' methods and static arrow properties are followed; a method of a list handed the request is a located error", () => {
    const cookies = "import { cookies } from 'next/headers'\n"
    const next = (helpers: string, read: string) => outcome(`// Pragma: revalidate 60\n${cookies}${helpers}\nexport default async function Page() {\n  const value = await ${read}\n  return <p>{value}</p>\n}\n`, '/app/app/p/page.tsx')
    expect(next("class Carts { async current() { return (await cookies()).get('cart')?.value } }", 'new Carts().current()')).toMatch(/`cookies\(\)` reads the visitor's cookies/)
    expect(next("class Prefs { static currency = async () => (await cookies()).get('currency')?.value }", 'Prefs.currency()')).toMatch(/`cookies\(\)` reads/)
    expect(next("const Prefs = class { static async currency() { return (await cookies()).get('currency')?.value } }", 'Prefs.currency()')).toMatch(/`cookies\(\)` reads/)
    expect(next('class Repo { async all() { return db.posts() } }', 'new Repo().all()')).toBe('compiles')
    // `this` in a method is what it was called on.
    expect(next("class Prefs { static jar() { return cookies() } static async currency() { return (await this.jar()).get('currency')?.value } }", 'Prefs.currency()')).toMatch(/`cookies\(\)` reads/)
    expect(next("const prefs = { jar() { return cookies() }, async theme() { return (await this.jar()).get('theme')?.value } }", 'prefs.theme()')).toMatch(/`cookies\(\)` reads/)
    expect(next('const repo = { table: "posts", all() { return db.all(this.table) } }', 'repo.all()')).toBe('compiles')
    expect(verdict('  return { path: lastPath(params.slug, request) }', 'function lastPath(...xs) { return new URL(xs[xs.length - 1].url).pathname }')).toMatch(/`xs\[xs\.length - 1\]` uses the arguments whole|hands|uses/)
  })

  it("Astro: a component's props are per use; a `_` file under pages is a component, a route is a page", () => {
    const card = "---\n// Pragma: revalidate 60\nconst { id } = Astro.props\nconst post = await getPost(id)\n---\n<article>{post.title}</article>\n"
    expect(outcome(card, '/app/src/components/Card.astro')).toMatch(/`Astro\.props` reads the component's props/)
    expect(outcome(card, '/app/src/pages/_components/Card.astro')).toMatch(/`Astro\.props` reads the component's props/)
    expect(outcome(card, '/app/src/pages/posts/[id].astro')).toBe('compiles')
  })

  it('a short-circuit on per-visitor data decides what runs: a read', () => {
    expect(verdict("  context.user ?? toLogin()\n  return { posts: await db.posts() }", 'function toLogin() { throw redirect("/login") }')).toMatch(/`context\.user` reads the signed-in user/)
    expect(verdict("  return { posts: await db.posts(), user: null ?? params.slug }")).toBe('compiles')
  })

  it('a requestBound helper reached through a namespace or import()', () => {
    expect(verdict('  return { u: await lib.auth() }', "import * as lib from '~/auth.server'")).toMatch(/`lib\.auth\(\)` reads the visitor's session or sign-in/)
    expect(verdict("  const { auth } = await import('~/auth.server')\n  return { u: await auth() }")).toMatch(/`auth\(\)` reads the visitor's session or sign-in/)
    expect(verdict('  return { p: await lib.posts() }', "import * as lib from '~/posts.server'")).toBe('compiles')
  })

  it("Cloudflare's cf data through the platform, Express's request members, next/headers.js", () => {
    expect(verdict('  return { country: context.cloudflare.cf.country, db: context.cloudflare.env.DB !== undefined }')).toMatch(/`context\.cloudflare\.cf\.country` reads Cloudflare's request data/)
    const svelte = (body: string) => outcome(`// Pragma: revalidate 60\nexport async function load(event) {\n  ${body}\n}\n`, '/app/src/routes/blog/+page.server.ts')
    expect(svelte('return { c: event.platform.cf.country }')).toMatch(/`event\.platform\.cf\.country` reads Cloudflare's request data/)
    expect(svelte('return { n: await event.platform.env.DB.prepare("select 1").first() }')).toBe('compiles')
    const express = (read: string) => outcome(`# Pragma: revalidate 60\nexport async function loader({ req }) {\n  return { v: ${read} }\n}\n`, '/app/src/pages/x.ts')
    for (const read of ["req.rawHeaders", "req.get('cookie')", 'req.session.userId', 'req.user.id', 'req.ip']) expect(express(read)).toMatch(SHARED)
    expect(express('req.query.page')).toMatch(/reads the query string at `req\.query\.page`/)
    expect(verdict('  return { g: geoOf(context.cloudflare), d: context.cloudflare.env.DB !== undefined }', "import { geoOf } from '~/geo'")).toMatch(/`geoOf\(context\.cloudflare\)` hands/)
    for (const read of ['req.hostname', "req.acceptsLanguages('en', 'fr')", 'req.isAuthenticated()', 'req.language']) expect(express(read)).toMatch(SHARED)
    expect(outcome(`# Pragma: revalidate 60\nexport async function loader({ res }) {\n  return { user: res.locals.user }\n}\n`, '/app/src/pages/x.ts')).toMatch(/`res\.locals\.user` reads what middleware set/)
    const next = `// Pragma: revalidate 60\nimport { cookies } from 'next/headers.js'\nexport default async function Page() {\n  const theme = (await cookies()).get('theme')\n  return <p>{theme}</p>\n}\n`
    expect(outcome(next, '/app/app/posts/page.tsx')).toMatch(/`cookies\(\)` reads the visitor's cookies/)
  })
})

describe('the escape hatch', () => {
  it('a reasoned comment right before a call (or after its await) lets it through', () => {
    expect(verdict('  return { db: /* revalidate-safe: the database client, the same for everyone */ context.get(dbContext) }')).toBe('compiles')
    expect(verdict('  return { s: await /* revalidate-safe: reads only the shop id */ getShop(request) }')).toBe('compiles')
    expect(verdict('  return { s: /* revalidate-safe: reads only the shop id */ await getShop(request) }')).toBe('compiles')
  })

  it('covers that call only; a missing reason or a misspelling is an error', () => {
    expect(verdict('  const s = /* revalidate-safe: shop id */ getShop(request)\n  return { s, u: await getUser(request) }')).toMatch(/`getUser\(request\)` hands/)
    expect(verdict('  return { s: /* revalidate-safe */ getShop(request) }')).toMatch(/A `revalidate-safe` comment needs a reason/)
    expect(verdict('  return { s: /* revalidate-sfae: shop */ getShop(request) }')).toMatch(/Unknown comment "revalidate-sfae"; did you mean "revalidate-safe"\?/)
  })

  it('covers the first call after it, not the larger expressions that start at the same place', () => {
    const db = "  const posts = await /* revalidate-safe: the database client */ context.get(dbContext).posts.visibleTo(context.get(userContext))\n  return { posts }"
    expect(verdict(db)).toMatch(/`context\.get\(userContext\)` reads what middleware set/)
    expect(verdict("  return { c: /* revalidate-safe: the shop */ getShop(context)?.currency ?? request.headers.get('x-currency') }")).toMatch(/`request\.headers` reads/)
    expect(verdict("  return { c: /* revalidate-safe: the shop */ getShop(context) || request.headers.get('cookie') }")).toMatch(/`request\.headers` reads/)
    expect(verdict("  return { c: await /* revalidate-safe: the shop */ getShop(context).then((shop) => ({ shop, who: request.headers.get('cookie') })) }")).toMatch(/`request\.headers` reads/)
    expect(verdict('  return { id: /* revalidate-safe: the shop, set by the server */ context.shop.id }')).toBe('compiles')
  })

  it('a helper walked inside a marked call is walked again, with reports, where it is called unmarked', () => {
    const isDark = "function isDark(r) { return r.headers.get('x-theme') === 'dark' }"
    const body = '  const shop = await /* revalidate-safe: the shop is global */ getShop(context, isDark(request))\n  const dark = isDark(request)\n  return { shop, dark }'
    expect(verdict(body, isDark)).toMatch(/`r\.headers` reads the request headers .*\(through `isDark\(request\)` on line 6\)/)
  })

  it('vouches for what the call is handed, not for explicit reads in its arguments', () => {
    expect(verdict('  return { p: /* revalidate-safe: reads only the path */ sectionOf(request) }')).toBe('compiles')
    expect(verdict('  return { p: /* revalidate-safe: a pure formatter */ format(new URL(request.url).searchParams.get("q")) }')).toMatch(/reads the query string at `new URL\(request\.url\)\.searchParams\.get\("q"\)`/)
    expect(verdict('  return { p: /* revalidate-safe: a pure formatter */ format(request.headers) }')).toBe('compiles')
  })
})

describe('query reads', () => {
  it('through the URL, its search params, and helpers handed it', () => {
    expect(verdict('  const url = new URL(request.url)\n  return { path: url.pathname }')).toBe('compiles')
    expect(verdict('  const url = new URL(request.url)\n  return { s: url.search }')).toMatch(/reads the query string at `url\.search`/)
    expect(verdict('  const sp = new URL(request.url).searchParams\n  const name = "q"\n  return { q: sp.get(name) }', '', '# Pragma: revalidate 60 query page')).toBe('compiles')
    expect(verdict('  const sp = new URL(request.url).searchParams\n  return { q: sp.get("q") }', '', '# Pragma: revalidate 60 query page')).toMatch(/reads the query parameter "q"/)
    expect(verdict('  const sp = new URL(request.url).searchParams\n  return { q: sp.get(`q`) }', '', '# Pragma: revalidate 60 query page')).toMatch(/reads the query parameter "q"/)
    expect(verdict('  const all = {}\n  for (const [k, v] of new URL(request.url).searchParams) all[k] = v\n  return all')).toMatch(/reads the query string/)
    expect(verdict('  return { feed: await feed(request.url) }')).toMatch(/reads the query string at `feed\(request\.url\)`/)
  })

  it("a helper's return goes back to its caller, who reads of it what it reads", () => {
    const toUrl = 'function toUrl(r) { return new URL(r.url) }'
    expect(verdict('  const { pathname } = toUrl(request)\n  return { post: await db.post(pathname) }', toUrl)).toBe('compiles')
    expect(verdict('  return { q: toUrl(request).search }', toUrl)).toMatch(/reads the query string at `toUrl\(request\)\.search`/)
    expect(verdict("  return { h: pick(request).get('cookie') }", 'const pick = (r) => r.headers')).toMatch(/`pick\(request\)` reads the request headers/)
    expect(verdict('  return { r: same(request) }', 'const same = (r) => r')).toMatch(/`same\(request\)` uses the request whole|`request` uses the request whole|hands the request/)
  })

  it('through a promise of the query: `.then(callback)` reads what the callback reads', () => {
    const page = (pragma: string, read: string) => `${pragma}\nexport default async function Page({ searchParams }) {\n  const q = await searchParams.then(${read})\n  const posts = await db.search(q)\n  return <main>{posts.length}</main>\n}\n`
    expect(outcome(page('// Pragma: revalidate 60 query q', '(sp) => sp.q'), '/app/app/search/page.tsx')).toBe('compiles')
    expect(outcome(page('// Pragma: revalidate 60 query page', '(sp) => sp.q'), '/app/app/search/page.tsx')).toMatch(/:3:45: \[RV208\] The page data reads the query parameter "q" \(through `searchParams\.then\(\(sp\) => sp\.q\)`/)
    expect(outcome(page('// Pragma: revalidate 60', 'parseQuery'), '/app/app/search/page.tsx')).toMatch(/reads the query string at `searchParams\.then\(parseQuery\)`/)
  })
})

describe('cached values must be data', () => {
  it('a returned Response is an error at that return, however it is reached', () => {
    expect(verdict("  return new Response('hi')")).toMatch(/The loader returns new Response\(\), a Response/)
    expect(verdict('  return params.slug ? json({ a: 1 }) : { a: 1 }', "import { json } from 'react-router'")).toMatch(/returns json\(\)/)
    expect(verdict('  return respond({ a: 1 })', "import { json } from '@remix-run/node'\nfunction respond(d) { return json(d) }")).toMatch(/returns json\(\)/)
    expect(verdict('  return fetch(`https://api.example.com/${params.slug}`)')).toMatch(/returns fetch\(\), a Response/)
    expect(verdict('  return (await fetch(`https://api.example.com/${params.slug}`)).json()')).toBe('compiles')
  })

  it('a call that never returns is fine anywhere', () => {
    const page = (imports: string, check: string) => `// Pragma: revalidate 60\n${imports}\nexport default async function Page({ params }) {\n  const post = await db.post((await params).slug)\n  ${check}\n  const more = await db.more(post.id)\n  return <p>{post.title}{more}</p>\n}\n`
    expect(outcome(page("import { notFound } from 'next/navigation'", 'if (!post) return notFound()'), '/app/app/p/page.tsx')).toBe('compiles')
    expect(outcome(page("import * as nav from 'next/navigation'", 'if (!post) return nav.redirect("/")'), '/app/app/p/page.tsx')).toBe('compiles')
    expect(outcome(page("import { notFound } from './not-found'", 'if (!post) return notFound()'), '/app/app/p/page.tsx')).toMatch(/This `await` comes after an early `return` \(line 5\)/)
  })
})

describe('declarations kept outside the cached code', () => {
  it('a helper that reads the data section and is called from it is an error; one the template calls is fine', () => {
    const page = (call: string) => `// Pragma: revalidate 60\nexport default async function Page() {\n  const rows = await db.rows()\n  const first = () => rows[0]\n  const total = ${call}\n  return <p>{first()}{total}</p>\n}\n`
    expect(outcome(page('await db.count()'), '/app/app/p/page.tsx')).toBe('compiles')
    expect(outcome(page('first()'), '/app/app/p/page.tsx')).toMatch(/`rows` is declared by the cached data section, but this declaration stays outside the cached code/)
  })
})

describe('pages too deep to follow', () => {
  it('are a located error, not a stack overflow', () => {
    const sum = Array.from({ length: 20_000 }, () => 'params.a').join(' + ')
    expect(verdict(`  return { v: ${sum} }`)).toMatch(/^\/app\/app\/routes\/posts\.\$slug\.tsx:1:3: \[RV311\] This page nests its code too deeply for the compiler to follow/)
    expect(verdict(`  return { v: ${'('.repeat(5000)}params.a${')'.repeat(5000)} }`)).toMatch(/nests its code too deeply/)
  })
})

describe('loaders written as calls', () => {
  it('TanStack Start: the loader of createFileRoute, inline or a function of the module', () => {
    const route = (loader: string, extra = '') => `// Pragma: revalidate 60\nimport { createFileRoute } from '@tanstack/react-router'\n${extra}\nexport const Route = createFileRoute('/posts/$postId')({ ${loader}, component: Post })\n`
    const inline = transform(route('loader: ({ params }) => fetchPost(params.postId)'), '/app/src/routes/posts.$postId.tsx', { root: '/app' })
    expect(inline?.code).toContain('"route":"/posts/:postId"')
    const named = transform(route('loader: loadPost', 'async function loadPost({ params }) { return fetchPost(params.postId) }'), '/app/src/routes/posts.$postId.tsx', { root: '/app' })
    expect(named?.code).toContain('async function loadPost(__rv_ctx) {return __rv_cachePage(__rv_page, __rv_ctx, (__rv_ctx) => { let { params } = __rv_ctx; return async () => {')
    expect(outcome(route('loader: ({ context }) => context.user.orders()'), '/app/src/routes/posts.$postId.tsx')).toMatch(/`context\.user` reads the signed-in user/)
  })

  it("TanStack Start: loaderDeps' reads of search are the query reads, under the search names", () => {
    const route = (pragma: string, options: string) => outcome(`${pragma}\nimport { createFileRoute } from '@tanstack/react-router'\nexport const Route = createFileRoute('/posts')({ ${options} })\n`, '/app/src/routes/posts.tsx')
    const renamed = 'loaderDeps: ({ search }) => ({ p: search.page }), loader: async ({ deps }) => ({ posts: await db.posts(deps.p) })'
    expect(route('// Pragma: revalidate 60 query page', renamed)).toBe('compiles')
    expect(route('// Pragma: revalidate 60 query p', renamed)).toMatch(/reads the query parameter "page", which the pragma's query list \(p\) leaves out/)
    expect(route('// Pragma: revalidate 60', renamed)).toMatch(/reads the query string at `search\.page`, but the pragma lists no query names/)
    // Without loaderDeps beside it, each deps name is taken for a query name.
    expect(route('// Pragma: revalidate 60 query sort', 'loader: async ({ deps }) => db.posts(deps.page)')).toMatch(/reads the query parameter "page"/)
    // loaderDeps handing search on whole keeps the query's names: the loader's reads of deps count.
    expect(route('// Pragma: revalidate 60 query page', 'loaderDeps: ({ search }) => search, loader: async ({ deps }) => db.posts(deps.page, deps.sort)')).toMatch(/reads the query parameter "sort"/)
    expect(route('// Pragma: revalidate 60 query page,sort', 'loaderDeps: ({ search }) => search, loader: async ({ deps }) => db.posts(deps.page, deps.sort)')).toBe('compiles')
  })
})

describe('helpers in other modules of the app', () => {
  /** A React Router route's loader with `body`, importing from the app modules `files` (ids below /app/app, `~/` is that folder). */
  function across(files: Record<string, string>, body: string, imports: string, pragma = '# Pragma: revalidate 60'): string {
    const resolveImport: TransformOptions['resolveImport'] = (specifier, importer) => {
      const path = specifier.startsWith('~/') ? `/app/app/${specifier.slice(2)}` : specifier.startsWith('.') ? new URL(specifier, `file://${importer}`).pathname : undefined
      const id = path === undefined ? undefined : [path, `${path}.ts`].find((candidate) => candidate in files)
      return id === undefined ? undefined : { id, code: files[id]! }
    }
    return verdict(body, imports, pragma, { resolveImport })
  }
  const SESSION = {
    '/app/app/session.server.ts': [
      "import { cookies, headers } from 'next/headers'",
      'export const auth = { async viewer() { return (await cookies()).get("uid") } }',
      'export class Session { static async id() { return (await cookies()).get("sid") } }',
      'export function format(date) { return date.toISOString() }',
      "export default async () => (await headers()).get('x-user')",
    ].join('\n'),
  }

  it('follows an object’s methods, a class’s static methods, a default export, a namespace and import()', () => {
    expect(across(SESSION, '  return { v: await auth.viewer() }', "import { auth } from '~/session.server'")).toMatch(
      /^\S+:5:\d+: \[RV201\] `auth\.viewer\(\)` reads the visitor's cookies .*, where `auth\.viewer\(\)` in app\/session\.server\.ts:2 calls `cookies\(\)`/,
    )
    expect(across(SESSION, '  return { s: await Session.id() }', "import { Session } from '~/session.server'")).toMatch(/`Session\.id\(\)` in app\/session\.server\.ts:3 calls `cookies\(\)`/)
    expect(across(SESSION, '  return { u: await user() }', "import user from '~/session.server'")).toMatch(/`user\(\)` reads the request headers .* `user\(\)` in app\/session\.server\.ts:5 calls `headers\(\)`/)
    expect(across(SESSION, '  return { v: await session.auth.viewer() }', "import * as session from '~/session.server'")).toMatch(/`session\.auth\.viewer\(\)` reads the visitor's cookies/)
    expect(across(SESSION, "  const { auth } = await import('~/session.server')\n  return { v: await auth.viewer() }", '')).toMatch(/`auth\.viewer\(\)` reads the visitor's cookies/)
    expect(across(SESSION, '  return { d: session.format(new Date()) }', "import * as session from '~/session.server'")).toBe('compiles')
  })

  it('follows the request handed to a helper: what it reads decides, at the page’s call', () => {
    const files = { '/app/app/paths.ts': "export function slugOf(request) { return new URL(request.url).pathname.split('/').pop() }\nexport function locale(request) { return request.headers.get('accept-language') }" }
    expect(across(files, '  return { post: await db.post(slugOf(request)) }', "import { slugOf } from '~/paths'")).toBe('compiles')
    expect(across(files, '  return { l: locale(request) }', "import { locale } from '~/paths'")).toMatch(/^\S+:5:\d+: \[RV201\] `locale\(request\)` reads the request headers .*, where `locale\(request\)` in app\/paths\.ts:2 reads `request\.headers`/)
    // Without the module (a package, say) it is handed whole, as before.
    expect(verdict('  return { l: locale(request) }', "import { locale } from '~/paths'")).toMatch(/`locale\(request\)` hands the request to code the compiler cannot follow/)
  })

  it('counts the query a helper reads, named or not', () => {
    const files = { '/app/app/paging.ts': "export const pageOf = (url) => Number(url.searchParams.get('page') ?? 1)" }
    const body = '  return { posts: await db.posts(pageOf(new URL(request.url))) }'
    expect(across(files, body, "import { pageOf } from '~/paging'")).toMatch(/reads the query string at `pageOf\(new URL\(request\.url\)\)`, where `pageOf\(new URL\(request\.url\)\)` in app\/paging\.ts:1 calls `url\.searchParams\.get\('page'\)`/)
    expect(across(files, body, "import { pageOf } from '~/paging'", '# Pragma: revalidate 60 query page')).toBe('compiles')
  })

  it('reads a module-level variable any function of the helper’s module assigns', () => {
    const files = { '/app/app/token.ts': "import { cookies } from 'next/headers'\nlet token\nexport async function remember() { token = (await cookies()).get('t') }\nexport function current() { return token }" }
    expect(across(files, '  return { t: current() }', "import { current } from '~/token'")).toMatch(/`current\(\)` reads the visitor's cookies/)
  })

  it('keeps a requestBound name request-bound whatever the module makes of it', () => {
    const files = { '/app/app/auth.ts': "import NextAuth from 'next-auth'\nexport const { auth, handlers } = NextAuth({ providers: [] })" }
    expect(across(files, '  return { s: await auth() }', "import { auth } from '~/auth'")).toMatch(/`auth\(\)` reads the visitor's session or sign-in/)
  })

  it('honours `revalidate-safe` in the helper’s module and at the page’s call', () => {
    const files = {
      '/app/app/shop.ts': "import { headers } from 'next/headers'\nexport async function region() { return /* revalidate-safe: the CDN varies on this header */ (await headers()).get('x-region') }\nexport async function theme() { return (await headers()).get('x-theme') }",
    }
    expect(across(files, '  return { r: await region() }', "import { region } from '~/shop'")).toBe('compiles')
    expect(across(files, '  return { t: await /* revalidate-safe: one theme per deploy */ theme() }', "import { theme } from '~/shop'")).toBe('compiles')
    expect(across(files, '  return { t: await theme() }', "import { theme } from '~/shop'")).toMatch(/`theme\(\)` in app\/shop\.ts:3 calls `headers\(\)`/)
  })

  it('ends in cycles: a helper that imports the page, modules that re-export each other', () => {
    const files = {
      '/app/app/back.ts': "import { loader } from './routes/posts.$slug'\nexport function again(args) { return args ? loader(args) : null }",
      '/app/app/a.ts': "export { x } from './b'\nexport * from './b'",
      '/app/app/b.ts': "export { x } from './a'\nexport * from './a'",
    }
    expect(across(files, '  return { n: again(null), x: x() }', "import { again } from '~/back'\nimport { x } from '~/a'")).toBe('compiles')
  })
})
