// 9. A function cached with a pragma: a fresh hit of `getPost(slug)` as the plugin compiles it,
// against the same call written by hand with `withRevalidate` (the same key, version and tags),
// and against the floor (an async Map lookup).
import { mkdirSync, writeFileSync } from 'node:fs'
import { transform } from '@revalidate/plugin'
import { withRevalidate } from '@revalidate/runtime/node'
import { atMost, fixed, spreadText, table, targetLines } from './lib/measure.mjs'
import { measurePeers, ratioOf } from './lib/peers.mjs'

const ROUNDS = 12
const TIME_MS = 150
const BATCH = 1000
const LIMIT = 1.2
const POST = { slug: 'hello-world', title: 'Hello' }

/** The module a user writes, compiled by the plugin as Vite would, and loaded from bench/.work/. */
async function compiledModule() {
  const source = `// Pragma: revalidate 5m tags posts,post:{slug}
export async function getPost(slug) {
  return { slug, title: 'Hello' }
}
`
  const dir = new URL('./.work/cached-function/', import.meta.url)
  const result = transform(source, `${dir.pathname}posts.js`, { root: new URL('../', import.meta.url).pathname, target: 'node' })
  const version = /"version":"(\w+)"/.exec(result?.code ?? '')?.[1]
  if (version === undefined) throw new Error('the bench module no longer compiles to a cached function')
  mkdirSync(dir, { recursive: true })
  writeFileSync(new URL('posts.js', dir), result.code)
  const module = await import(new URL('posts.js', dir).href)
  return { getPost: module.getPost, version }
}

export async function run() {
  const { getPost, version } = await compiledModule()
  // What a user writes without the pragma for the same entry: the key, version and tags by hand.
  const byHand = (slug) => withRevalidate(`fn:bench/.work/cached-function/posts#getPost:${JSON.stringify(slug)}`, 300, async () => ({ slug, title: 'Hello' }), { version, tags: ['posts', `post:${slug}`] })
  const map = new Map([['hello-world', POST]])
  const floor = async (key) => map.get(key)
  const slugs = ['hello-world', 'another-post']
  let turn = 0
  const nextSlug = () => slugs[(turn = 1 - turn)]
  for (const slug of slugs) {
    await getPost(slug)
    await byHand(slug)
  }
  // Both write one entry: the hand-written key is the compiled one.
  if ((await getPost('hello-world')) !== (await byHand('hello-world'))) throw new Error('the hand-written key is not the compiled function’s')

  const results = await measurePeers(
    [
      { name: 'async Map lookup (the floor)', call: () => floor('hello-world'), async: true },
      { name: '`withRevalidate` by hand, the same key, version and tags', call: () => byHand('hello-world'), async: true },
      { name: '**revalidate** compiled `getPost(slug)`', call: () => getPost('hello-world'), async: true },
      { name: '`withRevalidate` by hand, two slugs in turn', call: () => byHand(nextSlug()), async: true },
      { name: '**revalidate** compiled `getPost(slug)`, two slugs in turn (each call makes its key anew)', call: () => getPost(nextSlug()), async: true },
    ],
    { rounds: ROUNDS, time: TIME_MS, batch: BATCH },
  )
  const [floorResult, hand, compiled, handAnew, compiledAnew] = results
  const vsHand = ratioOf(compiled, hand)
  const vsHandAnew = ratioOf(compiledAnew, handAnew)
  const why =
    'the compiled call keys its arguments in the value model (a string is quoted as JSON; anything else is walked and checked), fills its tags from them, and keeps the last call’s key and options; by hand, the key is one template string. To close it: a cheaper key of a single string argument'
  const targets = [
    atMost('hit of a compiled function vs `withRevalidate` by hand (same key)', vsHand.value, LIMIT, { why }),
    atMost('hit of a compiled function vs by hand, two slugs in turn', vsHandAnew.value, LIMIT, { why }),
  ]
  const ratioCell = (r) => `${fixed(r.value, 2)} (${fixed(r.low, 2)}–${fixed(r.high, 2)})`
  const markdown = [
    '## 9. A function cached with a pragma: a fresh hit',
    '',
    `tinybench, in one process: ${ROUNDS} rounds of ${TIME_MS} ms per implementation, the order rotated each round; a sample is the mean of ${BATCH.toLocaleString('en')} calls, each awaited before the next. The compiled function is \`// Pragma: revalidate 5m tags posts,post:{slug}\` above \`export async function getPost(slug)\`, compiled by the plugin and loaded as a module; the hand-written peer calls \`withRevalidate\` of the same default cache with the same key, version and tags.`,
    '',
    table(
      ['implementation', 'ns per call: min / median / max', 'x floor, round by round: median (range)', 'x by hand, round by round: median (range)', 'samples'],
      results.map((r) => [
        r.name,
        spreadText(r),
        r === floorResult ? '1.00' : ratioCell(ratioOf(r, floorResult)),
        r === compiled ? ratioCell(vsHand) : r === compiledAnew ? ratioCell(vsHandAnew) : '',
        String(r.samples.length),
      ]),
    ),
    '',
    targetLines(targets),
  ].join('\n')
  return { markdown, targets }
}
