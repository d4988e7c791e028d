/**
 * A fetch handler as a Node `http` listener, for a plain `node:http` server, Express or Connect
 * (and the Vite dev server's middleware):
 *
 *   const handle = toNodeListener(inspector({ token }))
 *   createServer((req, res) => (req.url?.startsWith('/__revalidate') ? handle(req, res) : app(req, res)))
 *
 * The request's signal is aborted when the client goes, which ends an event stream; the
 * response's body is written as it comes (Server-Sent Events arrive as they are sent).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Largest request body passed on. */
const MAX_BODY_BYTES = 1024 * 1024

export function toNodeListener(handler: (request: Request) => Promise<Response>): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const aborted = new AbortController()
    res.on('close', () => aborted.abort())
    try {
      const response = await handler(await toRequest(req, aborted.signal))
      res.writeHead(response.status, [...response.headers].flat())
      if (response.body === null || req.method === 'HEAD') {
        res.end()
        return
      }
      for await (const chunk of response.body) {
        if (aborted.signal.aborted) break
        res.write(chunk)
      }
      res.end()
    } catch (error) {
      if (!res.headersSent) res.writeHead(error instanceof RangeError ? 413 : 500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
      res.end(error instanceof RangeError ? error.message : 'The revalidate inspector failed; see the server log.')
      if (!(error instanceof RangeError)) console.error('[revalidate] inspector:', error)
    }
  }
}

async function toRequest(req: IncomingMessage, signal: AbortSignal): Promise<Request> {
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`)
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith(':')) continue // HTTP/2 pseudo-headers
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, item)
  }
  const method = req.method ?? 'GET'
  if (method === 'GET' || method === 'HEAD') return new Request(url, { method, headers, signal })
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) throw new RangeError(`The request body is larger than ${MAX_BODY_BYTES} bytes`)
    chunks.push(chunk)
  }
  return new Request(url, { method, headers, signal, body: Buffer.concat(chunks) })
}
