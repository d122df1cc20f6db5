import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Socket } from 'node:net'
import { isError, safeGet } from './guards.ts'
import { instanceOf } from './problem.ts'
import { PROBLEM_CONTENT_TYPE, sendAsSerialized } from './content-type.ts'
import { PROBLEM_MEDIA_TYPE } from './negotiate.ts'
import { reasonPhrase } from './status-phrases.ts'

/**
 * Where a registered plugin leaves what its error handler needs, on the Fastify instance it was
 * registered on. A global symbol, so that the CommonJS and ES module builds of the package find
 * each other's state.
 */
export const PROBLEM_STATE: unique symbol = Symbol.for('fastify-problem-details.state') as never

/** The plugin's state on an instance: the scope it was registered in, and its error handler. */
export interface ProblemState {
  readonly scope: object
  readonly handleError: (error: unknown, request: FastifyRequest, reply: FastifyReply) => unknown
}

/** The plugin state an instance holds (its own or a parent scope's), or undefined. */
export function problemStateOf (instance: unknown): ProblemState | undefined {
  if (instance === null || typeof instance !== 'object') return undefined
  let state: unknown
  try {
    state = (instance as Record<symbol, unknown>)[PROBLEM_STATE]
  } catch {
    return undefined
  }
  return typeof safeGet(state, 'handleError') === 'function' ? state as ProblemState : undefined
}

/** A router error as the plugin classifies it: Fastify's code and status, a message without the URL. */
class RouterError extends Error {
  readonly code: string
  readonly statusCode: number
  constructor (code: string, statusCode: number, message: string) {
    super(message)
    this.name = 'RouterError'
    this.code = code
    this.statusCode = statusCode
  }
}

/**
 * The error the plugin's error handler gets for a router error. Fastify's own messages quote the
 * path, and a path carrying secrets must not come back in `detail`: the known router errors get a
 * message that names no part of the URL, the others (an async constraint that failed) pass as they are.
 */
function routerErrorOf (error: unknown, request: FastifyRequest): unknown {
  const code = safeGet(error, 'code')
  if (code === 'FST_ERR_BAD_URL') return new RouterError(code, 400, 'The request path is not a valid URL: it holds an invalid percent-encoded sequence.')
  if (code === 'FST_ERR_MAX_PARAM_LENGTH') {
    // `routerOptions` is where Fastify 5 keeps it; its old top-level place warns when read
    const max = safeGet(safeGet(safeGet(safeGet(request, 'server'), 'initialConfig'), 'routerOptions'), 'maxParamLength')
    return new RouterError(code, 414, typeof max === 'number' ? `A path parameter is longer than the ${max} characters allowed.` : 'A path parameter is longer than the server allows.')
  }
  return error
}

function statusOf (error: unknown): number {
  const status = safeGet(error, 'statusCode')
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500
}

/** Without a plugin on the root instance: a fixed `about:blank` problem, never the error's own text. */
function sendMinimalProblem (error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const status = statusOf(error)
  const detail = status < 500 && isError(error) ? error.message : undefined
  const body = JSON.stringify({ type: 'about:blank', title: reasonPhrase(status), status, detail, instance: instanceOf(request), retryable: false })
  reply.code(status).header('content-type', PROBLEM_CONTENT_TYPE).serializer(sendAsSerialized).send(body)
}

/**
 * Fastify's `frameworkErrors` option: the router's errors (bad percent-encoding in the path, a path
 * parameter over `maxParamLength`) become problem documents of the plugin registered on the root
 * instance, through its error handler (same catalog, `typeBase`, options and log line). The
 * `instance` is the path alone and `detail` never quotes the URL. Without the plugin on the root
 * instance, a minimal `about:blank` problem.
 *
 * @example
 * const app = Fastify({ frameworkErrors: problemFrameworkErrors })
 * await app.register(problemDetails)
 */
export function problemFrameworkErrors (error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const routerError = routerErrorOf(error, request)
  try {
    const state = problemStateOf(safeGet(request, 'server'))
    if (state !== undefined) {
      state.handleError(routerError, request, reply)
      return
    }
    sendMinimalProblem(routerError, request, reply)
  } catch {
    // a reply that cannot be used (already sent, its socket gone): the raw response, if still open
    const res = safeGet(reply, 'raw') as { headersSent?: boolean, writableEnded?: boolean, writeHead?: unknown, end?: unknown } | undefined
    try {
      if (res !== undefined && res.headersSent === false && res.writableEnded === false && typeof res.writeHead === 'function') {
        const body = JSON.stringify({ type: 'about:blank', title: reasonPhrase(500), status: 500, retryable: true })
        res.writeHead(500, { 'content-type': PROBLEM_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) })
        ;(res.end as (body: string) => void)(body)
      }
    } catch {}
  }
}

/** The fixed response of one kind of unreadable request: a valid HTTP/1.1 message closing the connection. */
function socketResponse (status: number, detail: string, retryable: boolean): string {
  const title = reasonPhrase(status)
  const body = JSON.stringify({ type: 'about:blank', title, status, detail, retryable })
  return `HTTP/1.1 ${status} ${title}\r\ncontent-type: ${PROBLEM_MEDIA_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${body}`
}

const TIMEOUT_RESPONSE = socketResponse(408, 'The request was not received in full in the time the server allows.', true)
const HEADERS_TOO_LARGE_RESPONSE = socketResponse(431, 'The request header fields are larger than the server accepts.', false)
const MALFORMED_RESPONSE = socketResponse(400, 'The request is not valid HTTP and could not be read.', false)

/** The response the client error handler writes for a parser or timeout error code. */
export function clientErrorResponse (code: unknown): string {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return TIMEOUT_RESPONSE
  if (code === 'HPE_HEADER_OVERFLOW') return HEADERS_TOO_LARGE_RESPONSE
  return MALFORMED_RESPONSE
}

/**
 * Fastify's `clientErrorHandler` option: a request Node could not read (malformed HTTP, headers
 * over `maxHeaderSize`, a request timeout) gets a minimal problem document written on the socket,
 * 400, 431 or 408, with `connection: close`, then the connection is closed. No request exists at
 * that point, so the document is fixed: `about:blank`, no `instance`. It never throws: a reset or
 * closed socket is left alone.
 *
 * @example
 * const app = Fastify({ clientErrorHandler: problemClientErrorHandler })
 */
export function problemClientErrorHandler (this: unknown, error: unknown, socket: Socket): void {
  try {
    const code = safeGet(error, 'code')
    try {
      (safeGet(this, 'log') as { trace: (fields: object, message: string) => void }).trace({ err: error }, 'client error answered with a problem')
    } catch {}
    if (code === 'ECONNRESET' || socket.destroyed) return
    // a response already under way on this connection: another one would corrupt it
    const inFlight = safeGet(safeGet(socket, '_httpMessage'), 'headersSent') === true
    if (socket.writable && !inFlight) socket.write(clientErrorResponse(code))
    socket.destroy()
  } catch {}
}
