/**
 * What a module's top-level statements export, read from the statements themselves (no scopes):
 *
 *   export default async function Page() {}      defaultExportedFunction -> the function
 *   const Page = async () => {}; export default Page
 *   export const revalidate = 60                  exportedConst(program, 'revalidate') -> 60's node
 *   export function generateStaticParams() {}     exportsFunction(program, 'generateStaticParams')
 *
 * Used to find a page's data (page-data.ts), what Vercel is handed (vercel.ts) and what Next's
 * app router reads (next-app-router.ts).
 */
import type { Expression, FunctionDeclaration, Node, Program } from '@babel/types'
import { unwrapExpression } from './data-section.js'
import type { DataFunction } from './page-data.js'

/** A function literal under the wrappers TypeScript allows: `(fn) satisfies T`, `fn as T`, `fn!`. */
export function unwrapFunction(node: Node | null | undefined): DataFunction | undefined {
  const current = unwrapExpression(node)
  if (current?.type === 'FunctionExpression' || current?.type === 'ArrowFunctionExpression' || current?.type === 'FunctionDeclaration' || current?.type === 'ObjectMethod') return current
  return undefined
}

/** The function a top-level name is bound to: `function name() {}` or `const name = () => {}`. */
export function functionBoundTo(program: Program, name: string): { fn: DataFunction | undefined; node: Node } | undefined {
  for (const statement of program.body) {
    const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement
    if (declaration?.type === 'FunctionDeclaration' && declaration.id?.name === name) return { fn: declaration, node: declaration }
    if (declaration?.type !== 'VariableDeclaration') continue
    for (const declarator of declaration.declarations) {
      if (declarator.id.type === 'Identifier' && declarator.id.name === name) return { fn: unwrapFunction(declarator.init), node: declarator }
    }
  }
  return undefined
}

/** The default-exported function, and the node it is written at (its function undefined when it is not one). */
export function defaultExportedFunction(program: Program): { fn: DataFunction | undefined; node: Node } | undefined {
  for (const statement of program.body) {
    if (statement.type !== 'ExportDefaultDeclaration') continue
    const { declaration } = statement
    if (declaration.type === 'Identifier') return functionBoundTo(program, declaration.name) ?? { fn: undefined, node: declaration }
    return { fn: unwrapFunction(declaration as Expression | FunctionDeclaration), node: declaration }
  }
  return undefined
}

/** The initializer of `export const <name> = ...`, if the module has one. */
export function exportedConst(program: Program, name: string): Expression | undefined {
  for (const statement of program.body) {
    if (statement.type !== 'ExportNamedDeclaration' || statement.declaration?.type !== 'VariableDeclaration') continue
    for (const declarator of statement.declaration.declarations) {
      if (declarator.id.type === 'Identifier' && declarator.id.name === name && declarator.init) return declarator.init
    }
  }
  return undefined
}

/** Whether the module exports a function declaration, or anything, under `name`. */
export function exportsFunction(program: Program, name: string): boolean {
  return program.body.some(
    (statement) =>
      (statement.type === 'ExportNamedDeclaration' &&
        ((statement.declaration?.type === 'FunctionDeclaration' && statement.declaration.id?.name === name) ||
          statement.specifiers.some((specifier) => specifier.exported.type === 'Identifier' && specifier.exported.name === name))),
  )
}
