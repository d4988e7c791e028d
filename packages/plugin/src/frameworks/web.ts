/**
 * The web platform every framework's loader sees: the Request, URLs and their query, fetch and
 * Response, as the analysis should read them.
 *
 *   request.headers.get('cookie')   a per-visitor read
 *   new URL(request.url)            a URL object; its `.searchParams.get('q')` reads "q"
 *   new Response(...), fetch(...)   responses: a cached loader must not return them
 */
import { fn, object, query, respond, response, visitor, type Shape } from '../shapes.js'

const QUERY_TEXT = query('the query string', 'text')

/** A URL object: its pathname is the page; its search, searchParams and href carry the query. */
export const URL_OBJECT: Shape = object(
  'the URL',
  {
    search: QUERY_TEXT,
    searchParams: query('the query string', 'search-params'),
    href: QUERY_TEXT,
    toString: fn('URL.toString()', { returns: QUERY_TEXT }),
    toJSON: fn('URL.toJSON()', { returns: QUERY_TEXT }),
  },
  'query',
)

const REQUEST_BODY = visitor('the request body')

/** Cloudflare's data about the request (the visitor's country, city, ...), wherever a framework hands it on. */
export const CF = visitor("Cloudflare's request data (the visitor's location)")

const requestMembers: Record<string, Shape> = {
  headers: visitor('the request headers (cookies, authorization, ...)'),
  url: query('the request URL', 'url-text'),
  body: REQUEST_BODY,
  json: REQUEST_BODY,
  text: REQUEST_BODY,
  formData: REQUEST_BODY,
  arrayBuffer: REQUEST_BODY,
  blob: REQUEST_BODY,
  bytes: REQUEST_BODY,
  cf: CF,
}
/** A web Request: its headers carry cookies and authorization; its url, the query. */
export const REQUEST: Shape = object('the request', requestMembers, 'visitor')
requestMembers.clone = fn('Request.clone()', { returns: REQUEST })

const NODE_HEADERS = visitor('the request headers (cookies, authorization, ...)')
const CLIENT_ADDRESS = visitor("the visitor's connection (client address)")
const NODE_URL = query('the request URL', 'url-text')
/** The Host header: on a site that serves several hosts, each would share the first one's entry. */
const HOST = visitor('the Host header (a site serving several hosts would share one entry)')

/** Node's IncomingMessage (Next.js pages router `req`), with what Express and its middleware add. */
export const NODE_REQUEST: Shape = object(
  'the request',
  {
    headers: NODE_HEADERS,
    rawHeaders: NODE_HEADERS,
    headersDistinct: NODE_HEADERS,
    get: NODE_HEADERS,
    header: NODE_HEADERS,
    cookies: visitor("the visitor's cookies"),
    signedCookies: visitor("the visitor's cookies"),
    session: visitor("the visitor's session"),
    user: visitor('the signed-in user'),
    url: NODE_URL,
    originalUrl: NODE_URL,
    query: query('`req.query`', 'record'),
    hostname: HOST,
    host: HOST,
    subdomains: HOST,
    accepts: NODE_HEADERS,
    acceptsLanguages: NODE_HEADERS,
    acceptsCharsets: NODE_HEADERS,
    acceptsEncodings: NODE_HEADERS,
    is: NODE_HEADERS,
    range: NODE_HEADERS,
    language: visitor("the visitor's language (from Accept-Language)"),
    t: visitor("translations in the visitor's language (from Accept-Language)"),
    isAuthenticated: visitor('the signed-in user'),
    auth: visitor("the visitor's authentication"),
    sessionID: visitor("the visitor's session"),
    csrfToken: visitor("the visitor's session"),
    flash: visitor("the visitor's session"),
    socket: CLIENT_ADDRESS,
    connection: CLIENT_ADDRESS,
    ip: CLIENT_ADDRESS,
    ips: CLIENT_ADDRESS,
    body: REQUEST_BODY,
  },
  'visitor',
)

const logs = fn('console', { reads: 'nothing' })

/** Globals of the platform (names a page reads without declaring or importing them). */
export const WEB_GLOBALS: Readonly<Record<string, Shape>> = {
  URL: fn('URL', { constructs: 'url' }),
  URLSearchParams: fn('URLSearchParams', { constructs: 'search-params' }),
  Response: fn('Response', {
    constructs: response('new Response()'),
    members: { json: respond('Response.json()'), redirect: respond('Response.redirect()', true), error: respond('Response.error()') },
  }),
  fetch: fn('fetch', { returns: response('fetch()') }),
  console: object('console', { log: logs, info: logs, warn: logs, error: logs, debug: logs, trace: logs, dir: logs, table: logs }),
}
