// What the docs tests read of a Markdown page: its fenced code blocks, its headings with the
// anchors GitHub gives them, its explicit anchors, and its links. Enough of CommonMark for our own
// pages, no more: fences of ``` (or ~~~), ATX headings (`## Title`), `<a id="rv101"></a>` on a line
// of its own, inline links `[text](target)`.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

export const ROOT = join(import.meta.dirname, '..')

/** README.md and every page under docs/, as paths relative to the repository. */
export function documentationPages(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(join(dir, entry.name)) : entry.name.endsWith('.md') ? [join(dir, entry.name)] : [],
    )
  return ['README.md', ...walk('docs').sort()]
}

export interface CodeBlock {
  /** The first word of the fence's info string: `ts`, `tsx`, `astro`, `text`, ... ('' when none). */
  lang: string
  /** The rest of the info string. */
  info: string
  code: string
  /** Line of the opening fence (from 1). */
  line: number
  /** The `##` section the block is in ('' before the first one). */
  section: string
}

export interface Heading {
  level: number
  text: string
  /** The anchor GitHub gives it (`#...` without the `#`). */
  slug: string
  line: number
}

export interface Link {
  target: string
  line: number
}

export interface Page {
  path: string
  text: string
  blocks: CodeBlock[]
  headings: Heading[]
  /** What `#...` may name on the page: its headings' anchors and its explicit `<a id>` anchors. */
  anchors: string[]
  links: Link[]
}

/** A heading's text as GitHub renders it: code spans keep their text, links their text, emphasis goes. */
function renderedText(markdown: string): string {
  return markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`+([^`]*)`+/g, '$1')
    .replace(/(\*\*|__|\*|_)(\S(?:.*?\S)?)\1/g, '$2')
    .replace(/<[^>]+>/g, '')
    .trim()
}

/**
 * GitHub's anchor for a heading: lower case, every character that is not a letter, a digit, a
 * space, `-` or `_` dropped, spaces made hyphens; the second heading of one text gets `-1`.
 */
export function slugOf(text: string, seen: Map<string, number>): string {
  const base = renderedText(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-')
  const count = seen.get(base) ?? 0
  seen.set(base, count + 1)
  return count === 0 ? base : `${base}-${count}`
}

export function readPage(path: string): Page {
  const text = readFileSync(join(ROOT, path), 'utf8')
  const lines = text.split('\n')
  const blocks: CodeBlock[] = []
  const headings: Heading[] = []
  const explicitAnchors: string[] = []
  const links: Link[] = []
  const seen = new Map<string, number>()
  let section = ''
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const fence = /^(\s*)(`{3,}|~{3,})\s*(\S*)\s*(.*)$/.exec(line)
    if (fence) {
      const [, indent, marks, lang, info] = fence
      const body: string[] = []
      let j = i + 1
      for (; j < lines.length && !new RegExp(`^\\s*${marks![0]}{${marks!.length},}\\s*$`).test(lines[j]!); j++) body.push(lines[j]!.slice(indent!.length))
      if (j === lines.length) throw new Error(`${path}:${i + 1}: a code block that is never closed`)
      blocks.push({ lang: lang!, info: info!.trim(), code: body.length === 0 ? '' : `${body.join('\n')}\n`, line: i + 1, section })
      i = j
      continue
    }
    const anchor = /^<a id="([^"]+)"><\/a>\s*$/.exec(line)
    if (anchor) explicitAnchors.push(anchor[1]!)
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line)
    if (heading) {
      const level = heading[1]!.length
      headings.push({ level, text: heading[2]!, slug: slugOf(heading[2]!, seen), line: i + 1 })
      if (level === 2) section = heading[2]!
    }
    // Links outside code spans: [text](target) and [text](<target>), titles dropped.
    const outsideCode = line.replace(/`+[^`]*`+/g, '')
    for (const match of outsideCode.matchAll(/\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ target: match[1]!, line: i + 1 })
  }
  return { path, text, blocks, headings, anchors: [...headings.map((heading) => heading.slug), ...explicitAnchors], links }
}

/** `path` relative to the repository, for messages. */
export const fromRoot = (path: string) => relative(ROOT, path)
