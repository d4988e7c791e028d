/**
 * React Router 7/8 framework mode, Remix, and Shopify Hydrogen (a React Router app):
 *
 *   export async function loader({ request, params, context, url }: Route.LoaderArgs) { ... }
 *
 * `request` is the raw request (cookies and authorization in its headers), `url` (8) the routed
 * URL, `context` the load context: middleware's `context.get(...)` and Hydrogen's session,
 * cart and customer account are per visitor; `context.storefront` and `context.env` are not.
 * `json()`, `defer()`, `redirect()` and `data()` build responses, which are not data.
 */
import { fn, object, respond, visitor, wrapsData } from '../shapes.js'
import type { Framework } from './types.js'
import { CF, REQUEST, URL_OBJECT } from './web.js'

const CONTEXT = object(
  'the load context',
  {
    get: visitor('what middleware set for this request (`context.get()`, e.g. the signed-in user)'),
    session: visitor("the visitor's session"),
    customerAccount: visitor("the visitor's customer account"),
    cart: visitor("the visitor's cart"),
    user: visitor('the signed-in user'),
    // @react-router/cloudflare's context: `env` is the Worker's, `cf` the request's.
    cloudflare: object('the Cloudflare context', { cf: CF }, 'visitor'),
  },
  'visitor',
)

const LOADER_ARGS = object('the loader arguments', { request: REQUEST, url: URL_OBJECT, context: CONTEXT }, 'visitor')

const RESPONSES = {
  json: respond('json()'),
  defer: respond('defer()'),
  redirect: respond('redirect()', true),
  redirectDocument: respond('redirectDocument()', true),
  replace: respond('replace()', true),
  data: wrapsData('data()', 'the data with a status and headers for React Router (a `DataWithResponseInit`)'),
}

const MODULES = ['react-router', 'react-router-dom', '@react-router/node', '@react-router/cloudflare', '@remix-run/node', '@remix-run/cloudflare', '@remix-run/deno', '@remix-run/server-runtime', '@shopify/remix-oxygen']

export const reactRouter: Framework = {
  name: 'react-router',
  nestedLoaders: true,
  files: /\/app\/routes\/|\/app\/root\.[jt]sx?$/,
  imports: /^(react-router|react-router-dom|@react-router\/|@remix-run\/|@shopify\/(remix-oxygen|hydrogen))/,
  loaderInput: LOADER_ARGS,
  requestTypes: ['LoaderFunctionArgs', 'ActionFunctionArgs', 'LoaderArgs', 'ActionArgs', 'ClientLoaderArgs', 'RouterContextProvider', 'AppLoadContext'],
  pageProps: LOADER_ARGS,
  modules: {
    ...Object.fromEntries(MODULES.map((module) => [module, RESPONSES])),
    '@shopify/hydrogen': {
      // Both read only the URL's query string of the request they are given.
      getPaginationVariables: fn('getPaginationVariables()', { reads: 'query' }),
      getSelectedProductOptions: fn('getSelectedProductOptions()', { reads: 'query' }),
    },
  },
}
