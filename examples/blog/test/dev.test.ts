// `npm run dev`: Vite's dev server with the plugin wraps pages as production does, and an edit of
// a page's data code is never served what its previous version cached.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BLOG_ROOT, startBlog, type BlogServer } from './blog-server.mjs'

let blog: BlogServer
const PAGE = join(BLOG_ROOT, 'src/pages/categories/[id].js')
const original = readFileSync(PAGE, 'utf8')

beforeAll(async () => {
  blog = await startBlog({ dev: true })
})
afterAll(async () => {
  writeFileSync(PAGE, original)
  await blog?.stop()
})

const state = async (path: string) => {
  const response = await fetch(`${blog.url}${path}`)
  return { state: response.headers.get('x-revalidate'), html: await response.text() }
}

describe('the blog in dev', () => {
  it('serves pragma pages cached (MISS, then HIT), and an edit of the data code is a MISS', async () => {
    expect((await state('/categories/1')).state).toBe('MISS')
    expect((await state('/categories/1')).state).toBe('HIT')
    // The dev server logs each cache event of a compiled page on one line.
    expect(blog.output()).toMatch(/\[revalidate\] MISS page:\/categories\/1\n[\s\S]*\[revalidate\] HIT page:\/categories\/1 age \d+s/)
    writeFileSync(PAGE, original.replace('renderedAt: new Date().toISOString()', "renderedAt: new Date().toISOString(), edited: 'yes'"))
    let after = await state('/categories/1')
    for (let i = 0; i < 50 && after.state === 'HIT'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100)) // the watcher has to see the edit
      after = await state('/categories/1')
    }
    expect(after.state).toBe('MISS') // another version of the data code: the old entry is not read
  })
})
