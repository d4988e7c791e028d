/**
 * What a build prints about the pragma, the same in every host (Vite, Next.js):
 *
 *   [revalidate] 3 cached page(s) in ssr:
 *     /posts/[slug]                    60s      node
 *     src/layouts/Posts.astro          60s      node (a component: cached for each page that renders it)
 *
 *   [revalidate] [RV401] A `# Pragma:` line is not JavaScript: tsc, editors, ESLint and Prettier reject it.
 *   Write `// Pragma: revalidate <ttl>` instead in: app/routes/post.tsx, app/routes/posts.tsx. See: ...#rv401
 */
import { warningLine } from './diagnostics.js'


/** A cached page as the summary lists it: by its route, or by its file for a component. */
export interface SummaryEntry {
  route: string
  ttl: number
  /** Where and how it is cached: `node`, `Next.js ISR (route segment config)`, ... */
  how: string
  /** The file of a component that pages render (not a route of its own). */
  component?: string
}

/** The summary's lines, sorted by route; `title` says what they are and where. */
export function cachedPagesSummary(title: string, entries: readonly SummaryEntry[]): string {
  const lines = [...entries]
    .sort((a, b) => (a.component ?? a.route).localeCompare(b.component ?? b.route))
    .map((entry) => {
      const name = entry.component ?? entry.route
      const how = entry.component === undefined ? entry.how : `${entry.how} (a component: cached for each page that renders it)`
      return `  ${name.padEnd(32)} ${`${entry.ttl}s`.padEnd(8)} ${how}`
    })
  return `\n[revalidate] ${entries.length} ${title}:\n${lines.join('\n')}`
}

/** Files of JavaScript or TypeScript, where a `#` line is not the language (an .astro frontmatter is TypeScript). */
const SCRIPT_FILE = /\.([mc]?[jt]sx?|astro)$/

/** The one warning of a build about `# Pragma:` lines in script files, or undefined when there are none. */
export function hashPragmaWarning(files: Iterable<string>): string | undefined {
  const scripts = [...new Set(files)].filter((file) => SCRIPT_FILE.test(file)).sort()
  if (scripts.length === 0) return undefined
  return warningLine('RV401', `A \`# Pragma:\` line is not JavaScript: tsc, editors, ESLint and Prettier reject it. Write \`// Pragma: revalidate <ttl>\` instead in: ${scripts.join(', ')}.`)
}
