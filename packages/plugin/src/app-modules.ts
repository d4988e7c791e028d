/**
 * The app's own modules, as the safety analysis follows a page's imports into them:
 *
 *   app/page.tsx               import { createClient } from '@/utils/supabase/server'
 *                              const supabase = await createClient()
 *   utils/supabase/server.ts   export async function createClient() { const jar = await cookies() ... }
 *     -> `createClient()` is followed into that function as a function of the page's own module
 *        would be: its `cookies()` is the page's read, reported at the page's call
 *
 * The host finds the module an import names (`resolveImport`: Vite's resolver, the file system in
 * Babel) and keeps packages out: a module in node_modules is never followed, its exports mean what
 * the framework tables say. A module is parsed once per content, whichever page reaches it, and
 * kept with its scopes; one reached that does not parse is code the compiler cannot read.
 */
import type { ClassDeclaration, Expression, FunctionDeclaration, Identifier, Node, Program, StringLiteral } from '@babel/types'
import { SourceText } from './errors.js'
import { importedShape } from './frameworks/index.js'
import type { Page } from './page.js'
import { parseAppModule } from './parse.js'
import { pathOfId } from './route.js'
import { safeStarts } from './safe-marks.js'
import { patternNames } from './patterns.js'
import type { Binding, Scope } from './scope.js'
import { Scopes } from './scopes.js'

/** A module of the app, as the host found it: its resolved id (an absolute path) and its source. */
export interface AppModuleSource {
  id: string
  code: string
}

/**
 * Finds the module of the app that `specifier` names when the module `importer` (an id) imports
 * it, and reads it. Returns undefined for a package (anything in node_modules), a virtual module,
 * a file that is not JavaScript or TypeScript, or one that cannot be found: such an import keeps
 * the meaning the framework tables give it (`cookies` of next/headers) or, unknown, is trusted.
 */
export type ImportResolver = (specifier: string, importer: string) => AppModuleSource | undefined

/** A module the analysis reads: the page, or a module of the app that it imports. */
export interface SourceModule {
  id: string
  source: SourceText
  program: Program
  scopes: Scopes
  /** Where its `revalidate-safe` comments mark an expression. */
  safeStarts: ReadonlySet<number>
}

/** A module of the app that the analysis reaches but cannot read: it does not parse. */
export interface UnreadableModule {
  id: string
  reason: string
}

/** What an export of a module is. */
export type ExportTarget =
  /** A declaration of the module, or its own import of another module (`import { x } ...; export { x }`). */
  | { kind: 'binding'; binding: Binding }
  /** `export default <expression>`, or an anonymous default function or class. */
  | { kind: 'value'; node: Expression | FunctionDeclaration | ClassDeclaration; module: SourceModule }
  /** Re-exported from another module: `export { cookies } from 'next/headers'`, `export * as auth from './auth'`. */
  | { kind: 'import'; source: string; imported: string; importer: SourceModule }
  /** Maybe in a module that `export *` re-exports and that does not parse. */
  | { kind: 'unreadable'; module: UnreadableModule }

/** Modules read so far by id, whichever page reached them; a module whose code changed is read again. */
const readModules = new Map<string, { code: string; module: SourceModule | UnreadableModule }>()

export function isReadable(module: SourceModule | UnreadableModule): module is SourceModule {
  return 'program' in module
}

/** The modules one analysis of `page` reaches, from the page itself. */
export function modulesOfPage(page: Page, resolveImport: ImportResolver | undefined): AppModules {
  return new AppModules({ ...page, safeStarts: safeStarts(page.comments, page.source) }, page.options.root, resolveImport)
}

/** The modules one page's analysis reaches: the page itself, and the app's modules it follows imports into. */
export class AppModules {
  readonly #byScope = new Map<Scope, SourceModule>()
  readonly #byId = new Map<string, SourceModule>()
  readonly #imports = new Map<string, SourceModule | UnreadableModule | undefined>()
  readonly #resolveImport: ImportResolver | undefined

  constructor(
    readonly page: SourceModule,
    /** The project root: messages name modules by their path below it. */
    readonly root: string,
    resolveImport: ImportResolver | undefined,
  ) {
    this.#resolveImport = resolveImport
    this.#byScope.set(page.scopes.module, page)
  }

