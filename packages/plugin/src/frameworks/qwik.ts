/**
 * Qwik City: a route loader is a call, exported from the route's `index.tsx` or `layout.tsx`:
 *
 *   export const useProduct = routeLoader$(async (requestEvent) => {
 *     return db.product(requestEvent.params.id)
 *   })
 *
 * The request event's `cookie`, `request`, `sharedMap` (what middleware shares for this
 * request) and `clientConn` are per visitor; `query` is the query string.
 */
import { object, query, visitor } from '../shapes.js'
import type { Framework } from './types.js'
import { REQUEST, URL_OBJECT } from './web.js'

const REQUEST_EVENT = object(
  'the request event',
  {
    cookie: visitor("the visitor's cookies"),
    request: REQUEST,
    url: URL_OBJECT,
    query: query('`query`', 'search-params'),
    sharedMap: visitor('what middleware shared for this request (e.g. the session)'),
    clientConn: visitor("the visitor's connection (client address, country)"),
  },
  'visitor',
)

export const qwik: Framework = {
  name: 'qwik',
  nestedLoaders: true,
  imports: /^(@builder\.io\/qwik-city|@qwik\.dev\/router)$/,
  loaderInput: REQUEST_EVENT,
  requestTypes: ['RequestEvent', 'RequestEventBase', 'RequestEventLoader', 'RequestEventAction', 'RequestEventCommon'],
  pageProps: REQUEST_EVENT,
  loaderCalls: [{ from: /^(@builder\.io\/qwik-city|@qwik\.dev\/router)$/, name: 'routeLoader$', form: 'argument' }],
}
