/**
 * Next.js. App router pages load their data in the async page function, whose props are
 * `{ params, searchParams }` (promises since 15); pages router pages export
 * `getServerSideProps(context)` or `getStaticProps(context)`.
 *
 *   import { cookies as readCookies } from 'next/headers'   // per visitor, under any name
 *   import * as nh from 'next/headers'                        // nh.headers() too
 *   if (!post) notFound()                                     // throws: fine anywhere
 *
 * `searchParams` and the pages router's `query` are the query string (names must be listed).
 */
import { object, query, respond, throws, visitor, type Shape } from '../shapes.js'
import type { Framework } from './types.js'
import { NODE_REQUEST } from './web.js'

const SEARCH_PARAMS = query('`searchParams`', 'record')

const PAGE_PROPS = object('the page props', { searchParams: { kind: 'promise', of: SEARCH_PARAMS } }, 'query')

const DRAFT = visitor('draft mode (a per-visitor cookie)')

const SERVER_SIDE_CONTEXT = object(
  'the getServerSideProps context',
  {
    req: NODE_REQUEST,
    res: visitor('the response being written for this visitor'),
    query: query('the query (`context.query`)', 'record'),
    resolvedUrl: query('the request URL (`resolvedUrl`)', 'url-text'),
    preview: DRAFT,
    previewData: DRAFT,
    draftMode: DRAFT,
  },
  'visitor',
)

const STATIC_CONTEXT = object('the getStaticProps context', { preview: DRAFT, previewData: DRAFT, draftMode: DRAFT }, 'visitor')

const REQUEST_BOUND: Record<string, Shape> = {
  cookies: visitor("the visitor's cookies (`cookies()` from next/headers)"),
  headers: visitor('the request headers (`headers()` from next/headers)'),
  draftMode: DRAFT,
}

const NEVER_RETURNS = {
  notFound: throws('notFound()'),
  redirect: throws('redirect()'),
  permanentRedirect: throws('permanentRedirect()'),
  forbidden: throws('forbidden()'),
  unauthorized: throws('unauthorized()'),
}

const NEXT_RESPONSE = { NextResponse: { kind: 'function', label: 'NextResponse', constructs: { kind: 'response', label: 'new NextResponse()', throwIt: false }, members: { json: respond('NextResponse.json()'), redirect: respond('NextResponse.redirect()', true), rewrite: respond('NextResponse.rewrite()') } } } satisfies Record<string, Shape>

/**
 * APIs that make Next.js render a route on every request wherever they are called in its module
 * (dynamic rendering): per visitor (next/headers, all of it) or not (`connection()`, `noStore()`).
 */
export const NEXT_DYNAMIC_APIS: Readonly<Record<string, readonly string[] | '*'>> = {
  'next/headers': '*',
  'next/server': ['connection'],
  'next/cache': ['unstable_noStore', 'noStore'],
}

export const next: Framework = {
  name: 'next',
  vercel: 'next',
  nestedLoaders: true,
  files: /\/app\/(.*\/)?(page|layout|template|default|route)\.[jt]sx?$/,
  exports: ['getServerSideProps', 'getStaticProps'],
  imports: /^next(\/|$)/,
  loaderInput: SERVER_SIDE_CONTEXT,
  requestTypes: ['NextRequest', 'NextApiRequest', 'GetServerSidePropsContext', 'GetStaticPropsContext', 'NextPageContext', 'IncomingMessage'],
  loaderInputs: { getStaticProps: STATIC_CONTEXT },
  pageProps: PAGE_PROPS,
  modules: {
    'next/headers': REQUEST_BOUND,
    'next/navigation': NEVER_RETURNS,
    'next/server': NEXT_RESPONSE,
    'next-auth': { getServerSession: visitor('the session (`getServerSession()`)') },
    'next-auth/react': { getSession: visitor('the session (`getSession()`)') },
    '@clerk/nextjs/server': { auth: visitor('the signed-in user (`auth()`)'), currentUser: visitor('the signed-in user (`currentUser()`)') },
  },
}
