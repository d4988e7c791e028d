// Typed loaders still type-check once compiled: TypeScript's own checker, on the compiled code,
// with the runtime's types (packages/runtime/src), the way a project's `tsc --noEmit` sees it.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { transform } from '../src/index.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..')
const PAGES = join(ROOT, 'packages/plugin/test/.typed-pages') // never written: the files live in memory

/** Typed pages in the frameworks' styles; each also type-checks as written (checked below). */
const PAGES_BY_NAME: Record<string, string> = {
  'sync-load-with-return-type.ts': `// Pragma: revalidate 60
interface About { title: string; team: string[] }
export function load(): About {
  return { title: 'About', team: ['Ada'] }
}
`,
  'sync-arrow-with-return-type.ts': `// Pragma: revalidate 60
type Args = { params: { slug: string } }
type Post = { slug: string; title: string }
export const loader = ({ params }: Args): Post => ({ slug: params.slug, title: params.slug.toUpperCase() })
export async function title(args: Args): Promise<string> {
  return (await loader(args)).title
}
`,
  'async-loader-with-destructured-types.ts': `// Pragma: revalidate 60 query q
interface LoaderArgs { request: Request; params: Record<string, string | undefined> }
export async function loader({ request, params }: LoaderArgs): Promise<{ q: string; id: string }> {
  const q = new URL(request.url).searchParams.get('q') ?? ''
  return { q, id: params.id ?? '' }
}
`,
  'load-satisfies.ts': `// Pragma: revalidate 60
type PageLoad = (event: { params: { id: string } }) => { id: number } | Promise<{ id: number }>
export const load = (({ params }) => {
  return { id: Number(params.id) }
}) satisfies PageLoad
`,
  'cached-functions.ts': `type Post = { slug: string; kind: 'post' | 'page' }
declare function load(slug: string): Promise<Post>
// Pragma: revalidate 5m tags post:{slug}
export async function getPost(slug: string, draft = false): Promise<Post> {
  return draft ? { slug, kind: 'page' } : load(slug)
}
// Pragma: revalidate 5m tags list:{tag}
export const listPosts = async ({ tag }: { tag: string }, ...more: number[]): Promise<Post[]> => [{ slug: tag + more.length, kind: 'post' }]
// Pragma: revalidate 1m
export function kinds(): readonly Post['kind'][] {
  return ['post', 'page']
}
export async function useAll(): Promise<number> {
  const post: Post = await getPost('a')
  const lists: Post[] = await listPosts({ tag: 'x' }, 1, 2)
  const all: readonly ('post' | 'page')[] = await kinds()
  return post.slug.length + lists.length + all.length + getPost.length + listPosts.length
}
`,
  'page-function-typed-props.tsx': `// Pragma: revalidate 60
type Props = { params: Promise<{ slug: string }> }
declare function getPost(slug: string): Promise<{ title: string }>
export default async function Page({ params }: Props) {
  const { slug } = await params
  const post = await getPost(slug)
  return post.title.length
}
`,
}

function typeErrors(files: Record<string, string>): string[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    jsx: ts.JsxEmit.Preserve,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: [],
    skipLibCheck: true,
    paths: { '@revalidate/runtime/node': [join(ROOT, 'packages/runtime/src/targets/node.ts')] },
  }
  const host = ts.createCompilerHost(options)
  const inMemory = new Map(Object.entries(files).map(([name, code]) => [join(PAGES, name), code]))
  const { fileExists, readFile, getSourceFile } = host
  host.fileExists = (path) => inMemory.has(path) || fileExists.call(host, path)
  host.readFile = (path) => inMemory.get(path) ?? readFile.call(host, path)
  host.getSourceFile = (path, version, ...rest) => {
    const code = inMemory.get(path)
    return code === undefined ? getSourceFile.call(host, path, version, ...rest) : ts.createSourceFile(path, code, version, true)
  }
  const program = ts.createProgram([...inMemory.keys()], options, host)
  return [...inMemory.keys()].flatMap((path) =>
    ts.getPreEmitDiagnostics(program, program.getSourceFile(path)).map((diagnostic) => `${path.slice(PAGES.length + 1)}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`),
  )
}

const compiled = Object.fromEntries(
  Object.entries(PAGES_BY_NAME).map(([name, code]) => {
    const result = transform(code, join(ROOT, 'src/routes', name), { target: 'node', root: ROOT })
    if (result === null) throw new Error(`${name} did not compile`)
    return [name, result.code]
  }),
)

describe('typed loaders after compiling', () => {
  it('type-check as written (the control)', () => {
    expect(typeErrors(PAGES_BY_NAME)).toEqual([])
  })

  it('still type-check, a synchronous loader with a declared return type included', () => {
    expect(compiled['sync-load-with-return-type.ts']).toContain('): Promise<Awaited<About>> {')
    expect(typeErrors(compiled)).toEqual([])
  })

  it('keep the names, arities and types of functions cached with a pragma', () => {
    expect(compiled['cached-functions.ts']).toContain('__rv_cacheFunction(__rv_fn_getPost, [slug, draft]')
    expect(compiled['cached-functions.ts']).toContain('kinds(): Promise<Awaited<readonly Post')
  })
})
