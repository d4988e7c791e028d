// The framework apps' "database": posts in memory, and a count of how often each loader really
// loaded (what the contract checks). Each app re-exports it from its own server module.

interface Post {
  slug: string
  title: string
}

// On globalThis: a server build may carry this module twice (TanStack's server functions' chunk
// and its routes'), and the counts must be one.
const state = ((globalThis as { __frameworkPosts?: { posts: Map<string, Post>; calls: Record<string, number> } }).__frameworkPosts ??= {
  posts: new Map([
    ['hello', { slug: 'hello', title: 'Hello' }],
    ['world', { slug: 'world', title: 'World' }],
  ]),
  calls: {},
})

async function counted<T>(loader: string, read: () => T): Promise<T> {
  state.calls[loader] = (state.calls[loader] ?? 0) + 1
  // A database round trip; the 1-second route's is slow, so its stale readers all answer before it ends.
  await new Promise((resolve) => setTimeout(resolve, loader === 'fast' ? 300 : 30))
  return read()
}

export const listPosts = () => counted('posts', () => [...state.posts.values()].map(({ slug, title }) => ({ slug, title })))
export const findPost = (slug: string) => counted('post', () => state.posts.get(slug) ?? null)
/** The same post, counted apart: the route with a 1-second ttl. */
export const findFastPost = (slug: string) => counted('fast', () => state.posts.get(slug) ?? null)
/** The same post, counted apart: what the function cached with a pragma (`getSharedPost`) loads. */
export const findSharedPost = (slug: string) => counted('shared', () => state.posts.get(slug) ?? null)
export const loaderCalls = () => ({ ...state.calls })

export function renamePost(slug: string, title: string) {
  const post = state.posts.get(slug)
  if (post) state.posts.set(slug, { ...post, title })
}
