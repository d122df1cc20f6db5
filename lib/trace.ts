import { isSpanContextValid, SpanStatusCode, trace, type Exception, type Span, type SpanContext } from '@opentelemetry/api'
import type { FastifyRequest } from 'fastify'
import { boundedCode, boundedText, isError, MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, MAX_STACK_LENGTH, safeGet, textOf } from './guards.ts'

/**
 * The span a problem belongs to: the request span of @fastify/otel when it is registered,
 * otherwise the active span (the HTTP server span of instrumentation-http). Read through
 * @opentelemetry/api only, so no SDK means no span and no cost beyond one lookup.
 */
export function problemSpan (request: FastifyRequest): Span | undefined {
  const otel = (request as { opentelemetry?: unknown }).opentelemetry
  if (typeof otel === 'function') {
    try {
      const span = (otel.call(request) as { span?: Span } | undefined)?.span
      if (typeof span?.spanContext === 'function') return span
    } catch {}
  }
  return trace.getActiveSpan()
}

/** The span's context when it is valid (never 32 zeros); sampled-out spans still have one. */
export function validSpanContext (span: Span | undefined): SpanContext | undefined {
  if (span === undefined) return undefined
  const context = span.spanContext()
  return isSpanContextValid(context) ? context : undefined
}

/** Semantic-convention attribute names the plugin writes (stable in semconv 1.26+). */
export const ATTR_ERROR_TYPE = 'error.type'
/** The plugin's own attributes, namespaced as the conventions ask for domain attributes. */
export const ATTR_PROBLEM_CODE = 'problem_details.code'
export const ATTR_PROBLEM_TYPE = 'problem_details.type'
/** The `problem` value of the log line and of the span for problems without a catalog code. */
const ABOUT_BLANK = 'about:blank'
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code'
const OLD_ATTR_HTTP_STATUS_CODE = 'http.status_code'
const EXCEPTION_EVENT = 'exception'

/** What the SDK's span class exposes besides the API (read defensively: other SDKs may not). */
interface ReadableParts {
  attributes?: Record<string, unknown>
  events?: ReadonlyArray<{ name?: unknown }>
}

function readableParts (span: Span): ReadableParts {
  return span as unknown as ReadableParts
}

/**
 * True when the span already holds an exception event: @fastify/otel records the thrown error
 * in its onError hook, which Fastify runs before the error handler.
 */
function hasRecordedException (span: Span): boolean {
  try {
    const events = readableParts(span).events
    return Array.isArray(events) && events.some((event) => event?.name === EXCEPTION_EVENT)
  } catch {
    return false
  }
}

function hasStatusAttribute (span: Span): boolean {
  try {
    const attributes = readableParts(span).attributes
    return attributes !== undefined && attributes !== null &&
      (attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] !== undefined || attributes[OLD_ATTR_HTTP_STATUS_CODE] !== undefined)
  } catch {
    return false
  }
}

/**
 * An Error as the SDK reads it (code, name, message, stack), each bounded: an exception event is
 * under MAX_DESCRIPTION_LENGTH + MAX_STACK_LENGTH + 2 * MAX_NAME_LENGTH characters of text.
 */
function boundedError (error: Error): Exception {
  return {
    code: boundedCode(safeGet(error, 'code')),
    name: boundedText(safeGet(error, 'name'), MAX_NAME_LENGTH) ?? '',
    message: boundedText(safeGet(error, 'message'), MAX_DESCRIPTION_LENGTH),
    stack: boundedText(safeGet(error, 'stack'), MAX_STACK_LENGTH)
  }
}

/** An Error as a bounded copy; anything else thrown as a short description (never the raw value). */
export function asException (value: unknown): Exception | undefined {
  if (value === undefined) return undefined
  if (isError(value)) return boundedError(value)
  const text = textOf(value) ?? 'a value that cannot be described'
  return typeof value === 'string' ? text : { name: typeof value, message: text }
}

/** The SDK reads the error's properties: a hostile getter must not break the response. */
function safelyRecord (span: Span, exception: Exception): void {
  try {
    span.recordException(exception)
  } catch {}
}

/** The message of an exception asException made: already bounded, and read without getters. */
function messageOf (exception: Exception): string | undefined {
  if (typeof exception === 'string') return exception
  return typeof exception.message === 'string' ? exception.message : undefined
}

/** What the span needs of a catalog entry: its code and its resolved `type` URI. */
export interface SpanProblem {
  readonly code: string
  readonly type: string
}

/**
 * Tells the problem's story on its span (semantic conventions for HTTP servers):
 * - `problem_details.code` and `problem_details.type` (the type URI), on every problem;
 *   `about:blank` for both when the problem has no catalog entry;
 * - `http.response.status_code` = the problem's status, unless the instrumentation set it;
 * - 5xx only: `error.type` = the problem code (the status as text for `about:blank` problems),
 *   the original error recorded as an exception event (unless one is recorded already, or
 *   `exceptionEvents` is false because the exceptions go to log records) and status ERROR. A 4xx is the client's failure: a SERVER span stays successful, so neither
 *   `error.type` nor the ERROR status (the conventions: instrumentations SHOULD NOT set them).
 * Nothing happens without a recording span (no SDK, or a sampled-out trace).
 */
export function recordProblemOnSpan (span: Span | undefined, entry: SpanProblem | undefined, status: number, thrown: unknown, developerError?: Error, exceptionEvents = true): void {
  if (span === undefined || !span.isRecording()) return
  const code = entry?.code
  span.setAttribute(ATTR_PROBLEM_CODE, code ?? ABOUT_BLANK)
  span.setAttribute(ATTR_PROBLEM_TYPE, entry?.type ?? ABOUT_BLANK)
  if (!hasStatusAttribute(span)) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status)
  if (status < 500) return
  span.setAttribute(ATTR_ERROR_TYPE, code ?? String(status))
  const exception = asException(thrown)
  if (exceptionEvents) {
    if (exception !== undefined && !hasRecordedException(span)) safelyRecord(span, exception)
    if (developerError !== undefined) safelyRecord(span, developerError)
  }
  const message = (exception === undefined ? undefined : messageOf(exception)) ?? developerError?.message ?? code
  span.setStatus({ code: SpanStatusCode.ERROR, message })
}
