// The app's "database": posts in memory and a count of real loads, on globalThis so that every
// route's bundle in the server process sees the same.
interface State {
  posts: Map<string, string>
  calls: Record<string, number>
}
const state = ((globalThis as { __revalidatePosts?: State }).__revalidatePosts ??= {
  posts: new Map([
    ['hello', 'Hello'],
    ['world', 'World'],
  ]),
  calls: {},
})

export async function titleOf(slug: string, loader: string): Promise<string | undefined> {
  state.calls[loader] = (state.calls[loader] ?? 0) + 1
  return state.posts.get(slug)
}

export const slugs = () => [...state.posts.keys()]
export const loaderCalls = () => ({ ...state.calls })
export function renamePost(slug: string, title: string) {
  if (state.posts.has(slug)) state.posts.set(slug, title)
}
