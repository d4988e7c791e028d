// The posts island: lists the latest posts with withRevalidate('posts:all') in the browser. The
// cache lives in Cache Storage (entry-client.js configures it), so a reload or another tab of
// the site reads it without a fetch, and the badge under the list says HIT, STALE or MISS.
// The island renders again when posts change: in this tab after the editor saves (a DOM event),
// and in every other tab when the cache tells it of that tab's invalidation.
import { invalidateTag, withRevalidate } from '@revalidate/runtime'

export const POST_EVENTS = ['post-created', 'post-updated', 'post-deleted']
const KEY = 'posts:all'
/** Every cached read and fetch of posts (the island's key, the service worker's /api/posts*) carries it. */
const TAG = 'posts'

/** What the cache said about the island's last read, for its badge. */
let lastRead = { state: 'MISS', ageSeconds: 0 }
/** The mounted islands' render functions. */
const renders = new Set()

const loadPosts = () =>
  withRevalidate(
    KEY,
    60,
    async ({ signal }) => {
      const response = await fetch('/api/posts', { signal })
      if (!response.ok) throw new Error(`GET /api/posts: ${response.status}`)
      return response.json()
    },
    { tags: [TAG] },
  )

/** The cache's onEvent (see entry-client.js): badge states, and other tabs' invalidations. */
export function onCacheEvent(event) {
  if (event.key === KEY && (event.type === 'hit' || event.type === 'stale')) lastRead = { state: event.type.toUpperCase(), ageSeconds: Math.floor(event.age / 1000) }
  else if (event.key === KEY && event.type === 'miss') lastRead = { state: 'MISS', ageSeconds: 0 }
  else if (event.type === 'invalidate' && event.remote && (event.all || event.tag === TAG || event.key === KEY)) {
    for (const render of renders) render()
  }
}

function escape(text) {
  const span = document.createElement('span')
  span.textContent = text
  return span.innerHTML
}

function showCacheState(badge) {
  const { state, ageSeconds } = lastRead
  badge.className = `badge badge-${state.toLowerCase()}`
  badge.dataset.islandCache = state
  badge.textContent = state === 'MISS' ? 'MISS · just fetched' : `${state} · age ${ageSeconds}s`
}

async function renderInto(list, badge) {
  try {
    const posts = await loadPosts()
    showCacheState(badge)
    list.innerHTML = posts.slice(0, 8).map((post) => `<li data-slug="${escape(post.slug)}"><a href="/posts/${escape(post.slug)}">${escape(post.title)}</a></li>`).join('') || '<li class="muted">No posts.</li>'
  } catch (error) {
    list.innerHTML = `<li class="error">${escape(error.message)}</li>`
  }
  list.dataset.loaded = String(Number(list.dataset.loaded ?? 0) + 1)
}

/** Tells this tab's islands that posts changed (the cache tells the other tabs). */
export function announce(type, slug) {
  window.dispatchEvent(new CustomEvent(type, { detail: { slug } }))
}

export function mountPostList(list) {
  const caption = document.createElement('p')
  caption.className = 'small island-cache'
  caption.innerHTML = '<code>posts:all</code> in this browser: '
  const badge = caption.appendChild(document.createElement('span'))
  list.after(caption)
  const render = () => renderInto(list, badge)
  renders.add(render)
  for (const type of POST_EVENTS) {
    window.addEventListener(type, async () => {
      await invalidateTag(TAG) // this tab, every other tab, and the service worker's /api/posts
      await render()
    })
  }
  return render()
}
