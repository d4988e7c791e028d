// The app's "database" behind server functions: posts in memory, and a count of real loads.
import { createServerFn } from '@tanstack/react-start'

// On globalThis: the server build may carry this module twice (the server functions' chunk and
// the routes'), and the counts must be one.
const state = ((globalThis as { __postsState?: { posts: Map<string, { slug: string; title: string }>; calls: Record<string, number> } }).__postsState ??= {
  posts: new Map([
    ['hello', { slug: 'hello', title: 'Hello' }],
    ['world', { slug: 'world', title: 'World' }],
  ]),
  calls: {},
})
const { posts, calls } = state

async function counted<T>(loader: string, read: () => T): Promise<T> {
  calls[loader] = (calls[loader] ?? 0) + 1
  // A database round trip; the 1-second route's is slow, so its stale readers all answer before it ends.
  await new Promise((resolve) => setTimeout(resolve, loader === 'fast' ? 300 : 30))
  return read()
}

export const listPosts = createServerFn({ method: 'GET' }).handler(() =>
  counted('posts', () => [...posts.values()].map(({ slug, title }) => ({ slug, title }))),
)
export const findPost = createServerFn({ method: 'GET' })
  .validator((slug: string) => slug)
  .handler(({ data }) => counted('post', () => posts.get(data) ?? null))
/** The same post, counted apart: the route with a 1-second ttl. */
export const findFastPost = createServerFn({ method: 'GET' })
  .validator((slug: string) => slug)
  .handler(({ data }) => counted('fast', () => posts.get(data) ?? null))

export const loaderCalls = () => ({ ...calls })
export function renamePost(slug: string, title: string) {
  const post = posts.get(slug)
  if (post) posts.set(slug, { ...post, title })
}
