/**
 * The one walker of Babel's tree the analysis uses: a node's children that can hold values, in
 * source order, with the parts that only hold types skipped (no name in them is a value).
 *
 *   const user: User = await getUser(id)      visited: the declarator, `user`, the call, `getUser`, `id`
 *                ^^^^ skipped: a type
 *
 * `walk` carries a context down the tree (the scope a node stands in, say): what `enter` returns
 * for a node is what its children get; `SKIP` leaves them out.
 */
import { FLIPPED_ALIAS_KEYS, VISITOR_KEYS, type Node } from '@babel/types'

/** Parts of a node that only hold types: no name in them is a reference to a value. */
export const TYPE_KEYS: ReadonlySet<string> = new Set(['typeAnnotation', 'returnType', 'typeParameters', 'typeArguments', 'superTypeParameters', 'implements', 'predicate'])

const VALUE_KEYS = new Map<string, readonly string[]>()

/** The keys of a node type that can hold values, worked out once per type; none for a type-only node. */
export function valueKeysOf(type: string): readonly string[] {
  let keys = VALUE_KEYS.get(type)
  if (keys === undefined) {
    keys = isTypeOnly(type) ? [] : (VISITOR_KEYS[type] ?? []).filter((key) => !TYPE_KEYS.has(key))
    VALUE_KEYS.set(type, keys)
  }
  return keys
}

const EXPRESSION_TYPES: ReadonlySet<string> = new Set(FLIPPED_ALIAS_KEYS.Expression)

/** A TypeScript node that is only a type (`TSTypeReference`, `TSInterfaceDeclaration`), unlike `x as T`, `<T>x` or `x!`. */
export function isTypeOnly(type: string): boolean {
  return type.startsWith('TS') && !EXPRESSION_TYPES.has(type)
}

type Child = { type?: string } | null | undefined

/**
 * Calls `visit` with each child of `node` that can hold values, in source order, and the extra
 * arguments given (passed through rather than closed over: no closure per node on a walk).
 */
export function eachChild<A = undefined, B = undefined, C = undefined>(node: Node, visit: (child: Node, a: A, b: B, c: C) => void, a?: A, b?: B, c?: C): void {
  const keys = valueKeysOf(node.type)
  // Indexed loops and `.type` tests: this runs for every node the analysis reads.
  for (let k = 0; k < keys.length; k++) {
    const value = (node as unknown as Record<string, Child | Child[]>)[keys[k]!]
    if (value == null) continue
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const child = value[i]
        if (child != null && child.type !== undefined) visit(child as Node, a as A, b as B, c as C)
      }
    } else if (value.type !== undefined) visit(value as Node, a as A, b as B, c as C)
  }
}

/** What `enter` returns to leave a node's children unvisited. */
export const SKIP: unique symbol = Symbol('skip')

/**
 * Visits `node` and everything under it that can hold values, depth first. `enter` gets each node
 * with the context its parent handed down, its parent and grandparent, and returns the context
 * for its children, or `SKIP`.
 */
export function walk<Context>(
  node: Node,
  context: Context,
  enter: (node: Node, context: Context, parent: Node | undefined, grandparent: Node | undefined) => Context | typeof SKIP,
): void {
  const descend = (current: Node, outer: Context, parent: Node | undefined, grandparent: Node | undefined): void => {
    const inner = enter(current, outer, parent, grandparent)
    if (inner === SKIP) return
    eachChild(current, descend, inner, current, parent)
  }
  descend(node, context, undefined, undefined)
}
