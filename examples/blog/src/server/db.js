// The blog's SQLite database (Node's built-in node:sqlite: no native build to install), created
// and seeded on first start. Every query waits BLOG_QUERY_LATENCY_MS first, so the effect of
// caching is visible (and measurable).
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { DatabaseSync } from 'node:sqlite'

const DEFAULT_PATH = resolve(import.meta.dirname ?? '.', '../../data/blog.db')
const latencyMs = Number(process.env.BLOG_QUERY_LATENCY_MS ?? 150)

const SEED_CATEGORIES = ['Engineering', 'Product', 'Culture']
const SEED_POSTS = [
  ['Caching page data with one line', 1, 'A pragma at the top of a page turns its loader into stale-while-revalidate cached data.'],
  ['Why stale is often fine', 1, 'Serving a minute-old list at once beats making every visitor wait for the database.'],
  ['Invalidate what you changed', 1, 'After a write, drop the list, the post, its category and its page: related keys together.'],
  ['Shipping the editor', 2, 'Posts can now be written, edited and deleted from the browser.'],
  ['What readers asked for', 2, 'Faster pages, mostly. Here is how we got there.'],
  ['A week at the edge', 3, 'Notes from moving pages closer to readers.'],
]

let database

export function db() {
  if (database) return database
  const path = process.env.BLOG_DB ?? DEFAULT_PATH
  mkdirSync(dirname(path), { recursive: true })
  database = new DatabaseSync(path)
  database.exec('PRAGMA journal_mode = WAL')
  database.exec(`
    CREATE TABLE IF NOT EXISTS categories (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS posts (
      id INTEGER PRIMARY KEY,
      slug TEXT NOT NULL UNIQUE,
      title TEXT NOT NULL,
      body TEXT NOT NULL,
      category_id INTEGER NOT NULL REFERENCES categories(id),
      created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
      updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );`)
  if (database.prepare('SELECT COUNT(*) AS n FROM categories').get().n === 0) seed(database)
  return database
}

function seed(database) {
  const addCategory = database.prepare('INSERT INTO categories (id, name) VALUES (?, ?)')
  const addPost = database.prepare('INSERT INTO posts (slug, title, body, category_id) VALUES (?, ?, ?, ?)')
  database.exec('BEGIN')
  SEED_CATEGORIES.forEach((name, index) => addCategory.run(index + 1, name))
  for (const [title, categoryId, body] of SEED_POSTS) addPost.run(slugify(title), title, body, categoryId)
  database.exec('COMMIT')
}

export function slugify(title) {
  return (
    title
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^\w\s-]/g, '')
      .trim()
      .replace(/[\s_-]+/g, '-') || 'post'
  )
}

let queries = 0

/** How many queries ran: what the tests and benchmarks count as fetcher calls. */
export function queriesRun() {
  return queries
}

/** Runs a query after the configured latency, as a remote database would answer. */
export async function query(run) {
  queries += 1
  if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs))
  return run(db())
}
