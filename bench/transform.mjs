// 3a. The transform of one realistic page against @babel/parser parsing it: a Babel-based
// transform cannot be faster than its parse, so the parse is the floor.
import { fileURLToPath } from 'node:url'
import { parse } from '@babel/parser'
import { transform } from '@revalidate/plugin'
import { ID, PAGE, parseBenchPage, transformBenchPage } from './fixtures/transform-page.mjs'
import { atMost, fixed, spreadText, table, targetLines } from './lib/measure.mjs'
import { measurePeers, ratioOf } from './lib/peers.mjs'
import { profilePhases } from './lib/profile-phases.mjs'

const ROUNDS = 12
const TIME_MS = 150
const LIMIT = 1.2
const PAGE_MODULE = fileURLToPath(new URL('./fixtures/transform-page.mjs', import.meta.url))

/** The transform's phases, by the plugin function each starts in (dist keeps the names). */
const PHASES = {
  parsePage: 'parse (@babel/parser)',
  readHeader: 'pragma (the header read, comments below it checked)',
  checkNoPragmaBelowHeader: 'pragma (the header read, comments below it checked)',
  resolveOptions: 'options',
  Scopes: 'module scope (its declarations)',
  detectFramework: 'framework detection',
  findPageData: 'page data (loaders, data section)',
  checkPageData: 'safety checks (data flow, and the walk of the loader for scopes)',
  versionOf: 'version (the data code hashed)',
  routeFromId: 'route',
  wrapPageData: 'wrap (edits)',
  pageConstant: 'wrap (edits)',
  apply: 'edits applied, source map written',
}

export async function run() {
  if (transformBenchPage() === null) throw new Error('the benchmark page did not compile')
  const parseable = PAGE.replace(/^# /, '//') // the parser sees the # line as the transform makes it
  const plugins = ['typescript', 'jsx']
  const noPragma = PAGE.replace('# Pragma: revalidate 60 tags posts\n', '')
  let nodes = 0 // what each call returns is used, so no call can be optimised away
  const results = await measurePeers(
    [
      // What the transform's own parse does (plugin/src/parse.ts): no comments attached to nodes.
      { name: '@babel/parser `parse`, the options the transform uses (the floor)', call: () => (nodes += parseBenchPage().program.body.length) },
      { name: "@babel/parser `parse`, Babel's defaults (what a Babel plugin is handed)", call: () => (nodes += parse(parseable, { sourceType: 'module', plugins }).program.body.length) },
      { name: '**revalidate** `transform` (parse, checks, edits, hires source map)', call: () => (nodes += transformBenchPage().code.length) },
      { name: '**revalidate** `transform` of the same page without a pragma', call: () => (nodes += transform(noPragma, ID, { root: '/app' }) === null ? 1 : 0), batch: 1000 },
    ],
    { rounds: ROUNDS, time: TIME_MS },
  )
  if (nodes === 0) throw new Error('nothing was parsed')
  const [floor, , ours] = results
  const ratio = ratioOf(ours, floor)
  // Where the transform's time goes, and how much of the parse's own is garbage collection.
  const phases = profilePhases({ module: PAGE_MODULE, exported: 'transformBenchPage', root: 'transformBenchPage', phases: PHASES })
  const parseAlone = profilePhases({ module: PAGE_MODULE, exported: 'parseBenchPage', root: 'parseBenchPage', phases: { parse: 'parse (@babel/parser)' } })
  const shareOf = (list, phase) => list.find((row) => row.phase === phase)?.share ?? 0
  const parseShare = shareOf(phases, PHASES.parsePage)
  const garbageShare = shareOf(phases, 'garbage collection')
  const parseGarbage = shareOf(parseAlone, 'garbage collection') / shareOf(parseAlone, PHASES.parsePage) // garbage per unit of parse work, alone
  const added = phases.filter((row) => row.phase !== PHASES.parsePage && row.phase !== 'garbage collection')
  const percent = (share) => `${fixed(share * 100, 1)}%`
  const largest = added.slice(0, 4).map((row) => `${row.phase} ${percent(row.share)}`).join(', ')
  const targets = [
    atMost('`transform` of the bench page vs @babel/parser `parse`', ratio.value, LIMIT, {
      why: `in a profile of the transform its parse is ${percent(parseShare)} and garbage collection ${percent(garbageShare)} (the parse alone collects ${fixed(parseGarbage * 100, 0)}% on top of its own work, so most of it is the parse's); what the transform adds is ${percent(added.reduce((sum, row) => sum + row.share, 0))}, the largest parts ${largest}. Meeting ${LIMIT}x asks that all of it together cost no more than a fifth of the parse`,
    }),
  ]
  const markdown = [
    '### 3a. Transform of one page',
    '',
    `A ${PAGE.split('\n').length - 1}-line TSX page with a loader (\`bench/fixtures/page.tsx\`). tinybench, in one process: ${ROUNDS} rounds of ${TIME_MS} ms per row, the order rotated each round; a sample is one call. The floor is the parse the transform itself makes; Babel's default parse (which also attaches comments to nodes) is shown beside it.`,
    '',
    table(
      ['work', 'µs per page: min / median / max', 'x floor, round by round: median (range)'],
      results.map((r) => {
        const vsFloor = ratioOf(r, floor)
        return [r.name, spreadText({ min: r.min / 1000, median: r.median / 1000, max: r.max / 1000 }, r.median < 10_000 ? 2 : 0), r === floor ? '1.00' : `${fixed(vsFloor.value, r.median < 10_000 ? 4 : 2)} (${fixed(vsFloor.low, r.median < 10_000 ? 4 : 2)}–${fixed(vsFloor.high, r.median < 10_000 ? 4 : 2)})`]
      }),
    ),
    '',
    `Where the transform's time goes: a profile of 3,000 transforms of the page in a process of its own (\`node --cpu-prof\`, a sample every 50 µs), each sample put in the phase of the nearest plugin function on its stack (\`lib/profile-phases.mjs\`); µs are the share of this run's median transform.`,
    '',
    table(
      ['phase', 'share of the transform', 'µs per page'],
      phases.map((row) => [row.phase, percent(row.share), fixed((row.share * ours.median) / 1000, 1)]),
    ),
    '',
    targetLines(targets),
  ].join('\n')
  return { markdown, targets }
}
