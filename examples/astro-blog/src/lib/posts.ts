// The blog's posts: the list cached by hand with withRevalidate, the single post as the pragma page
// loads it (that page's data is cached as a whole under page:/posts/<slug>), and the writes, each
// invalidating exactly the entries that showed what it changed.
import { invalidate, invalidateTag, withRevalidate } from '@revalidate/runtime'
import { query, restoreSeed, slugify } from './db'

export interface Post {
  slug: string
  title: string
  body: string
  updatedAt: string
}

/** The list's key: what the home page and GET /api/posts read, and every write drops. */
export const POSTS_KEY = 'posts:all'
/** On the list and on every post page: invalidateTag('posts') reaches them all at once. */
export const POSTS_TAG = 'posts'

const COLUMNS = 'slug, title, body, updated_at AS updatedAt'

export const listPosts = () =>
  withRevalidate(POSTS_KEY, 60, () => query((db) => db.prepare(`SELECT ${COLUMNS} FROM posts ORDER BY id DESC`).all() as unknown as Post[]), { tags: [POSTS_TAG] })

export const findPost = (slug: string) => query((db) => (db.prepare(`SELECT ${COLUMNS} FROM posts WHERE slug = ?`).get(slug) as Post | undefined) ?? null)

/** Paths under /posts/ that are pages of their own, not posts. */
const RESERVED_SLUGS = new Set(['new'])

export interface PostInput {
  title: string
  body: string
}

/** The list, and the post's page: a "not found" page of this slug may be cached too. */
const invalidatePost = (slug: string) => Promise.all([invalidate(POSTS_KEY), invalidate(`page:/posts/${slug}`)])

export async function createPost(input: PostInput): Promise<string> {
  const slug = await query((db) => {
    const taken = (slug: string) => RESERVED_SLUGS.has(slug) || db.prepare('SELECT 1 FROM posts WHERE slug = ?').get(slug) !== undefined
    let candidate = slugify(input.title)
    for (let n = 2; taken(candidate); n++) candidate = `${slugify(input.title)}-${n}`
    db.prepare('INSERT INTO posts (slug, title, body) VALUES (?, ?, ?)').run(candidate, input.title, input.body)
    return candidate
  })
  await invalidatePost(slug)
  return slug
}

/** False when there is no such post. */
export async function updatePost(slug: string, input: PostInput): Promise<boolean> {
  const { changes } = await query((db) =>
    db.prepare("UPDATE posts SET title = ?, body = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE slug = ?").run(input.title, input.body, slug),
  )
  if (Number(changes) === 0) return false
  await invalidatePost(slug)
  return true
}

/** False when there is no such post. */
export async function deletePost(slug: string): Promise<boolean> {
  const { changes } = await query((db) => db.prepare('DELETE FROM posts WHERE slug = ?').run(slug))
  if (Number(changes) === 0) return false
  await invalidatePost(slug)
  return true
}

/** Back to the sample posts: every post may have changed, so every entry tagged `posts` goes. */
export async function restoreSamplePosts(): Promise<void> {
  await query((db) => restoreSeed(db))
  await invalidateTag(POSTS_TAG)
}
