/**
 * Destructuring patterns: the names a pattern binds, and the path from the value to each.
 *
 *   const { a: { b = 1 }, ...rest } = x      b    -> [key "a", key "b", default 1]
 *                                            rest -> [rest]
 */
import type { Expression, Identifier, LVal, Node } from '@babel/types'

/** One step from the root of a destructuring pattern to a name bound in it. */
export type PatternStep =
  | { type: 'key'; name: string | undefined } // `{ name }`; undefined for a computed key
  | { type: 'index'; index: number } // `[a, b]`
  | { type: 'rest' } // `{ ...rest }` or `[...rest]`
  | { type: 'default'; value: Expression } // `a = value`

/** Calls `found` for each name a pattern binds, with the path that reaches it. */
export function eachPatternName(pattern: LVal | Node, found: (identifier: Identifier, path: PatternStep[]) => void, path: PatternStep[] = []): void {
  switch (pattern.type) {
    case 'Identifier':
      found(pattern, path)
      return
    case 'ObjectPattern':
      for (const property of pattern.properties) {
        if (property.type === 'RestElement') eachPatternName(property.argument, found, [...path, { type: 'rest' }])
        else eachPatternName(property.value, found, [...path, { type: 'key', name: keyName(property.key, property.computed) }])
      }
      return
    case 'ArrayPattern':
      pattern.elements.forEach((element, index) => {
        if (element === null) return
        if (element.type === 'RestElement') eachPatternName(element.argument, found, [...path, { type: 'rest' }])
        else eachPatternName(element, found, [...path, { type: 'index', index }])
      })
      return
    case 'AssignmentPattern':
      eachPatternName(pattern.left, found, [...path, { type: 'default', value: pattern.right }])
      return
    case 'RestElement':
      eachPatternName(pattern.argument, found, path)
      return
    case 'TSParameterProperty':
      eachPatternName(pattern.parameter, found, path)
      return
    default:
      return // a member expression as an assignment target binds nothing
  }
}

/** The names a pattern binds, in order. */
export function patternNames(pattern: LVal | Node): Identifier[] {
  const names: Identifier[] = []
  eachPatternName(pattern, (identifier) => names.push(identifier))
  return names
}

/** The name of a non-computed key (`a`, `'a'`, `1`), or undefined. */
export function keyName(key: Node, computed: boolean): string | undefined {
  if (key.type === 'Identifier' && !computed) return key.name
  if (key.type === 'StringLiteral') return key.value
  if (key.type === 'NumericLiteral') return String(key.value)
  return undefined
}
