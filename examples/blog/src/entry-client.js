// Browser entry: mounts the posts island and lets the editor forms save through the JSON API, so
// the island here and in other tabs hears about the change. Without JavaScript the forms post.
import './styles.css'
import { announce, mountPostList } from './islands/post-list.js'

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
