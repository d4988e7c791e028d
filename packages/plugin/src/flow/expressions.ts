/**
 * Expressions of the code a data flow walks, each evaluated to the shape of its value (shapes.ts):
 * what reading a member, awaiting, testing or building an object makes of the values it is given.
 *
 *   args.request                 the member `request` of the loader arguments: the request
 *   await searchParams           what the promise holds
 *   user ?? redirect('/login')   either side, and a test of `user`
 *   { user, page: 1 }            an object literal whose member `user` is tracked
 *
 * Each expression is evaluated once per frame (its shape kept), with its reports or, ahead of the
 * walk for a binding's value, without them (`ahead`). Calls are calls.ts's; names, values.ts's.
 */
import { isExpression, isReferenced, isStatement, type Expression, type Identifier, type Node } from '@babel/types'
import { globalShape } from '../frameworks/index.js'
import { keyName } from '../patterns.js'
import { isFunctionNode, type FunctionNode, type Scope } from '../scope.js'
import { argumentList, awaited, exposureOf, objectLiteral, query, union, type Shape } from '../shapes.js'
import { eachChild, isTypeOnly } from '../walk.js'
import { NOT_EVALUATED, type Flow, type Frame } from './frames.js'

export function expression(flow: Flow, node: Expression, scope: Scope, frame: Frame): Shape | undefined {
  const memo = frame.memo(node, flow.reporting)
  if (memo !== NOT_EVALUATED) return memo
  const marked = markedSafe(flow, node)
  if (marked) flow.safeDepth++
  try {
    let shape = evaluate(flow, node, scope, frame)
    // What a vouched-for expression gives back is not per-visitor either (its query still counts).
    if (marked && exposureOf(shape) === 'visitor') shape = undefined
    ;(flow.reporting ? frame.reported : frame.quiet).set(node, shape)
    return shape
  } finally {
    if (marked) flow.safeDepth--
  }
}

/**
 * Whether a `revalidate-safe` comment covers this expression: the first call written after the
 * comment (`getShop(context)` of `getShop(context).then(...) || request.headers`), or, when no
 * call starts there, the member chain (`context.shop.id`); never the larger expressions that
 * merely start at the same place.
 */
export function markedSafe(flow: Flow, node: Expression): boolean {
  if (!flow.options.modules.ofNode(node).safeStarts.has(node.start!)) return false
  switch (node.type) {
    case 'CallExpression':
    case 'OptionalCallExpression':
    case 'NewExpression':
      return !callStartsSpine(node.callee, node.start!)
    case 'MemberExpression':
    case 'OptionalMemberExpression':
    case 'Identifier':
      return !callStartsSpine(node, node.start!)
    default:
      return false
  }
}

function evaluate(flow: Flow, node: Expression, scope: Scope, frame: Frame): Shape | undefined {
  switch (node.type) {
    case 'Identifier':
      return identifier(flow, node, scope, frame)
    case 'ThisExpression':
      return frame.thisShape()
    case 'MemberExpression':
    case 'OptionalMemberExpression': {
      const object = node.object.type === 'Super' ? undefined : expression(flow, node.object, scope, frame)
      const name = node.computed ? keyName(node.property, true) : node.property.type === 'Identifier' ? node.property.name : undefined
      if (node.computed && name === undefined) flow.use(expression(flow, node.property as Expression, scope, frame), node.property, frame)
      return member(flow, object, name, node, frame)
    }
    case 'CallExpression':
    case 'OptionalCallExpression':
    case 'NewExpression':
      return flow.call(node, scope, frame)
    case 'AwaitExpression':
      return awaited(expression(flow, node.argument, scope, frame))
    case 'ParenthesizedExpression':
    case 'TSAsExpression':
    case 'TSSatisfiesExpression':
    case 'TSNonNullExpression':
    case 'TSTypeAssertion':
    case 'TSInstantiationExpression':
    case 'TypeCastExpression':
      return expression(flow, node.expression, scope, frame)
    case 'ConditionalExpression':
      flow.test(node.test, expression(flow, node.test, scope, frame), frame)
      return union([expression(flow, node.consequent, scope, frame), expression(flow, node.alternate, scope, frame)])
    case 'LogicalExpression': {
      // `context.user ?? toLogin()`: whether the right side runs depends on the left.
      const left = expression(flow, node.left, scope, frame)
      flow.test(node.left, left, frame)
      return union([left, expression(flow, node.right, scope, frame)])
    }
    case 'SequenceExpression': {
      let last: Shape | undefined
      node.expressions.forEach((item, index) => {
        last = expression(flow, item, scope, frame)
        if (index < node.expressions.length - 1) flow.use(last, item, frame)
      })
      return last
    }
    case 'AssignmentExpression':
      return assignment(flow, node, scope, frame)
    case 'ObjectExpression':
      return objectShape(flow, node, scope, frame)
    case 'ArrowFunctionExpression':
    case 'FunctionExpression':
      flow.walkFunction(node, scope, frame, undefined)
      return { kind: 'local', fn: node, scope }
    case 'ClassExpression':
      flow.classBody(node, scope, frame)
      return flow.classShape(node, scope)
    case 'UnaryExpression': {
      const shape = expression(flow, node.argument, scope, frame)
      // `!request` says whether an object is there, not what it holds; `!context.user` (whether the visitor signed in) is a read of it.
      if (node.operator === 'void') return undefined
      if (node.operator === '!' || node.operator === 'typeof') flow.test(node.argument, shape, frame)
      else flow.use(shape, node.argument, frame)
      return undefined
    }
    case 'JSXElement':
    case 'JSXFragment':
      jsx(flow, node, scope, frame)
      return undefined
    default:
      generic(flow, node, scope, frame)
      return undefined
  }
}

