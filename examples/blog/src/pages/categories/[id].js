// Pragma: revalidate 120 tags posts
import { escape } from '../../layout.js'
import { queryCategory, queryCategoryPosts } from '../../server/posts.js'

export async function loader({ params }) {
  const category = await queryCategory(Number(params.id))
  const posts = category ? await queryCategoryPosts(category.id) : []
  return { category, posts, renderedAt: new Date().toISOString() }
}

export const title = (data) => data.category?.name ?? 'Not found'

export const found = (data) => data.category !== null

export function render({ category, posts, renderedAt }) {
  if (!category) return '<h1>Not found</h1>'
  const items = posts.map((post) => `<li data-slug="${escape(post.slug)}"><a href="/posts/${escape(post.slug)}">${escape(post.title)}</a></li>`).join('')
  return `<h1>${escape(category.name)}</h1><ul class="posts" data-list="category">${items || '<li class="muted">No posts yet.</li>'}</ul><p class="muted small">Tagged <code>posts</code>: <code>invalidateTag('posts')</code> reaches this page. Data loaded at <time data-rendered-at>${renderedAt}</time></p>`
}
