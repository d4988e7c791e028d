// The browser's side of the blog: the post list cached with withRevalidate in Cache Storage, which
// every tab of the site shares and a reload keeps. A write announces itself with a window event
// (post-created, post-updated, post-deleted, posts-restored) after dropping the list from this
// cache; the other tabs hear of that drop from the cache itself.
import { cacheStorageStore, configure, invalidate, withRevalidate } from '@revalidate/runtime/browser'

const POSTS_KEY = 'posts:all'
export const POST_EVENTS = ['post-created', 'post-updated', 'post-deleted', 'posts-restored'] as const
export type PostEvent = (typeof POST_EVENTS)[number]

export interface PostSummary {
  slug: string
  title: string
}

type State = 'HIT' | 'STALE' | 'MISS'
let last: { state: State; ageSeconds: number } = { state: 'MISS', ageSeconds: 0 }
const changeListeners = new Set<() => void>()

configure({
  store: cacheStorageStore(),
  onEvent(event) {
    if ((event.type === 'hit' || event.type === 'stale') && event.key === POSTS_KEY) last = { state: event.type === 'hit' ? 'HIT' : 'STALE', ageSeconds: Math.floor(event.age / 1000) }
    else if (event.type === 'miss' && event.key === POSTS_KEY) last = { state: 'MISS', ageSeconds: 0 }
    // Another tab dropped the list: show the new one here too.
    else if (event.type === 'invalidate' && event.remote && (event.all || event.key === POSTS_KEY)) for (const listener of changeListeners) listener()
  },
})

/** The posts, newest first: from this browser's cache for 60 seconds, then stale while one refresh runs. */
export const listPosts = () =>
  withRevalidate(POSTS_KEY, 60, async ({ signal }): Promise<PostSummary[]> => {
    const response = await fetch('/api/posts', { signal })
    if (!response.ok) throw new Error(`GET /api/posts answered ${response.status}`)
    return response.json()
  })

/** What the cache did for the last read of the list. */
export const lastRead = () => last

/** Calls `listener` whenever the posts changed, in this tab or another; returns what stops it. */
export function onPostsChanged(listener: () => void): () => void {
  changeListeners.add(listener)
  for (const type of POST_EVENTS) window.addEventListener(type, listener)
  return () => {
    changeListeners.delete(listener)
    for (const type of POST_EVENTS) window.removeEventListener(type, listener)
  }
}

/** After a write: drops the list from this browser's cache, then tells this tab's islands. */
export async function announce(type: PostEvent, slug: string | undefined): Promise<void> {
  await invalidate(POSTS_KEY)
  window.dispatchEvent(new CustomEvent(type, { detail: { slug } }))
}
