/**
 * What an invalidation reaches, and what instances sharing a store tell each other about it.
 *
 *   covers({ kind: 'tag', tag: 'posts' }, 'page:/a', ['posts'])   -> true
 *   readInstanceMessage({ from: 'x', kind: 'key', key: 'k', at: 1 }) -> that message (extra fields kept)
 *   readInstanceMessage({ kind: 'key' })                             -> undefined (not ours: ignored)
 */
import type { Invalidation } from './types.js'

/** Whether `invalidation` reaches the entry (or fetch) of `key` with `tags`. */
export function covers(invalidation: Invalidation, key: string, tags: ReadonlySet<string> | readonly string[]): boolean {
  if (invalidation.kind === 'all') return true
  if (invalidation.kind === 'key') return invalidation.key === key
  return 'has' in tags ? tags.has(invalidation.tag) : tags.includes(invalidation.tag)
}

/** Whether `later`, applied after `earlier`, would reach nothing more than `earlier` already does (the same, or `earlier` is all). */
export function repeats(later: Invalidation, earlier: Invalidation): boolean {
  if (earlier.kind === 'all') return true
  if (later.kind === 'key') return earlier.kind === 'key' && earlier.key === later.key
  if (later.kind === 'tag') return earlier.kind === 'tag' && earlier.tag === later.tag
  return false
}

/** What an instance tells the others: an invalidation, or that it wrote a key anew ("fill"). */
export type InstanceMessage = { from: string } & (Invalidation | { kind: 'fill'; key: string })

/**
 * A message another instance sent (over pub/sub, a BroadcastChannel), or undefined for anything
 * else: never a throw. Fields of its own that a store adds (a time, a generation) are kept for the
 * store to check.
 */
export function readInstanceMessage(data: unknown): (InstanceMessage & Record<string, unknown>) | undefined {
  if (data === null || typeof data !== 'object') return undefined
  const message = data as Record<string, unknown>
  if (typeof message.from !== 'string') return undefined
  const { kind } = message
  const named = kind === 'all' || ((kind === 'key' || kind === 'fill') && typeof message.key === 'string') || (kind === 'tag' && typeof message.tag === 'string')
  return named ? (message as InstanceMessage & Record<string, unknown>) : undefined
}

/** The invalidation a message carries, without the message's other fields. */
export function invalidationOf(message: Invalidation): Invalidation {
  if (message.kind === 'key') return { kind: 'key', key: message.key }
  return message.kind === 'tag' ? { kind: 'tag', tag: message.tag } : { kind: 'all' }
}

/** How an invalidation is named in what is reported about it. */
export function describeInvalidation(invalidation: Invalidation): string {
  if (invalidation.kind === 'key') return `invalidate(${JSON.stringify(invalidation.key)})`
  return invalidation.kind === 'tag' ? `invalidateTag(${JSON.stringify(invalidation.tag)})` : 'invalidateAll()'
}
