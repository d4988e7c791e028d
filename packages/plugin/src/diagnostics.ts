/**
 * Every diagnostic the plugin can give, by its stable code: the one place a diagnostic is named.
 *
 *   source.error('RV101', start, end, `The ttl "5w" is not a duration.`, 'write ...')
 *   ->  /app/src/routes/posts.ts:1:22: [RV101] The ttl "5w" is not a duration.
 *       Fix: write ...
 *       See: node_modules/@revalidate/plugin/docs/diagnostics.md#rv101
 *
 * A code never changes its meaning once released (tools and searches match it); a retired code
 * is not reused. docs/diagnostics.md has a section per code, under the anchor `#rv101`, with the
 * rule, a page that fails, the fix and the escape hatch; packages/plugin/test/diagnostics.test.ts keeps this table,
 * that page and the fixtures in step. The ranges:
 *
 *   RV1xx  the pragma itself (its grammar and where it is written)
 *   RV2xx  what the cached data reads (per-visitor reads, the query string, the escape hatch)
 *   RV3xx  the page's shape (its loader, its data section, its framework's rules, its syntax)
 *   RV4xx  warnings: the build goes on
 *   RV5xx  a platform's ISR (Vercel, Next.js) that cannot do what the pragma says
 *
 * Adding one: the next free code of its range here, a section in docs/diagnostics.md, and a
 * fixture that produces it (docs/contributing.md, "Adding a diagnostic").
 */

export interface Diagnostic {
  /** What the section of docs/diagnostics.md is called, after its code. */
  title: string
  severity: 'error' | 'warning'
}

const error = (title: string) => ({ title, severity: 'error' }) as const
const warning = (title: string) => ({ title, severity: 'warning' }) as const

export const DIAGNOSTICS = {
  RV101: error('The ttl is not a duration'),
  RV102: error('Unknown pragma option'),
  RV103: error('Unknown pragma keyword'),
  RV104: error('An option given twice, without a value, or with a bad list'),
  RV105: error('Two pragmas'),
  RV106: error('A pragma below the header'),
  RV107: error('A pragma on a later line of a block comment'),
  RV108: error("A pragma above an Astro page's frontmatter"),
  RV109: error('A `#` line without a space'),
  RV110: error('A `#` pragma in a TanStack route file'),
  RV111: error("`query` in a function's pragma"),
  RV112: error('A tag that names no parameter'),

  RV201: error('A per-visitor read'),
  RV202: error("Other loads' data"),
  RV203: error('`Astro.props` in a cached component'),
  RV204: error('The request handed to code the compiler cannot follow'),
  RV205: error('A module that does not parse'),
  RV206: error('A `revalidate-safe` comment without a reason, or misspelt'),
  RV207: error('The query string without query names'),
  RV208: error('A query parameter the pragma does not list'),
  RV209: error('A cached function that takes the request'),
  RV210: error('The query string in a cached function'),
  RV211: error('A cached function that reads `this`'),

  RV301: error('No page data'),
  RV302: error('Not one loader a pragma can wrap'),
  RV303: error('A generator function'),
  RV304: error('The loader returns a Response'),
  RV305: error('An `await` after an early `return`'),
  RV306: error('A declaration outside the cached code that reads its values'),
  RV307: error("`Astro.cache` in a page's cached data"),
  RV308: error('A universal load cached on the server'),
  RV309: error('A kind of file the pragma is not read in'),
  RV310: error('The page does not parse'),
  RV311: error('Code nested too deeply'),
  RV312: error('A pragma on a function that is not exported'),
  RV313: error('A pragma on an export that is not a function'),
  RV314: error('A pragma on a default export'),

  RV401: warning('A `#` pragma in a JavaScript or TypeScript file'),
  RV402: warning('A framework the pragma does not support'),

  RV501: error('The page exports its own `revalidate`'),
  RV502: error('`cacheComponents` rejects route segment config'),
  RV503: error('`getServerSideProps` is never cached'),
  RV504: error("An option Vercel's ISR cannot express"),
  RV505: error('The page exports its own `config`'),
  RV506: error('Next.js would render the route on every request'),
  RV507: error('Next.js: a dynamic route without `generateStaticParams`'),
} as const satisfies Record<`RV${number}`, Diagnostic>

export type DiagnosticCode = keyof typeof DIAGNOSTICS
/** The codes of compile errors (what `SourceText.error` takes). */
export type ErrorCode = { [Code in DiagnosticCode]: (typeof DIAGNOSTICS)[Code]['severity'] extends 'error' ? Code : never }[DiagnosticCode]
export type WarningCode = Exclude<DiagnosticCode, ErrorCode>

/**
 * Where the page of diagnostics is for every user: the copy shipped in the package (the build
 * copies docs/diagnostics.md there), at the path npm installs it, relative to the app's root.
 * Not a hosted URL: none is known to exist.
 */
export const DIAGNOSTICS_PAGE = 'node_modules/@revalidate/plugin/docs/diagnostics.md'

/** The address of a code's own section. */
export const diagnosticLink = (code: DiagnosticCode): string => `${DIAGNOSTICS_PAGE}#${code.toLowerCase()}`

/** A warning's line as the build prints it: the code, the text, where to read more. */
export const warningLine = (code: WarningCode, text: string): string => `[revalidate] [${code}] ${text} See: ${diagnosticLink(code)}`
