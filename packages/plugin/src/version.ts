/**
 * The version of a page's data code: a hash that changes whenever what the page loads may change,
 * so an entry the previous code wrote is never read by the new one (docs/architecture.md, "Versions").
 *
 *   import { db } from '~/lib/db'                      -> hashed: "db" from "~/lib/db" (not that module's code)
 *   const TAKE = 10                                    -> hashed: recent() reads it
 *   function recent() { return db.posts({ take: TAKE }) }    -> hashed: the loader calls it
 *   function formatDate(d) { ... }                     -> not hashed: only the template uses it
 *   export async function loader() { return { posts: await recent() } }    -> hashed: the data code
 *
 * The data code is a loader's parameters and body, a page function's first parameter and data
 * section, or a frontmatter's data section. With it goes every declaration of the module or of an
 * enclosing function that it references, and what those reference in turn.
 */
import { hash } from 'node:crypto'
import type { Node } from '@babel/types'
import { dataStatements } from './data-section.js'
import type { Page } from './page.js'
import type { PageData } from './page-data.js'
import { isFunctionNode, type Binding, type Scope } from './scope.js'
import type { Scopes } from './scopes.js'

interface Piece {
  /** Code whose text is hashed. */
  node: Node
  /** The scope its names are resolved in (for a function: the scope around it). */
  scope: Scope
}

/** A hash of the code that loads the page's data, and of what that code references in the module. */
export function versionOf(page: Page, data: PageData): string {
  return hash('sha256', versionInputs(page, data).join('\0'), 'hex').slice(0, 12)
}

/** The version of a function cached with a pragma: its code and what it references in the module, as a loader's. */
export function versionOfFunction(page: Page, fn: Node): string {
  return hash('sha256', codeInputs(page, [{ node: fn, scope: page.scopes.module }]).join('\0'), 'hex').slice(0, 12)
}

/** What the version hashes, in order: texts of the data code and of the declarations it reaches, and imported names. */
export function versionInputs(page: Page, data: PageData): string[] {
  return codeInputs(page, dataCodeOf(data, page.scopes))
}

function codeInputs({ source: { code }, scopes }: Page, pending: Piece[]): string[] {
  const inputs: string[] = []
  const hashed: Node[] = []
  const imports = new Set<Binding>()
  for (const { node } of pending) {
    inputs.push(code.slice(node.start!, node.end!))
    hashed.push(node)
  }
  for (let next = 0; next < pending.length; next++) {
    const { node, scope } = pending[next]!
    scopes.eachReference(node, scope, (_identifier, binding) => {
      if (binding === undefined) return // a global
      const { source } = binding
      if (source.type === 'import') {
        if (imports.has(binding)) return
        imports.add(binding)
        inputs.push(`import ${JSON.stringify(source.imported)} from ${JSON.stringify(source.source)}`)
        return
      }
      const declaration = declarationOf(binding)
      // Inside code hashed already, or around it (the loader's own declaration, a loop's variable).
      if (hashed.some((other) => declaration.start! < other.end! && other.start! < declaration.end!)) return
      inputs.push(code.slice(declaration.start!, declaration.end!))
      hashed.push(declaration)
      pending.push({ node: declaration, scope: binding.lexicalScope })
    })
  }
  return inputs
}

/** The code that loads the data, with the scope around it. */
function dataCodeOf(data: PageData, scopes: Scopes): Piece[] {
  if (data.kind === 'frontmatter') return dataStatements(data.section).map((node) => ({ node, scope: scopes.module }))
  if (data.kind === 'loader') {
    // Loaders are declared at module level. Their names resolve inside the function: walk it whole.
    return [{ node: data.fn, scope: scopes.module }]
  }
  const scope = scopes.enter(data.fn, scopes.module)
  return [...data.fn.params.slice(0, 1), ...dataStatements(data.section)].map((node) => ({ node, scope }))
}

/** Where a binding is declared: the code whose text says what it holds. */
function declarationOf(binding: Binding): Node {
  const { source } = binding
  if (source.type === 'param') return source.fn.params[source.index]!
  if (source.type === 'declarator') return source.declarator
  if (source.type === 'function') return source.fn
  if (source.type === 'class') return source.node
  // An enum, a namespace, a catch parameter, a loop variable: the statement that declares it.
  const around = binding.lexicalScope.node
  const at = binding.identifier.start!
  return statementsOf(around).find((statement) => statement.start! <= at && at < statement.end!) ?? around
}

function statementsOf(node: Node): readonly Node[] {
  if (node.type === 'Program' || node.type === 'BlockStatement' || node.type === 'StaticBlock') return node.body
  if (isFunctionNode(node) && node.body.type === 'BlockStatement') return node.body.body
  if (node.type === 'SwitchStatement') return node.cases
  return []
}
