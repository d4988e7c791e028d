// 3a. The transform of one realistic page against @babel/parser parsing it: a Babel-based
// transform cannot be faster than its parse, so the parse is the floor.
import { readFileSync } from 'node:fs'
import { parse } from '@babel/parser'
import { transform } from '@revalidate/plugin'
import { atMost, fixed, spreadText, table, targetLines } from './lib/measure.mjs'
import { measurePeers, ratioOf } from './lib/peers.mjs'

const PAGE = readFileSync(new URL('./fixtures/page.tsx', import.meta.url), 'utf8')
const ID = '/app/src/routes/posts/[slug].tsx'
const ROUNDS = 12
const TIME_MS = 150
const LIMIT = 1.2

export async function run() {
  if (transform(PAGE, ID, { root: '/app' }) === null) throw new Error('the benchmark page did not compile')
  const parseable = PAGE.replace(/^# /, '//') // the parser sees the # line as the transform makes it
  const plugins = ['typescript', 'jsx']
  const noPragma = PAGE.replace('# Pragma: revalidate 60 tags posts\n', '')
  let nodes = 0 // what each call returns is used, so no call can be optimised away
  const results = await measurePeers(
    [
      // What the transform's own parse does (plugin/src/parse.ts): no comments attached to nodes.
      { name: '@babel/parser `parse`, the options the transform uses (the floor)', call: () => (nodes += parse(parseable, { sourceType: 'module', plugins, allowAwaitOutsideFunction: true, attachComment: false }).program.body.length) },
      { name: "@babel/parser `parse`, Babel's defaults (what a Babel plugin is handed)", call: () => (nodes += parse(parseable, { sourceType: 'module', plugins }).program.body.length) },
      { name: '**revalidate** `transform` (parse, checks, edits, hires source map)', call: () => (nodes += transform(PAGE, ID, { root: '/app' }).code.length) },
      { name: '**revalidate** `transform` of the same page without a pragma', call: () => (nodes += transform(noPragma, ID, { root: '/app' }) === null ? 1 : 0), batch: 1000 },
    ],
    { rounds: ROUNDS, time: TIME_MS },
  )
  if (nodes === 0) throw new Error('nothing was parsed')
  const [floor, , ours] = results
  const ratio = ratioOf(ours, floor)
  const targets = [
    atMost('`transform` of the bench page vs @babel/parser `parse`', ratio.value, LIMIT, {
      why: "beyond its parse, the transform reads the header, walks the page for scopes, finds the page data, follows its bindings for the safety checks, hashes the data code and writes a source map for every character; none of it is large (in a profile the checks are 9% of the transform, the map 6%, the hash 2%) and together they allocate enough to add garbage collection. To close it: one walk for scopes, page data and checks, and fewer objects in the checks' data flow",
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
    targetLines(targets),
  ].join('\n')
  return { markdown, targets }
}
