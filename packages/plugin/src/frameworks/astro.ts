/**
 * Astro: the frontmatter of an `.astro` page is its data section, with `Astro` as its input:
 *
 *   ---
 *   const post = await getEntry('blog', Astro.params.slug)
 *   ---
 *
 * `Astro.cookies`, `Astro.locals` (set by middleware), `Astro.session`, `Astro.clientAddress`,
 * the preferred locales (from Accept-Language) and `Astro.request` are per visitor;
 * `Astro.url`'s query must be listed. `Astro.redirect()` returns a Response (it does not throw).
 * `Astro.cache` in cached data would run only on a miss of it, so the response would go uncached on hits.
 */
import { object, respond, visitor, type Shape } from '../shapes.js'
import type { Framework } from './types.js'
import { REQUEST, URL_OBJECT } from './web.js'

const MEMBERS: Record<string, Shape> = {
    request: REQUEST,
    url: URL_OBJECT,
    cookies: visitor("the visitor's cookies"),
    locals: visitor('what middleware set for this request (e.g. the signed-in user)'),
    session: visitor("the visitor's session"),
    clientAddress: visitor("the visitor's client address"),
    preferredLocale: visitor("the visitor's Accept-Language"),
    preferredLocaleList: visitor("the visitor's Accept-Language"),
    getActionResult: visitor("the visitor's form submission"),
    callAction: visitor('an action called with this request'),
    cache: {
      kind: 'visitor',
      code: 'RV307',
      label: "Astro's response cache",
      why: "a call in the cached data runs only when the data is fetched: on each hit of the pragma's cache it is skipped, so the response would be cached only after a miss",
      fix: 'set how the response is cached where it runs on every request: `routeRules` in astro.config, or `context.cache.set()` in middleware (docs/frameworks/astro.md, "Astro.cache on revalidate").',
    },
    redirect: respond('Astro.redirect()', true),
  rewrite: respond('Astro.rewrite()'),
}
const ASTRO = object('`Astro`', MEMBERS, 'visitor')

/**
 * In a component (anything that is not a route of src/pages), `Astro.props` differ from one use to the next
 * (a card per post), while its cached data is keyed by the page's URL and the component: two
 * uses on one page would share one entry.
 */
const COMPONENT_ASTRO = object(
  '`Astro`',
  {
    ...MEMBERS,
    props: {
      kind: 'visitor',
      code: 'RV203',
      label: "the component's props",
      why: "they differ from one use of the component to the next, while its cached data is keyed by the page's URL: two uses on one page would share one entry",
      fix: 'load the data in the page (with the pragma there) and pass it down as props, or remove the pragma from the component.',
    },
  },
  'visitor',
)

const page: Framework = {
  name: 'astro',
  nestedLoaders: true,
  files: /\.astro$/,
  loaderInput: ASTRO,
  requestTypes: ['APIContext', 'AstroGlobal', 'AstroCookies'],
  pageProps: ASTRO,
  globals: { Astro: ASTRO },
}
const component: Framework = { ...page, component: true, loaderInput: COMPONENT_ASTRO, pageProps: COMPONENT_ASTRO, globals: { Astro: COMPONENT_ASTRO } }

/** A route of `pages/` (whatever the srcDir); a file or folder under it named `_...` is not a route. */
const PAGE_FILE = /\/pages\/(?![^?]*\/_)(?!_)/

export const astro: Framework = { ...page, variantFor: (path) => (PAGE_FILE.test(path) ? page : component) }
