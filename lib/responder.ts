import type { FastifyReply, FastifyRequest } from 'fastify'
import { withChallenge } from './challenge.ts'
import { classify, classifyOccurrence, internalError, type Classification } from './classify.ts'
import { FST_PROBLEM_INVALID_MEMBER, FST_PROBLEM_SEND_FAILED } from './errors.ts'
import { bound, boundedCode, boundedText, isError, MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, MAX_STACK_LENGTH, safeGet, textOf } from './guards.ts'
import { problemHeaders, resetRepresentation } from './headers.ts'
import { createNegotiator, PROBLEM_MEDIA_TYPE, PROBLEM_XML_MEDIA_TYPE, type ProblemFormat } from './negotiate.ts'
import { NO_MEMBERS, occurrenceOf } from './occurrence.ts'
import type { ProblemDetailsConfig, ProblemLogLevel } from './options.ts'
import { buildProblem, instanceOf, isRetryable } from './problem.ts'
import type { SerializerFor } from './serializer.ts'
import type { ExceptionLogger } from './exception-logs.ts'
import { countProblem } from './metrics.ts'
import { problemSpan, recordProblemOnSpan, validSpanContext } from './trace.ts'
import { problemXml } from './xml.ts'
import { sendAsSerialized } from './content-type.ts'

export { PROBLEM_MEDIA_TYPE }

/** The body in the negotiated form: the XML form is written from the JSON document, so both carry exactly the same members. */
function inFormat (json: string, format: ProblemFormat): string {
  return format === PROBLEM_XML_MEDIA_TYPE ? problemXml(JSON.parse(json)) : json
}

/**
 * Whether the response went out already: ended, or under way (a stream or a raw write cut short).
 * One under way cannot be replaced: it is closed, so the client sees that it failed.
 */
function alreadyUnderway (reply: FastifyReply): boolean {
  if (reply.sent) return true
  if (!reply.raw.headersSent) return false
  reply.raw.destroy()
  return true
}

/**
 * Sends a problem as a fresh representation: the route's representation and caching headers
 * removed, the negotiated content type, and the body sent as is (no route serializer, no response
 * schema, no charset added by Fastify).
 */
function sendFresh (reply: FastifyReply, status: number, headers: Record<string, string | string[]> | undefined, format: ProblemFormat, json: string): FastifyReply {
  const body = inFormat(json, format)
  reply.code(status)
  resetRepresentation(reply, headers)
  return reply.header('content-type', format).serializer(sendAsSerialized).send(body)
}

/** Longest message of a problem's log line (`msg`), in characters, before the note of a response already started. */
export const MAX_LOG_MESSAGE_LENGTH = 2048
/** Longest stack the plugin writes itself (in `thrown`, or for an error the logger could not serialize). */
const MAX_LOG_STACK_LENGTH = 4096

/**
 * The `err` of a log line: the error as it is, for the logger's serializer, unless its message or
 * stack is over its bound; then a bounded copy of its name, message, stack and code, marked
 * `truncated`, so that one huge message cannot make a huge log line.
 */
function errorForLog (value: unknown): unknown {
  if (!isError(value)) return describeThrown(value)
  const message = safeGet(value, 'message')
  const stack = safeGet(value, 'stack')
  const oversized = (typeof message === 'string' && message.length > MAX_LOG_MESSAGE_LENGTH) || (typeof stack === 'string' && stack.length > MAX_STACK_LENGTH)
  if (!oversized) return value
  // without a prototype, pino's err serializer takes the type from `name` (not from a constructor)
  return Object.assign(Object.create(null), {
    name: boundedText(safeGet(value, 'name'), MAX_NAME_LENGTH),
    message: boundedText(message, MAX_DESCRIPTION_LENGTH),
    stack: boundedText(stack, MAX_LOG_STACK_LENGTH),
    code: boundedCode(safeGet(value, 'code')),
    truncated: true
  })
}

/** A plain, bounded description of a thrown value, for log fields other than `err` (which pino serializes itself). */
function describeThrown (value: unknown): Record<string, unknown> {
  if (isError(value)) {
    return { type: boundedText(safeGet(value, 'name'), MAX_NAME_LENGTH), message: boundedText(safeGet(value, 'message'), MAX_DESCRIPTION_LENGTH), stack: boundedText(safeGet(value, 'stack'), MAX_LOG_STACK_LENGTH), code: boundedCode(safeGet(value, 'code')) }
  }
  const text = textOf(value)
  return text === undefined ? { type: typeof value } : { type: typeof value, value: text }
}

/**
 * What a 4xx line says of the error by default (`clientErrorLogDetail: 'brief'`): its type, code
 * and message, bounded; never its stack, its other properties or its causes, where a client's
 * tokens and passwords end up.
 */
