// The form to write or edit a post. Not cached: it shows the post being edited as it is now.
import { escape } from '../layout.js'
import { listCategories } from '../server/posts.js'
import { query } from '../server/db.js'

export const title = (data) => (data.post ? `Edit ${data.post.title}` : 'Write a post')

export const found = (data) => !data.editing || data.post !== null

export async function loader({ params }) {
  const categories = await listCategories()
  const post = params.slug ? await query((db) => db.prepare('SELECT slug, title, body, category_id AS categoryId FROM posts WHERE slug = ?').get(params.slug)) : undefined
  return { categories, post: post ?? null, editing: Boolean(params.slug) }
}

export function render({ categories, post, editing }) {
  if (editing && !post) return '<h1>Not found</h1>'
  const action = post ? `/posts/${escape(post.slug)}/edit` : '/posts'
  const options = categories.map((c) => `<option value="${c.id}" ${post?.categoryId === c.id ? 'selected' : ''}>${escape(c.name)}</option>`).join('')
  return `
<h1>${post ? 'Edit post' : 'Write a post'}</h1>
<form method="post" action="${action}" data-enhance="${post ? 'update' : 'create'}" ${post ? `data-slug="${escape(post.slug)}"` : ''}>
  <label>Title <input name="title" required value="${escape(post?.title ?? '')}"></label>
  <label>Category <select name="categoryId">${options}</select></label>
  <label>Body <textarea name="body" required rows="6">${escape(post?.body ?? '')}</textarea></label>
  <button type="submit">${post ? 'Save' : 'Publish'}</button>
  <p class="error" role="alert"></p>
</form>`
}
