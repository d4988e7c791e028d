// The Astro blog over HTTP, built and served as `npm start` does: what each request gets, header by
// header, and what each write drops from the cache (and what it leaves cached).
import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it } from 'vitest'
import { useAstroBlog } from './astro-blog.js'

const blog = useAstroBlog('http')

async function visit(path: string) {
  const response = await fetch(`${blog.origin}${path}`)
  const html = await response.text()
  return { status: response.status, state: response.headers.get('x-revalidate'), age: Number(response.headers.get('x-revalidate-age')), badge: /data-cache-state="(\w+)"/.exec(html)?.[1], html }
}

/** Visits `path` until it is served fresh from the cache (after a STALE read, its refresh has to end). */
async function warm(path: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await visit(path)).state === 'HIT') return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`${path} was never a HIT`)
}

/** Posts `fields` as the page's script does (asking for JSON), or as a browser without JavaScript. */
const submit = (path: string, fields: Record<string, string>, { json = true } = {}) =>
  fetch(`${blog.origin}${path}`, {
    method: 'POST',
    headers: { origin: blog.origin, ...(json ? { accept: 'application/json' } : {}) },
    body: new URLSearchParams(fields),
    redirect: 'manual',
  })

async function advanceClock(seconds: number): Promise<void> {
  const response = await fetch(`${blog.origin}/test-api/clock?advance=${seconds}`, { method: 'POST', headers: { origin: blog.origin } })
  expect(response.status).toBe(204)
}

/** Writes straight into SQLite, so nothing is invalidated: only the ttl can show it. */
function behindTheCachesBack(sql: string, ...values: string[]): void {
  const db = new DatabaseSync(blog.dbPath)
  db.prepare(sql).run(...values)
  db.close()
}

