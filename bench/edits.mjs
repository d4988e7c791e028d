// 3c. Our edit and source map writer (SourceEdits, plugin/src/edits.ts) against magic-string, on
// the edits the transform makes to the bench page. We keep our own writer for speed; this row
// says whether it still earns its place.
import { readFileSync } from 'node:fs'
import { transform } from '@revalidate/plugin'
import MagicString from 'magic-string'
import { SourceEdits } from '../packages/plugin/dist/edits.js'
import { fixed, spreadText, table } from './lib/measure.mjs'
import { measurePeers, ratioOf } from './lib/peers.mjs'

const PAGE = readFileSync(new URL('./fixtures/page.tsx', import.meta.url), 'utf8')
const ID = '/app/src/routes/posts/[slug].tsx'
const ROUNDS = 12
const TIME_MS = 100
const BATCH = 10

/** The edits `transform` makes to the page, recorded from its SourceEdits calls (a move's own replace is part of the move). */
function recordEdits() {
  const methods = ['insert', 'replace', 'move']
  const originals = Object.fromEntries(methods.map((name) => [name, SourceEdits.prototype[name]]))
  const edits = []
  let inside = 0
  for (const name of methods) {
    SourceEdits.prototype[name] = function (...args) {
      if (inside === 0) edits.push([name, ...args])
      inside++
      try {
        return originals[name].apply(this, args)
      } finally {
        inside--
      }
    }
  }
  try {
    if (transform(PAGE, ID, { root: '/app' }) === null) throw new Error('the benchmark page did not compile')
  } finally {
    Object.assign(SourceEdits.prototype, originals)
  }
  return edits
}

function withSourceEdits(edits) {
  const writer = new SourceEdits(PAGE)
  for (const [name, ...args] of edits) writer[name](...args)
  return writer.apply(ID)
}

/** The same edits through magic-string's API: insertions at a position in call order, before a replacement there. */
function withMagicString(edits, hires) {
  const string = new MagicString(PAGE)
  for (const [name, start, end, text] of edits) {
    if (name === 'insert') string.appendLeft(start, end)
    else if (name === 'move') string.move(start, end, text)
    else if (text === '') string.remove(start, end)
    else string.overwrite(start, end, text)
  }
  return { code: string.toString(), map: string.generateMap({ hires, source: ID, includeContent: true }) }
}

export async function run() {
  const edits = recordEdits()
  const expected = withSourceEdits(edits).code
  for (const hires of [true, 'boundary']) {
    if (withMagicString(edits, hires).code !== expected) throw new Error(`magic-string (hires: ${hires}) wrote other code than SourceEdits for the same edits`)
  }
  let characters = 0 // what each call returns is used, so no call can be optimised away
  const results = await measurePeers(
    [
      { name: '**revalidate** `SourceEdits` (a segment per character)', call: () => (characters += withSourceEdits(edits).map.mappings.length) },
      { name: "magic-string, `hires: true` (a segment per character)", call: () => (characters += withMagicString(edits, true).map.mappings.length) },
      { name: "magic-string, `hires: 'boundary'` (a segment per word)", call: () => (characters += withMagicString(edits, 'boundary').map.mappings.length) },
    ],
    { rounds: ROUNDS, time: TIME_MS, batch: BATCH },
  )
  if (characters === 0) throw new Error('no map was written')
  const [ours] = results
  const markdown = [
    '### 3c. Edits and source map: `SourceEdits` against magic-string',
    '',
    `The ${edits.length} edits \`transform\` makes to the bench page (recorded from its calls), applied to the page's text and written out with a source map, by our writer and by magic-string; each gives the same code. tinybench: ${ROUNDS} rounds of ${TIME_MS} ms per row, rotated; a sample is the mean of ${BATCH} runs.`,
    '',
    table(
      ['writer', 'µs per page: min / median / max', 'x SourceEdits, round by round: median (range)'],
      results.map((r) => {
        const vs = ratioOf(r, ours)
        return [r.name, spreadText({ min: r.min / 1000, median: r.median / 1000, max: r.max / 1000 }), r === ours ? '1.00' : `${fixed(vs.value, 2)} (${fixed(vs.low, 2)}–${fixed(vs.high, 2)})`]
      }),
    ),
  ].join('\n')
  return { markdown, targets: [] }
}
