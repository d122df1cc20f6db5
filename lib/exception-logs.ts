import * as api from '@opentelemetry/api'
import { context, trace, type Context, type Exception, type Span } from '@opentelemetry/api'
import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import { FST_PROBLEM_INVALID_OPTION } from './errors.ts'
import { EXCEPTION_SIGNAL_ENV } from './exception-signal.ts'
import { safeGet } from './guards.ts'
import { methodOf, routeOf } from './metrics.ts'
import type { ProblemDetailsConfig } from './options.ts'
import { asException, ATTR_ERROR_TYPE, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_PROBLEM_CODE, ATTR_PROBLEM_TYPE, type SpanProblem } from './trace.ts'

/** Name of the event the HTTP conventions define for an exception while serving a request. */
export const EXCEPTION_EVENT_NAME = 'http.server.request.exception'
/** SeverityNumber.ERROR of the logs data model. */
const SEVERITY_ERROR = 17
const LOGGER_NAME = 'fastify-problem-details'

/** What the plugin needs of a logs API: `@opentelemetry/api` 1.10+ (`logs`) or `@opentelemetry/api-logs`. */
export interface LogsApi {
  getLogger (name: string): ExceptionLogEmitter
}
interface ExceptionLogEmitter {
  emit (record: {
    eventName?: string
    severityNumber?: number
    severityText?: string
    body?: string
    attributes?: Record<string, string | number>
    context?: Context
  }): void
}

function asLogsApi (value: unknown): LogsApi | undefined {
  return typeof safeGet(value, 'getLogger') === 'function' ? value as LogsApi : undefined
}

/**
 * Finds the OpenTelemetry logs API the application's SDK registers with: the `logs` of
 * `@opentelemetry/api` from 1.10 (the SDK 3 line), else the separate `@opentelemetry/api-logs`
 * package (an optional peer dependency; the SDK 2 line). Undefined when neither is installed.
 */
export async function findLogsApi (apiModule: unknown = api, loadApiLogs: () => Promise<unknown> = async () => await import('@opentelemetry/api-logs')): Promise<LogsApi | undefined> {
  const inApi = asLogsApi(safeGet(apiModule, 'logs'))
  if (inApi !== undefined) return inApi
  try {
    return asLogsApi(safeGet(await loadApiLogs(), 'logs'))
  } catch {
    return undefined
  }
}

/** The `exception.*` attributes of a thrown value, read from the bounded copy the span event is made of. */
function exceptionAttributes (thrown: unknown): Record<string, string> {
  // only values that were thrown (never undefined) are described
  const exception = asException(thrown) as Exception
  if (typeof exception === 'string') return { 'exception.type': 'string', 'exception.message': exception }
  // as the SDK names a span event's exception: a code names the type better than the class
  const { code, name, message, stack } = exception
  const type = (typeof code === 'string' && code !== '') || typeof code === 'number' ? String(code) : typeof name === 'string' && name !== '' ? name : 'object'
  const attributes: Record<string, string> = { 'exception.type': type }
  if (typeof message === 'string') attributes['exception.message'] = message
  if (typeof stack === 'string') attributes['exception.stacktrace'] = stack
  return attributes
}

/** One 5xx problem's exceptions, as the log records describe them. */
export interface ProblemExceptions {
  readonly entry: SpanProblem | undefined
  readonly status: number
  readonly thrown: unknown
  readonly developerError: Error | undefined
}

/**
 * Emits a 5xx problem's exceptions as `http.server.request.exception` log records (severity ERROR),
 * correlated with the problem's span: the thrown error, and the developer's mistake when the plugin
 * had to replace the problem (the same exceptions a span would get as events). Once per request,
 * whatever path sends the problem; never throws (a failing SDK must not cost the client its response).
 */
export function createExceptionLogger (logsApi: LogsApi) {
  // the global logger provider of the logs API is a proxy: a logger taken now follows an SDK started later
  const logger = logsApi.getLogger(LOGGER_NAME)
  const emitted = new WeakSet<object>()

  return function logProblemExceptions (request: FastifyRequest, span: Span | undefined, problem: ProblemExceptions): void {
    if (problem.status < 500 || emitted.has(request.raw)) return
    const exceptions = [problem.thrown, problem.developerError].filter((exception) => exception !== undefined)
    if (exceptions.length === 0) return
    emitted.add(request.raw)
    try {
      const code = problem.entry?.code
      const shared: Record<string, string | number> = {
        [ATTR_PROBLEM_CODE]: code ?? 'about:blank',
        [ATTR_PROBLEM_TYPE]: problem.entry?.type ?? 'about:blank',
        [ATTR_ERROR_TYPE]: code ?? String(problem.status),
        [ATTR_HTTP_RESPONSE_STATUS_CODE]: problem.status,
        'http.request.method': methodOf(request)
      }
      const route = routeOf(request)
      if (route !== undefined) shared['http.route'] = route
      const correlated = span === undefined ? context.active() : trace.setSpan(context.active(), span)
      for (const exception of exceptions) {
        const attributes = { ...exceptionAttributes(exception), ...shared }
        logger.emit({
          eventName: EXCEPTION_EVENT_NAME,
          severityNumber: SEVERITY_ERROR,
          severityText: 'ERROR',
          body: attributes['exception.message'] as string | undefined ?? String(attributes['exception.type']),
          attributes,
          context: correlated
        })
      }
    } catch {}
  }
}

export type ExceptionLogger = ReturnType<typeof createExceptionLogger>

/**
 * The emitter of exception log records when `exceptionSignal` asks for them. Without a logs API
 * installed, an explicit option is a mistake (registration fails); the environment variable, set
 * for a whole fleet, falls back to span events with a warning.
 */
export async function exceptionLoggerFor (config: Pick<ProblemDetailsConfig, 'exceptionSignal' | 'exceptionSignalChosen'>, log: FastifyBaseLogger, find: () => Promise<LogsApi | undefined> = findLogsApi): Promise<ExceptionLogger | undefined> {
  if (config.exceptionSignal === 'spans') return undefined
  const logsApi = await find()
  if (logsApi !== undefined) return createExceptionLogger(logsApi)
  const why = 'needs the OpenTelemetry logs API: @opentelemetry/api 1.10 or later, or @opentelemetry/api-logs installed beside @opentelemetry/api'
  if (config.exceptionSignalChosen) throw new FST_PROBLEM_INVALID_OPTION('exceptionSignal', `is '${config.exceptionSignal}', which ${why}`)
  log.warn(`fastify-problem-details: ${EXCEPTION_SIGNAL_ENV}=${process.env[EXCEPTION_SIGNAL_ENV]} ${why}; exceptions stay span events`)
  return undefined
}
