/**
 * The frameworks the compiler knows, and which one a page belongs to:
 *
 *   src/pages/blog/[slug].astro              -> astro      (by extension)
 *   imports 'next/navigation'                 -> next       (by the modules it imports)
 *   src/routes/posts/[slug]/+page.server.ts   -> sveltekit  (by path)
 *   exports getServerSideProps                -> next       (by export name)
 *   anything else                             -> vite
 *
 * The `framework` option overrides the guess.
 */
import type { Program } from '@babel/types'
import type { Shape } from '../shapes.js'
import { astro } from './astro.js'
import { next } from './next.js'
import { qwik } from './qwik.js'
import { reactRouter } from './react-router.js'
import { sveltekit } from './sveltekit.js'
import { tanstackStart } from './tanstack-start.js'
import type { Framework, FrameworkName } from './types.js'
import { vite } from './vite.js'
import { WEB_GLOBALS } from './web.js'

export type { Framework, FrameworkName, LoaderCall, VercelIsr } from './types.js'

export const FRAMEWORKS: readonly Framework[] = [astro, next, sveltekit, reactRouter, tanstackStart, qwik, vite]
export const FRAMEWORK_NAMES: readonly FrameworkName[] = FRAMEWORKS.map((framework) => framework.name)

/** Every framework's module table in one: a module's name says whose it is, whatever the page. */
const MODULE_EXPORTS = new Map<string, Readonly<Record<string, Shape>>>()
for (const framework of FRAMEWORKS) {
  for (const [module, exports] of Object.entries(framework.modules ?? {})) MODULE_EXPORTS.set(module, { ...MODULE_EXPORTS.get(module), ...exports })
}

/** Type names that are the request or a framework's request context, whatever the module's framework. */
export const REQUEST_TYPES: ReadonlySet<string> = new Set(FRAMEWORKS.flatMap((framework) => framework.requestTypes ?? []))

/** Whether a file is a route (or page, layout, route handler) of a framework, by its path alone. */
export function isRouteFile(path: string): boolean {
  return FRAMEWORKS.some((framework) => framework.files?.test(path))
}

/** What an import means: `imported` is the export's name, or '*' for the namespace. */
export function importedShape(source: string, imported: string): Shape | undefined {
  // `next/headers.js` is `next/headers` (Next has no export map; TypeScript's nodenext wants the extension).
  const exports = MODULE_EXPORTS.get(source) ?? (source.endsWith('js') ? MODULE_EXPORTS.get(source.replace(/\.[mc]?js$/, '')) : undefined)
  if (exports === undefined) return undefined
  if (imported === '*') return { kind: 'object', label: `the module ${source}`, members: exports, whole: undefined }
  return Object.hasOwn(exports, imported) ? exports[imported] : undefined
}

/** A global name of the framework, or of the web platform, read without a declaration. */
export function globalShape(framework: Framework, name: string): Shape | undefined {
  if (framework.globals && Object.hasOwn(framework.globals, name)) return framework.globals[name]
  return Object.hasOwn(WEB_GLOBALS, name) ? WEB_GLOBALS[name] : undefined
}

export function frameworkNamed(name: FrameworkName): Framework {
  return FRAMEWORKS.find((framework) => framework.name === name)!
}

/** The framework of a page, from its path (without query), its imports and its exports. */
export function detectFramework(path: string, program: Program): Framework {
  if (astro.files!.test(path)) return astro
  const sources: string[] = []
  const exported = new Set<string>()
  for (const statement of program.body) {
    if (statement.type === 'ImportDeclaration') sources.push(statement.source.value)
    if (statement.type === 'ExportNamedDeclaration') {
      const { declaration } = statement
      if (declaration?.type === 'FunctionDeclaration' && declaration.id) exported.add(declaration.id.name)
      if (declaration?.type === 'VariableDeclaration') for (const declarator of declaration.declarations) if (declarator.id.type === 'Identifier') exported.add(declarator.id.name)
    }
  }
  return (
    FRAMEWORKS.find((framework) => framework.imports && sources.some((source) => framework.imports!.test(source))) ??
    FRAMEWORKS.find((framework) => framework.files?.test(path)) ??
    FRAMEWORKS.find((framework) => framework.exports?.some((name) => exported.has(name))) ??
    vite
  )
}
