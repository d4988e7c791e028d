// Data access for the blog, cached with withRevalidate by hand, and the mutations that
// invalidate what they changed. Keys follow the conventions: posts:all, post:<slug>,
// category:<id>:posts, dashboard:stats, page:<path>.
import { invalidate, invalidateTag, withRevalidate } from '@revalidate/runtime'
import { query, slugify } from './db.js'

const POST_COLUMNS = `p.slug, p.title, p.body, p.category_id AS categoryId, c.name AS category, p.created_at AS createdAt, p.updated_at AS updatedAt`

// Plain queries: what the pragma pages load. A page's data is cached as a whole under page:<path>;
// it does not read the hand-cached keys below, since refreshing the page would then read their
// stale values and keep them for another ttl.
export const queryPosts = () => query((db) => db.prepare(`SELECT ${POST_COLUMNS} FROM posts p JOIN categories c ON c.id = p.category_id ORDER BY p.id DESC`).all())

export const queryPost = (slug) => query((db) => db.prepare(`SELECT ${POST_COLUMNS} FROM posts p JOIN categories c ON c.id = p.category_id WHERE p.slug = ?`).get(slug) ?? null)

export const queryCategory = (id) => query((db) => db.prepare('SELECT id, name FROM categories WHERE id = ?').get(id) ?? null)

export const queryCategoryPosts = (id) => query((db) => db.prepare(`SELECT ${POST_COLUMNS} FROM posts p JOIN categories c ON c.id = p.category_id WHERE p.category_id = ? ORDER BY p.id DESC`).all(id))

export const listCategories = () => query((db) => db.prepare('SELECT id, name FROM categories ORDER BY id').all())

// Cached by hand: what the JSON API (and so the island) and the dashboard read.
export const listPosts = () => withRevalidate('posts:all', 60, queryPosts, { tags: ['posts'] })

export const getPost = (slug) => withRevalidate(`post:${slug}`, 300, () => queryPost(slug), { tags: ['posts'] })

export const postsInCategory = (id) => withRevalidate(`category:${id}:posts`, 120, () => queryCategoryPosts(id), { tags: ['posts', `category:${id}`] })

export const dashboardStats = () =>
  withRevalidate('dashboard:stats', 3600, () =>
    query((db) => ({
      posts: db.prepare('SELECT COUNT(*) AS n FROM posts').get().n,
      byCategory: db.prepare('SELECT c.name, COUNT(p.id) AS posts FROM categories c LEFT JOIN posts p ON p.category_id = c.id GROUP BY c.id ORDER BY c.id').all(),
      latest: db.prepare('SELECT MAX(updated_at) AS at FROM posts').get().at,
      computedAt: new Date(),
    })),
  )

export class InvalidPost extends Error {}

function checked({ title, body, categoryId }) {
  const post = { title: String(title ?? '').trim(), body: String(body ?? '').trim(), categoryId: Number(categoryId) }
  if (!post.title) throw new InvalidPost('title is required')
  if (!post.body) throw new InvalidPost('body is required')
  if (![1, 2, 3].includes(post.categoryId)) throw new InvalidPost('categoryId must be 1, 2 or 3')
  return post
}

/**
 * Everything that showed a post: the list, the post, its category, the dashboard, and their
 * pages; keys together, and the tagged entries through their tag.
 */
async function invalidatePost(slug, categoryIds) {
  await Promise.all([
    invalidate('posts:all'),
    invalidate(`post:${slug}`),
    invalidate('dashboard:stats'),
    invalidate('page:/'),
    invalidate(`page:/posts/${slug}`),
    ...categoryIds.flatMap((id) => [invalidate(`category:${id}:posts`), invalidate(`page:/categories/${id}`)]),
  ])
  await invalidateTag('posts')
}

export async function createPost(input) {
  const post = checked(input)
  const slug = await query((db) => {
    let candidate = slugify(post.title)
    for (let n = 2; db.prepare('SELECT 1 FROM posts WHERE slug = ?').get(candidate); n++) candidate = `${slugify(post.title)}-${n}`
    db.prepare('INSERT INTO posts (slug, title, body, category_id) VALUES (?, ?, ?, ?)').run(candidate, post.title, post.body, post.categoryId)
    return candidate
  })
  await invalidatePost(slug, [post.categoryId])
  return slug
}

export async function updatePost(slug, input) {
  const post = checked(input)
  const before = await query((db) => db.prepare('SELECT category_id AS categoryId FROM posts WHERE slug = ?').get(slug))
  if (!before) return false
  await query((db) =>
    db.prepare("UPDATE posts SET title = ?, body = ?, category_id = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE slug = ?").run(post.title, post.body, post.categoryId, slug),
  )
  await invalidatePost(slug, [...new Set([before.categoryId, post.categoryId])])
  return true
}

export async function deletePost(slug) {
  const before = await query((db) => db.prepare('SELECT category_id AS categoryId FROM posts WHERE slug = ?').get(slug))
  if (!before) return false
  await query((db) => db.prepare('DELETE FROM posts WHERE slug = ?').run(slug))
  await invalidatePost(slug, [before.categoryId])
  return true
}
