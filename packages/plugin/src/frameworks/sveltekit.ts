/**
 * SvelteKit: `load` in `+page.server.ts`, `+page.ts`, `+layout.server.ts`, `+layout.ts`:
 *
 *   export const load: PageServerLoad = async ({ params, url, locals, cookies, fetch, parent }) => ...
 *
 * `locals` (set per request by hooks), `cookies`, `getClientAddress()` and `request` are per
 * visitor, and so may be `parent()` and `data`, other loads' data; `url` is the routed URL (its
 * query must be listed); `params`, `fetch`, `depends` and `platform.env` are not tracked;
 * `platform.cf` is per visitor. `error()` and `redirect()` throw.
 */
import { fn, object, respond, throws, visitor, type Shape } from '../shapes.js'
import type { Framework } from './types.js'
import { CF, REQUEST, URL_OBJECT } from './web.js'

/**
 * Data of other loads, which the compiler does not see: the parent layouts' (`parent()`), or the
 * server load's in a universal `+page.ts` (`data`). A layout that returns `locals.user` is the
 * usual SvelteKit app; a cached load that copies it would hand it to every visitor.
 */
const otherLoads = (label: string, call: string): Shape => ({
  kind: 'visitor',
  code: 'RV202',
  label,
  why: "the compiler does not see those loads: if one returns per-visitor data (`locals.user`), this page's cached data carries it to every visitor",
  fix: `if they load nothing per visitor, say so: \`/* revalidate-safe: <why> */ ${call}\`; otherwise use that data in the page component (its \`data\` prop), outside the cached load.`,
})

const EVENT = object(
  'the load event',
  {
    request: REQUEST,
    url: URL_OBJECT,
    locals: visitor('what hooks set for this request (e.g. the signed-in user)'),
    cookies: visitor("the visitor's cookies"),
    getClientAddress: visitor("the visitor's client address"),
    parent: otherLoads("the parent layouts' data", 'parent()'),
    data: otherLoads("the server load's data", 'data'),
    // adapter-cloudflare's platform: `env` is the Worker's, `cf` the request's.
    platform: object('the platform', { cf: CF }),
  },
  'visitor',
)

/**
 * A universal load (`+page.ts`, `+layout.ts`) runs on the server, then again in the browser when
 * the page hydrates, reusing the responses of the `fetch` calls SvelteKit inlined into the HTML.
 * On a server cache hit the load does not run, nothing is inlined, and the browser fetches again.
 */
const UNIVERSAL_LOAD = /\/\+(page|layout)\.[mc]?[jt]s$/

const page: Framework = {
  name: 'sveltekit',
  vercel: 'sveltekit',
  nestedLoaders: true,
  // What a load's `uses` records (SvelteKit's load_data.js): params, url and route reads,
  // `parent()`, `depends()` and, on the client, the URLs `fetch` loads; `untrack` reads without it.
  tracking: {
    calls: ['parent', 'url.searchParams.get', 'url.searchParams.getAll', 'url.searchParams.has'],
    effects: ['depends', 'setHeaders'],
    untrack: 'untrack',
  },
  files: /\/\+(page|layout)(\.server)?\.[mc]?[jt]s$/,
  imports: /^(@sveltejs\/kit|\$app\/)/,
  loaderInput: EVENT,
  requestTypes: ['RequestEvent', 'ServerLoadEvent', 'PageServerLoadEvent', 'LayoutServerLoadEvent', 'LoadEvent', 'Cookies'],
  pageProps: EVENT,
  modules: {
    '@sveltejs/kit': { error: throws('error()'), redirect: throws('redirect()'), json: respond('json()'), text: respond('text()') },
    '$app/server': { getRequestEvent: fn('getRequestEvent()', { returns: EVENT }) },
  },
}

const universal: Framework = {
  ...page,
  serverRefusal: {
    code: 'RV308',
    problem:
      "A universal load (`+page.ts`, `+layout.ts`) runs again in the browser when the page hydrates, reusing the fetch responses SvelteKit inlined into the HTML. On a cache hit the load does not run on the server, nothing is inlined, and the browser fetches the data again (and may show other data than the server rendered).",
    fix: 'move the load to `+page.server.ts` (or `+layout.server.ts`): SvelteKit sends a server load’s data with the page, so a cache hit is all the browser needs.',
  },
}

export const sveltekit: Framework = { ...page, variantFor: (path) => (UNIVERSAL_LOAD.test(path) ? universal : page) }
