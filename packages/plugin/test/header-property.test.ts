// Pages whose headers are mutated at random (comments of every form, blank lines, directives, a
// BOM, a shebang, CRLF or CR line ends, a pragma buried in a comment, one above an Astro fence):
// the transform gives only located diagnostics, its output re-parses, a second pass changes
// nothing, and the loader maps back to the line it was written on.
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping'
import { parse } from '@babel/parser'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RevalidateError, transform, type TransformResult } from '../src/index.js'

const PRAGMAS = [
  '# Pragma: revalidate 60',
  '// Pragma: revalidate 60',
  '/* Pragma: revalidate 60 */',
  '/** Pragma: revalidate 60 */',
  '/*\n * Pragma: revalidate 60\n * The posts of one author.\n */',
  '// PRAGMA: revalidate 60',
]
const OTHER_COMMENTS = ['// A page of the blog.', '/* eslint-disable */', '/**\n * Docs for the page.\n */', '/*\n\n*/', '// Pragma: no-cache (another tool)']
const DIRECTIVES = ["'use client'", '"use server";', "'use strict';"]
/** A pragma a reader would take for one, where it does nothing: must be an error, never silence. */
const BURIED = '/**\n * The page.\n * Pragma: revalidate 60\n */'

type Item = { kind: 'pragma' | 'comment' | 'directive' | 'blank' | 'buried'; text: string }

const item: fc.Arbitrary<Item> = fc.oneof(
  fc.constantFrom(...PRAGMAS).map((text) => ({ kind: 'pragma' as const, text })),
  fc.constantFrom(...OTHER_COMMENTS).map((text) => ({ kind: 'comment' as const, text })),
  fc.constantFrom(...DIRECTIVES).map((text) => ({ kind: 'directive' as const, text })),
  fc.constantFrom('', '  ', '\t').map((text) => ({ kind: 'blank' as const, text })),
  fc.constant({ kind: 'buried' as const, text: BURIED }),
)

const header = fc.record({
  bom: fc.boolean(),
  shebang: fc.boolean(),
  items: fc.array(item, { maxLength: 6 }),
  lineEnd: fc.constantFrom('\n', '\r\n', '\r'),
})

const LOADER_BODY = `import { db } from './db'

export async function loader({ params }) {
  const posts = await db.postsBy(params.author)
  return { posts }
}
`

type Header = { bom: boolean; shebang: boolean; items: Item[]; lineEnd: string }

function withLineEnds(text: string, lineEnd: string): string {
  return text.replace(/\n/g, lineEnd)
}

/** A module: [BOM][shebang] header items, then the loader. */
function moduleOf(h: Header): string {
  const lines = [...(h.shebang ? ['#!/usr/bin/env node'] : []), ...h.items.map((entry) => entry.text), LOADER_BODY]
  return (h.bom ? '\uFEFF' : '') + withLineEnds(lines.join('\n'), h.lineEnd)
}

/** An .astro page: the header is the frontmatter's; `above` puts a pragma above the fence. */
function astroOf(h: Header, above: boolean): string {
  const frontmatter = [...h.items.filter((entry) => entry.kind !== 'directive').map((entry) => entry.text), "import { getPosts } from '../lib/posts'", 'const posts = await getPosts()']
  const page = [...(above ? ['// Pragma: revalidate 60'] : []), '---', ...frontmatter, '---', '<ul>{posts.map((post) => <li>{post.title}</li>)}</ul>', '']
  return (h.bom ? '\uFEFF' : '') + withLineEnds(page.join('\n'), h.lineEnd)
}

const LINE_TERMINATOR = /\r\n?|[\n\u2028\u2029]/g

/** Line (from 1) and column of `offset`, counting lines as ECMAScript does. */
function position(code: string, offset: number) {
  let line = 1
  let start = 0
  for (const match of code.matchAll(LINE_TERMINATOR)) {
    if (match.index >= offset) break
    line += 1
    start = match.index + match[0].length
  }
  return { line, column: offset - start }
}

/** Runs the transform; anything thrown must be a located RevalidateError. */
function compile(code: string, id: string): TransformResult | null | RevalidateError {
  try {
    return transform(code, id, { root: '/app' })
  } catch (error) {
    expect(error).toBeInstanceOf(RevalidateError)
    const located = error as RevalidateError
    expect(located.id).toBe(id)
    expect(located.loc.line).toBeGreaterThanOrEqual(1)
    expect(located.loc.column).toBeGreaterThanOrEqual(0)
    expect(located.frame).not.toBe('')
    return located
  }
}

/** The output parses, a second pass leaves it alone, and `needle` maps back to where it was written. */
function checkOutput(input: string, result: TransformResult, id: string, needle: string, reparse: (code: string) => void) {
  reparse(result.code)
  expect(transform(result.code, id, { root: '/app' })).toBeNull()
  const map = new TraceMap(result.map as never)
  const original = originalPositionFor(map, position(result.code, result.code.indexOf(needle)))
  expect(original).toMatchObject({ source: id, ...position(input, input.indexOf(needle)) })
}

const counts = (items: Item[]) => ({
  pragmas: items.filter((entry) => entry.kind === 'pragma').length,
  buried: items.filter((entry) => entry.kind === 'buried').length,
})

describe('mutated page headers', () => {
  it('a module: a located error, or untouched, or output that parses, is stable and maps the loader back', () => {
    fc.assert(
      fc.property(header, (h) => {
        const id = '/app/src/routes/posts/[author].tsx'
        const code = moduleOf(h)
        const result = compile(code, id)
        const { pragmas, buried } = counts(h.items)
        if (pragmas === 1 && buried === 0) {
          expect(result, 'one pragma, nothing else that looks like one: the page compiles').not.toBeInstanceOf(RevalidateError)
          expect(result).not.toBeNull()
        }
        if (pragmas === 0 && buried === 0) expect(result).toBeNull()
        if (pragmas > 1 || buried > 0) expect(result).toBeInstanceOf(RevalidateError)
        if (result === null || result instanceof RevalidateError) return
        checkOutput(code, result, id, 'db.postsBy(params.author)', (output) => parse(output, { sourceType: 'module', plugins: ['typescript', 'jsx'] }))
      }),
      { numRuns: 400 },
    )
  })

  it('an .astro page: the same, and a pragma above the fence is an error', () => {
    fc.assert(
      fc.property(header, fc.boolean(), (h, above) => {
        const id = '/app/src/pages/posts.astro'
        const code = astroOf(h, above)
        const result = compile(code, id)
        const { pragmas, buried } = counts(h.items)
        if (above || pragmas > 1 || buried > 0) expect(result).toBeInstanceOf(RevalidateError)
        else if (pragmas === 1) expect(result).not.toBeNull()
        else expect(result).toBeNull()
        if (result === null || result instanceof RevalidateError) return
        checkOutput(code, result, id, 'getPosts()', (output) => {
          const start = output.indexOf('---') + 3
          parse(output.slice(start, output.indexOf('---', start)), { sourceType: 'module', plugins: ['typescript'], allowAwaitOutsideFunction: true })
        })
      }),
      { numRuns: 300 },
    )
  })
})
