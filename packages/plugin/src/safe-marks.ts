/**
 * The escape hatch: a comment right before an expression says it is the same for every visitor.
 *
 *   const shop = await /* revalidate-safe: reads only the shop's currency *\/ getShop(request)
 *
 * The marked expression (and the function it calls) is not checked for per-visitor reads; its
 * query reads still count. A mark needs a reason; a misspelt one is an error, not a no-op.
 */
import type { Comment } from '@babel/types'
import { closest } from './did-you-mean.js'
import type { SourceText } from './errors.js'

const MARK = 'revalidate-safe'
const MARK_LIKE = /^[\s*]*(revalidate[\w-]*)(.*)$/is

/** Offsets where a marked expression starts: after the comment, past whitespace, `await` and `(`. */
export function safeStarts(comments: readonly Comment[], source: SourceText): Set<number> {
  const starts = new Set<number>()
  for (const comment of comments) {
    const match = MARK_LIKE.exec(comment.value)
    if (match === null) continue
    const [, word, rest] = match as unknown as [string, string, string]
    if (word !== MARK) {
      if (closest(word, [MARK]) === undefined) continue
      throw source.error('RV206', comment.start!, comment.end!, `Unknown comment "${word}"; did you mean "${MARK}"?`, `write \`/* ${MARK}: <why> */\` right before the call it vouches for.`)
    }
    if (!/^\s*:\s*\S/.test(rest)) {
      throw source.error('RV206', comment.start!, comment.end!, `A \`${MARK}\` comment needs a reason.`, `say why the call is the same for every visitor: \`/* ${MARK}: reads only the shop's currency */\`.`)
    }
    starts.add(markedStart(source.code, comment.end!))
  }
  return starts
}

function markedStart(code: string, from: number): number {
  let pos = from
  for (;;) {
    while (pos < code.length && /\s/.test(code[pos]!)) pos++
    if (code[pos] === '(') pos++
    else if (code.startsWith('await', pos) && !/[\w$]/.test(code[pos + 5] ?? '')) pos += 5
    else return pos
  }
}