function briefOf (value: unknown): Record<string, unknown> {
  const name = safeGet(value, 'name')
  return {
    type: typeof name === 'string' ? bound(name, MAX_NAME_LENGTH) : typeof value,
    code: boundedCode(safeGet(value, 'code')),
    message: boundedText(safeGet(value, 'message'), MAX_DESCRIPTION_LENGTH)
  }
}

/**
 * Whether the logger writes lines of `level`: pino says so (`isLevelEnabled`), and a service that
 * logs at `warn` pays nothing for the line of each 4xx problem. A logger that cannot say is asked
 * to write the line.
 */
function levelEnabled (log: FastifyRequest['log'], level: Exclude<ProblemLogLevel, 'silent'>): boolean {
  const isLevelEnabled = (log as { isLevelEnabled?: unknown }).isLevelEnabled
  return typeof isLevelEnabled !== 'function' || isLevelEnabled.call(log, level) !== false
}

/**
 * Logs the problem line. A hostile error (throwing getter, Proxy trap) or a throwing log serializer
 * must not turn the problem into a crash: log a safe description of the error, then no error at all.
 */
function writeLog (request: FastifyRequest, level: Exclude<ProblemLogLevel, 'silent'>, fields: Record<string, unknown>, message: string): void {
  try {
    request.log[level](fields, message)
  } catch {
    try {
      request.log[level]({ ...fields, err: describeThrown(fields.err) }, message)
    } catch {
      request.log[level]({ ...fields, err: undefined, thrown: undefined, log_failure: 'the error could not be serialized' }, message)
    }
  }
}

/** A problem ready for the wire: what the client gets, and the classification it was built from. */
export interface RenderedProblem {
  /** The classification sent: the one given, or internal_error when its members or serialization failed. */
  readonly classification: Classification
  readonly status: number
  /** Response headers besides `content-type` (`Retry-After`, the occurrence's own), or undefined. */
  readonly headers: Record<string, string | string[]> | undefined
  /** The serialized document. */
  readonly payload: string
}

function checkMembers (c: Classification, config: ProblemDetailsConfig): Classification {
  const entry = c.entry
  if (entry === undefined || (entry.memberNames.length === 0 && entry.required.length === 0)) return c
  let why: string | undefined
  try {
    why = config.memberValidator.validate(entry.code, entry.members, entry.required, c.members)
  } catch (failure) {
    // a member value whose reading throws (a Proxy, a getter) is as invalid as a wrong type
    const message = safeGet(failure, 'message')
    why = `could not be read (${typeof message === 'string' ? message : 'a non-Error was thrown'})`
  }
  return why === undefined ? c : internalError(config, new FST_PROBLEM_INVALID_MEMBER(entry.code, why))
}

/**
 * Turns a classification into the response the client gets: members checked against the catalog,
 * the document built and serialized, the headers chosen. Pure: the error handler, `reply.problem()`
 * and the examples of the docs and OpenAPI all go through it, so an example is what the service sends.
 * A failure here still ends as a valid internal_error that carries the failure as its developer error.
 */
export function renderProblem (classification: Classification, instance: string, traceId: string | undefined, config: ProblemDetailsConfig, serializerFor: SerializerFor): RenderedProblem {
  let c = checkMembers(classification, config)
  let payload: string
  try {
    payload = serializerFor(c.entry)(buildProblem(c, instance, traceId, config))
  } catch (failure) {
    const message = safeGet(failure, 'message')
    c = internalError(config, new FST_PROBLEM_SEND_FAILED(c.entry?.code ?? 'about:blank', typeof message === 'string' ? message : 'unknown failure'))
    payload = JSON.stringify(buildProblem(c, instance, traceId, config))
  }
  return { classification: c, status: c.status, headers: withChallenge(problemHeaders(c.headers, isRetryable(c), c.retryAfter, c.entry?.retryAfter), c.status, c.entry?.wwwAuthenticate, config.wwwAuthenticate), payload }
}

/**
 * Sends problems. One function serves the error handler, the not-found handler and
 * `reply.problem()`, so every problem takes the same steps: classify, render, log once, send.
 */
