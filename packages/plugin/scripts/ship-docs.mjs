// Copies the repository's docs/diagnostics.md into the package (packages/plugin/docs/), where every
// compile error links to it (node_modules/@revalidate/plugin/docs/diagnostics.md#rv101): the one
// source stays docs/diagnostics.md, the copy is a build output. The package ships no other page,
// so a link to one becomes its name in the repository's docs, as text: a link in the shipped page
// never leads nowhere.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

const PACKAGE = join(import.meta.dirname, '..')
const SOURCE = join(PACKAGE, '../../docs/diagnostics.md')
const COPY = join(PACKAGE, 'docs/diagnostics.md')

/** `[Safety](safety.md#what-is-an-error)` -> `Safety (docs/safety.md in the revalidate repository)`; `[x](#anchor)` stays. */
function forThePackage(markdown) {
  return markdown.replace(/\[([^\]]+)\]\((?!#|[a-z][a-z0-9+.-]*:)([^)#\s]+)(#[^)\s]*)?\)/gi, (_, text, page) => `${text} (docs/${page} in the revalidate repository)`)
}

mkdirSync(dirname(COPY), { recursive: true })
writeFileSync(COPY, `<!-- A copy of docs/diagnostics.md in the revalidate repository, made when the package is built. -->\n${forThePackage(readFileSync(SOURCE, 'utf8'))}`)
