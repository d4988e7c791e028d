// The page shell: navigation, the cache badge, the posts island, and the page's own content.
const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
const UNSAFE = /[&<>"']/

export const escape = (value) => {
  const text = String(value)
  return UNSAFE.test(text) ? text.replace(/[&<>"']/g, (char) => ENTITIES[char]) : text
}

export function badge(cache) {
  if (!cache?.state) return '<span class="badge badge-none" data-cache-state="NONE" title="not cached">not cached</span>'
  const age = cache.state === 'MISS' ? 'just fetched' : `age ${cache.ageSeconds}s`
  return `<span class="badge badge-${cache.state.toLowerCase()}" data-cache-state="${cache.state}" title="${escape(cache.key)}">${cache.state} · ${age}</span>`
}

export function layout({ title, body, cache }) {
  return {
    head: `<title>${escape(title)} · revalidate blog</title>`,
    html: `
<header>
  <a class="brand" href="/">revalidate blog</a>
  <nav><a href="/">Posts</a> <a href="/categories/1">Engineering</a> <a href="/categories/2">Product</a> <a href="/categories/3">Culture</a> <a href="/dashboard">Dashboard</a> <a href="/about">About</a> <a href="/posts/new">Write</a>${import.meta.env.DEV ? ' <a href="/__revalidate" data-inspector>Cache inspector</a>' : ''}</nav>
  ${badge(cache)}
</header>
<div class="columns">
  <main>${body}</main>
  <aside>
    <h2>Latest (client island)</h2>
    <ul data-island="post-list"><li class="muted">Loading…</li></ul>
    <p class="muted small">Cached in the browser with <code>withRevalidate('posts:all', 60, …)</code>; reloads on post events and across tabs.</p>
  </aside>
</div>`,
  }
}
