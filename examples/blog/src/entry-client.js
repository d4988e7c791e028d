// Browser entry: the browser cache (Cache Storage, shared by the site's tabs and kept across
// reloads) and the service worker, the posts island, and the editor forms saving through the JSON
// API so that the islands here and in other tabs hear about the change. Without JavaScript the
// forms post.
import { cacheStorageStore, configure } from '@revalidate/runtime/browser'
import './styles.css'
import { announce, mountPostList, onCacheEvent } from './islands/post-list.js'

configure({ store: cacheStorageStore(), onEvent: onCacheEvent })

// Only in the production build: Vite's dev server serves modules, not the bundled worker.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js', { type: 'module' }).catch((error) => console.warn('The service worker was not registered:', error))
}

for (const list of document.querySelectorAll('[data-island="post-list"]')) mountPostList(list)

const requests = {
  create: () => ({ method: 'POST', url: '/api/posts', event: 'post-created' }),
  update: (form) => ({ method: 'PUT', url: `/api/posts/${encodeURIComponent(form.dataset.slug)}`, event: 'post-updated' }),
  delete: (form) => ({ method: 'DELETE', url: `/api/posts/${encodeURIComponent(form.dataset.slug)}`, event: 'post-deleted' }),
}

for (const form of document.querySelectorAll('form[data-enhance]')) {
  form.addEventListener('submit', async (submit) => {
    submit.preventDefault()
    const { method, url, event } = requests[form.dataset.enhance](form)
    const fields = Object.fromEntries(new FormData(form))
    const response = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: method === 'DELETE' ? undefined : JSON.stringify(fields) })
    const result = response.status === 204 ? {} : await response.json()
    if (!response.ok) {
      form.querySelector('[role="alert"]')?.replaceChildren(result.error ?? `${response.status}`)
      return
    }
    const slug = result.slug ?? form.dataset.slug
    announce(event, slug)
    form.dataset.saved = slug
    const notice = document.createElement('p')
    notice.className = 'notice'
    notice.dataset.notice = event
    notice.innerHTML = event === 'post-deleted' ? 'Deleted. <a href="/">Back to the posts</a>' : `Saved. <a href="/posts/${encodeURIComponent(slug)}">View the post</a>`
    form.after(notice)
  })
}
