import type { Test } from 'tap'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** One answer of a scripted server: status, headers and body. */
export interface Answer {
  status: number
  headers?: Record<string, string>
  body?: string
}

/** What a scripted server saw of one request. */
export interface Seen {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

/**
 * A server on 127.0.0.1 that answers the scripted answers in turn (the last one repeats), records
 * every request, and tracks its connections: `openSockets()` counts those still open.
 */
export async function scriptedServer (t: Test, answers: Answer[] | ((seen: Seen, res: ServerResponse) => void)) {
  const seen: Seen[] = []
  const sockets = new Set<Socket>()
  const served = new Set<Socket>()
  const server = createServer((req, res) => {
    served.add(req.socket)
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const request: Seen = { method: String(req.method), url: String(req.url), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }
      seen.push(request)
      if (typeof answers === 'function') {
        answers(request, res)
        return
      }
      const answer = answers[Math.min(seen.length, answers.length) - 1]
      res.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? '')
    })
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections() }))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    /** Connections that served a request and are still open, once pending closes are processed (a bounded number of event-loop turns). */
    async openServedSockets (): Promise<number> {
      for (let turn = 0; turn < 10_000 && [...served].some((socket) => sockets.has(socket)); turn++) {
        await new Promise((resolve) => setImmediate(resolve))
      }
      return [...served].filter((socket) => sockets.has(socket)).length
    }
  }
}

/** A problem document answer. */
export function problem (status: number, document: Record<string, unknown>, headers: Record<string, string> = {}): Answer {
  return { status, headers: { 'content-type': 'application/problem+json', ...headers }, body: JSON.stringify({ status, ...document }) }
}
