// Compiles real pages for the node target, imports them, and calls them as a framework would.
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { transform } from '../src/index.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const PAGES = join(HERE, 'pages')
const RUNTIME = pathToFileURL(join(HERE, '../../runtime/dist/targets/node.js')).href

type Runtime = typeof import('../../runtime/src/index.js')
type Db = { queries: string[] }
let runtime: Runtime
let db: Db

/** Where a compiled page is written: beside its source, so both import the same db module. */
const compiledPath = (page: string) => join(PAGES, page.replace(/\.mjs$/, '.compiled.mjs'))
const compiledPages = new Set<string>()

/** Compiles `page`, writes it beside its source and imports the result. */
async function compiled<T>(page: string): Promise<T> {
  const code = readFileSync(join(PAGES, page), 'utf8')
  const result = transform(code, join(HERE, 'pages', page), { target: 'node', routesDir: 'test/pages', runtime: RUNTIME })
  if (result === null) throw new Error(`${page} did not compile`)
  writeFileSync(compiledPath(page), result.code)
  compiledPages.add(page)
  return (await import(pathToFileURL(compiledPath(page)).href)) as T
}

async function original<T>(page: string): Promise<T> {
  return (await import(pathToFileURL(join(PAGES, page)).href)) as T
}

type Loader = (context: unknown, ...rest: unknown[]) => Promise<Record<string, unknown>>

beforeAll(async () => {
  runtime = (await import(RUNTIME)) as Runtime
  db = (await import(pathToFileURL(join(PAGES, 'db.mjs')).href)) as Db
})
afterAll(() => {
  for (const page of compiledPages) rmSync(compiledPath(page), { force: true })
})
beforeEach(() => {
  runtime.configure({})
  db.queries.length = 0
})

const request = (url: string) => new Request(`https://blog.example${url}`)

describe('compiled loaders', () => {
  it('call the fetcher once while fresh and return what the uncompiled loader returns', async () => {
    const { loader } = await compiled<{ loader: Loader }>('posts/[slug].mjs')
    const context = { params: { slug: 'hello' }, request: request('/posts/hello') }
    const first = await loader(context)
    const second = await loader(context)
    expect(second).toBe(first)
    expect(db.queries).toEqual(['post:hello'])
    const { loader: uncompiled } = await original<{ loader: Loader }>('posts/[slug].mjs')
    expect(await uncompiled(context)).toEqual(first)
  })

  it('give two params of one route two keys', async () => {
    const { loader } = await compiled<{ loader: Loader }>('posts/[slug].mjs')
    await loader({ params: { slug: 'a' }, request: request('/posts/a') })
    await loader({ params: { slug: 'b' }, request: request('/posts/b') })
    await loader({ params: { slug: 'a' }, request: request('/posts/a') })
    expect(db.queries).toEqual(['post:a', 'post:b'])
  })

  it('give a query string no new key unless the pragma lists it', async () => {
    const { loader } = await compiled<{ loader: Loader }>('posts/[slug].mjs')
    await loader({ params: { slug: 'a' }, request: request('/posts/a?utm_source=mail') })
    await loader({ params: { slug: 'a' }, request: request('/posts/a?utm_source=feed') })
    expect(db.queries).toEqual(['post:a'])
    const search = await compiled<{ loader: Loader }>('search.mjs')
    await search.loader({ url: new URL('https://blog.example/search?q=cats&utm=1') })
    await search.loader({ url: new URL('https://blog.example/search?q=cats&utm=2') })
    await search.loader({ url: new URL('https://blog.example/search?q=dogs') })
    expect(db.queries).toEqual(['post:a', 'search:cats', 'search:dogs'])
  })

  it('are reached by invalidate("page:<path>")', async () => {
    const { loader } = await compiled<{ loader: Loader }>('posts/[slug].mjs')
    const context = { params: { slug: 'a' }, request: request('/posts/a') }
    await loader(context)
    await runtime.invalidate('page:/posts/a')
    await loader(context)
    expect(db.queries).toEqual(['post:a', 'post:a'])
  })

  it('keep name, arity, this, arguments and thrown errors', async () => {
    const { loader } = await compiled<{ loader: Loader }>('posts/[slug].mjs')
    expect(loader.name).toBe('loader')
    expect(loader.length).toBe(1)
    const data = await loader.call({ name: 'the caller' }, { params: { slug: 'x' }, request: request('/posts/x') }, 'extra')
    expect(data).toMatchObject({ seenBy: 'the caller', extra: 'extra', path: '/posts/x' })
    await expect(loader({ params: { slug: 'missing' }, request: request('/posts/missing') })).rejects.toThrow('no post missing')
  })
})

describe('compiled page functions', () => {
  it('keep the helpers and constants of the data section for the code after it, which runs on every request', async () => {
    const { default: Archive } = await compiled<{ default: (props: object) => Promise<string> }>('archive.mjs')
    const { default: Uncompiled } = await original<{ default: (props: object) => Promise<string> }>('archive.mjs')
    const html = await Archive({ year: '2024' })
    expect(await Archive({ year: '2024' })).toBe(html)
    expect(db.queries).toEqual(['archive:2024', 'count:2024'])
    expect(html).toBe(await Uncompiled({ year: '2024' }))
    expect(html).toBe('<h1>Archive: 2024</h1><p>count</p>')
  })

  it('cache the data section and render the template from it, as the uncompiled page does', async () => {
    const { default: Home } = await compiled<{ default: (props: object) => Promise<string> }>('index.mjs')
    const { default: Uncompiled } = await original<{ default: (props: object) => Promise<string> }>('index.mjs')
    const html = await Home({})
    expect(await Home({})).toBe(html)
    expect(db.queries).toEqual(['posts:all'])
    expect(await Uncompiled({})).toBe(html)
    expect(Home.name).toBe('Home')
  })
})
