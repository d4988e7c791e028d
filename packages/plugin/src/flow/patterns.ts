/**
 * Destructuring in the code a data flow walks: binding a pattern to a value reads the members it
 * names, and following a binding's pattern path gives the part of the value the name holds.
 *
 *   const { user } = locals           a read of `locals` (per-visitor: reported)
 *   const { sort, q } = searchParams  reads of the query parameters "sort" and "q"
 *   const { params, ...rest } = args  rest still carries the request
 */
import type { Expression, Node } from '@babel/types'
import { keyName, type PatternStep } from '../patterns.js'
import type { Scope } from '../scope.js'
import { isLeaf, union, type Shape } from '../shapes.js'
import type { Flow, Frame } from './frames.js'

/**
 * Binds a pattern to a value, as a declaration or a parameter does, reporting the reads it
 * makes: `{ user } = locals` reads locals; `{ sort, q } = searchParams` reads "sort" and "q".
 */
export function destructure(flow: Flow, pattern: Node, shape: Shape | undefined, scope: Scope, frame: Frame, from?: Node): void {
  switch (pattern.type) {
    case 'ObjectPattern':
      for (const property of pattern.properties) {
        if (property.type === 'RestElement') {
          if (isLeaf(shape)) flow.member(shape, undefined, from ?? property, frame)
          destructure(flow, property.argument, shape?.kind === 'object' ? shape : undefined, scope, frame)
          continue
        }
        if (property.computed) flow.use(flow.expression(property.key as Expression, scope, frame), property.key, frame)
        const value = flow.member(shape, keyName(property.key, property.computed), isLeaf(shape) ? (from ?? property) : property, frame)
        destructure(flow, property.value, value, scope, frame)
      }
      return
    case 'ArrayPattern':
      if (isLeaf(shape)) flow.member(shape, undefined, from ?? pattern, frame)
      pattern.elements.forEach((element, index) => {
        if (element === null) return
        // `[first, ...rest] = args`: the rest keeps what it was taken from.
        const item = element.type === 'RestElement' ? shape : flow.member(shape?.kind === 'object' ? shape : undefined, String(index), element, frame)
        destructure(flow, element, item, scope, frame)
      })
      return
    case 'AssignmentPattern': {
      const fallback = flow.expression(pattern.right, scope, frame)
      destructure(flow, pattern.left, union([shape, fallback]), scope, frame, from)
      return
    }
    case 'RestElement':
      destructure(flow, pattern.argument, shape, scope, frame, from)
      return
    case 'TSParameterProperty':
      destructure(flow, pattern.parameter, shape, scope, frame, from)
      return
    default:
      return // an identifier binds the value; nothing is read yet
  }
}

/** Follows a pattern path from a value (no reports: the walk reports at the pattern itself). */
export function along(flow: Flow, shape: Shape | undefined, path: readonly PatternStep[], scope: Scope, frame: Frame): Shape | undefined {
  let current = shape
  for (const step of path) {
    if (step.type === 'key') current = flow.quietMember(current, step.name, frame)
    else if (step.type === 'index') current = isLeaf(current) ? current : flow.quietMember(current, String(step.index), frame)
    else if (step.type === 'default') current = union([current, flow.ahead(step.value, scope, frame)])
    // a rest element keeps what it was taken from: `{ params, ...rest } = args` still carries the request
  }
  return current
}
