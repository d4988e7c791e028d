/**
 * The route of a page file, from its path below the routes folder:
 *
 *   src/routes/index.tsx                  -> /
 *   src/pages/posts/[slug].tsx            -> /posts/[slug]
 *   app/(blog)/posts/[slug]/page.tsx      -> /posts/[slug]        (Next.js app router)
 *   src/routes/posts/[slug]/+page.server.ts -> /posts/[slug]      (SvelteKit)
 *   app/routes/posts.$slug.tsx            -> /posts/:slug         (Remix flat routes)
 *
 * The grammar of those routes, for everything that matches or fills them, is the runtime's
 * (@revalidate/runtime/internal/route-pattern).
 */
import type { ResolvedOptions } from './options.js'

const FILE_ONLY_SEGMENTS = /^(index|page|_index|\+page|\+page\.server|\+layout|\+layout\.server|route)$/

/**
 * The file path of a module id: without the query or hash a bundler adds
 * (`route.tsx?__react-router-build-client-route`, `page.astro?astro&type=style`), with `/`.
 */
export function pathOfId(id: string): string {
  return id.replaceAll('\\', '/').replace(/[?#].*$/, '')
}

export function routeFromId(id: string, options: Pick<ResolvedOptions, 'routesDirs' | 'root'>): string {
  const path = pathOfId(id)
  const relative = path.startsWith(`${options.root}/`) ? path.slice(options.root.length + 1) : path
  let below = relative
  for (const dir of options.routesDirs) {
    const at = `/${relative}`.lastIndexOf(`/${dir}/`)
    if (at !== -1) {
      below = relative.slice(at + dir.length + 1)
      break
    }
  }
  const withoutExtension = below.replace(/\.(m?[jt]sx?|astro)$/, '')
  const segments = withoutExtension
    .split('/')
    // React Router and Remix flat routes: `posts.$slug`, `posts._index` (the file name only: a folder may be `sitemap.xml`)
    .flatMap((segment, index, all) => (segment.includes('$') || (index === all.length - 1 && segment.includes('._')) ? segment.split('.') : [segment]))
    .filter((segment) => !FILE_ONLY_SEGMENTS.test(segment) && !/^\(.*\)$/.test(segment) && segment !== '')
    .map((segment) => segment.replace(/^\$(\w+)$/, ':$1'))
  return `/${segments.join('/')}`
}
