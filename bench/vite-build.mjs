// 3b. `vite build` of a generated app of 500 pages, 50 of them with the pragma, with and without
// the plugin: the plugin's overhead, what of it is following the pages' imports, what the 50
// transforms cost alone, and how many files its transform handler saw.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { transform } from '@revalidate/plugin'
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

/** The transform of every pragma page, one after another outside any build, warm: the plugin's own work, alone. */
function transformsAlone() {
  const db = { id: join(APP, 'src/lib/db.ts'), code: STUBS['src/lib/db.ts'] }
  // The helper module the loaders import, as Vite's resolver finds it in the build.
  const resolveImport = (specifier) => (specifier === '../../lib/db' ? db : undefined)
  const pages = []
  for (let i = 0; i < PAGES; i += PRAGMA_EVERY) pages.push({ id: join(APP, `src/routes/posts/page-${i}.tsx`), code: page(i) })
  const once = () => {
    const start = process.hrtime.bigint()
    for (const { id, code } of pages) if (transform(code, id, { target: 'node', root: APP, resolveImport }) === null) throw new Error(`${id} did not compile`)
    return Number(process.hrtime.bigint() - start) / 1e6
  }
  for (let i = 0; i < 20; i++) once() // warm, as the builds' transforms are after the warm-up builds
  return spreadOf(Array.from({ length: 15 }, once))
}

export async function run() {
  generateApp()
  // The transforms alone before any build (a fresh process) and again after them (a heap full of the builds').
  const aloneFresh = transformsAlone()
  let handlerCalls = 0
  let handlerMs = 0
  const counted = (options = {}) => {
    const plugin = revalidate({ target: 'node', ...options })
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
  // The plugin with the page's imports not followed: no rounds through Vite's resolver.
  const notFollowing = { resolveImport: () => undefined }
  const variants = [
    { name: 'without the plugin', plugins: () => [], times: [] },
    { name: 'with the plugin', plugins: () => [counted()], times: [], handler: [], calls: 0 },
    { name: "with the plugin, the pages' imports not followed", plugins: () => [counted(notFollowing)], times: [], handler: [], calls: 0 },
  ]
  // Warm-up of each: file system caches, lazy imports, the JIT for the transform.
  for (const variant of variants) await buildOnce(variant.plugins())
  for (let round = 0; round < ROUNDS; round++) {
    // Rotating which goes first, so none always follows another.
    for (let k = 0; k < variants.length; k++) {
      const variant = variants[(round + k) % variants.length]
      handlerCalls = 0
      handlerMs = 0
      variant.times.push(await buildOnce(variant.plugins()))
      if (variant.handler === undefined) continue
      variant.handler.push(handlerMs)
      variant.calls = handlerCalls
    }
  }
  const [without, withPlugin, withoutFollowing] = variants
  const withoutMs = median(without.times)
  // Build by build: each build with the plugin against the one without it of the same round.
  const overheadOf = (variant) => variant.times.map((ms, round) => ((ms - without.times[round]) / without.times[round]) * 100)
  const perRound = overheadOf(withPlugin)
  const overhead = median(perRound)
  const notFollowingOverhead = median(overheadOf(withoutFollowing))
  const alone = transformsAlone()
  rmSync(APP, { recursive: true, force: true })
  const aloneShare = (aloneFresh.median / withoutMs) * 100
  const targets = [
    atMost('`vite build` of 500 pages (50 with the pragma): time added by the plugin', overhead, LIMIT_PERCENT, {
      unit: '%',
      why: `the plugin's own work is the 50 transforms, on the JavaScript thread: ${fixed(aloneFresh.median, 0)} ms one after another outside any build, ${fixed(aloneShare, 1)}% of a build without the plugin, ${aloneShare > LIMIT_PERCENT ? 'more than the target allows by themselves' : 'within the target by themselves'}, a Babel parse each where Vite's own work on 505 modules is Rust; the same transforms take ${fixed(alone.median, 0)} ms in the process that ran the builds. Not following the pages' imports (no rounds through Vite's resolver) the overhead is ${fixed(notFollowingOverhead, 1)}%. To close it: a cheaper transform (3a), whose parse is most of its cost`,
    }),
    target('transform handler calls in that build', 'only the 50 pragma pages', `${withPlugin.calls} of ${PAGES + Object.keys(STUBS).length + 1} modules`, withPlugin.calls === PAGES / PRAGMA_EVERY, 'the hook filter let other modules through'),
  ]
  const markdown = [
    '### 3b. `vite build` of 500 pages, 50 with the pragma',
    '',
    `An SSR build of a generated app: 500 TSX pages of 149 lines (bench/fixtures/page.tsx), every tenth with the pragma, whose loader calls a helper module of the app (followed by the check). After one warm-up build of each, ${ROUNDS} builds of each, the order rotated each round. The handler's time is wall time: it includes its waits for Vite's resolver and the file system, while the bundler's threads go on.`,
    '',
    table(
      ['build', 'ms: min / median / max', 'overhead, round by round: median (min – max)', 'transform handler: calls, ms (min / median / max)'],
      variants.map((variant) => {
        const rounds = variant === without ? undefined : spreadOf(overheadOf(variant))
        return [
          variant.name,
          spreadText(spreadOf(variant.times), 0),
          rounds ? `${fixed(rounds.median, 1)}% (${fixed(rounds.min, 1)}% – ${fixed(rounds.max, 1)}%)` : '—',
          variant.handler ? `${variant.calls}, ${spreadText(spreadOf(variant.handler), 1)}` : '—',
        ]
      }),
    ),
    '',
    `The 50 transforms alone, one after another outside any build (warm, the helper module found at once), min / median / max of 15: ${spreadText(aloneFresh, 1)} ms before the builds, ${fixed(aloneShare, 1)}% of the median build without the plugin; ${spreadText(alone, 1)} ms after them, in a heap holding what the builds left. The hook filter on the code keeps Vite from calling the handler for the other modules.`,
    '',
    targetLines(targets),
  ].join('\n')
  return { markdown, targets }
}
