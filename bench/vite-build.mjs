// 3b. `vite build` of a generated app of 500 pages, 50 of them with the pragma, with and without
// the plugin: the plugin's overhead, and how many files its transform handler saw.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import revalidate from '@revalidate/plugin/vite'
import { build } from 'vite'
import { atMost, fixed, median, spreadOf, spreadText, table, target, targetLines } from './lib/measure.mjs'

const PAGES = 500
const PRAGMA_EVERY = 10 // 50 of the 500
const ROUNDS = 9
const LIMIT_PERCENT = 5
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
  // Warm-up of both: file system caches, lazy imports, the JIT for the transform.
  await buildOnce([])
  await buildOnce([counted()])
  const without = []
  const withPlugin = []
  const handlerTimes = []
  for (let round = 0; round < ROUNDS; round++) {
    // Alternating which goes first, so neither always follows the other.
    for (const plugged of round % 2 === 0 ? [false, true] : [true, false]) {
      if (!plugged) {
        without.push(await buildOnce([]))
        continue
      }
      handlerCalls = 0
      handlerMs = 0
      withPlugin.push(await buildOnce([counted()]))
      handlerTimes.push(handlerMs)
    }
  }
  rmSync(APP, { recursive: true, force: true })
  const withoutMs = median(without)
  // Build by build: each build with the plugin against the one without it of the same round.
  const perRound = without.map((ms, round) => ((withPlugin[round] - ms) / ms) * 100)
  const overhead = median(perRound)
  const handler = spreadOf(handlerTimes)
  const targets = [
    atMost('`vite build` of 500 pages (50 with the pragma): time added by the plugin', overhead, LIMIT_PERCENT, {
      unit: '%',
      why: `the plugin's 50 transforms run on the JavaScript thread (median ${fixed(handler.median, 0)} ms of the build, ${fixed((handler.median / withoutMs) * 100, 1)}% of a build without it), a Babel parse each where Vite's own work on 505 modules is Rust, and slower there than alone (3a) while the bundler's threads share the 2 cores. To close it: a cheaper transform (3a), whose parse is most of its cost`,
    }),
    target('transform handler calls in that build', 'only the 50 pragma pages', `${handlerCalls} of ${PAGES + Object.keys(STUBS).length + 1} modules`, handlerCalls === PAGES / PRAGMA_EVERY, 'the hook filter let other modules through'),
  ]
  const markdown = [
    '### 3b. `vite build` of 500 pages, 50 with the pragma',
    '',
    `An SSR build of a generated app: 500 TSX pages of 149 lines (bench/fixtures/page.tsx), every tenth with the pragma; after one warm-up build of each, ${ROUNDS} builds of each, alternating which goes first.`,
    '',
    table(
      ['build', 'ms: min / median / max', 'transform handler: calls, ms (min / median / max)'],
      [
        ['without the plugin', spreadText(spreadOf(without), 0), '—'],
        ['with the plugin', spreadText(spreadOf(withPlugin), 0), `${handlerCalls}, ${spreadText(handler, 1)}`],
      ],
    ),
    '',
    `Overhead, round by round (each build with the plugin against the one without it of its round): median ${fixed(overhead, 1)}%, from ${fixed(Math.min(...perRound), 1)}% to ${fixed(Math.max(...perRound), 1)}%. The hook filter on the code keeps Vite from calling the handler for the other modules.`,
    '',
    targetLines(targets),
  ].join('\n')
  return { markdown, targets }
}
