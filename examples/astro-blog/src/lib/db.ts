// The blog's SQLite database (Node's built-in node:sqlite: nothing native to install), created and
// seeded on first use. Every query waits BLOG_QUERY_LATENCY_MS first, as a remote database would
// answer, so what the cache saves shows on every page.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { BLOG_DB, BLOG_QUERY_LATENCY_MS } from 'astro:env/server'

const SEED_POSTS: [title: string, body: string][] = [
  ['Caching page data with one line', 'The first line of a page’s frontmatter, `// Pragma: revalidate 300`, caches what the page loads.'],
  ['Why stale is often fine', 'Serving a minute-old list at once beats making every reader wait for the database.'],
  ['Invalidate what you changed', 'After a write, drop the entries that showed the post: its page and the list. The others stay cached.'],
  ['Islands cache too', 'The sidebar lists posts from the browser’s own cache, shared by every tab of the site.'],
]

let database: DatabaseSync | undefined

function open(): DatabaseSync {
  if (database) return database
  try {
    mkdirSync(dirname(BLOG_DB), { recursive: true })
    const db = new DatabaseSync(BLOG_DB)
    db.exec('PRAGMA journal_mode = WAL')
    db.exec(`CREATE TABLE IF NOT EXISTS posts (
      id INTEGER PRIMARY KEY,
      slug TEXT NOT NULL UNIQUE,
      title TEXT NOT NULL,
      body TEXT NOT NULL,
      updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    )`)
    if ((db.prepare('SELECT COUNT(*) AS n FROM posts').get() as { n: number }).n === 0) restoreSeed(db)
    return (database = db)
  } catch (error) {
    throw new Error(`The blog's database BLOG_DB=${BLOG_DB} cannot be opened: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** Replaces every post with the sample posts, in one transaction. */
export function restoreSeed(db: DatabaseSync): void {
  const insert = db.prepare('INSERT INTO posts (slug, title, body) VALUES (?, ?, ?)')
  db.exec('BEGIN')
  db.exec('DELETE FROM posts')
  for (const [title, body] of SEED_POSTS) insert.run(slugify(title), title, body)
  db.exec('COMMIT')
}

export function slugify(title: string): string {
  const slug = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/[\s_-]+/g, '-')
  return slug || 'post'
}

/** Runs `run` against the database after the configured latency. */
export async function query<T>(run: (db: DatabaseSync) => T): Promise<T> {
  if (BLOG_QUERY_LATENCY_MS > 0) await new Promise((resolve) => setTimeout(resolve, BLOG_QUERY_LATENCY_MS))
  return run(open())
}
