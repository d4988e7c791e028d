// The posts island: lists the latest posts in the browser, cached there with withRevalidate, and
// reloads when a post is created, updated or deleted, in this tab or another of the same site.
import { invalidate, withRevalidate } from '@revalidate/runtime'

export const POST_EVENTS = ['post-created', 'post-updated', 'post-deleted']
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('revalidate-blog') : null

const loadPosts = () =>
  withRevalidate('posts:all', 60, async () => {
    const response = await fetch('/api/posts')
    if (!response.ok) throw new Error(`GET /api/posts: ${response.status}`)
    return response.json()
  })

function escape(text) {
  const span = document.createElement('span')
  span.textContent = text
  return span.innerHTML
}

async function renderInto(list) {
  try {
    const posts = await loadPosts()
    list.innerHTML = posts.slice(0, 8).map((post) => `<li data-slug="${escape(post.slug)}"><a href="/posts/${escape(post.slug)}">${escape(post.title)}</a></li>`).join('') || '<li class="muted">No posts.</li>'
  } catch (error) {
    list.innerHTML = `<li class="error">${escape(error.message)}</li>`
  }
  list.dataset.loaded = String(Number(list.dataset.loaded ?? 0) + 1)
}

/** Tells this tab (a DOM event) and the others (BroadcastChannel) that posts changed. */
export function announce(type, slug) {
  window.dispatchEvent(new CustomEvent(type, { detail: { slug } }))
  channel?.postMessage({ type, slug })
}

export function mountPostList(list) {
  const reload = async () => {
    await invalidate('posts:all')
    await renderInto(list)
  }
  for (const type of POST_EVENTS) window.addEventListener(type, reload)
  channel?.addEventListener('message', (message) => POST_EVENTS.includes(message.data?.type) && reload())
  return renderInto(list)
}