function identifier(flow: Flow, node: Identifier, scope: Scope, frame: Frame): Shape | undefined {
  const binding = scope.lookup(node.name)
  if (binding !== undefined) return flow.bindingShape(binding, frame)
  if (node.name === 'arguments') return argumentsOf(scope, frame)
  return globalShape(flow.options.framework, node.name)
}

/** `arguments` of the nearest non-arrow function: its arguments' shapes, by index. */
function argumentsOf(scope: Scope, frame: Frame): Shape | undefined {
  let current: Scope | null = scope
  while (current && !(isFunctionNode(current.node) && current.node.type !== 'ArrowFunctionExpression')) current = current.parent
  return argumentList((current && frame.argsOf(current.node as FunctionNode)) ?? [])
}

/** The shape of an expression evaluated ahead of the walk (for a binding): without reports. */
export function ahead(flow: Flow, node: Expression, scope: Scope, frame: Frame): Shape | undefined {
  const saved = flow.reporting
  flow.reporting = false
  try {
    return expression(flow, node, scope, frame)
  } finally {
    flow.reporting = saved
  }
}

/** A member read without reports (the walk reports at the pattern that reads it). */
export function quietMember(flow: Flow, shape: Shape | undefined, name: string | undefined, frame: Frame): Shape | undefined {
  const saved = flow.reporting
  flow.reporting = false
  try {
    return member(flow, shape, name, undefined, frame)
  } finally {
    flow.reporting = saved
  }
}

/**
 * Reads member `name` (undefined: computed) of a value. Reading any member of per-visitor data,
 * or of the query, is a read of it; a member of an object is just looked up.
 */
export function member(flow: Flow, shape: Shape | undefined, name: string | undefined, node: Node | undefined, frame: Frame): Shape | undefined {
  if (shape === undefined) return undefined
  switch (shape.kind) {
    case 'object':
      if (name !== undefined) return Object.hasOwn(shape.members, name) ? shape.members[name] : undefined
      if (node) flow.use(shape, node, frame) // `request[key]`: any member at all
      return undefined
    case 'visitor':
      // A method call is reported at the per-visitor value itself (`Astro.cookies`, not `Astro.cookies.get`).
      if (node) flow.visitorRead(flow.callees.has(node) && 'object' in node ? node.object : node, shape, frame)
      return shape
    case 'query':
      if (shape.style === 'search-params' && (name === 'get' || name === 'getAll' || name === 'has')) return { kind: 'query-get', label: shape.label }
      if (node) flow.queryRead(node, shape.style === 'record' ? name : undefined, frame)
      return shape.style === 'record' ? undefined : query(shape.label, 'text')
    case 'function':
      return name !== undefined && shape.members && Object.hasOwn(shape.members, name) ? shape.members[name] : undefined
    case 'promise':
      return member(flow, shape.of, name, node, frame) // Next.js still allows reading a props promise's fields directly
    case 'union':
      return union(shape.shapes.map((each) => member(flow, each, name, node, frame)))
    default:
      return undefined
  }
}

