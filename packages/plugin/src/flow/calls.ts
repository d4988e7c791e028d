/**
 * Calls in the code a data flow walks: what a call gives back and what it reads of what it is
 * handed, by what is called.
 *
 *   cookies()                  an API that reads the visitor's request: a read, reported
 *   url.searchParams.get('q')  a read of the query parameter "q"
 *   getTheme(request)          a function of the app: followed into its body with the request
 *   db.post(request)           code we cannot see into: the request is handed on whole
 *   import('next/headers')     the module, as its static import would be
 */
import { isExpression, type Expression, type Node } from '@babel/types'
import { URL_OBJECT } from '../frameworks/web.js'
import type { FunctionNode, Scope } from '../scope.js'
import { awaited, exposureOf, query, union, visitor, type Shape } from '../shapes.js'
import { Frame, MAX_DEPTH, type Call, type Flow } from './frames.js'

export function call(flow: Flow, node: Call, scope: Scope, frame: Frame): Shape | undefined {
  flow.callees.add(node.callee)
  const loaded = moduleLoadedBy(node, scope)
  if (loaded !== undefined) {
    // `import('next/headers')`, `require('next/headers')`: the module, as a static import of it.
    for (const argument of node.arguments.slice(1)) if (isExpression(argument)) flow.use(flow.expression(argument, scope, frame), argument, frame)
    const namespace = flow.importShape(loaded.source, '*', flow.options.modules.ofScope(scope), frame)
    return loaded.dynamic && namespace !== undefined ? { kind: 'promise', of: namespace } : namespace
  }
  // `import('next/headers').then((headers) => ...)`: the callback is called with what the promise holds.
  const promised = isThenCall(node) ? flow.expression(node.callee.object, scope, frame) : undefined
  if (promised?.kind === 'promise') return then(flow, node, promised.of, scope, frame)
  const callee = node.callee.type === 'Super' || node.callee.type === 'V8IntrinsicIdentifier' || node.callee.type === 'Import' ? undefined : flow.expression(node.callee as Expression, scope, frame)
  let receiver: Shape | undefined
  if ((node.callee.type === 'MemberExpression' || node.callee.type === 'OptionalMemberExpression') && node.callee.object.type !== 'Super') {
    receiver = flow.expression(node.callee.object, scope, frame)
    // `args.map(fn)`, `args.forEach(fn)`: the list's items go to code we do not follow.
    if (receiver?.kind === 'object' && receiver.list) flow.use(receiver, node.callee.object, frame, node)
  }
  const args = node.arguments.map((argument) => {
    if (argument.type === 'SpreadElement') {
      flow.use(flow.expression(argument.argument, scope, frame), argument.argument, frame)
      return undefined
    }
    if (argument.type === 'ArgumentPlaceholder') return undefined
    return flow.expression(argument as Expression, scope, frame)
  })
  return union((callee?.kind === 'union' ? callee.shapes : [callee]).map((one) => callOne(flow, one, node, args, frame, receiver)))
}

/** A call of one callee (a union of callees is called each): what the call gives back, and what it reads. */
function callOne(flow: Flow, callee: Shape | undefined, node: Call, args: readonly (Shape | undefined)[], frame: Frame, receiver?: Shape): Shape | undefined {
  const isNew = node.type === 'NewExpression'
  switch (callee?.kind) {
    case 'visitor':
      flow.visitorRead(node, callee, frame)
      return callee
    case 'query-get': {
      const [first] = node.arguments
      flow.queryRead(node, literalString(first), frame)
      return undefined
    }
    case 'local':
      if (flow.markedSafe(node)) return undefined // the user vouches for it: not followed
      if (flow.following.length >= MAX_DEPTH) {
        useArguments(flow, node, args, frame) // too deep to follow: as if we could not see into it
        return undefined
      }
      return follow(flow, callee.fn, callee.scope, args, node, frame, receiver)
    case 'function': {
      if (callee.callReads !== undefined) flow.visitorRead(node, visitor(callee.callReads), frame)
      if (isNew && callee.constructs !== undefined) {
        if (callee.constructs === 'url') return exposureOf(args[0]) === 'query' ? URL_OBJECT : undefined
        if (callee.constructs === 'search-params') return exposureOf(args[0]) === 'query' ? query('the query string', 'search-params') : undefined
        useArguments(flow, node, args, frame)
        return callee.constructs
      }
      const { reads } = callee
      if (reads === 'nothing') return callee.returns
      if (reads === undefined) useArguments(flow, node, args, frame)
      else {
        node.arguments.forEach((argument, index) => {
          if (exposureOf(args[index]) === undefined) return
          if (reads === 'query') flow.queryRead(argument, undefined, frame, node)
          else for (const name of reads.queryNames) flow.queryRead(argument, name, frame, node)
        })
      }
      return isNew ? undefined : callee.returns
    }
    default: {
      useArguments(flow, node, args, frame)
      if (isNew) return undefined
      // `cache(fn)`, `createServerFn().handler(fn)`, `queryOptions({ queryFn })`: what code we cannot
      // see makes of a function of the module may call it; a call of what it returns (or handing
      // that on) is followed into that function.
      return union(args.filter(carriesLocalFunction))
    }
  }
}

