/**
 * The inspector's live list: the events of every cache of the process as Server-Sent Events.
 *
 *   GET <path>/api/events
 *   -> data: {"at":1760000000000,"type":"miss","key":"page:/posts/hello"}
 *
 * A busy site makes thousands of hits a second: events are sent in bursts of at most
 * MAX_PER_FLUSH every FLUSH_MS, and what did not fit is told as `{ type: 'dropped', count }`. The
 * stream ends when the client goes (the request's signal), and listens to nothing after that. While
 * one is open, every cache builds its events (as it does for the dev log); closed, none does.
 */
import { eventTaps, type EventTap } from '../event-taps.js'
import type { CacheEvent } from '../types.js'

const FLUSH_MS = 250
const MAX_PER_FLUSH = 50
/** A comment now and then, so proxies do not close a quiet stream. */
const KEEP_ALIVE_MS = 15_000

export interface SentEvent {
  at: number
  type: CacheEvent['type'] | 'dropped'
  key?: string
  tag?: string
  all?: true
  ageMs?: number
  joined?: true
  remote?: true
  phase?: string
  error?: string
  count?: number
}

function describe(event: CacheEvent): SentEvent {
  const sent: SentEvent = { at: Date.now(), type: event.type }
  if ('key' in event && event.key !== undefined && event.key !== '') sent.key = event.key
  if ('tag' in event && event.tag !== undefined) sent.tag = event.tag
  if ('all' in event && event.all) sent.all = true
  if ('age' in event) sent.ageMs = event.age
  if ('joined' in event && event.joined) sent.joined = true
  if ('remote' in event && event.remote) sent.remote = true
  if (event.type === 'error') {
    sent.phase = event.phase
    sent.error = event.error instanceof Error ? event.error.message : String(event.error)
  }
  return sent
}

const encoder = new TextEncoder()

export function eventStream(signal: AbortSignal, headers: Record<string, string>): Response {
  let pending: SentEvent[] = []
  let dropped = 0
  let stop = () => {}
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text))
        } catch {
          stop() // closed from the other side meanwhile
        }
      }
      const tap: EventTap = (event) => {
        if (pending.length < MAX_PER_FLUSH) pending.push(describe(event))
        else dropped++
      }
      const flush = setInterval(() => {
        const batch = pending
        pending = []
        if (dropped > 0) batch.push({ at: Date.now(), type: 'dropped', count: dropped })
        dropped = 0
        if (batch.length > 0) write(batch.map((event) => `data: ${JSON.stringify(event)}\n\n`).join(''))
      }, FLUSH_MS)
      const keepAlive = setInterval(() => write(': keep-alive\n\n'), KEEP_ALIVE_MS)
      eventTaps().add(tap)
      stop = () => {
        eventTaps().delete(tap)
        clearInterval(flush)
        clearInterval(keepAlive)
        stop = () => {}
        try {
          controller.close()
        } catch {
          // already closed
        }
      }
      if (signal.aborted) stop()
      signal.addEventListener('abort', () => stop())
      write('retry: 2000\n: connected\n\n')
    },
    cancel() {
      stop()
    },
  })
  return new Response(body, { headers: { ...headers, 'content-type': 'text/event-stream; charset=utf-8' } })
}
