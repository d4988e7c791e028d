// Pragma: revalidate 300
import { escape } from '../../layout.js'
import { queryPost } from '../../server/posts.js'

export async function loader({ params }) {
  const post = await queryPost(params.slug)
  return { post, renderedAt: new Date().toISOString() }
}

export const title = (data) => data.post?.title ?? 'Not found'

export const found = (data) => data.post !== null

export function render({ post, renderedAt }) {
  if (!post) return '<h1>Not found</h1><p>There is no such post. <a href="/">Back to the posts</a></p>'
  return `
<article data-slug="${escape(post.slug)}">
  <h1>${escape(post.title)}</h1>
  <p class="muted">in <a href="/categories/${post.categoryId}">${escape(post.category)}</a> · updated ${escape(post.updatedAt)}</p>
  <p>${escape(post.body)}</p>
</article>
<p class="actions">
  <a href="/posts/${escape(post.slug)}/edit">Edit</a>
  <form method="post" action="/posts/${escape(post.slug)}/delete" data-enhance="delete" data-slug="${escape(post.slug)}"><button type="submit">Delete</button></form>
</p>
<p class="muted small">Data loaded at <time data-rendered-at>${renderedAt}</time></p>`
}
