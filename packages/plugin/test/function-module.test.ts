// The module part of a cached function's key (`fn:<module>#<name>:…`): a path below the project
// root without its extension, so two machines building the same code agree, and two modules never
// share one.
import { describe, expect, it } from 'vitest'
import { transform } from '../src/index.js'

const moduleOf = (id: string) => {
  const code = '// Pragma: revalidate 60\nexport async function getPost(slug: string) { return slug }\n'
  return /"module":("[^"]*")/.exec(transform(code, id, { target: 'node', root: '/work/app' })!.code)![1]
}

describe('the module of a cached function', () => {
  it('is its path below the root, without the extension', () => {
    expect(moduleOf('/work/app/src/lib/posts.ts')).toBe('"src/lib/posts"')
    expect(moduleOf('/work/app/src/lib/posts.ts?v=1')).toBe('"src/lib/posts"')
  })

  it('is a relative path outside the root, never the path of a module inside it', () => {
    expect(moduleOf('/work/shared/posts.ts')).toBe('"../shared/posts"')
    expect(moduleOf('/shared/posts.ts')).not.toBe(moduleOf('/work/app/shared/posts.ts'))
  })
})