describe('the Astro blog over HTTP', () => {
  it('serves the list (cached by hand) as MISS, then HIT; the badge says what the header says', async () => {
    const first = await visit('/')
    expect(first).toMatchObject({ status: 200, state: 'MISS', badge: 'MISS' })
    expect(first.html).toContain('Why stale is often fine')
    expect(first.html).toContain('title="posts:all"')
    const second = await visit('/')
    expect(second).toMatchObject({ state: 'HIT', badge: 'HIT' })
    expect(second.html).toContain('HIT · age 0s')
  })

  it('serves a post page (the pragma) as MISS, then HIT; an unknown post is a 404, cached as well', async () => {
    const first = await visit('/posts/why-stale-is-often-fine')
    expect(first).toMatchObject({ status: 200, state: 'MISS', badge: 'MISS' })
    expect(first.html).toContain('title="page:/posts/why-stale-is-often-fine#')
    const second = await visit('/posts/why-stale-is-often-fine')
    expect(second).toMatchObject({ state: 'HIT', badge: 'HIT' })
    // The data, loadedAt included, came from the cache.
    expect(/data-loaded-at>([^<]+)</.exec(second.html)?.[1]).toBe(/data-loaded-at>([^<]+)</.exec(first.html)?.[1])
    expect(await visit('/posts/no-such-post')).toMatchObject({ status: 404, state: 'MISS', badge: 'MISS' })
    expect(await visit('/posts/no-such-post')).toMatchObject({ status: 404, state: 'HIT', badge: 'HIT' })
    expect(await visit('/posts/new')).toMatchObject({ status: 200, state: null, badge: 'NONE' })
  })

  it('after the ttl: STALE at once with the old data, then the refreshed data (the list at 60 s, a post at 300 s)', async () => {
    await warm('/')
    await warm('/posts/caching-page-data-with-one-line')
    behindTheCachesBack("INSERT INTO posts (slug, title, body) VALUES ('behind', 'Written behind the cache', 'Straight into SQLite.')")
    behindTheCachesBack("UPDATE posts SET title = 'Renamed behind the cache' WHERE slug = 'caching-page-data-with-one-line'")
    expect((await visit('/')).html).not.toContain('Written behind the cache')

    await advanceClock(61)
    const staleList = await visit('/')
    expect(staleList).toMatchObject({ state: 'STALE', badge: 'STALE' })
    expect(staleList.age).toBeGreaterThanOrEqual(61)
    expect(staleList.html).not.toContain('Written behind the cache')
    expect((await visit('/posts/caching-page-data-with-one-line')).state).toBe('HIT') // 300 s: still fresh
    await warm('/')
    expect((await visit('/')).html).toContain('Written behind the cache')

    await advanceClock(240)
    const stalePost = await visit('/posts/caching-page-data-with-one-line')
    expect(stalePost).toMatchObject({ state: 'STALE', badge: 'STALE' })
    expect(stalePost.html).toContain('<h1>Caching page data with one line</h1>')
    await warm('/posts/caching-page-data-with-one-line')
    expect((await visit('/posts/caching-page-data-with-one-line')).html).toContain('<h1>Renamed behind the cache</h1>')
  })

  it('a create drops the list and the new post’s page (a cached 404 until then), and leaves the other posts cached', async () => {
    await warm('/posts/fresh-from-a-form')
    expect((await visit('/posts/fresh-from-a-form')).status).toBe(404)
    await warm('/')
    await warm('/posts/why-stale-is-often-fine')

    const created = await submit('/api/posts', { title: 'Fresh from a form', body: 'Hello from the test.' })
    expect(created.status).toBe(201)
    expect(await created.json()).toEqual({ slug: 'fresh-from-a-form' })

    const page = await visit('/posts/fresh-from-a-form')
    expect(page).toMatchObject({ status: 200, state: 'MISS' })
    expect(page.html).toContain('Hello from the test.')
    const list = await visit('/')
    expect(list.state).toBe('MISS')
    expect(list.html).toContain('Fresh from a form')
    expect((await visit('/posts/why-stale-is-often-fine')).state).toBe('HIT')
  })

  it('an update drops its post’s page and the list, and leaves the other posts cached', async () => {
    for (const path of ['/', '/posts/invalidate-what-you-changed', '/posts/why-stale-is-often-fine']) await warm(path)
    const updated = await submit('/api/posts/invalidate-what-you-changed', { intent: 'update', title: 'Invalidate what you change', body: 'Edited.' })
    expect(updated.status).toBe(200)

    const page = await visit('/posts/invalidate-what-you-changed')
    expect(page.state).toBe('MISS')
    expect(page.html).toContain('<h1>Invalidate what you change</h1>')
    const list = await visit('/')
    expect(list.state).toBe('MISS')
    expect(list.html).toContain('Invalidate what you change')
    expect((await visit('/posts/why-stale-is-often-fine')).state).toBe('HIT')
  })

  it('a delete drops its post’s page (a 404 now) and the list, and leaves the other posts cached', async () => {
    expect((await submit('/api/posts', { title: 'Short-lived', body: 'Gone soon.' })).status).toBe(201)
    for (const path of ['/', '/posts/short-lived', '/posts/why-stale-is-often-fine']) await warm(path)
    expect((await submit('/api/posts/short-lived', { intent: 'delete' })).status).toBe(200)

    expect(await visit('/posts/short-lived')).toMatchObject({ status: 404, state: 'MISS' })
    const list = await visit('/')
    expect(list.state).toBe('MISS')
    expect(list.html).not.toContain('Short-lived')
    expect((await visit('/posts/why-stale-is-often-fine')).state).toBe('HIT')
    const again = await submit('/api/posts/short-lived', { intent: 'delete' })
    expect(again.status).toBe(404)
    expect(await again.json()).toEqual({ error: 'there is no post "short-lived"' })
  })

  it('restoring the sample posts drops every entry tagged posts: the list and every post page', async () => {
    const paths = ['/', '/posts/why-stale-is-often-fine', '/posts/islands-cache-too', '/posts/fresh-from-a-form']
    for (const path of paths) await warm(path)
    expect((await submit('/api/restore', {})).status).toBe(200)
    for (const path of paths) expect((await visit(path)).state, path).toBe('MISS')
    expect((await visit('/posts/fresh-from-a-form')).status).toBe(404)
    const slugs = [...(await visit('/')).html.matchAll(/<li data-slug="([^"]+)"/g)].map((match) => match[1])
    expect(slugs).toEqual(['islands-cache-too', 'invalidate-what-you-changed', 'why-stale-is-often-fine', 'caching-page-data-with-one-line'])
  })

  it('GET /api/posts (what the island fetches) reads the list’s entry', async () => {
    await warm('/')
    const response = await fetch(`${blog.origin}/api/posts`)
    expect(response.headers.get('x-revalidate')).toBe('HIT')
    const posts = (await response.json()) as { slug: string }[]
    expect(posts.map((post) => post.slug)).toContain('islands-cache-too')
  })

  it('forms posted without JavaScript redirect; bad input is an error that says what is wrong, and changes nothing', async () => {
    const created = await submit('/api/posts', { title: 'New', body: 'No JavaScript here.' }, { json: false })
    expect(created.status).toBe(303)
    expect(created.headers.get('location')).toBe('/posts/new-2') // /posts/new is the editor
    expect((await visit('/posts/new-2')).html).toContain('No JavaScript here.')
    const deleted = await submit('/api/posts/new-2', { intent: 'delete' }, { json: false })
    expect(deleted.headers.get('location')).toBe('/')

    const untitled = await submit('/api/posts', { title: ' ', body: 'x' }, { json: false })
    expect(untitled.status).toBe(400)
    expect(await untitled.text()).toBe('title is required')
    const bodiless = await submit('/api/posts', { title: 'x' })
    expect(await bodiless.json()).toEqual({ error: 'body is required' })
    const noIntent = await submit('/api/posts/why-stale-is-often-fine', { title: 'x', body: 'y' })
    expect(noIntent.status).toBe(400)
    expect(await noIntent.json()).toEqual({ error: 'intent must be "update" or "delete"' })
    const json = await fetch(`${blog.origin}/api/posts`, { method: 'POST', headers: { origin: blog.origin, 'content-type': 'application/json' }, body: '{"title":"x","body":"y"}' })
    expect(json.status).toBe(415)
    expect(await json.text()).toMatch(/^send the form's fields as application\/x-www-form-urlencoded or multipart\/form-data, not application\/json/)
    const garbled = await fetch(`${blog.origin}/api/posts`, { method: 'POST', headers: { origin: blog.origin, accept: 'application/json', 'content-type': 'multipart/form-data; boundary=x' }, body: 'not a multipart body' })
    expect(garbled.status).toBe(400)
    expect(((await garbled.json()) as { error: string }).error).toMatch(/^the form could not be read: /)
    expect((await visit('/')).html).not.toMatch(/>x</)
  })
})
