// 3b. `vite build` of a generated app of 500 pages, 50 of them with the pragma, with and without
// the plugin: the plugin's overhead, and how many files its transform handler saw.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import revalidate from '@revalidate/plugin/vite'
import { build } from 'vite'
import { fixed, median, table, verdict } from './lib/measure.mjs'

const PAGES = 500
const PRAGMA_EVERY = 10 // 50 of the 500
const ROUNDS = 11
const APP = join(import.meta.dirname, '.work', 'app-500')

const PAGE = readFileSync(new URL('./fixtures/page.tsx', import.meta.url), 'utf8')

/** A 149-line TSX page (bench/fixtures/page.tsx); every tenth keeps its pragma (as `//`, valid without the plugin). */
function page(index) {
  const body = PAGE.replaceAll('part ', `page ${index} part `)
  return index % PRAGMA_EVERY === 0 ? body.replace(/^# Pragma: revalidate 60/, `// Pragma: revalidate ${60 + index}`) : body.replace(/^# Pragma:[^\n]*\n/, '')
}

const STUBS = {
  'src/lib/db.ts': 'export const db: any = {}\n',
  'src/lib/format.ts': 'export const formatDate = (date: string) => date\nexport const readingTime = (text: string) => Math.ceil(text.length / 1000)\n',
  'src/components/Layout.tsx': 'export function Layout(props: { title: string; children: unknown }) {\n  return <main title={props.title}>{props.children}</main>\n}\n',
  'src/components/TagList.tsx': 'export function TagList(props: { tags: string[] }) {\n  return <ul>{props.tags.map((tag) => <li key={tag}>{tag}</li>)}</ul>\n}\n',
}

function generateApp() {
  rmSync(APP, { recursive: true, force: true })
  mkdirSync(join(APP, 'src/routes/posts'), { recursive: true })
  mkdirSync(join(APP, 'src/lib'), { recursive: true })
  mkdirSync(join(APP, 'src/components'), { recursive: true })
  for (const [path, code] of Object.entries(STUBS)) writeFileSync(join(APP, path), code)
  const imports = []
  for (let i = 0; i < PAGES; i++) {
    writeFileSync(join(APP, `src/routes/posts/page-${i}.tsx`), page(i))
    imports.push(`export * as page${i} from './routes/posts/page-${i}.tsx'`)
  }
  writeFileSync(join(APP, 'src/entry.ts'), `${imports.join('\n')}\n`)
}

async function buildOnce(plugins) {
  const start = process.hrtime.bigint()
  await build({
    root: APP,
    configFile: false,
    logLevel: 'silent',
    plugins,
    build: { ssr: 'src/entry.ts', outDir: join(APP, 'dist'), emptyOutDir: true, minify: false, rollupOptions: { external: (id) => !id.startsWith('.') && !id.startsWith('/') } },
  })
  return Number(process.hrtime.bigint() - start) / 1e6
}

export async function run() {
  generateApp()
  let handlerCalls = 0
  let handlerMs = 0
  const counted = () => {
    const plugin = revalidate({ target: 'node' })
    const { handler } = plugin.transform
    plugin.transform.handler = function (...args) {
      handlerCalls++
      const start = process.hrtime.bigint()
      try {
        return handler.apply(this, args)
      } finally {
        handlerMs += Number(process.hrtime.bigint() - start) / 1e6
      }
    }
    return plugin
  }
  await buildOnce([]) // warm-up: file system caches, lazy imports
  const without = []
  const withPlugin = []
  for (let round = 0; round < ROUNDS; round++) {
    without.push(await buildOnce([]))
    handlerCalls = 0
    handlerMs = 0
    withPlugin.push(await buildOnce([counted()]))
  }
  rmSync(APP, { recursive: true, force: true })
  const [withoutMs, withMs] = [median(without), median(withPlugin)]
  const overhead = ((withMs - withoutMs) / withoutMs) * 100
  const targets = { overhead: overhead < 10, calls: handlerCalls === PAGES / PRAGMA_EVERY }
  const markdown = [
    '### 3b. `vite build` of 500 pages, 50 with the pragma',
    '',
    `An SSR build of a generated app: 500 TSX pages of 149 lines (bench/fixtures/page.tsx), every tenth with the pragma; median of ${ROUNDS} builds each, alternating.`,
    '',
    table(
      ['build', 'ms', 'transform handler calls'],
      [
        ['without the plugin', fixed(withoutMs, 0), '—'],
        ['with the plugin', fixed(withMs, 0), String(handlerCalls)],
      ],
    ),
    '',
    `Overhead: ${fixed(overhead, 1)}% (target under 10%: ${verdict(targets.overhead)}); the plugin's handler itself ran for ${fixed(handlerMs, 1)} ms of the last build (${fixed((handlerMs / withoutMs) * 100, 1)}% of a build without it); Rolldown's own threads keep working while it runs, and builds this short vary by a few percent from run to run on this machine.`,
    `Handler calls: ${handlerCalls} of ${PAGES + Object.keys(STUBS).length + 1} modules (target: only the 50 pragma pages: ${verdict(targets.calls)}); the hook filter on the code keeps Vite from calling it for the rest.`,
  ].join('\n')
  return { markdown, targets, headline: { overhead, handlerCalls } }
}
