/**
 * Statements of the code a data flow walks: declarations bind their values, conditions are
 * tested, loops iterate what they are given (which reads it all), functions are walked with their
 * arguments, and a `return` hands its value to where the walk sends returns.
 *
 *   const { user } = await getUser(args)     the value of the call, destructured (patterns.ts)
 *   if (!user) throw redirect('/login')      a test of `user`; a thrown value is never cached
 *   for (const item of request.headers) {}  iterating reads all of the request's headers
 *   return { user }                          returned: to the loader's reporter, or the caller
 */
import { isStatement, type Expression, type Statement } from '@babel/types'
import type { FunctionNode, Scope } from '../scope.js'
import { scopesOf, type ClassNode, type Flow, type Frame, type OnReturn } from './frames.js'

function statementList(flow: Flow, list: readonly Statement[], scope: Scope, frame: Frame): void {
  for (const each of list) statement(flow, each, scope, frame)
}

export function statement(flow: Flow, node: Statement, scope: Scope, frame: Frame): void {
  switch (node.type) {
    case 'VariableDeclaration':
      for (const declarator of node.declarations) {
        const shape = declarator.init ? flow.expression(declarator.init, scope, frame) : undefined
        flow.destructure(declarator.id, shape, scope, frame, declarator.init ?? undefined)
      }
      return
    case 'ExpressionStatement':
      flow.expression(node.expression, scope, frame)
      return
    case 'ReturnStatement': {
      const shape = node.argument ? flow.expression(node.argument, scope, frame) : undefined
      flow.onReturn?.(node, shape)
      if (node.argument && !flow.returnsToCaller) flow.use(shape, node.argument, frame)
      return
    }
    case 'ThrowStatement':
      flow.expression(node.argument, scope, frame) // a thrown value is never cached
      return
    case 'IfStatement':
      flow.test(node.test, flow.expression(node.test, scope, frame), frame)
      statement(flow, node.consequent, scope, frame)
      if (node.alternate) statement(flow, node.alternate, scope, frame)
      return
    case 'BlockStatement':
      statementList(flow, node.body, scopesOf(flow, scope).enter(node, scope), frame)
      return
    case 'ForStatement': {
      const inner = scopesOf(flow, scope).enter(node, scope)
      if (node.init?.type === 'VariableDeclaration') statement(flow, node.init, inner, frame)
      else if (node.init) flow.use(flow.expression(node.init, inner, frame), node.init, frame)
      for (const part of [node.test, node.update]) if (part) flow.use(flow.expression(part, inner, frame), part, frame)
      statement(flow, node.body, inner, frame)
      return
    }
    case 'ForInStatement':
    case 'ForOfStatement': {
      const inner = scopesOf(flow, scope).enter(node, scope)
      flow.use(flow.expression(node.right, scope, frame), node.right, frame) // iterating reads it all
      if (node.left.type !== 'VariableDeclaration') flow.expression(node.left as Expression, inner, frame)
      statement(flow, node.body, inner, frame)
      return
    }
    case 'WhileStatement':
    case 'DoWhileStatement':
      flow.test(node.test, flow.expression(node.test, scope, frame), frame)
      statement(flow, node.body, scope, frame)
      return
    case 'TryStatement':
      statement(flow, node.block, scope, frame)
      if (node.handler) {
        const inner = scopesOf(flow, scope).enter(node.handler, scope)
        statement(flow, node.handler.body, inner, frame)
      }
      if (node.finalizer) statement(flow, node.finalizer, scope, frame)
      return
    case 'SwitchStatement': {
      flow.use(flow.expression(node.discriminant, scope, frame), node.discriminant, frame)
      const inner = scopesOf(flow, scope).enter(node, scope)
      for (const switchCase of node.cases) {
        if (switchCase.test) flow.use(flow.expression(switchCase.test, inner, frame), switchCase.test, frame)
        statementList(flow, switchCase.consequent, inner, frame)
      }
      return
    }
    case 'LabeledStatement':
      statement(flow, node.body, scope, frame)
      return
    case 'FunctionDeclaration':
      walkFunction(flow, node, scope, frame, undefined)
      return
    case 'ClassDeclaration':
      classBody(flow, node, scope, frame)
      return
    case 'ExportNamedDeclaration':
    case 'ExportDefaultDeclaration':
      if (node.declaration && isStatement(node.declaration)) statement(flow, node.declaration, scope, frame)
      else if (node.declaration) flow.use(flow.expression(node.declaration as Expression, scope, frame), node.declaration, frame)
      return
    case 'ImportDeclaration':
    case 'ExportAllDeclaration':
    case 'EmptyStatement':
    case 'DebuggerStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
      return
    default:
      if (node.type.startsWith('TS') || node.type.startsWith('Declare')) return // types: nothing runs
      flow.generic(node, scope, frame)
  }
}

/** A function's body, with its parameters bound to the argument shapes of this frame (if any). */
export function walkFunction(flow: Flow, fn: FunctionNode, scope: Scope, frame: Frame, onReturn: OnReturn | undefined, returnsToCaller = false): void {
  // A binding's values are known before the walk reads it: an assignment further down a loop counts.
  scopesOf(flow, scope).collectAssignments([fn], scope)
  const inner = scopesOf(flow, scope).enter(fn, scope)
  fn.params.forEach((param, index) => flow.destructure(param, flow.paramShape(fn, index, frame), inner, frame))
  const saved = { onReturn: flow.onReturn, returnsToCaller: flow.returnsToCaller }
  flow.onReturn = onReturn
  flow.returnsToCaller = returnsToCaller
  if (fn.body.type === 'BlockStatement') {
    statementList(flow, fn.body.body, inner, frame)
  } else {
    const shape = flow.expression(fn.body, inner, frame)
    onReturn?.(fn.body, shape)
    if (!returnsToCaller) flow.use(shape, fn.body, frame)
  }
  flow.onReturn = saved.onReturn
  flow.returnsToCaller = saved.returnsToCaller
}

/** A class's members: its methods walked as functions, its fields' values used. */
export function classBody(flow: Flow, node: ClassNode, scope: Scope, frame: Frame): void {
  const inner = scopesOf(flow, scope).enter(node, scope)
  if (node.superClass) flow.use(flow.expression(node.superClass, scope, frame), node.superClass, frame)
  for (const member of node.body.body) {
    if (member.type === 'ClassMethod' || member.type === 'ClassPrivateMethod') walkFunction(flow, member, inner, frame, undefined)
    else if (member.type === 'StaticBlock') statementList(flow, member.body, scopesOf(flow, scope).enter(member, inner), frame)
    else if ((member.type === 'ClassProperty' || member.type === 'ClassPrivateProperty' || member.type === 'ClassAccessorProperty') && member.value) {
      flow.use(flow.expression(member.value, inner, frame), member.value, frame)
    }
  }
}
