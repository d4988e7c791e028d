/**
 * Finds the exported functions a module caches: a pragma written right above the `export`
 * (docs/pragma.md, "On exported functions"), with the header pragma's grammar:
 *
 *   // Pragma: revalidate 5m tags posts,post:{slug}
 *   export async function getPost(slug: string) { ... }     -> getPost, params ['slug'], tags ['posts', 'post:{0}']
 *
 *   // Pragma: revalidate 1h tags author:{post.authorId}
 *   export const related = async (post: Post) => ...         -> related, params ['post'], tags ['author:{0.authorId}']
 *
 * A tag's `{name}` reads the argument of that parameter (or a field of it): it is written as the
 * argument's place, which is what the runtime fills it from. The header's pragma is a function's
 * only where the module has no page data (no loader, no page function) and its first statement
 * is an exported function; a loader's name (`loader`, `load`, ...) always belongs to the page.
 */
import type { Comment, Identifier, Node, Program, Statement } from '@babel/types'
import { closest } from './did-you-mean.js'
import type { SourceText } from './errors.js'
import { REQUEST_TYPES } from './frameworks/index.js'
import * as errors from './function-errors.js'
import { unwrapFunction } from './module-exports.js'
import type { DataFunction } from './page-data.js'
import { PRAGMA_HINT, readPragmaOf, type Pragma } from './pragma.js'
import { SKIP, walk } from './walk.js'

export interface CachedFunctionSite {
  name: string
  fn: DataFunction
  /** The statement that exports it: the registration goes after it. */
  statement: Statement
  pragma: Pragma
  /** The parameters' names, by place ('' for a destructured one): the runtime names arguments with them. */
  params: string[]
  /** The pragma's tags, `{name}` written as the argument's place: `post:{0}`, `author:{0.authorId}`. */
  tags: string[]
}

/** A function declared by a top-level statement, and whether the statement exports it. */
interface Declared {
  name: string
  fn: DataFunction | undefined
  at: Node
  exported: boolean
}

function declaredBy(statement: Statement, source: SourceText): Declared | undefined {
  const exported = statement.type === 'ExportNamedDeclaration'
  const declaration = exported ? statement.declaration : statement
  if (declaration?.type === 'FunctionDeclaration' && declaration.id) return { name: declaration.id.name, fn: declaration, at: declaration.id, exported }
  if (declaration?.type !== 'VariableDeclaration') return undefined
  const [declarator, second] = declaration.declarations
  if (declarator === undefined || declarator.id.type !== 'Identifier') return undefined
  const fn = unwrapFunction(declarator.init)
  if (!exported && fn === undefined) return undefined // `const x = 1` below a stray pragma: the header's error says it
  if (second !== undefined) throw errors.severalDeclarators(source, declaration)
  return { name: declarator.id.name, fn, at: declarator.id, exported }
}

/**
 * The module's cached functions. `headerIsFunctions` says whether the header's pragma belongs to
 * the function below it; the comments returned are the pragmas read here, which are not the
 * "pragma below the header" they would otherwise be.
 */
export function findCachedFunctions(
  program: Program,
  comments: readonly Comment[],
  source: SourceText,
  loaders: readonly string[],
  headerEnd: number,
  headerIsFunctions: boolean,
): { functions: CachedFunctionSite[]; claimed: Set<number> } {
  const functions: CachedFunctionSite[] = []
  const claimed = new Set<number>()
  const pragmaComments = comments.filter((comment) => PRAGMA_HINT.test(comment.value))
  let previousEnd = 0
  let next = 0
  // The pragmas above a TypeScript overload signature: the implementation below the signatures gets them.
  let carried: Array<{ comment: Comment; pragma: Pragma }> = []
  for (const statement of program.body) {
    const above = carried
    carried = []
    for (; next < pragmaComments.length && pragmaComments[next]!.start! < statement.start!; next++) {
      const comment = pragmaComments[next]!
      if (comment.start! < previousEnd) continue // inside the previous statement
      if (comment.end! <= headerEnd && !headerIsFunctions) continue // the page's
      const pragma = readPragmaOf(source, comment)
      if (pragma === null) continue
      // `export async function f() { ... } // Pragma: ...` reads as f's, but would cache the function below.
      if (previousEnd > 0 && !source.code.slice(previousEnd, comment.start!).includes('\n')) throw errors.trailingPragma(source, comment.start!, comment.end!)
      above.push({ comment, pragma })
    }
    previousEnd = statement.end!
    if (above.length === 0) continue
    if (isOverloadSignature(statement)) {
      carried = above
      continue
    }
    refuseUnnamedExport(statement, source)
    const declared = declaredBy(statement, source)
    if (declared === undefined || loaders.includes(declared.name)) continue // a stray pragma: the header's error says it
    if (!declared.exported) throw errors.notExported(source, declared.at, declared.name, exportListOf(program, source, declared.name))
    if (declared.fn === undefined) throw errors.notAFunction(source, declared.at, declared.name)
    if (above.length > 1) throw errors.twoPragmas(source, above[1]!.comment.start!, above[1]!.comment.end!, declared.name)
    const [{ comment, pragma }] = above as [{ comment: Comment; pragma: Pragma }]
    if (declared.fn.generator) throw errors.generator(source, declared.at, declared.name)
    if (pragma.query.length > 0) {
      const at = source.code.slice(pragma.start, pragma.end).search(/\bquery\b/)
      throw errors.queryOption(source, pragma.start + Math.max(0, at), pragma.start + Math.max(0, at) + 5, declared.name)
    }
    const parameters = parametersOf(declared.fn, source.code)
    checkParameterTypes(declared.fn, declared.name, source)
    checkNoThis(declared.fn, declared.name, source)
    claimed.add(comment.start!)
    functions.push({
      name: declared.name,
      fn: declared.fn,
      statement,
      pragma,
      params: parameters.names,
      tags: pragma.tags.map((tag) => placedTag(tag, pragma, parameters, declared.name, source)),
    })
  }
  return { functions, claimed }
}

