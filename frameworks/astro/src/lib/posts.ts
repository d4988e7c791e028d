// The app's "database": posts in memory, and a count of how often each frontmatter really loaded.
const posts = new Map([
  ['hello', { slug: 'hello', title: 'Hello' }],
  ['world', { slug: 'world', title: 'World' }],
])
const calls: Record<string, number> = {}

async function counted<T>(loader: string, read: () => T): Promise<T> {
  calls[loader] = (calls[loader] ?? 0) + 1
  // A database round trip; the 1-second route's is slow, so its stale readers all answer before it ends.
  await new Promise((resolve) => setTimeout(resolve, loader === 'fast' ? 300 : 30))
  return read()
}

export const listPosts = () => counted('posts', () => [...posts.values()].map(({ slug, title }) => ({ slug, title })))
export const findPost = (slug: string) => counted('post', () => posts.get(slug) ?? null)
/** The same post, counted apart: the page with a 1-second ttl. */
export const findFastPost = (slug: string) => counted('fast', () => posts.get(slug) ?? null)
export const loaderCalls = () => ({ ...calls })

export function renamePost(slug: string, title: string) {
  const post = posts.get(slug)
  if (post) posts.set(slug, { ...post, title })
}
