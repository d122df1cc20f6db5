import { connect } from 'node:net'

/** A response as read off the socket: the raw text, its status line, headers (lower-cased names) and body. */
export interface RawResponse {
  raw: string
  statusLine: string
  headers: Record<string, string>
  body: string
}

/** Parses one HTTP/1.1 response from the bytes a socket received. */
export function parseRawResponse (raw: string): RawResponse {
  const split = raw.indexOf('\r\n\r\n')
  const [statusLine, ...lines] = raw.slice(0, split).split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { raw, statusLine, headers, body: raw.slice(split + 4) }
}

/** Writes `request` as it is on a new connection to 127.0.0.1:port and reads until the server closes it. */
export function rawRequest (port: number, request: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = connect({ port, host: '127.0.0.1' }, () => { socket.end(request) })
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // the server may reset a connection it closed while request bytes were unread: what arrived counts
      if (error.code === 'ECONNRESET' && chunks.length > 0) return
      reject(error)
    })
    socket.on('close', () => resolve(parseRawResponse(Buffer.concat(chunks).toString('latin1'))))
  })
}