export function createResponder (config: ProblemDetailsConfig, serializerFor: SerializerFor, logExceptions?: ExceptionLogger) {
  const negotiate = createNegotiator(config.problemXml)
  // exception events on spans, unless the exceptions go to log records only
  const exceptionEvents = logExceptions === undefined || config.exceptionSignal !== 'logs'

  function respond (request: FastifyRequest, reply: FastifyReply, classification: Classification, thrown: unknown): FastifyReply {
    // 1. rendered: members checked, document built and serialized, headers chosen
    const span = problemSpan(request)
    const spanContext = validSpanContext(span)
    const traceId = spanContext?.traceId
    const rendered = renderProblem(classification, instanceOf(request), traceId, config, serializerFor)
    const c = rendered.classification
    recordProblemOnSpan(span, c.entry, c.status, thrown, c.developerError, exceptionEvents)
    if (logExceptions !== undefined) logExceptions(request, span, { entry: c.entry, status: c.status, thrown, developerError: c.developerError })
    if (config.metrics) countProblem(request, c)

    // 2. log once, what was sent: 5xx (and developer mistakes) with the original error, 4xx at the client level;
    // a response already under way (a stream or raw write cut short) cannot be replaced, and says so
    const code = c.entry?.code ?? 'about:blank'
    const started = !reply.sent && reply.raw.headersSent
    const serverLevel = c.status >= 500 || c.developerError !== undefined || started
    const level = serverLevel ? config.serverErrorLogLevel : config.clientErrorLogLevel
    if (level !== 'silent' && levelEnabled(request.log, level)) {
      const fields: Record<string, unknown> = { problem: code, status: c.status, trace_id: traceId, span_id: spanContext?.spanId }
      if (started) fields.response_started = true
      if (c.developerError !== undefined) {
        fields.err = c.developerError
        if (thrown !== undefined) fields.thrown = describeThrown(thrown)
      } else if (thrown !== undefined) {
        if (serverLevel || config.clientErrorLogDetail === 'full') fields.err = errorForLog(thrown)
        else fields.error = briefOf(thrown)
      }
      const message = bound(c.developerError?.message ?? (c.detail === undefined ? `problem ${code}` : `problem ${code}: ${c.detail}`), MAX_LOG_MESSAGE_LENGTH)
      writeLog(request, level, fields, started ? `${message} (not sent: the response had already started; the connection is closed)` : message)
    }

    // 3. send, unless the reply already went out
    if (alreadyUnderway(reply)) return reply
    return sendFresh(reply, rendered.status, rendered.headers, negotiate(request.headers.accept), rendered.payload)
  }

  /**
   * When the send path itself throws (a hostile value defeating a guard, a logger that throws), the
   * client still gets a fixed internal_error: Fastify's own fallback would send the failure's message.
   */
  function lastResort (request: FastifyRequest, reply: FastifyReply, c: Classification, failure: unknown): FastifyReply {
    try {
      const message = safeGet(failure, 'message')
      request.log.error({ err: new FST_PROBLEM_SEND_FAILED(c.entry?.code ?? 'about:blank', typeof message === 'string' ? message : 'a non-Error was thrown'), problem: config.internalError.code, status: config.internalError.status }, 'problem could not be sent as classified')
    } catch {}
    if (alreadyUnderway(reply)) return reply
    const payload = JSON.stringify(buildProblem(internalError(config), instanceOf(request), undefined, config))
    return sendFresh(reply, config.internalError.status, undefined, negotiate(safeGet(request.headers, 'accept') as string | undefined), payload)
  }

  /** Fastify error handler: anything thrown or passed to `reply.send(error)`. */
  function problemErrorHandler (error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    let c: Classification
    try {
      c = classify(error, request, config)
    } catch (mappingFailure) {
      c = internalError(config, isError(mappingFailure) ? mappingFailure : new Error('mapError threw a non-Error value'))
    }
    try {
      return respond(request, reply, c, error)
    } catch (failure) {
      return lastResort(request, reply, c, failure)
    }
  }

  /** Not-found handler: unknown routes answer `resource_not_found`. */
  function problemNotFoundHandler (request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const entry = config.statusCodes.get(404)
    const detail = `No route matches ${request.method} ${instanceOf(request)}`
    const c: Classification = entry === undefined
      ? { entry: undefined, status: 404, detail, members: NO_MEMBERS, headers: undefined, retryAfter: undefined, errors: undefined, developerError: undefined }
      : classifyOccurrence({ code: entry.code, detail, members: NO_MEMBERS, headers: undefined, retryAfter: undefined }, config)
    return respond(request, reply, c, undefined)
  }

  /** `reply.problem(code, init)`: send a problem without creating an Error. */
  function sendProblem (request: FastifyRequest, reply: FastifyReply, code: string, init: Readonly<Record<string, unknown>> | undefined): FastifyReply {
    const occurrence = occurrenceOf(code, init)
    return respond(request, reply, classifyOccurrence(occurrence, config), occurrence.cause)
  }

  return { problemErrorHandler, problemNotFoundHandler, sendProblem }
}
