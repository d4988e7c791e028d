/**
 * TanStack Start: the route's loader, in the options given to `createFileRoute(path)`:
 *
 *   export const Route = createFileRoute('/posts/$postId')({
 *     loader: async ({ params, deps, context }) => fetchPost(params.postId),
 *   })
 *
 * The route comes from the string (`$postId`, `$` splat, `{-$optional}`), not the file path.
 * Search params reach a loader only through `loaderDeps` -> `deps`: those are its query reads.
 * Request data comes from `@tanstack/<framework>-start/server` (`getRequest()`, `getCookie()`).
 */
import { fn, object, query, visitor, type Shape } from '../shapes.js'
import type { Framework } from './types.js'
import { REQUEST } from './web.js'

const ROUTER_CONTEXT = object(
  'the router context',
  { user: visitor('the signed-in user'), session: visitor("the visitor's session"), auth: visitor("the visitor's authentication") },
  'visitor',
)

const LOADER_MEMBERS = {
  location: object('`location`', { search: query('`location.search`', 'record'), searchStr: query('`location.searchStr`', 'text'), href: query('`location.href`', 'text') }, 'query'),
  context: ROUTER_CONTEXT,
}
/** A loader whose `loaderDeps` is not written beside it: each `deps` name is taken for a query name. */
const LOADER_CONTEXT = object('the loader context', { ...LOADER_MEMBERS, deps: query('`deps` (from the search params)', 'record') }, 'visitor')
/** With `loaderDeps` beside it, what it reads of `search` are the query reads, and `deps` is what it made of them. */
const LOADER_CONTEXT_WITH_DEPS = object('the loader context', LOADER_MEMBERS, 'visitor')
const LOADER_DEPS_INPUT = object('the loaderDeps argument', { search: query('`search`', 'record') }, 'query')

const VISITOR_REQUEST = visitor('the request (read on the server)')
const SERVER: Record<string, Shape> = {
  getRequest: fn('getRequest()', { returns: REQUEST }),
  getWebRequest: fn('getWebRequest()', { returns: REQUEST }),
  getRequestHeaders: visitor('the request headers (`getRequestHeaders()`)'),
  getRequestHeader: visitor('a request header (`getRequestHeader()`)'),
  getHeaders: visitor('the request headers (`getHeaders()`)'),
  getHeader: visitor('a request header (`getHeader()`)'),
  getCookie: visitor("the visitor's cookies (`getCookie()`)"),
  getCookies: visitor("the visitor's cookies (`getCookies()`)"),
  getRequestIP: visitor("the visitor's client address (`getRequestIP()`)"),
  useSession: visitor("the visitor's session (`useSession()`)"),
  getSession: visitor("the visitor's session (`getSession()`)"),
  getEvent: VISITOR_REQUEST,
}

const FLAVOURS = ['react', 'solid', 'vue']

/** `/posts/$postId` -> `/posts/:postId`; `$` (splat) -> `:_splat*`; `{-$lang}` -> `:lang?`. */
function routeOfPath(path: string): string {
  return path
    .replace(/\{-\$(\w+)\}/g, ':$1?')
    .replace(/\/\$(?=\/|$)/g, '/:_splat*')
    .replace(/\$(\w+)/g, ':$1')
    .replace(/\/+$/, '') || '/'
}

export const tanstackStart: Framework = {
  name: 'tanstack-start',
  nestedLoaders: true,
  imports: /^@tanstack\/(react|solid|vue)-(router|start)/,
  loaderInput: LOADER_CONTEXT,
  requestTypes: ['LoaderFnContext'],
  pageProps: LOADER_CONTEXT,
  loaderCalls: [
    {
      from: /^@tanstack\/(react|solid|vue)-(router|start)$/,
      name: 'createFileRoute',
      form: 'route-options',
      deps: { option: 'loaderDeps', input: LOADER_DEPS_INPUT, loaderInput: LOADER_CONTEXT_WITH_DEPS },
    },
  ],
  routeOfLoaderCall: routeOfPath,
  modules: Object.fromEntries([...FLAVOURS.map((flavour) => `@tanstack/${flavour}-start/server`), '@tanstack/start-server-core'].map((module) => [module, SERVER])),
}