/** `export function f(a: string): Promise<Post>`, a signature of the overloaded function declared below it. */
export function isOverloadSignature(statement: Statement): boolean {
  const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement
  return declaration?.type === 'TSDeclareFunction' && declaration.declare !== true
}

/** An export the pragma cannot cache by name: a default export, an export list, an ambient declaration. */
function refuseUnnamedExport(statement: Statement, source: SourceText): void {
  if (statement.type === 'ExportDefaultDeclaration') {
    const { declaration } = statement
    const local = declaration.type === 'FunctionDeclaration' ? declaration.id?.name : undefined
    if (unwrapFunction(declaration) !== undefined) throw errors.defaultExport(source, statement.start!, source.code.lastIndexOf('default', declaration.start!) + 'default'.length, local)
    return
  }
  if (statement.type !== 'ExportNamedDeclaration') return
  if (statement.declaration == null) {
    const [first] = statement.specifiers
    const name = first?.exported.type === 'Identifier' ? first.exported.name : 'getPost'
    throw errors.exportList(source, statement, textOf(source, statement), name)
  }
  if (statement.declaration.type === 'TSDeclareFunction' && statement.declaration.id) throw errors.noBody(source, statement.declaration.id, statement.declaration.id.name)
}

/** The `export { … }` statement that exports a local name, as written, if one does. */
function exportListOf(program: Program, source: SourceText, name: string): string | undefined {
  const list = program.body.find(
    (statement) => statement.type === 'ExportNamedDeclaration' && statement.declaration == null && statement.source == null && statement.specifiers.some((specifier) => specifier.type === 'ExportSpecifier' && specifier.local.name === name),
  )
  return list && textOf(source, list)
}

const textOf = (source: SourceText, node: Node) => source.code.slice(node.start!, node.end!).replace(/\s+/g, ' ').replace(/;$/, '')

/** Whether a top-level statement exports a function a pragma above it may cache (not a loader). */
export function exportsCacheableFunction(statement: Statement | undefined, loaders: readonly string[]): boolean {
  if (statement?.type !== 'ExportNamedDeclaration' || statement.declaration == null) return false
  const { declaration } = statement
  if (declaration.type === 'FunctionDeclaration') return declaration.id != null && !loaders.includes(declaration.id.name)
  if (declaration.type !== 'VariableDeclaration' || declaration.declarations.length !== 1) return false
  const [declarator] = declaration.declarations
  return declarator!.id.type === 'Identifier' && !loaders.includes(declarator!.id.name) && unwrapFunction(declarator!.init) !== undefined
}

/** The parameters a call passes, without TypeScript's `this`. */
export function runtimeParams(fn: DataFunction): DataFunction['params'] {
  return fn.params.filter((param) => !(param.type === 'Identifier' && param.name === 'this'))
}

interface Parameters {
  names: string[]
  /** Each name a tag may read: the argument's place, and fields of it for a destructured one. */
  paths: Map<string, string>
  /** The destructured names with a default (`{ page = 1 }`), and the default as written. */
  defaults: Map<string, string>
}