function assignment(flow: Flow, node: Extract<Expression, { type: 'AssignmentExpression' }>, scope: Scope, frame: Frame): Shape | undefined {
  const value = expression(flow, node.right, scope, frame)
  const { left } = node
  if (node.operator !== '=') {
    flow.use(value, node.right, frame)
    if (left.type === 'Identifier' || left.type === 'MemberExpression') flow.use(expression(flow, left, scope, frame), left, frame)
    return undefined
  }
  // What a name is assigned was recorded on its binding before the walk (Scopes.collectAssignments).
  if (left.type === 'Identifier') return value
  if (left.type === 'MemberExpression' || left.type === 'OptionalMemberExpression') {
    expression(flow, left.object as Expression, scope, frame)
    flow.use(value, node.right, frame) // stored into an object we do not follow
  } else {
    flow.destructure(left, value, scope, frame, node.right)
  }
  return value
}

function objectShape(flow: Flow, node: Extract<Expression, { type: 'ObjectExpression' }>, scope: Scope, frame: Frame): Shape | undefined {
  // Only tracked members are kept, made on the first: most object literals hold none.
  let members: Record<string, Shape> | undefined
  let at: Record<string, Node> | undefined
  const keep = (name: string, shape: Shape, where: Node) => {
    ;(members ??= {})[name] = shape
    ;(at ??= {})[name] = where
  }
  for (const property of node.properties) {
    if (property.type === 'ObjectMethod') {
      flow.walkFunction(property, scope, frame, undefined)
      // `{ user() { ... } }`: a call of `auth.user()` is followed into it, as a function of the module.
      const name = property.kind === 'method' ? keyName(property.key, property.computed) : undefined
      if (name !== undefined) keep(name, { kind: 'local', fn: property, scope }, property)
      continue
    }
    if (property.type === 'SpreadElement') {
      const spread = expression(flow, property.argument, scope, frame)
      if (spread?.kind === 'object') for (const name of Object.keys(spread.members)) keep(name, spread.members[name]!, spread.at?.[name] ?? property.argument)
      else flow.use(spread, property.argument, frame)
      continue
    }
    if (property.computed) flow.use(expression(flow, property.key as Expression, scope, frame), property.key, frame)
    const value = expression(flow, property.value as Expression, scope, frame)
    const name = keyName(property.key, property.computed)
    if (name === undefined) flow.use(value, property.value, frame)
    else if (value !== undefined) keep(name, value, property.value)
    else if (members !== undefined && name in members) delete members[name] // `{ ...args, request: null }`: overwritten by an untracked value
  }
  return members === undefined ? undefined : objectLiteral(members, at!)
}

/** JSX: the expressions in it are used whole (rendered, or handed to components we cannot see). */
function jsx(flow: Flow, node: Node, scope: Scope, frame: Frame): void {
  const visit = (child: Node): void => {
    if (child.type === 'JSXExpressionContainer' || child.type === 'JSXSpreadChild' || child.type === 'JSXSpreadAttribute') {
      const inner = child.type === 'JSXSpreadAttribute' ? child.argument : child.expression
      if (inner.type !== 'JSXEmptyExpression') flow.use(expression(flow, inner, scope, frame), inner, frame)
      return
    }
    if (child.type === 'JSXElement') {
      for (const attribute of child.openingElement.attributes) {
        if (attribute.type === 'JSXSpreadAttribute') visit(attribute)
        else if (attribute.value) visit(attribute.value)
      }
    }
    if (child.type === 'JSXElement' || child.type === 'JSXFragment') child.children.forEach(visit)
  }
  visit(node)
}

/** Any other node: its expressions are used whole, its statements walked; types are skipped. */
export function generic(flow: Flow, node: Node, scope: Scope, frame: Frame): void {
  eachChild(node, (child) => {
    if (isTypeOnly(child.type)) return
    if (isFunctionNode(child)) flow.walkFunction(child, scope, frame, undefined)
    else if (isStatement(child)) flow.statement(child, scope, frame)
    else if (isExpression(child)) {
      if (child.type === 'Identifier' && !isReferenced(child, node)) return
      flow.use(expression(flow, child, scope, frame), child, frame)
    } else generic(flow, child, scope, frame)
  })
}

/** Whether a call is written at `start` along an expression's leftmost chain (`f(x).a.b`: `f(x)`). */
function callStartsSpine(node: Node, start: number): boolean {
  let current: Node = node
  while (current.start === start) {
    switch (current.type) {
      case 'CallExpression':
      case 'OptionalCallExpression':
      case 'NewExpression':
        return true
      case 'MemberExpression':
      case 'OptionalMemberExpression':
        current = current.object
        break
      case 'ParenthesizedExpression':
      case 'TSNonNullExpression':
        current = current.expression
        break
      default:
        return false
    }
  }
  return false
}
