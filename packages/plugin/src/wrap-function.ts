/**
 * Wraps each function cached with a pragma in the runtime's `cacheFunction`, with edits on the
 * original text (as wrap.ts does a loader): the function keeps its name, arity, types, `this` and
 * `arguments`; its body becomes the fetcher, and the values of its parameters are the key.
 *
 *   // Pragma: revalidate 5m tags post:{slug}
 *   export async function getPost(slug: string, { draft }: Options = {}) { return db.post(slug, draft) }
 *   ->
 *   const __rv_fn_getPost = {"module":"app/lib/posts","name":"getPost","params":["slug",""],"ttl":300,"version":"…","tags":["post:{0}"]};
 *   export function getPost(slug: string, __rv_a1: Options = {}) {return __rv_cacheFunction(__rv_fn_getPost, [slug, __rv_a1], async () => {let { draft } = __rv_a1;
 *     return db.post(slug, draft) });};__rv_registerFunction(getPost, __rv_fn_getPost, (slug, __rv_a1 = {}) => [slug, __rv_a1]);
 *
 * The wrapper is no longer `async`: it returns the promise `cacheFunction` returns, which never
 * throws (a key it cannot make is a rejection).
 *
 * The registration hands the runtime the function's own parameter list (defaults and all), so
 * `key(getPost, 'hello')` makes the key the call `getPost('hello')` makes.
 */
import type { CachedFunctionSite } from './cached-functions.js'
import { runtimeParams } from './cached-functions.js'
import type { SourceEdits } from './edits.js'
import { returnTypeAsPromise, wrapBody } from './function-body.js'

export interface FunctionNames {
  cacheFunction: string
  registerFunction: string
  /** The prefix of the constant of each function (`__rv_fn_`) and of a destructured parameter's name (`__rv_a`). */
  prefix: string
}

export interface FunctionWrapInput {
  site: CachedFunctionSite
  /** The module, relative to the project root, without extension: the part of its keys. */
  module: string
  version: string
  names: FunctionNames
}

const constantOf = ({ site, names }: FunctionWrapInput) => `${names.prefix}fn_${site.name}`

/** The constant each call passes to `cacheFunction`: everything known at build time. */
export function functionConstant(input: FunctionWrapInput): string {
  const { site } = input
  const info: Record<string, unknown> = { module: input.module, name: site.name, params: site.params, ttl: site.pragma.ttl, version: input.version }
  if (site.tags.length > 0) info.tags = site.tags
  if (site.pragma.staleSeconds !== undefined) info.staleSeconds = site.pragma.staleSeconds
  return `const ${constantOf(input)} = ${JSON.stringify(info)}; `
}

export function wrapFunction(edits: SourceEdits, input: FunctionWrapInput): void {
  const { site, names } = input
  const { fn } = site
  const code = edits.original
  const values: string[] = []
  const keyer: string[] = []
  let prologue = ''
  runtimeParams(fn).forEach((param, index) => {
    const withDefault = param.type === 'AssignmentPattern' ? param : undefined
    const target = withDefault ? withDefault.left : param
    const defaultText = withDefault ? ` = ${code.slice(withDefault.right.start!, withDefault.right.end!)}` : ''
    if (target.type === 'Identifier') {
      values.push(target.name)
      keyer.push(`${target.name}${defaultText}`)
      return
    }
    if (target.type === 'RestElement' && target.argument.type === 'Identifier') {
      values.push(target.argument.name)
      keyer.push(`...${target.argument.name}`)
      return
    }
    // A pattern (`{ slug }: Args`) becomes a name of its own (same arity, same type), destructured first thing in the fetcher.
    const name = `${names.prefix}a${index}`
    const pattern = target.type === 'RestElement' ? target.argument : target
    const typeStart = 'typeAnnotation' in pattern && pattern.typeAnnotation ? pattern.typeAnnotation.start! : pattern.end!
    prologue += `let ${code.slice(pattern.start!, typeStart)} = ${name}; `
    edits.replace(pattern.start!, typeStart, name)
    values.push(name)
    keyer.push(`${target.type === 'RestElement' ? '...' : ''}${name}${defaultText}`)
  })
  const call = `${names.cacheFunction}(${constantOf(input)}, [${values.join(', ')}], async () => {${prologue ? ` ${prologue}` : ''}`
  returnTypeAsPromise(edits, fn) // a synchronous function now returns a promise
  // The wrapper returns the runtime's promise itself: an `async` wrapper would wrap it in one more
  // (two more microtask turns a call, a third of a hit's time; bench/RESULTS.md, section 9).
  if (fn.async) edits.replace(fn.start!, code.indexOf('async', fn.start!) + 'async'.length + 1, '')
  wrapBody(edits, fn, { block: [`return ${call}`, `});`], expression: [`{ return ${call}return (`, `) }) }`] })
  // After the statement (declarations are hoisted, but a `const` is not there before it runs).
  edits.insert(site.statement.end!, `;${names.registerFunction}(${site.name}, ${constantOf(input)}, (${keyer.join(', ')}) => [${values.join(', ')}]);`)
}
