/**
 * Edits that change what a function returns and keep its signature, shared by the runtime
 * wrapper (wrap.ts) and the Vercel handover (vercel.ts):
 *
 *   function loader(): Data { <statements> }   ->  function loader(): Promise<Awaited<Data>> { <open><statements><close> }
 *   (ctx) => (load(ctx))                        ->  (ctx) => <open>(load(ctx))<close>
 */
import type { SourceEdits } from './edits.js'
import type { DataFunction } from './page-data.js'

/** A synchronous function that now returns a promise says so: its declared return type `T` becomes `Promise<Awaited<T>>`. */
export function returnTypeAsPromise(edits: SourceEdits, fn: DataFunction): void {
  if (fn.async || fn.returnType?.type !== 'TSTypeAnnotation') return
  edits.insert(fn.returnType.typeAnnotation.start!, 'Promise<Awaited<')
  edits.insert(fn.returnType.typeAnnotation.end!, '>>')
}

export interface BodyWrapper {
  /** Around a block body's statements, inside its braces. */
  block: readonly [open: string, close: string]
  /** Around an expression body, parentheses included: the arrow ends where its body does. */
  expression: readonly [open: string, close: string]
}

export function wrapBody(edits: SourceEdits, fn: DataFunction, wrapper: BodyWrapper): void {
  if (fn.body.type === 'BlockStatement') {
    edits.insert(fn.body.start! + 1, wrapper.block[0])
    edits.insert(fn.body.end! - 1, wrapper.block[1])
    return
  }
  const extra = fn.body.extra as { parenthesized?: boolean; parenStart?: number } | undefined
  edits.insert(extra?.parenthesized ? extra.parenStart! : fn.body.start!, wrapper.expression[0])
  edits.insert(fn.end!, wrapper.expression[1])
}
