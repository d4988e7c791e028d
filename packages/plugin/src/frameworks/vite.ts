/**
 * Any other Vite (or Babel) app: a loader whose argument carries the request the way the
 * frameworks above do. Every name they give to per-visitor data counts here.
 */
import { object, query, visitor } from '../shapes.js'
import type { Framework } from './types.js'
import { NODE_REQUEST, REQUEST, URL_OBJECT } from './web.js'

const CONTEXT = object(
  'the context',
  { get: visitor('what middleware set for this request (`context.get()`, e.g. the signed-in user)'), session: visitor("the visitor's session"), user: visitor('the signed-in user') },
  'visitor',
)

const INPUT = object(
  "the loader's argument",
  {
    request: REQUEST,
    req: NODE_REQUEST,
    res: object('the response', { locals: visitor('what middleware set for this request (`res.locals`, e.g. the signed-in user)') }),
    url: URL_OBJECT,
    query: query('`query`', 'record'),
    searchParams: query('`searchParams`', 'record'),
    context: CONTEXT,
    locals: visitor('what middleware set for this request (e.g. the signed-in user)'),
    cookies: visitor("the visitor's cookies"),
    headers: visitor('the request headers'),
    session: visitor("the visitor's session"),
    user: visitor('the signed-in user'),
    clientAddress: visitor("the visitor's client address"),
    getClientAddress: visitor("the visitor's client address"),
  },
  'visitor',
)

export const vite: Framework = {
  name: 'vite',
  vercel: 'build-output',
  loaderInput: INPUT,
  requestTypes: ['Request', 'IncomingMessage', 'FetchEvent'],
  pageProps: INPUT,
}
