/**
 * What names hold, in the code a data flow walks: a binding's value (its declaration along its
 * pattern path, and everything assigned to it), a parameter's argument, a class, and what an
 * import is: a framework's API (the framework tables), or an export of another module of the app,
 * worked out from that module's own code.
 *
 *   const { request } = args                  request -> the member `request` of args' shape
 *   import { cookies } from 'next/headers'    cookies -> what the Next.js table says it is
 *   import { getUser } from '~/lib/auth'      getUser -> that module's function, followed when called
 */
import { isReadable, type SourceModule, type UnreadableModule } from '../app-modules.js'
import { importedShape } from '../frameworks/index.js'
import { keyName } from '../patterns.js'
import { isFunctionNode, type Binding, type FunctionNode, type Scope } from '../scope.js'
import { argumentList, fn, objectLiteral, union, type Shape } from '../shapes.js'
import { scopesOf, type ClassNode, type Flow, type Frame } from './frames.js'

/** What a binding holds: its declaration's value along its pattern path, and whatever was assigned to it. */
export function bindingShape(flow: Flow, binding: Binding, frame: Frame): Shape | undefined {
  if (flow.evaluatingBindings.has(binding)) return undefined // `let a = b, b = a`
  flow.evaluatingBindings.add(binding)
  try {
    const { source } = binding
    let shape: Shape | undefined
    if (source.type === 'param') shape = flow.along(paramShape(source.fn, source.index, frame), binding.path, binding.lexicalScope, frame)
    else if (source.type === 'declarator' && source.declarator.init) {
      shape = flow.along(flow.ahead(source.declarator.init, binding.lexicalScope, frame), binding.path, binding.lexicalScope, frame)
    } else if (source.type === 'function') shape = { kind: 'local', fn: source.fn, scope: binding.lexicalScope }
    else if (source.type === 'import') shape = importShape(flow, source.source, source.imported, flow.options.modules.ofScope(binding.lexicalScope), frame)
    else if (source.type === 'class') shape = classShape(flow, source.node, binding.lexicalScope)
    const { scopes } = flow.options.modules.ofScope(binding.lexicalScope)
    // A module-level variable outlives the request: any function of the module may assign it, walked or not.
    if (source.type === 'declarator' && source.kind !== 'const' && binding.lexicalScope === scopes.module) {
      scopes.collectAssignments(scopes.program.body, scopes.module)
    }
    const assigned = binding.assigned.map(({ value, scope, path }) => flow.along(flow.ahead(value, scope, frame), path, scope, frame))
    return assigned.length === 0 ? shape : union([shape, ...assigned])
  } finally {
    flow.evaluatingBindings.delete(binding)
  }
}

/** The shape of a function's parameter `index`: its argument in the frame that walks it. */
export function paramShape(fn: FunctionNode, index: number, frame: Frame): Shape | undefined {
  const args = frame.argsOf(fn)
  // `(...args)`: the arguments from here on, as a list.
  return fn.params[index]?.type === 'RestElement' ? argumentList(args?.slice(index) ?? []) : args?.[index]
}

/**
 * A class as a value: `Auth.user()` of a static method, and `new Carts().current()` of an
 * instance's, are followed into them as functions of the module.
 */
export function classShape(flow: Flow, node: ClassNode, scope: Scope): Shape | undefined {
  const inner = scopesOf(flow, scope).enter(node, scope)
  const statics: Record<string, Shape> = {}
  const instance: Record<string, Shape> = {}
  for (const member of node.body.body) {
    if (member.type !== 'ClassMethod' && member.type !== 'ClassProperty') continue
    const name = keyName(member.key, member.computed)
    const method = member.type === 'ClassMethod' ? (member.kind === 'method' ? member : undefined) : member.value && isFunctionNode(member.value) ? member.value : undefined
    if (name !== undefined && method !== undefined) (member.static ? statics : instance)[name] = { kind: 'local', fn: method, scope: inner }
  }
  return fn('the class', { members: statics, constructs: { kind: 'object', label: 'an instance of the class', members: instance } })
}

