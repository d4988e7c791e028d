/**
 * The `<loc>` entries of a sitemap (sitemaps.org), or of a sitemap index:
 *
 *   <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
 *     <url><loc>https://blog.example/posts/hello</loc></url>      -> { kind: 'urlset', locs: ['https://blog.example/posts/hello'] }
 *   </urlset>
 *   <sitemapindex ...><sitemap><loc>https://blog.example/sitemap-posts.xml</loc></sitemap></sitemapindex>
 *                                                                   -> { kind: 'index', locs: [...the sitemaps] }
 *
 * Not an XML parser: it reads what the protocol puts in a sitemap (a root element, `<loc>`
 * elements holding absolute URLs with XML's five escapes, or CDATA) and refuses, with the line,
 * what would otherwise be read wrong: another document (an HTML error page), an unclosed `<loc>`,
 * a file cut short, a `<loc>` that is not a URL.
 */
import { WarmError } from './errors.js'

export interface Sitemap {
  kind: 'urlset' | 'index'
  locs: string[]
}

const ROOT = /<(urlset|sitemapindex)[\s>]/
const LOC = /<loc\s*>([\s\S]*?)<\/loc\s*>/g
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/** Reads a sitemap's text; `source` (a file or URL) names it in errors. */
export function parseSitemap(text: string, source: string): Sitemap {
  const body = text.replace(/^\uFEFF/, '')
  if (body.trim() === '') throw new WarmError(`the sitemap ${source} is empty.`)
  const root = ROOT.exec(withoutComments(body))
  if (root === null) {
    const found = /<([a-zA-Z][\w:-]*)/.exec(withoutComments(body).replace(/<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>/gi, ''))
    throw new WarmError(`${source} is not a sitemap: expected <urlset> or <sitemapindex>, found ${found ? `<${found[1]}>` : 'no element'}.`)
  }
  const kind = root[1] === 'urlset' ? 'urlset' : 'index'
  const content = withoutComments(body)
  const closing = `</${root[1]}>`
  if (!content.includes(closing)) throw new WarmError(`the sitemap ${source} ends before ${closing}: the file is cut short or malformed.`)
  const locs: string[] = []
  let end = 0
  for (const match of content.matchAll(LOC)) {
    checkNoOpenLocBetween(content, end, match.index, source)
    end = match.index + match[0].length
    // Where the <loc> is, for an error: counted only then (counting for each <loc> would be quadratic).
    const where = () => `${source}:${lineAt(content, match.index)}`
    const loc = decode(match[1]!.trim(), where)
    if (!URL.canParse(loc)) throw new WarmError(`${where()}: <loc> ${JSON.stringify(loc)} is not an absolute URL.`)
    locs.push(loc)
  }
  checkNoOpenLocBetween(content, end, content.length, source)
  return { kind, locs }
}

/** An opening `<loc>` that no match covered has no closing tag. */
function checkNoOpenLocBetween(content: string, from: number, to: number, source: string): void {
  const open = content.slice(from, to).search(/<loc\s*>/)
  if (open !== -1) throw new WarmError(`${source}:${lineAt(content, from + open)}: <loc> has no closing </loc>.`)
}

/** Comments removed, with their line breaks kept so that lines stay where they were. */
function withoutComments(text: string): string {
  return text.replace(/<!--[\s\S]*?-->/g, (comment) => comment.replace(/[^\n]/g, ' '))
}

function decode(text: string, where: () => string): string {
  const cdata = /^<!\[CDATA\[([\s\S]*)\]\]>$/.exec(text)
  if (cdata !== null) return cdata[1]!.trim()
  return text.replace(/&(#x[\da-fA-F]+|#\d+|\w+);|&/g, (whole, entity: string | undefined) => {
    if (entity === undefined) throw new WarmError(`${where()}: a bare "&" in <loc>; XML writes it &amp;.`)
    if (entity.startsWith('#')) {
      const code = entity.startsWith('#x') ? Number.parseInt(entity.slice(2), 16) : Number(entity.slice(1))
      if (code > 0x10ffff) throw new WarmError(`${where()}: ${whole} in <loc> is no character.`)
      return String.fromCodePoint(code)
    }
    const named = ENTITIES[entity]
    if (named === undefined) throw new WarmError(`${where()}: unknown entity ${whole} in <loc>.`)
    return named
  })
}

function lineAt(text: string, offset: number): number {
  let line = 1
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++
  return line
}
