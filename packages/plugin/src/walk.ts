import { VISITOR_KEYS, type Node } from '@babel/types'

/** Visits `node` and every node below it, depth first; `enter` returning false skips the children. */
export function walk(node: Node, enter: (node: Node, parent: Node | null) => boolean | void, parent: Node | null = null): void {
  if (enter(node, parent) === false) return
  for (const key of VISITOR_KEYS[node.type] ?? []) {
    const child = (node as unknown as Record<string, unknown>)[key]
    if (Array.isArray(child)) {
      for (const item of child) if (item && typeof item === 'object' && 'type' in item) walk(item as Node, enter, node)
    } else if (child && typeof child === 'object' && 'type' in child) {
      walk(child as Node, enter, node)
    }
  }
}
