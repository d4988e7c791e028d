// A failure of the compiler itself (not of the page) says it is ours, names the page, and keeps the
// compiler's stack for the report; a page's own error has no compiler frames at all.
import { describe, expect, it, vi } from 'vitest'
import { transform } from '../src/transform.js'

vi.mock('../src/checks.js', () => ({
  checkPageData() {
    throw new TypeError("Cannot read properties of undefined (reading 'kind')")
  },
}))

const PAGE = '// Pragma: revalidate 60\nexport async function loader() { return { posts: await db.posts() } }\n'

function errorOf(run: () => unknown): Error {
  try {
    run()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected an error')
}

describe('errors of the compiler itself', () => {
  it('say "this is a bug in revalidate", name the page, and keep the stack and the cause', () => {
    const error = errorOf(() => transform(PAGE, '/app/src/routes/posts.ts'))
    expect(error.message).toBe(
      "revalidate failed to compile /app/src/routes/posts.ts: Cannot read properties of undefined (reading 'kind')\nThis is a bug in revalidate, not in your page: please report it with the page (or the smallest part of it that still fails).",
    )
    expect(error.cause).toBeInstanceOf(TypeError)
    expect(error.stack).toMatch(/\n\s+at checkPageData /)
  })

  it('a page’s own error carries no frames of the compiler', () => {
    const error = errorOf(() => transform('// Pragma: revalidate 0\nexport async function loader() { return {} }\n', '/app/src/routes/posts.ts'))
    expect(error.name).toBe('RevalidateError')
    expect(error.stack).toBe(`RevalidateError: ${error.message}`)
  })
})
