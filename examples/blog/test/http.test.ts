// HTTP tests against the built blog: what a visitor's requests get, header by header.
import { DatabaseSync } from 'node:sqlite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBlog, type BlogServer } from './blog-server.mjs'

let blog: BlogServer

beforeAll(async () => {
  blog = await startBlog()
})
afterAll(() => blog?.stop())

async function get(path: string) {
  const response = await fetch(`${blog.url}${path}`)
  const html = await response.text()
  return { status: response.status, state: response.headers.get('x-revalidate'), html, badge: /data-cache-state="(\w+)"/.exec(html)?.[1] }
}

const api = (method: string, path: string, body?: object) =>
  fetch(`${blog.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) })

/** A write that bypasses the app, so nothing is invalidated: only the ttl can show it. */
function insertBehindTheCachesBack(title: string) {
  const db = new DatabaseSync(blog.dbPath)
  db.prepare('INSERT INTO posts (slug, title, body, category_id) VALUES (?, ?, ?, 1)').run(title.toLowerCase().replaceAll(' ', '-'), title, 'Written straight into SQLite.')
  db.close()
}

describe('the blog over HTTP', () => {
  it('says at start-up how to run the other demo, the Astro blog', () => {
    expect(blog.output()).toContain('The Astro blog: npm run start:astro')
  })

  it('serves a pragma page as MISS, then HIT; the badge says the same as the header', async () => {
    const first = await get('/')
    expect(first).toMatchObject({ status: 200, state: 'MISS', badge: 'MISS' })
    expect(first.html).toContain('Caching page data with one line')
    const second = await get('/')
    expect(second).toMatchObject({ state: 'HIT', badge: 'HIT' })
    expect(second.html).toBe(first.html.replace(/MISS · just fetched/, 'HIT · age 0s').replace('data-cache-state="MISS"', 'data-cache-state="HIT"').replace('badge-miss', 'badge-hit'))
  })

  it('after the ttl: STALE at once with the old data, then the refreshed data', async () => {
    await get('/')
    insertBehindTheCachesBack('Written behind the cache')
    expect((await get('/')).html).not.toContain('Written behind the cache') // cached, and nothing invalidated it
    await api('POST', '/__test/clock?advance=61')
    const stale = await get('/')
    expect(stale.state).toBe('STALE')
    expect(stale.html).not.toContain('Written behind the cache')
    let refreshed = await get('/')
    for (let i = 0; i < 50 && !refreshed.html.includes('Written behind the cache'); i++) refreshed = await get('/')
    expect(refreshed.state).toBe('HIT')
    expect(refreshed.html).toContain('Written behind the cache')
  })

  it('a mutation makes the affected pages fresh on the next request and leaves unrelated ones cached', async () => {
    for (const path of ['/', '/categories/2', '/posts/a-week-at-the-edge', '/dashboard']) await get(path)
    expect((await get('/posts/a-week-at-the-edge')).state).toBe('HIT')
    const created = await api('POST', '/api/posts', { title: 'Fresh from the API', body: 'Hello.', categoryId: 2 })
    expect(created.status).toBe(201)
    const { slug } = (await created.json()) as { slug: string }
    expect(slug).toBe('fresh-from-the-api')

    const list = await get('/')
    expect(list.state).toBe('MISS')
    expect(list.html).toContain('Fresh from the API')
    const category = await get('/categories/2')
    expect(category.state).toBe('MISS')
    expect(category.html).toContain('Fresh from the API')
    expect((await get('/dashboard')).state).toBe('MISS')
    expect((await get('/posts/a-week-at-the-edge')).state).toBe('HIT') // unrelated: still cached
  })

  it('update and delete invalidate the post page, the list and the category', async () => {
    const { slug } = (await (await api('POST', '/api/posts', { title: 'Draft title', body: 'v1', categoryId: 3 })).json()) as { slug: string }
    expect((await get(`/posts/${slug}`)).state).toBe('MISS')
    expect((await get(`/posts/${slug}`)).state).toBe('HIT')
    expect((await api('PUT', `/api/posts/${slug}`, { title: 'Final title', body: 'v2', categoryId: 1 })).status).toBe(200)
    const updated = await get(`/posts/${slug}`)
    expect(updated).toMatchObject({ state: 'MISS' })
    expect(updated.html).toContain('Final title')
    expect((await get('/categories/1')).html).toContain('Final title')
    expect((await get('/categories/3')).html).not.toContain('Final title')

    expect((await api('DELETE', `/api/posts/${slug}`)).status).toBe(204)
    expect((await get(`/posts/${slug}`)).status).toBe(404)
    expect((await get('/')).html).not.toContain('Final title')
    expect((await api('DELETE', `/api/posts/${slug}`)).status).toBe(404)
  })

  it('plain form posts work without JavaScript, and bad input is a 400 that says what is wrong', async () => {
    const response = await fetch(`${blog.url}/posts`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ title: 'From a form', body: 'No JS here.', categoryId: '1' }),
      redirect: 'manual',
    })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/posts/from-a-form')
    expect((await get('/posts/from-a-form')).html).toContain('No JS here.')
    const bad = await api('POST', '/api/posts', { title: '', body: 'x', categoryId: 1 })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({ error: 'title is required' })
  })

  it('the dashboard is cached by hand under dashboard:stats', async () => {
    await api('POST', '/api/posts', { title: 'Counted', body: 'x', categoryId: 1 })
    const first = await get('/dashboard')
    expect(first.state).toBe('MISS')
    expect(first.html).toContain('title="dashboard:stats"')
    expect((await get('/dashboard')).state).toBe('HIT')
  })
})