/** `promise.then(onFulfilled, ...)`: a local callback is followed with `value`; other code is handed it. */
function then(flow: Flow, node: Call, value: Shape | undefined, scope: Scope, frame: Frame): Shape | undefined {
  const [first, ...rest] = node.arguments
  for (const argument of rest) if (isExpression(argument)) flow.use(flow.expression(argument, scope, frame), argument, frame)
  if (first === undefined || !isExpression(first)) return undefined
  const callback = flow.expression(first, scope, frame)
  if (callback?.kind !== 'local') {
    flow.use(value, node, frame, node) // the promised value goes to code we cannot see into
    return undefined
  }
  const resolved = awaited(follow(flow, callback.fn, callback.scope, [value], node, frame))
  return resolved === undefined ? undefined : { kind: 'promise', of: resolved }
}

/** The arguments handed to code we cannot see into, each used whole. */
function useArguments(flow: Flow, node: Call, args: readonly (Shape | undefined)[], frame: Frame): void {
  node.arguments.forEach((argument, index) => flow.use(args[index], argument, frame, node))
}

/** Walks a local function called with `args` (once per distinct argument shapes) and gives what it returns. */
export function follow(flow: Flow, fn: FunctionNode, scope: Scope, args: readonly (Shape | undefined)[], call: Node, frame: Frame, receiver?: Shape): Shape | undefined {
  if (flow.following.includes(fn)) return undefined // recursion: its body is being walked already
  const earlier = flow.followed.get(fn) ?? []
  // A walk inside a vouched-for expression reports nothing: it stands in only for another such walk.
  const reporting = flow.reporting && flow.safeDepth === 0
  const same = earlier.find((entry) => entry.reporting === reporting && entry.receiver === receiver && entry.args.length === args.length && entry.args.every((shape, index) => shape === args[index]))
  if (same) return same.result
  const returns: (Shape | undefined)[] = []
  flow.following.push(fn)
  try {
    // What it returns goes back to the call, whose caller uses it as it will (`toUrl(request).pathname` reads no query).
    flow.walkFunction(fn, scope, new Frame(frame, fn, args, [...frame.via, call], receiver), (_node, shape) => returns.push(shape), true)
  } finally {
    flow.following.pop()
  }
  const result = union(returns)
  flow.followed.set(fn, [...earlier, { args, reporting, receiver, result }])
  return result
}

/** A function of the module, or an object holding one (`{ queryFn }`). */
function carriesLocalFunction(arg: Shape | undefined): boolean {
  if (arg?.kind === 'local') return true
  if (arg?.kind !== 'object') return false
  for (const name in arg.members) if (arg.members[name]!.kind === 'local') return true
  return false
}

/** A string written literally: `'page'` or `` `page` `` (without substitutions). */
function literalString(node: Node | undefined): string | undefined {
  if (node?.type === 'StringLiteral') return node.value
  if (node?.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0]!.value.cooked ?? undefined
  return undefined
}

/** `x.then(...)` (or `x?.then(...)`), with `then` written as a name. */
function isThenCall(node: Call): node is Call & { callee: Extract<Expression, { type: 'MemberExpression' | 'OptionalMemberExpression' }> } {
  const { callee } = node
  return (callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression') && !callee.computed && callee.property.type === 'Identifier' && callee.property.name === 'then' && callee.object.type !== 'Super'
}

/**
 * The module a call loads by its literal name: `import('m')` (a promise of its namespace), or
 * `require('m')` of CommonJS (the namespace itself; a local binding named `require` is not it).
 */
function moduleLoadedBy(node: Call, scope: Scope): { source: string; dynamic: boolean } | undefined {
  if (node.type === 'NewExpression') return undefined
  const source = literalString(node.arguments[0])
  if (source === undefined) return undefined
  const { callee } = node
  if (callee.type === 'Import') return { source, dynamic: true }
  if (callee.type === 'Identifier' && callee.name === 'require' && scope.lookup('require') === undefined) return { source, dynamic: false }
  return undefined
}
