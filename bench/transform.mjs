// 3a. The transform of one realistic page against @babel/parser parsing it: a Babel-based
// transform cannot be faster than its parse, so the parse is the floor.
import { readFileSync } from 'node:fs'
import { parse } from '@babel/parser'
import { transform } from '@revalidate/plugin'
import { fixed, msPerRun, table, verdict } from './lib/measure.mjs'

const PAGE = readFileSync(new URL('./fixtures/page.tsx', import.meta.url), 'utf8')
const ID = '/app/src/routes/posts/[slug].tsx'
const REPEAT = 50 // runs per timed sample, so a sample is long enough to time

const repeat = (work) => () => {
  for (let i = 0; i < REPEAT; i++) work()
}

export async function run() {
  if (transform(PAGE, ID, { root: '/app' }) === null) throw new Error('the benchmark page did not compile')
  const parseable = PAGE.replace(/^# /, '//') // the parser sees the # line as the transform makes it
  const parseMs = (await msPerRun(repeat(() => parse(parseable, { sourceType: 'module', plugins: ['typescript', 'jsx'] })), { rounds: 15 })) / REPEAT
  const transformMs = (await msPerRun(repeat(() => transform(PAGE, ID, { root: '/app' })), { rounds: 15 })) / REPEAT
  const noPragma = PAGE.replace('# Pragma: revalidate 60 tags posts\n', '')
  const skipMs = (await msPerRun(repeat(() => transform(noPragma, ID, { root: '/app' })), { rounds: 15 })) / REPEAT
  const ratio = transformMs / parseMs
  const markdown = [
    '### 3a. Transform of one page',
    '',
    `A ${PAGE.split('\n').length - 1}-line TSX page with a loader (\`bench/fixtures/page.tsx\`); median of 15 samples of ${REPEAT} runs.`,
    '',
    table(
      ['work', 'ms per page', 'x parse'],
      [
        ['@babel/parser `parse` alone (the floor)', fixed(parseMs, 3), '1.00'],
        ['**revalidate** `transform` (parse, checks, edits, hires source map)', fixed(transformMs, 3), fixed(ratio, 2)],
        ['**revalidate** `transform` of the same page without a pragma', fixed(skipMs, 4), fixed(skipMs / parseMs, 3)],
      ],
    ),
    '',
    `Target: at most 1.5x the parse (${fixed(ratio, 2)}x: ${verdict(ratio <= 1.5)}).`,
  ].join('\n')
  return { markdown, targets: { transform: ratio <= 1.5 }, headline: { transformRatio: ratio } }
}
