// What @revalidate/plugin installs into a user's project: every runtime dependency it declares is
// imported by its source (an unused one is only download and audit weight for every user).
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const PLUGIN = join(dirname(fileURLToPath(import.meta.url)), '..')
const manifest = JSON.parse(readFileSync(join(PLUGIN, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
const sources = (readdirSync(join(PLUGIN, 'src'), { recursive: true }) as string[])
  .filter((file) => /\.[mc]?ts$/.test(file))
  .map((file) => readFileSync(join(PLUGIN, 'src', file), 'utf8'))

/** The packages the source loads: `from '<pkg>'`, `import('<pkg>')`, `require('<pkg>')`, subpaths included. */
function importedPackages(): Set<string> {
  const packages = new Set<string>()
  for (const source of sources) {
    for (const match of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)['"]([^'"./][^'"]*)['"]/g)) {
      const parts = match[1]!.split('/')
      packages.add(parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!)
    }
  }
  return packages
}

describe('@revalidate/plugin dependencies', () => {
  it('are each imported by the source', () => {
    const imported = importedPackages()
    expect(imported.has('@babel/parser')).toBe(true) // the scan itself finds imports
    expect(Object.keys(manifest.dependencies).filter((name) => !imported.has(name))).toEqual([])
  })
})