  /** The module of the app that an import of `importer` names, or undefined for anything else (a package). */
  imported(importer: SourceModule, specifier: string): SourceModule | UnreadableModule | undefined {
    if (this.#resolveImport === undefined) return undefined
    const key = `${importer.id}\0${specifier}`
    if (this.#imports.has(key)) return this.#imports.get(key)
    const found = this.#resolveImport(specifier, pathOfId(importer.id))
    const module = found === undefined ? undefined : found.id === pathOfId(this.page.id) ? this.page : this.#read(found)
    this.#imports.set(key, module)
    return module
  }

  #read(found: AppModuleSource): SourceModule | UnreadableModule {
    let entry = readModules.get(found.id)
    if (entry?.code !== found.code) {
      entry = { code: found.code, module: readModule(found) }
      readModules.set(found.id, entry)
    }
    const { module } = entry
    if (isReadable(module)) {
      this.#byScope.set(module.scopes.module, module)
      this.#byId.set(module.id, module)
    }
    return module
  }

  /** The module a scope is in. */
  ofScope(scope: Scope): SourceModule {
    return this.#byScope.get(scope.module) ?? this.page
  }

  /** The module a node is in: nodes of the other modules carry their id (`parseAppModule`). */
  ofNode(node: Node): SourceModule {
    const id = node.loc?.filename
    return (id !== undefined && this.#byId.get(id)) || this.page
  }

  /** How a message names a module: its path below the project root. */
  nameOf(module: { id: string }): string {
    const path = pathOfId(module.id)
    return path.startsWith(`${this.root}/`) ? path.slice(this.root.length + 1) : path
  }

  /** What the export `name` ('default' for the default) of a module is, through `export *` too. */
  exportOf(module: SourceModule, name: string, seen = new Set<SourceModule>()): ExportTarget | undefined {
    seen.add(module)
    const local = (identifier: string): ExportTarget | undefined => {
      const binding = module.scopes.module.bindings.get(identifier)
      return binding && { kind: 'binding', binding }
    }
    for (const statement of module.program.body) {
      if (statement.type === 'ExportNamedDeclaration' && statement.exportKind !== 'type') {
        const { declaration } = statement
        if (declaration) {
          if (declaredNames(declaration).includes(name)) return local(name)
          continue
        }
        for (const specifier of statement.specifiers) {
          if (nameOf(specifier.exported) !== name || (specifier.type === 'ExportSpecifier' && specifier.exportKind === 'type')) continue
          if (statement.source) {
            const imported = specifier.type === 'ExportNamespaceSpecifier' ? '*' : specifier.type === 'ExportDefaultSpecifier' ? 'default' : nameOf(specifier.local)
            return { kind: 'import', source: statement.source.value, imported, importer: module }
          }
          if (specifier.type === 'ExportSpecifier') return local(specifier.local.name)
        }
      } else if (statement.type === 'ExportDefaultDeclaration' && name === 'default') {
        const { declaration } = statement
        if ((declaration.type === 'FunctionDeclaration' || declaration.type === 'ClassDeclaration') && declaration.id) return local(declaration.id.name)
        if (declaration.type === 'Identifier') return local(declaration.name)
        if (declaration.type === 'FunctionDeclaration' || declaration.type === 'ClassDeclaration') return { kind: 'value', node: declaration, module }
        return declaration.type === 'TSDeclareFunction' ? undefined : { kind: 'value', node: declaration as Expression, module }
      }
    }
    if (name === 'default') return undefined // `export *` never re-exports a default
    let unreadable: UnreadableModule | undefined
    for (const statement of module.program.body) {
      if (statement.type !== 'ExportAllDeclaration' || statement.exportKind === 'type') continue
      const source = statement.source.value
      const target = this.imported(module, source)
      if (target === undefined) {
        if (importedShape(source, name) !== undefined) return { kind: 'import', source, imported: name, importer: module }
      } else if (!isReadable(target)) unreadable ??= target
      else if (!seen.has(target)) {
        const found = this.exportOf(target, name, seen)
        if (found) return found
      }
    }
    return unreadable && { kind: 'unreadable', module: unreadable }
  }

  /** Every name a module exports (a namespace import's members), through `export *` too. */
  exportNames(module: SourceModule, seen = new Set<SourceModule>()): string[] {
    seen.add(module)
    const names = new Set<string>()
    for (const statement of module.program.body) {
      if (statement.type === 'ExportNamedDeclaration' && statement.exportKind !== 'type') {
        if (statement.declaration) for (const name of declaredNames(statement.declaration)) names.add(name)
        for (const specifier of statement.specifiers) if (specifier.type !== 'ExportSpecifier' || specifier.exportKind !== 'type') names.add(nameOf(specifier.exported))
      } else if (statement.type === 'ExportDefaultDeclaration') names.add('default')
      else if (statement.type === 'ExportAllDeclaration' && statement.exportKind !== 'type') {
        const target = this.imported(module, statement.source.value)
        const reexported = target === undefined ? Object.keys(namespaceMembers(statement.source.value)) : isReadable(target) && !seen.has(target) ? this.exportNames(target, seen) : []
        for (const name of reexported) if (name !== 'default') names.add(name)
      }
    }
    return [...names]
  }
}

/** Parses a module of the app and finds its marks; one that does not parse is kept as unreadable. */
function readModule({ id, code }: AppModuleSource): SourceModule | UnreadableModule {
  let program: Program
  let comments
  try {
    ;({ program, comments } = parseAppModule(code, id))
  } catch (error) {
    return { id, reason: (error as Error).message }
  }
  const source = new SourceText(code, id)
  return { id, source, program, scopes: new Scopes(program), safeStarts: safeStarts(comments ?? [], source) }
}

function namespaceMembers(source: string): Readonly<Record<string, unknown>> {
  const namespace = importedShape(source, '*')
  return namespace?.kind === 'object' ? namespace.members : {}
}

function nameOf(node: Identifier | StringLiteral): string {
  return node.type === 'Identifier' ? node.name : node.value
}

/** The value names an exported declaration binds (none for a type). */
function declaredNames(declaration: Node): string[] {
  switch (declaration.type) {
    case 'FunctionDeclaration':
    case 'ClassDeclaration':
      return declaration.id ? [declaration.id.name] : []
    case 'VariableDeclaration':
      return declaration.declarations.flatMap((declarator) => patternNames(declarator.id).map((identifier) => identifier.name))
    default:
      return []
  }
}
