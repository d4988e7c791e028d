// Server entry: finds the page for a URL, runs its (cached) loader and renders it in the layout.
// A page may export `found(data)`; false makes the response a 404.
import { layout } from './layout.js'
import * as aboutPage from './pages/about.js'
import * as categoryPage from './pages/categories/[id].js'
import * as dashboardPage from './pages/dashboard.js'
import * as editorPage from './pages/editor.js'
import * as homePage from './pages/index.js'
import * as postPage from './pages/posts/[slug].js'
import { advanceClock, testClockEnabled, trackCache } from './server/cache-state.js'

export { createPost, deletePost, getPost, InvalidPost, listPosts, postsInCategory, updatePost } from './server/posts.js'
export { advanceClock, testClockEnabled }
export { queriesRun } from './server/db.js'

const ROUTES = [
  [/^\/$/, homePage, () => ({})],
  [/^\/posts\/new$/, editorPage, () => ({})],
  [/^\/posts\/([^/]+)\/edit$/, editorPage, (match) => ({ slug: decodeURIComponent(match[1]) })],
  [/^\/posts\/([^/]+)$/, postPage, (match) => ({ slug: decodeURIComponent(match[1]) })],
  [/^\/categories\/(\d+)$/, categoryPage, (match) => ({ id: match[1] })],
  [/^\/dashboard$/, dashboardPage, () => ({})],
  [/^\/about$/, aboutPage, () => ({})],
]

/** Renders the page for `request`, or returns null when no page matches its path. */
export async function render(request) {
  const { pathname } = new URL(request.url)
  for (const [pattern, page, paramsOf] of ROUTES) {
    const match = pattern.exec(pathname)
    if (!match) continue
    const params = paramsOf(match)
    const { result: data, cache } = await trackCache(() => page.loader({ request, params }))
    const title = typeof page.title === 'function' ? page.title(data) : page.title
    const status = page.found?.(data) === false ? 404 : 200
    return { status, cache, ...layout({ title, body: page.render(data), cache }) }
  }
  return null
}
