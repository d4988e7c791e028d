// The scope resolver the analysis stands on: every identifier to the declaration it refers to,
// as JavaScript (strict, module code) and TypeScript (types declare and reference nothing) say.
import { parse } from '@babel/parser'
import type { Identifier, Node } from '@babel/types'
import { describe, expect, it } from 'vitest'
import type { Binding } from '../src/scope.js'
import { Scopes } from '../src/scopes.js'

/** Each reference named `name` in `code`, with the line its binding is declared on (0: global). */
function resolve(code: string, name: string): number[] {
  const program = parse(code, { sourceType: 'module', plugins: ['typescript', 'jsx'] }).program
  const scopes = new Scopes(program)
  const lines: number[] = []
  scopes.eachReference(program, scopes.module, (identifier: Identifier, binding: Binding | undefined) => {
    if (identifier.name === name) lines.push(binding?.identifier.loc?.start.line ?? 0)
  })
  return lines
}

function bindingOf(code: string, name: string): Binding | undefined {
  const program = parse(code, { sourceType: 'module', plugins: ['typescript'] }).program
  return new Scopes(program).module.lookup(name)
}

describe('scope resolution', () => {
  it('block-scopes let, const, classes and functions; hoists var to the function', () => {
    const code = ['const a = 1', 'function f() {', '  if (x) { const a = 2; use(a) }', '  use(a)', '  { var b = 1 }', '  use(b)', '}'].join('\n')
    expect(resolve(code, 'a')).toEqual([3, 1])
    expect(resolve(code, 'b')).toEqual([5])
  })

  it('parameters, catch parameters, loop variables and a named function expression', () => {
    const code = ['const e = 0, i = 0, g = 0', 'const h = function g(e) {', '  try { use(e) } catch (e) { use(e) }', '  for (let i = 0; i < 1; i++) use(i)', '  use(g, i)', '}'].join('\n')
    expect(resolve(code, 'e')).toEqual([2, 3])
    expect(resolve(code, 'i')).toEqual([4, 4, 4, 1])
    expect(resolve(code, 'g')).toEqual([2])
  })

  it('skips property names, object keys and types; sees shorthand values and JSX expressions', () => {
    const code = ['const request = 1', 'type T = { request: typeof request }', 'obj.request; ({ request: 1 }); ({ request })', 'const el = <a href={request} />'].join('\n')
    expect(resolve(code, 'request')).toEqual([1, 1])
  })

  it('imports: default, named (renamed), namespace; type-only imports declare nothing', () => {
    const code = "import def, { cookies as read } from 'next/headers'\nimport * as nh from 'next/headers'\nimport type { X } from 'x'\nimport { type Y } from 'y'"
    expect(bindingOf(code, 'read')?.source).toEqual({ type: 'import', source: 'next/headers', imported: 'cookies' })
    expect(bindingOf(code, 'def')?.source).toMatchObject({ imported: 'default' })
    expect(bindingOf(code, 'nh')?.source).toMatchObject({ imported: '*' })
    expect(bindingOf(code, 'X')).toBeUndefined()
    expect(bindingOf(code, 'Y')).toBeUndefined()
  })

  it('records the path from a destructuring pattern to each name', () => {
    const binding = bindingOf("const { a: { b = 1 }, ...rest } = x, [c] = y", 'b')!
    expect(binding.path.map((step: { type: string; name?: string }) => (step.type === 'key' ? `key ${step.name}` : step.type))).toEqual(['key a', 'key b', 'default'])
    expect(bindingOf("const { a: { b = 1 }, ...rest } = x", 'rest')!.path).toEqual([{ type: 'rest' }])
    expect((bindingOf('const [c] = y', 'c')!.source as { declarator: Node }).declarator.type).toBe('VariableDeclarator')
  })
})
