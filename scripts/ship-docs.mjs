// Copies pages of the repository's docs/ into the package being built (run from its folder:
// `node ../../scripts/ship-docs.mjs diagnostics.md`), where its messages link to them
// (node_modules/@revalidate/plugin/docs/diagnostics.md#rv101): the one source stays docs/, the
// copies are build output. A link to a page the package also ships stays a link; a link to any
// other page becomes that page's name in the repository's docs, as text, so a link in a shipped
// page never leads nowhere.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path/posix'

const DOCS = join(import.meta.dirname.replaceAll('\\', '/'), '../docs')
const pages = process.argv.slice(2)
if (pages.length === 0) throw new Error('ship-docs: name the pages of docs/ to ship, e.g. diagnostics.md')

/** `[Safety](safety.md#what-is-an-error)` -> `Safety (docs/safety.md in the revalidate repository)`, unless safety.md is shipped too; `[x](#anchor)` stays. */
function forThePackage(markdown, page) {
  return markdown.replace(/\[([^\]]+)\]\((?!#|[a-z][a-z0-9+.-]*:)([^)#\s]+)(#[^)\s]*)?\)/gi, (link, text, target) => {
    const resolved = normalize(join(dirname(page), target))
    return pages.includes(resolved) ? link : `${text} (docs/${resolved} in the revalidate repository)`
  })
}

for (const page of pages) {
  const copy = join(process.cwd(), 'docs', page)
  mkdirSync(dirname(copy), { recursive: true })
  writeFileSync(copy, `<!-- A copy of docs/${page} in the revalidate repository, made when the package is built. -->\n${forThePackage(readFileSync(join(DOCS, page), 'utf8'), page)}`)
}
