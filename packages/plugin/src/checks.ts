/**
 * What cached page data must not do, found before anything is wrapped:
 *
 *   cookies(), headers(), request.headers, event.cookies, Astro.cookies, ({ cookies }) => ...
 *     -> error: cached data is shared with every visitor, so a per-visitor read leaks
 *   url.searchParams.get('page') without `query page` in the pragma
 *     -> error: every query would get the first one's data
 */
import type { Node } from '@babel/types'
import type { SourceText } from './errors.js'
import type { Pragma } from './pragma.js'
import { propertyName, walk } from './walk.js'

/** Objects that carry the visitor's request in the frameworks we know. */
const REQUEST_OBJECTS = new Set(['request', 'req', 'event', 'Astro', 'context', 'ctx', 'locals'])
const REQUEST_MEMBERS = new Set(['request', 'req', 'locals'])
const QUERY_OBJECTS = new Set(['searchParams', 'query'])
const QUERY_METHODS = new Set(['get', 'getAll', 'has'])

export interface DataCode {
  /** Every node that runs to load the data. */
  nodes: Node[]
  /** The first parameter of the data function (a loader's context or a page's props), if any. */
  context: Node | undefined
}

function contextNames(context: Node | undefined): Set<string> {
  const left = context?.type === 'AssignmentPattern' ? context.left : context
  return new Set(left?.type === 'Identifier' ? [left.name] : [])
}

function isRequestObject(node: Node, contexts: Set<string>): boolean {
  if (node.type === 'Identifier') return REQUEST_OBJECTS.has(node.name) || contexts.has(node.name)
  const name = propertyName(node)
  return name !== undefined && REQUEST_MEMBERS.has(name)
}

function patternKeys(node: Node): { name: string; node: Node }[] {
  const pattern = node.type === 'AssignmentPattern' ? node.left : node
  if (pattern.type !== 'ObjectPattern') return []
  return pattern.properties.flatMap((property) => {
    if (property.type !== 'ObjectProperty' || property.computed) return []
    const key = property.key.type === 'Identifier' ? property.key.name : property.key.type === 'StringLiteral' ? property.key.value : undefined
    return key === undefined ? [] : [{ name: key, node: property }, ...patternKeys(property.value)]
  })
}

function snippet(source: SourceText, node: Node): string {
  const text = source.code.slice(node.start!, node.end!).replace(/\s+/g, ' ')
  return text.length > 40 ? `${text.slice(0, 37)}...` : text
}

export function checkRequestBound(data: DataCode, source: SourceText, requestBound: Set<string>): void {
  const contexts = contextNames(data.context)
  const leak = (node: Node, what: string) =>
    source.error(
      node.start!,
      node.end!,
      `\`${what}\` reads the visitor's request, but a cached page's data is shared with every visitor: one visitor's cookies, headers or session would be served to all.`,
      'read per-visitor values outside the cached data (in the component, or in an uncached loader), or remove the pragma. A name that is not request-bound can be allowed with the `requestBound` option.',
    )
  for (const { name, node } of data.context ? patternKeys(data.context) : []) {
    if (requestBound.has(name)) throw leak(node, name)
  }
  for (const root of data.nodes) {
    walk(root, (node) => {
      if ((node.type === 'CallExpression' || node.type === 'OptionalCallExpression') && node.callee.type === 'Identifier' && requestBound.has(node.callee.name)) {
        throw leak(node, `${node.callee.name}()`)
      }
      const member = propertyName(node)
      if (member !== undefined && requestBound.has(member) && (node.type === 'MemberExpression' || node.type === 'OptionalMemberExpression') && isRequestObject(node.object, contexts)) {
        throw leak(node, snippet(source, node))
      }
      if (node.type === 'VariableDeclarator' && node.init && isRequestObject(node.init, contexts)) {
        for (const { name, node: key } of patternKeys(node.id)) if (requestBound.has(name)) throw leak(key, name)
      }
    })
  }
}

interface QueryRead {
  node: Node
  /** The parameter name when the code names it literally (`searchParams.get('page')`). */
  name?: string
}

function isQueryObject(node: Node): boolean {
  if (node.type === 'Identifier') return QUERY_OBJECTS.has(node.name)
  const name = propertyName(node)
  return name !== undefined && QUERY_OBJECTS.has(name)
}

function queryReads(data: DataCode): QueryRead[] {
  const reads: QueryRead[] = []
  for (const { name, node } of data.context ? patternKeys(data.context) : []) {
    if (QUERY_OBJECTS.has(name)) reads.push({ node })
  }
  for (const root of data.nodes) {
    walk(root, (node) => {
      const member = propertyName(node)
      if (member === 'search' || member === 'searchParams') reads.push({ node })
      if ((node.type === 'MemberExpression' || node.type === 'OptionalMemberExpression') && isQueryObject(node.object) && member !== undefined && !QUERY_METHODS.has(member)) {
        reads.push({ node, name: member })
      }
      if ((node.type === 'CallExpression' || node.type === 'OptionalCallExpression') && node.arguments[0]?.type === 'StringLiteral') {
        const callee = node.callee
        const method = propertyName(callee)
        if (method !== undefined && QUERY_METHODS.has(method) && 'object' in callee && isQueryObject(callee.object)) {
          reads.push({ node, name: node.arguments[0].value })
        }
      }
    })
  }
  return reads
}

export function checkQueryReads(data: DataCode, source: SourceText, pragma: Pragma): void {
  const reads = queryReads(data)
  const [first] = reads
  if (first === undefined) return
  if (pragma.query.length === 0) {
    const named = [...new Set(reads.flatMap((read) => (read.name ? [read.name] : [])))]
    throw source.error(
      first.node.start!,
      first.node.end!,
      `The page data reads the query string (\`${snippet(source, first.node)}\`), but the pragma lists no query names, so every query would be served the first one's data.`,
      `list the names that change the data, e.g. \`# Pragma: revalidate ${pragma.ttl} query ${named.join(',') || 'page'}\`.`,
    )
  }
  const unlisted = reads.find((read) => read.name !== undefined && !pragma.query.includes(read.name))
  if (unlisted) {
    throw source.error(
      unlisted.node.start!,
      unlisted.node.end!,
      `The page data reads the query parameter "${unlisted.name}", which the pragma's query list (${pragma.query.join(',')}) leaves out, so its values would share one entry.`,
      `add it: \`query ${[...pragma.query, unlisted.name].join(',')}\`.`,
    )
  }
}
