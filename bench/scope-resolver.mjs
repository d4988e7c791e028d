// 3d. What the names of the bench page's loader refer to: our scope resolver (plugin/src/scopes.ts,
// made lazily, as the transform uses it) against @babel/traverse, which crawls the whole program
// for its first scope. We keep our own resolver for speed; this row says whether it still earns
// its place (docs/architecture.md).
import traverseModule from '@babel/traverse'
import { Scopes } from '../packages/plugin/dist/scopes.js'
import { parseBenchPage } from './fixtures/transform-page.mjs'
import { fixed, spreadText, table } from './lib/measure.mjs'
import { measurePeers, ratioOf } from './lib/peers.mjs'

const traverse = traverseModule.default ?? traverseModule
const ROUNDS = 12
const TIME_MS = 100

export async function run() {
  const file = parseBenchPage()
  const { program } = file
  const loader = program.body.find((statement) => statement.type === 'ExportNamedDeclaration' && statement.declaration?.id?.name === 'loader').declaration
  const ourReferences = () => {
    const scopes = new Scopes(program)
    return scopes.factsOf(loader, scopes.module).references.filter((reference) => reference.binding !== undefined).length
  }
  // Babel keeps each node's path and scope in a cache: cleared, so every call resolves afresh, as a transform of a new page does.
  const babelReferences = () => {
    traverse.cache.clear()
    let resolved = 0
    traverse(file, {
      ExportNamedDeclaration(path) {
        if (path.node.declaration !== loader) return
        path.get('declaration').traverse({
          Identifier(identifier) {
            // Babel resolves type names too (`LoaderFunctionArgs`); ours reads values only.
            if (identifier.parentPath.isTSTypeReference()) return
            if (identifier.isReferencedIdentifier() && identifier.scope.getBinding(identifier.node.name)) resolved++
          },
        })
        path.stop()
      },
    })
    return resolved
  }
  // Both must find the same bindings: one binding per reference to a declared name.
  if (ourReferences() !== babelReferences()) throw new Error(`our resolver found ${ourReferences()} bound references in the loader, @babel/traverse ${babelReferences()}`)
  let found = 0 // what each call returns is used, so no call can be optimised away
  const results = await measurePeers(
    [
      { name: '@babel/parser `parse` of the page (for scale)', call: () => (found += parseBenchPage().program.body.length) },
      { name: "**revalidate** `Scopes`: the module's scope, then the loader's scopes and references", call: () => (found += ourReferences()) },
      { name: '@babel/traverse: the program scope crawled, then the loader\'s references resolved', call: () => (found += babelReferences()) },
    ],
    { rounds: ROUNDS, time: TIME_MS },
  )
  if (found === 0) throw new Error('nothing was resolved')
  const [parse] = results
  const markdown = [
    "### 3d. What a loader's names refer to: our scope resolver against @babel/traverse",
    '',
    `The bench page, parsed once; every call resolves the names its loader reads to their declarations afresh (Babel's path cache cleared). Both find the same ${ourReferences()} references to declared values (Babel's also resolves the type names, left out of its count). tinybench: ${ROUNDS} rounds of ${TIME_MS} ms per row, rotated; a sample is one call.`,
    '',
    table(
      ['resolver', 'µs per page: min / median / max', 'x the parse, round by round: median (range)'],
      results.map((r) => {
        const vs = ratioOf(r, parse)
        return [r.name, spreadText({ min: r.min / 1000, median: r.median / 1000, max: r.max / 1000 }), r === parse ? '1.00' : `${fixed(vs.value, vs.value < 0.1 ? 3 : 2)} (${fixed(vs.low, vs.value < 0.1 ? 3 : 2)}–${fixed(vs.high, vs.value < 0.1 ? 3 : 2)})`]
      }),
    ),
  ].join('\n')
  return { markdown, targets: [] }
}
