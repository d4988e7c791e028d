// Pragma: revalidate 60
import { escape } from '../layout.js'
import { queryPosts } from '../server/posts.js'

export const title = 'Posts'

export async function loader({ request }) {
  const posts = await queryPosts()
  return { posts, renderedAt: new Date().toISOString(), path: new URL(request.url).pathname }
}

export function render({ posts, renderedAt }) {
  const items = posts
    .map((post) => `<li data-slug="${escape(post.slug)}"><a href="/posts/${escape(post.slug)}">${escape(post.title)}</a> <span class="muted">in <a href="/categories/${post.categoryId}">${escape(post.category)}</a></span></li>`)
    .join('')
  return `<h1>Posts</h1><ul class="posts" data-list="posts">${items}</ul><p class="muted small">Data loaded at <time data-rendered-at>${renderedAt}</time></p>`
}
