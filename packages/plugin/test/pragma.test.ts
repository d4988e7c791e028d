import { describe, expect, it } from 'vitest'
import { SourceText } from '../src/errors.js'
import { readHeader, withHashPragmaAsComment } from '../src/pragma.js'

const read = (code: string) => readHeader(new SourceText(code, '/app/page.ts'))

describe('readHeader', () => {
  it('reads ttl units: 60, 30s, 5m, 2h, 1d', () => {
    expect(['60', '30s', '5m', '2h', '1d'].map((ttl) => read(`// Pragma: revalidate ${ttl}\nx()`).pragma?.ttl)).toEqual([60, 30, 300, 7200, 86400])
  })

  it('reads stale, tags and query in any order', () => {
    expect(read('/* Pragma: revalidate 60 query page,sort tags a,b stale 0 */\nx()').pragma).toMatchObject({
      ttl: 60,
      staleSeconds: 0,
      tags: ['a', 'b'],
      query: ['page', 'sort'],
    })
  })

  it('turns a # line into a // comment without moving any other character', () => {
    const code = '# Pragma: revalidate 60\nexport const a = 1'
    const header = read(code)
    expect(header.code).toBe('//Pragma: revalidate 60\nexport const a = 1')
    expect(header.code.length).toBe(code.length)
  })

  it('skips a shebang, blank lines, other comments and directives; stops at the first statement', () => {
    const code = '#!/usr/bin/env node\n\n/** docs */\n"use server";\n// Pragma: revalidate 1m\nconst a = 1\n'
    const header = read(code)
    expect(header.pragma?.ttl).toBe(60)
    expect(code.slice(header.end)).toBe('const a = 1\n')
  })

  it('ends a directive and a line at every ECMAScript line terminator: U+2028 and U+2029 as \\n and \\r', () => {
    for (const end of ['\n', '\r', '\r\n', '\u2028', '\u2029']) {
      expect(read(`"use client"${end}// Pragma: revalidate 60${end}x()`).pragma?.ttl, JSON.stringify(end)).toBe(60)
      expect(read(`// Pragma: revalidate 60${end}tags a${end}x()`).pragma?.tags, JSON.stringify(end)).toEqual([])
    }
  })

  it('does not take a string expression for a directive', () => {
    expect(read('"use client".length\n// Pragma: revalidate 60\n').pragma).toBeNull()
  })

  it('ignores another tool’s pragma and reads none from a file that has none', () => {
    expect(read('// Pragma: no-cache\nx()').pragma).toBeNull()
    expect(read('const a = "Pragma: revalidate 60"').pragma).toBeNull()
  })

  it('rejects a # line with no space after #', () => {
    expect(() => read('#Pragma: revalidate 60\n')).toThrow(/needs a space after the `#`/)
  })

  it('rejects an empty list item', () => {
    expect(() => read('// Pragma: revalidate 60 tags a,,b\n')).toThrow(/The tags list "a,,b" has an empty or invalid item/)
  })
})

describe('withHashPragmaAsComment', () => {
  it('turns the header\'s # pragma line into // as readHeader does, also when the pragma is wrong', () => {
    expect(withHashPragmaAsComment('# Pragma: revalidate 60\nx()')).toBe(read('# Pragma: revalidate 60\nx()').code)
    expect(withHashPragmaAsComment('"use client"\n# Pragma: revalidate 0s\nx()')).toBe('"use client"\n//Pragma: revalidate 0s\nx()')
    expect(withHashPragmaAsComment('# Pragma: revalidat 60\nx()')).toBe('//Pragma: revalidat 60\nx()')
  })

  it('leaves every other # line alone: below the header, in a string, in a comment, another tool\'s', () => {
    for (const code of [
      'x()\n# Pragma: revalidate 60\n',
      'const doc = `\n# Pragma: revalidate 60\n`\n',
      '/*\n# Pragma: revalidate 60\n*/\nx()',
      '# Pragma: eslint-disable\nx()',
      '#Pragma: revalidate 60\nx()',
    ]) {
      expect(withHashPragmaAsComment(code), code).toBe(code)
    }
  })
})
