// The `version` a compiled page passes: a hash of its data code and of what that code reaches in
// the module. Editing anything the data is loaded with changes it (so the old entries are never
// read); editing what only the template uses does not (so the cache survives a styling deploy).
import { parse } from '@babel/parser'
import { describe, expect, it } from 'vitest'
import { frameworkNamed } from '../src/frameworks/index.js'
import { transform } from '../src/index.js'
import { findPageData } from '../src/page-data.js'
import { readHeader } from '../src/pragma.js'
import { SourceText } from '../src/errors.js'
import { resolveOptions } from '../src/options.js'
import type { Page } from '../src/page.js'
import { Scopes } from '../src/scopes.js'
import { versionInputs } from '../src/version.js'

function versionOf(code: string, file = 'app/routes/posts.tsx'): string {
  const output = transform(code, `/app/${file}`, { root: '/app', target: 'node' })?.code
  const version = /"version":"([0-9a-f]{12})"/.exec(output ?? '')?.[1]
  if (version === undefined) throw new Error(`no version in the output:\n${output}`)
  return version
}

/** Whether replacing `from` (which must occur in it) with `to` changes the version of `page`. */
function changes(page: string, from: string, to: string, file?: string): boolean {
  expect(page).toContain(from)
  return versionOf(page, file) !== versionOf(page.replace(from, to), file)
}

const LOADER_WITH_HELPERS = `# Pragma: revalidate 60
import { db } from '~/lib/db.server'
import { formatDate } from '~/lib/format'

const PAGE_SIZE = 10
const DATE_STYLE = 'long'

function recent(size = PAGE_SIZE) {
  return db.post.findMany({ take: size, orderBy: { publishedAt: 'desc' } })
}

function label(post) {
  return formatDate(post.publishedAt, DATE_STYLE)
}

export async function loader() {
  return { posts: await recent() }
}

export default function Posts({ loaderData }) {
  return <ul>{loaderData.posts.map((post) => <li key={post.id}>{label(post)}</li>)}</ul>
}
`

describe('the version of a loader', () => {
  it('changes with the loader itself', () => {
    expect(changes(LOADER_WITH_HELPERS, 'return { posts: await recent() }', 'return { posts: await recent(), at: Date.now() }')).toBe(true)
  })

  it('changes with a module-level helper the loader calls', () => {
    expect(changes(LOADER_WITH_HELPERS, "orderBy: { publishedAt: 'desc' }", "orderBy: { publishedAt: 'asc' }")).toBe(true)
  })

  it('changes with a constant the helper reads (followed transitively)', () => {
    expect(changes(LOADER_WITH_HELPERS, 'const PAGE_SIZE = 10', 'const PAGE_SIZE = 20')).toBe(true)
  })

  it('changes with the module an import comes from, or the name imported', () => {
    expect(changes(LOADER_WITH_HELPERS, "import { db } from '~/lib/db.server'", "import { db } from '~/lib/replica.server'")).toBe(true)
    expect(changes(LOADER_WITH_HELPERS, "import { db } from '~/lib/db.server'", "import { replica as db } from '~/lib/db.server'")).toBe(true)
  })

  it('stays the same when only what the template uses changes', () => {
    for (const [from, to] of [
      ["const DATE_STYLE = 'long'", "const DATE_STYLE = 'short'"],
      ['return formatDate(post.publishedAt, DATE_STYLE)', 'return formatDate(post.updatedAt, DATE_STYLE)'],
      ["import { formatDate } from '~/lib/format'", "import { formatDate } from '~/lib/dates'"],
      ['<li key={post.id}>', '<li className="post" key={post.id}>'],
    ] as const) {
      expect(changes(LOADER_WITH_HELPERS, from, to), `${from} -> ${to}`).toBe(false)
    }
  })

  it('follows classes and functions declared as constants', () => {
    const page = `# Pragma: revalidate 60
class Repository { take = 10; all() { return fetch('/api/posts?take=' + this.take) } }
const repository = new Repository()
const load = async () => repository.all()
export const loader = async () => ({ posts: await load() })
`
    expect(changes(page, 'take = 10', 'take = 20')).toBe(true)
  })
})

describe('the version of a page function', () => {
  const PAGE = `// Pragma: revalidate 60
import { db } from '@/lib/db'

const LIMIT = 10
const TITLE = 'Posts'

export default async function Posts() {
  const query = (take) => db.post.findMany({ take })
  const heading = (text) => text.toUpperCase()
  const posts = await query(LIMIT)
  return <main><h1>{heading(TITLE)}</h1>{posts.length}</main>
}
`

  it('changes with a helper the page function declares before its data section', () => {
    expect(changes(PAGE, 'db.post.findMany({ take })', 'db.post.findMany({ take, where: { published: true } })', 'app/posts/page.tsx')).toBe(true)
  })

  it('changes with a module-level constant the data section reads', () => {
    expect(changes(PAGE, 'const LIMIT = 10', 'const LIMIT = 20', 'app/posts/page.tsx')).toBe(true)
  })

  it('stays the same when a helper or constant only the template reads changes', () => {
    expect(changes(PAGE, "const TITLE = 'Posts'", "const TITLE = 'All posts'", 'app/posts/page.tsx')).toBe(false)
    expect(changes(PAGE, 'text.toUpperCase()', 'text.toLowerCase()', 'app/posts/page.tsx')).toBe(false)
  })
})

describe('the version of an Astro frontmatter', () => {
  const PAGE = `---
// Pragma: revalidate 60
import { getCollection } from 'astro:content'
import Layout from '../layouts/Layout.astro'
const PAGE_SIZE = 10
const SITE = 'https://example.com'
const all = await getCollection('blog')
const posts = all.slice(0, PAGE_SIZE)
---
<Layout><a href={SITE}>{posts.length}</a></Layout>
`

  it('changes with a constant above the data that the data reads', () => {
    expect(changes(PAGE, 'const PAGE_SIZE = 10', 'const PAGE_SIZE = 20', 'src/pages/index.astro')).toBe(true)
  })

  it('stays the same when a constant only the template reads changes', () => {
    expect(changes(PAGE, "const SITE = 'https://example.com'", "const SITE = 'https://example.org'", 'src/pages/index.astro')).toBe(false)
  })
})

describe('what the version hashes', () => {
  it('each piece once: a loader is hashed whole, its first parameter not again', () => {
    const code = '// Pragma: revalidate 60\nexport async function loader({ params }) { return { slug: params.slug } }\n'
    const id = '/app/app/routes/$slug.tsx'
    const source = new SourceText(code, id)
    const { program } = parse(code, { sourceType: 'module', plugins: ['jsx'] })
    const page: Page = { id, path: id, source, program, comments: [], scopes: new Scopes(program), pragma: readHeader(source).pragma!, framework: frameworkNamed('react-router'), options: resolveOptions({ root: '/app' }), frontmatter: false }
    const inputs = versionInputs(page, findPageData(page)!)
    expect(inputs).toEqual(['async function loader({ params }) { return { slug: params.slug } }'])
  })
})
