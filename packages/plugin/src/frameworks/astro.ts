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
 */
import { object, respond, visitor } from '../shapes.js'
import type { Framework } from './types.js'
import { REQUEST, URL_OBJECT } from './web.js'

const ASTRO = object(
  '`Astro`',
  {
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
    redirect: respond('Astro.redirect()', true),
    rewrite: respond('Astro.rewrite()'),
  },
  'visitor',
)

export const astro: Framework = {
  name: 'astro',
  nestedLoaders: true,
  files: /\.astro$/,
  loaderInput: ASTRO,
  pageProps: ASTRO,
  globals: { Astro: ASTRO },
}