/** What `imported` ('*': the namespace) of `source` is, imported by the module `importer`. */
export function importShape(flow: Flow, source: string, imported: string, importer: SourceModule, frame: Frame): Shape | undefined {
  const known = importedShape(source, imported)
  if (known !== undefined) return known
  const { requestBound, modules } = flow.options
  const bound = imported !== '*' && requestBound.has(imported) ? requestBoundHelper(imported) : undefined
  // A module of the app: its export is followed as the page's own code would be (a `requestBound`
  // name stays request-bound too: `export const { auth } = NextAuth(config)` is not followed).
  const module = modules.imported(importer, source)
  if (module !== undefined) return isReadable(module) ? union([bound, exportShape(flow, module, imported, frame)]) : unreadable(module, modules.nameOf(module))
  if (imported !== '*' || requestBound.size === 0) return bound
  // `import * as lib from '~/auth'` (or `await import('~/auth')`): `lib.auth()` is the helper under another name.
  return { kind: 'object', label: `the module ${source}`, members: Object.fromEntries([...requestBound].map((name) => [name, requestBoundHelper(name)])) }
}

/** An export of a module of the app ('*': its namespace), as its own code makes it. */
function exportShape(flow: Flow, module: SourceModule, name: string, frame: Frame): Shape | undefined {
  if (name === '*') return namespace(flow, module, frame)
  const key = `${module.id}#${name}`
  if (flow.exportsResolving.has(key)) return undefined // `export { x } from './b'` in a cycle of modules
  flow.exportsResolving.add(key)
  try {
    const target = flow.options.modules.exportOf(module, name)
    switch (target?.kind) {
      case 'binding':
        return bindingShape(flow, target.binding, frame)
      case 'import':
        return importShape(flow, target.source, target.imported, target.importer, frame)
      case 'unreadable':
        return unreadable(target.module, flow.options.modules.nameOf(target.module))
      case 'value': {
        const { node } = target
        const scope = target.module.scopes.module
        if (isFunctionNode(node)) return { kind: 'local', fn: node, scope }
        if (node.type === 'ClassDeclaration' || node.type === 'ClassExpression') return classShape(flow, node, scope)
        return flow.ahead(node, scope, frame)
      }
      default:
        return undefined
    }
  } finally {
    flow.exportsResolving.delete(key)
  }
}

/** `import * as auth from './auth'`: every export as a member (a `requestBound` name request-bound too). */
function namespace(flow: Flow, module: SourceModule, frame: Frame): Shape | undefined {
  if (flow.namespaces.has(module)) return flow.namespaces.get(module)
  flow.namespaces.set(module, undefined) // a module that imports its own namespace
  const { modules, requestBound } = flow.options
  const members: Record<string, Shape> = {}
  for (const name of modules.exportNames(module)) {
    const shape = union([requestBound.has(name) ? requestBoundHelper(name) : undefined, exportShape(flow, module, name, frame)])
    if (shape !== undefined) members[name] = shape
  }
  const literal = objectLiteral(members, {})
  const shape = literal?.kind === 'object' ? { ...literal, label: `the module ${modules.nameOf(module)}`, at: undefined } : undefined
  flow.namespaces.set(module, shape)
  return shape
}
/**
 * What a module of the app that does not parse exports: code the compiler cannot read, so using it
 * in cached data is reported as a read it cannot rule out (with its own reason and fix).
 */
function unreadable(module: UnreadableModule, name: string): Shape {
  return {
    kind: 'visitor',
    code: 'RV205',
    label: `code of ${name}`,
    why: `that module does not parse (${module.reason}), so the compiler cannot tell what it reads per visitor`,
    fix: 'fix its syntax. If it is valid code the compiler cannot parse, and the same for every visitor, say so right before the call: `/* revalidate-safe: <why> */`.',
  }
}

/** A helper named in the `requestBound` option: a call of it reads the visitor's session by itself. */
function requestBoundHelper(name: string): Shape {
  return fn(`${name}()`, { callReads: `the visitor's session or sign-in (\`${name}()\` reads the request by itself; the \`requestBound\` option lists it)` })
}
