/**
 * The list of cached pages a build prints, the same from every host (Vite, Next.js):
 *
 *   [revalidate] 2 cached page(s) in ssr:
 *     /                                60s      node
 *     /posts/[slug]                    300s     node
 */

/** One line per page, sorted by route: the route, its ttl, and how it is cached (`how`). */
export function cachedPagesList<Page extends { route: string; ttl: number }>(pages: Iterable<Page>, how: (page: Page) => string): string {
  return [...pages]
    .sort((a, b) => a.route.localeCompare(b.route))
    .map((page) => `  ${page.route.padEnd(32)} ${`${page.ttl}s`.padEnd(8)} ${how(page)}`)
    .join('\n')
}
