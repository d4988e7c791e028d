// The hosts' own resolvers find the app's modules a page's check follows, on an app written to
// disk: Babel on the file system (tsconfig `paths` through `extends`, package.json `imports`,
// `.js` written for `.ts`, never node_modules), and `vite dev`, which checks a page again when a
// module it followed changes (a page imports that module, so Vite alone would keep its transform).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { transformSync } from '@babel/core'
import { createServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import babelPlugin from '../src/babel.js'
import revalidate from '../src/vite.js'

const HERE = dirname(fileURLToPath(import.meta.url))

/** A folder of files below this one (so node_modules resolve), removed after the file's tests. */
function appOf(files: Record<string, string>): string {
  const dir = mkdtempSync(join(HERE, 'imports.tmp.'))
  for (const [path, code] of Object.entries(files)) write(dir, path, code)
  return dir
}

function write(dir: string, path: string, code: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true })
  writeFileSync(join(dir, path), code)
}

const apps: string[] = []
afterAll(() => {
  for (const dir of apps) rmSync(dir, { recursive: true, force: true })
})

describe('the Babel plugin finds the app’s modules on the file system', () => {
  let dir = ''
  beforeAll(() => {
    dir = appOf({
      // SvelteKit writes `$lib` into the tsconfig the app's extends; Next's `@/*` sits beside it here.
      '.svelte-kit/tsconfig.json': JSON.stringify({ compilerOptions: { paths: { $lib: ['../src/lib'], '$lib/*': ['../src/lib/*'], '@/*': ['../src/*'], 'vendor/*': ['../node_modules/vendor/*'] } } }),
      'tsconfig.json': '{\n  // comments, as tsconfig files have them\n  "extends": "./.svelte-kit/tsconfig.json",\n}\n',
      'package.json': JSON.stringify({ type: 'module', imports: { '#lib/*': './src/lib/*.ts' } }),
      'src/app/account/page.tsx': "// Pragma: revalidate 60\nimport { createClient } from '@/utils/supabase/server'\n\nexport default async function Account() {\n  const supabase = await createClient()\n  const { data } = await supabase.auth.getUser()\n  return <p>{data.user?.email}</p>\n}\n",
      'src/utils/supabase/server.ts': "import { jar } from './jar.js'\n\nexport async function createClient() {\n  const cookieStore = await jar()\n  return { auth: { getUser: async () => ({ data: { user: cookieStore.get('user') } }) } }\n}\n",
      'src/utils/supabase/jar.ts': "import { cookies } from 'next/headers'\n\nexport const jar = () => cookies()\n",
      'src/routes/dashboard/+page.server.ts': "// Pragma: revalidate 60\nimport { viewer } from '#lib/viewer'\n\nexport const load = async () => ({ role: viewer().role })\n",
      'src/routes/settings/+page.server.ts': "// Pragma: revalidate 60\nimport { viewer } from '$lib/viewer'\n\nexport const load = async () => ({ role: viewer().role })\n",
      'src/lib/viewer.ts': "import { getRequestEvent } from '$app/server'\n\nexport function viewer() {\n  return getRequestEvent().locals.user\n}\n",
      'src/app/vendor/page.tsx': "// Pragma: revalidate 60\nimport { session } from 'vendor/session'\n\nexport default async function Vendor() {\n  const s = await session()\n  return <p>{s}</p>\n}\n",
      'node_modules/vendor/session.ts': "import { cookies } from 'next/headers'\n\nexport const session = async () => (await cookies()).get('s')\n",
    })
    apps.push(dir)
  })

  const compile = (page: string) => () =>
    transformSync(readFileSync(join(dir, page), 'utf8'), { filename: join(dir, page), babelrc: false, configFile: false, parserOpts: { plugins: ['typescript', 'jsx'] }, plugins: [[babelPlugin, { root: dir }]] })

  it('through tsconfig `paths` (an extended tsconfig) and `.js` written for `.ts`, to the page’s call', () => {
    expect(compile('src/app/account/page.tsx')).toThrow(
      /account\/page\.tsx:5:26: \[RV201\] `createClient\(\)` reads the visitor's cookies \(`cookies\(\)` from next\/headers\), where `createClient\(\)` in src\/utils\/supabase\/server\.ts:4 calls `jar\(\)`, and `jar\(\)` in src\/utils\/supabase\/jar\.ts:3 calls `cookies\(\)`/,
    )
  })

  it('through package.json `imports` (#lib) and SvelteKit’s `$lib`', () => {
    const read = /`viewer\(\)` reads what hooks set for this request .*, where `viewer\(\)` in src\/lib\/viewer\.ts:4 reads `getRequestEvent\(\)\.locals\.user`/
    expect(compile('src/routes/dashboard/+page.server.ts')).toThrow(read)
    expect(compile('src/routes/settings/+page.server.ts')).toThrow(read)
  })

  it('never into node_modules, whatever path leads there: a package is what the framework tables say', () => {
    expect(compile('src/app/vendor/page.tsx')).not.toThrow()
  })
})

describe('vite dev', () => {
  it('checks a page again when a module it followed changes, against the module’s new code', async () => {
    const dir = appOf({
      'src/routes/page.js': "// Pragma: revalidate 60\nimport { theme } from '../lib/theme.js'\n\nexport async function loader() {\n  return { theme: theme() }\n}\n",
      'src/lib/theme.js': "export function theme() {\n  return 'light'\n}\n",
    })
    apps.push(dir)
    const server = await createServer({ root: dir, configFile: false, logLevel: 'silent', plugins: [revalidate({ log: false })], server: { middlewareMode: true, ws: false } })
    try {
      const ssr = server.environments.ssr
      // Vite prints the file and location above the message (error.id, error.loc).
      const check = () =>
        ssr.transformRequest('/src/routes/page.js').then(
          () => 'compiles',
          (error: Error & { id?: string; loc?: { line: number; column: number } }) => `${error.id}:${error.loc?.line}:${error.loc?.column}: ${error.message}`,
        )
      expect(await check()).toBe('compiles')
      write(dir, 'src/lib/theme.js', "import { getCookie } from '@tanstack/react-start/server'\n\nexport function theme() {\n  return getCookie('theme') ?? 'light'\n}\n")
      // The watcher's event arrives when the machine gets to it: wait for it, up to a wide deadline.
      let verdict = 'compiles'
      for (const deadline = Date.now() + 30_000; verdict === 'compiles' && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        verdict = await check()
      }
      expect(verdict).toMatch(/page\.js:5:19: \[RV201\] `theme\(\)` reads the visitor's cookies \(`getCookie\(\)`\), where `theme\(\)` in src\/lib\/theme\.js:4 calls `getCookie\('theme'\)`/)
    } finally {
      await server.close()
    }
  }, 60_000)
})