function parametersOf(fn: DataFunction, code: string): Parameters {
  const names: string[] = []
  const paths = new Map<string, string>()
  const defaults = new Map<string, string>()
  // `({ slug, author: by, post: { id } })`: `{slug}` is the argument's `slug`, `{by}` its `author`, `{id}` its `post.id`.
  // A name below a default (`{ post: { id } = { id: 1 } }`) has it too.
  const destructure = (pattern: Node, path: string, above: string | undefined) => {
    if (pattern.type !== 'ObjectPattern') return
    for (const property of pattern.properties) {
      if (property.type !== 'ObjectProperty' || property.computed || property.key.type !== 'Identifier') continue
      const withDefault = property.value.type === 'AssignmentPattern' ? code.slice(property.value.start!, property.value.end!) : above
      const value = property.value.type === 'AssignmentPattern' ? property.value.left : property.value
      const at = `${path}.${property.key.name}`
      if (value.type !== 'Identifier') {
        destructure(value, at, withDefault)
        continue
      }
      paths.set(value.name, at)
      if (withDefault !== undefined) defaults.set(value.name, withDefault)
    }
  }
  runtimeParams(fn).forEach((param, index) => {
    const target = param.type === 'AssignmentPattern' ? param.left : param.type === 'RestElement' ? param.argument : param
    if (target.type === 'Identifier') {
      names.push(target.name)
      paths.set(target.name, String(index))
      return
    }
    names.push('')
    destructure(target, String(index), undefined)
  })
  return { names, paths, defaults }
}

const PLACEHOLDER = /\{([^{}]*)\}/g
const FIELD_PATH = /^[A-Za-z_$][\w$]*(?:\.[\w$]+)*$/

/** A tag with each `{name.field}` written as `{<place>.field}`; a name that is no parameter is an error. */
function placedTag(tag: string, pragma: Pragma, parameters: Parameters, fnName: string, source: SourceText): string {
  const tagStart = source.code.indexOf(tag, pragma.start)
  const at = (offset: number, length: number): [number, number] => (tagStart === -1 ? [pragma.start, pragma.end] : [tagStart + offset, tagStart + offset + length])
  const placed = tag.replace(PLACEHOLDER, (whole, inner: string, offset: number) => {
    if (!FIELD_PATH.test(inner)) throw errors.badTagPlaceholder(source, ...at(offset, whole.length), tag)
    const [name, ...fields] = inner.split('.') as [string, ...string[]]
    const place = parameters.paths.get(name)
    if (place === undefined) {
      const known = [...parameters.paths.keys()]
      throw errors.unknownTagParameter(source, ...at(offset, whole.length), tag, inner, fnName, known, closest(name, known))
    }
    // The runtime fills a tag from the argument as passed, where a destructured default is not applied.
    const withDefault = parameters.defaults.get(name)
    if (withDefault !== undefined) throw errors.tagReadsDefault(source, ...at(offset, whole.length), tag, inner, withDefault, fnName)
    return `{${[place, ...fields].join('.')}}`
  })
  if (/[{}]/.test(placed.replace(/\{\d+(?:\.[\w$]+)*\}/g, ''))) throw errors.badTagPlaceholder(source, ...at(0, tag.length), tag)
  return placed
}

/** A page's tags are kept as written: a `{name}` in one, which only a function's pragma fills, would never match. */
export function refusePageTagPlaceholders(pragma: Pragma, source: SourceText): void {
  for (const tag of pragma.tags) {
    const brace = tag.search(/[{}]/)
    if (brace === -1) continue
    const tagStart = source.code.indexOf(tag, pragma.start)
    const [start, end] = tagStart === -1 ? [pragma.start, pragma.end] : [tagStart, tagStart + tag.length]
    throw errors.pageTagPlaceholder(source, start, end, tag)
  }
}

/** A parameter typed as the request or a request context would key the cache by a visitor's request. */
function checkParameterTypes(fn: DataFunction, fnName: string, source: SourceText): void {
  for (const param of runtimeParams(fn)) {
    const target = param.type === 'AssignmentPattern' ? param.left : param
    const annotation = 'typeAnnotation' in target && target.typeAnnotation?.type === 'TSTypeAnnotation' ? target.typeAnnotation.typeAnnotation : undefined
    if (annotation?.type !== 'TSTypeReference') continue
    const typeName = annotation.typeName.type === 'TSQualifiedName' ? annotation.typeName.right.name : (annotation.typeName as Identifier).name
    if (!REQUEST_TYPES.has(typeName)) continue
    const text = source.code.slice(target.start!, annotation.start!).replace(/[\s:?]+$/, '')
    throw errors.requestParameter(source, target, fnName, text, `a \`${source.code.slice(annotation.start!, annotation.end!)}\``)
  }
}

/** Where `this` is another one than the cached function's: a function of its own, a class member. */
const OWN_THIS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ObjectMethod', 'ClassMethod', 'ClassPrivateMethod', 'ClassProperty', 'ClassPrivateProperty', 'ClassAccessorProperty', 'StaticBlock'])

/** `this` in a cached function (not an arrow's, which is the module's): what it is called on is no part of its key. */
function checkNoThis(fn: DataFunction, fnName: string, source: SourceText): void {
  if (fn.type === 'ArrowFunctionExpression') return
  walk(fn.body, undefined, (node) => {
    if (node.type === 'ThisExpression') throw errors.readsThis(source, node, fnName)
    return OWN_THIS.has(node.type) ? SKIP : undefined
  })
}
