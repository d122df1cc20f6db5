import t, { type Test } from 'tap'
import { registerInstrumentations } from '@opentelemetry/instrumentation'
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http'
import { SpanKind, SpanStatusCode, type TracerProvider } from '@opentelemetry/api'
import type { FastifyInstance, FastifyPluginCallback } from 'fastify'
import { createRequire } from 'node:module'
import { memoryTracing, registerGlobally, registerMemoryLogs } from './otel-sdk.ts'
import { exceptionSignalFromEnv } from '../lib/exception-signal.ts'
import { createExceptionLogger, exceptionLoggerFor, findLogsApi } from '../lib/exception-logs.ts'

// Exceptions as log records (OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN), with the real tracing and logs
// SDKs: the tracing SDK and the HTTP instrumentation start before Fastify loads, as in a service,
// and every request goes over real HTTP on 127.0.0.1.
const { exporter: spans, provider } = memoryTracing()
const unregisterTracing = registerGlobally(provider)
const unregisterHttp = registerInstrumentations({ instrumentations: [new HttpInstrumentation()] })
const { exporter: logRecords, unregister: unregisterLogs } = registerMemoryLogs()
t.teardown(async () => { unregisterHttp(); await unregisterLogs(); await unregisterTracing() })

const ENV = 'OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN'
const original = process.env[ENV]
function setEnv (t: Test, value: string | undefined): void {
  if (value === undefined) delete process.env[ENV]
  else process.env[ENV] = value
  t.teardown(() => { if (original === undefined) delete process.env[ENV]; else process.env[ENV] = original })
}

class DatabaseError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'DatabaseError'
  }
}

interface Service { app: FastifyInstance, address: string, warnings: () => string[] }

/** A service with the plugin (options as given) and three routes: a crash, a thrown 4xx, a 5xx with a bad member. */
async function service (t: Test, plugin: Record<string, unknown> = {}, before?: (app: FastifyInstance) => Promise<void>): Promise<Service> {
  const { logCollector } = await import('./helper.ts')
  const { default: Fastify } = await import('fastify')
  const { default: problemDetails } = await import('../lib/index.ts')
  const lines = logCollector()
  const app = Fastify({ logger: { level: 'warn', stream: lines.stream } })
  t.teardown(() => app.close())
  if (before !== undefined) await before(app)
  await app.register(problemDetails, plugin)
  app.get('/tasks/:id', async function load () { throw new DatabaseError('connection to 10.0.0.7:5432 refused') })
  app.get('/missing', async function missing () { throw Object.assign(new Error('no such task'), { statusCode: 404 }) })
  app.get('/bad-member', async function badMember (_req, reply) { return reply.problem('external_authentication_required', { provider: 42 } as never) })
  app.get('/reset', async function reset () { throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', stack: undefined }) })
  app.get('/nameless', async function nameless () { throw Object.assign(new Error('who am I'), { name: '' }) })
  // eslint-disable-next-line no-throw-literal
  app.get('/odd', async function odd () { throw { reason: 'not an Error' } })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, address, warnings: () => lines.lines.filter((l) => l.level === 40).map((l) => l.msg) }
}

async function get (address: string, path: string): Promise<number> {
  const res = await fetch(address + path)
  await res.arrayBuffer()
  return res.status
}

function serverSpan () {
  const found = spans.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER)
  return found.at(-1)
}

function exceptionRecords () {
  return logRecords.getFinishedLogRecords().filter((r) => r.eventName === 'http.server.request.exception')
}

function reset (): void {
  spans.reset()
  logRecords.reset()
}

t.test('the environment variable is read as the conventions define it', async (t) => {
  t.equal(exceptionSignalFromEnv(undefined), 'spans')
  t.equal(exceptionSignalFromEnv(''), 'spans')
  t.equal(exceptionSignalFromEnv('logs'), 'logs')
  t.equal(exceptionSignalFromEnv('logs/dup'), 'logs/dup')
  t.equal(exceptionSignalFromEnv(' LOGS '), 'logs', 'trimmed, any case')
  t.equal(exceptionSignalFromEnv('http,logs/dup'), 'logs/dup', 'a list, as the other OTEL_SEMCONV_*_OPT_IN variables')
  t.equal(exceptionSignalFromEnv('logs,logs/dup'), 'logs/dup', 'the duplicate mode wins')
  t.equal(exceptionSignalFromEnv('spans'), 'spans')
  t.equal(exceptionSignalFromEnv('log'), 'spans', 'an unknown value changes nothing')
})

t.test('the logs API: @opentelemetry/api 1.10+ first, else @opentelemetry/api-logs, else none', async (t) => {
  const inApi = { getLogger () { return { emit () {} } } }
  const separate = { getLogger () { return { emit () {} } } }
  t.equal(await findLogsApi({ logs: inApi }, async () => { throw new Error('not loaded') }), inApi)
  t.equal(await findLogsApi({}, async () => ({ logs: separate })), separate)
  t.equal(await findLogsApi({}, async () => { throw Object.assign(new Error('Cannot find module'), { code: 'MODULE_NOT_FOUND' }) }), undefined)
  t.equal(await findLogsApi({ logs: {} }, async () => ({ logs: { getLogger: 'no' } })), undefined, 'something else called logs is no logs API')
  t.ok(await findLogsApi(), 'the installed one is found')
})

t.test('unset: a 5xx exception is a span event, and no log record is emitted', async (t) => {
  setEnv(t, undefined)
  const { address } = await service(t)
  reset()
  t.equal(await get(address, '/tasks/7'), 500)
  const span = serverSpan()
  const events = span?.events.filter((e) => e.name === 'exception') ?? []
  t.equal(events.length, 1)
  t.equal(events[0]?.attributes?.['exception.type'], 'DatabaseError')
  t.equal(span?.status.code, SpanStatusCode.ERROR)
  t.same(exceptionRecords(), [])
})

t.test('logs: a 5xx exception is an http.server.request.exception log record of the span, and no span event', async (t) => {
  setEnv(t, 'logs')
  const { address } = await service(t)
  reset()
  t.equal(await get(address, '/tasks/7'), 500)
  const span = serverSpan()
  t.equal(span?.events.filter((e) => e.name === 'exception').length, 0, 'no span event')
  t.equal(span?.status.code, SpanStatusCode.ERROR, 'the span is still the failed one')
  // instrumentation-http 0.300+ writes the status over it when the response finishes (docs/opentelemetry.md)
  t.match(span?.attributes['error.type'], /^(internal_error|500)$/)
  t.equal(span?.attributes['problem_details.code'], 'internal_error')
  const records = exceptionRecords()
  t.equal(records.length, 1)
  const record = records[0]
  t.equal(record?.severityNumber, 17)
  t.equal(record?.severityText, 'ERROR')
  t.equal(record?.spanContext?.traceId, span?.spanContext().traceId, 'correlated with the request span')
  t.equal(record?.spanContext?.spanId, span?.spanContext().spanId)
  t.match(record?.attributes, {
    'exception.type': 'DatabaseError',
    'exception.message': 'connection to 10.0.0.7:5432 refused',
    'exception.stacktrace': /^DatabaseError: connection to 10\.0\.0\.7:5432 refused\n\s+at /,
    'problem_details.code': 'internal_error',
    'error.type': 'internal_error',
    'http.response.status_code': 500,
    'http.request.method': 'GET',
    'http.route': '/tasks/:id'
  })
  t.equal(record?.body, 'connection to 10.0.0.7:5432 refused')

  // a 4xx is the client's failure: no exception record
  reset()
  t.equal(await get(address, '/missing'), 404)
  t.same(exceptionRecords(), [])
  t.equal(serverSpan()?.events.length, 0)

  // a developer's mistake that replaced the problem is an exception too
  reset()
  t.equal(await get(address, '/bad-member'), 500)
  const mistakes = exceptionRecords()
  t.equal(mistakes.length, 1)
  t.equal(mistakes[0]?.attributes['exception.type'], 'FST_PROBLEM_INVALID_MEMBER')
  t.equal(serverSpan()?.events.length, 0)

  // what is thrown is described as the span event would describe it
  for (const [path, type, message] of [['/reset', 'ECONNRESET', 'socket hang up'], ['/nameless', 'object', 'who am I'], ['/odd', 'object', undefined]]) {
    reset()
    t.equal(await get(address, path as string), 500)
    const attributes = exceptionRecords()[0]?.attributes
    t.equal(attributes?.['exception.type'], type, `${path}: exception.type`)
    if (message !== undefined) t.equal(attributes?.['exception.message'], message, `${path}: exception.message`)
    else t.type(attributes?.['exception.message'], 'string', `${path}: a description of the value, never the value`)
  }
  t.notOk(exceptionRecords()[0]?.attributes['exception.stacktrace'])
})

t.test('the emitter: once per request, never throws, and without a span uses the active context', async (t) => {
  const emitted: Array<Record<string, unknown>> = []
  const logger = createExceptionLogger({ getLogger: () => ({ emit (record) { emitted.push(record) } }) })
  const request = { raw: {}, method: 'BREW', is404: true, routeOptions: {} } as never
  const problem = { entry: undefined, status: 503, thrown: new Error('down'), developerError: undefined }
  logger(request, undefined, problem)
  logger(request, undefined, problem)
  t.equal(emitted.length, 1, 'a second send path for the same request emits nothing')
  t.match(emitted[0]?.attributes, { 'problem_details.code': 'about:blank', 'error.type': '503', 'http.request.method': '_OTHER' })
  t.notOk('http.route' in (emitted[0]?.attributes as object), 'no route for an unknown route')
  logger({ raw: {}, method: 'GET' } as never, undefined, { ...problem, thrown: undefined })
  t.equal(emitted.length, 1, 'nothing thrown, nothing to record')

  // what cannot be read is described, never thrown
  emitted.length = 0
  const unreadable = { [Symbol.toPrimitive] () { throw new Error('no') } }
  logger({ raw: {}, method: 'GET', is404: true } as never, undefined, { ...problem, thrown: unreadable })
  t.match(emitted[0], { body: 'a value that cannot be described', attributes: { 'exception.type': 'object', 'exception.message': 'a value that cannot be described' } })
  logger({ raw: {}, method: 'GET', is404: true } as never, undefined, { ...problem, thrown: Object.assign(new Error('x'), { message: 42, stack: 'S'.repeat(20_000) }) })
  t.equal(emitted[1]?.body, 'Error', 'without a message, the type is the body')
  t.notOk('exception.message' in (emitted[1]?.attributes as object))
  t.equal((emitted[1]?.attributes as Record<string, string>)['exception.stacktrace'].length, 16_384, 'the stack is bounded')
  logger({ raw: {}, method: 'GET', is404: true } as never, undefined, { ...problem, thrown: 'plain text failure' })
  t.match(emitted[2], { body: 'plain text failure', attributes: { 'exception.type': 'string', 'exception.message': 'plain text failure' } }, 'a thrown string is its own message')

  const failing = createExceptionLogger({ getLogger: () => ({ emit () { throw new Error('exporter down') } }) })
  t.doesNotThrow(() => failing({ raw: {}, method: 'GET', is404: true } as never, undefined, problem))
})

t.test('logs/dup: both the span event and the log record, each once', async (t) => {
  setEnv(t, 'logs/dup')
  const { address } = await service(t)
  reset()
  t.equal(await get(address, '/tasks/7'), 500)
  const span = serverSpan()
  t.equal(span?.events.filter((e) => e.name === 'exception').length, 1)
  const records = exceptionRecords()
  t.equal(records.length, 1)
  t.equal(records[0]?.attributes['exception.type'], span?.events[0]?.attributes?.['exception.type'], 'the same exception in both signals')
  t.equal(records[0]?.spanContext?.spanId, span?.spanContext().spanId)
})

t.test('the option wins over the environment variable', async (t) => {
  setEnv(t, 'logs')
  const { address } = await service(t, { exceptionSignal: 'spans' })
  reset()
  t.equal(await get(address, '/tasks/7'), 500)
  t.equal(serverSpan()?.events.filter((e) => e.name === 'exception').length, 1)
  t.same(exceptionRecords(), [])

  setEnv(t, undefined)
  const other = await service(t, { exceptionSignal: 'logs/dup' })
  reset()
  t.equal(await get(other.address, '/tasks/7'), 500)
  t.equal(exceptionRecords().length, 1)

  const { default: Fastify } = await import('fastify')
  const { default: problemDetails } = await import('../lib/index.ts')
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(async () => { await app.register(problemDetails, { exceptionSignal: 'log' as never }) }, { code: 'FST_PROBLEM_INVALID_OPTION', message: /exceptionSignal.*'spans', 'logs', 'logs\/dup'.*"log"/ })
})

t.test('with @fastify/otel, which records the exception on its request span itself: still never twice', async (t) => {
  const { FastifyOtelInstrumentation } = createRequire(__filename)('@fastify/otel') as {
    FastifyOtelInstrumentation: new () => { setTracerProvider (provider: TracerProvider): void, plugin (): FastifyPluginCallback }
  }
  for (const mode of ['logs', 'logs/dup']) {
    setEnv(t, mode)
    const instrumentation = new FastifyOtelInstrumentation()
    instrumentation.setTracerProvider(provider)
    const { address } = await service(t, {}, async (app) => { await app.register(instrumentation.plugin()) })
    reset()
    t.equal(await get(address, '/tasks/7'), 500)
    const request = spans.getFinishedSpans().find((s) => s.name === 'request')
    t.equal(request?.events.filter((e) => e.name === 'exception').length, 1, `${mode}: @fastify/otel's own event, none added`)
    const records = exceptionRecords()
    t.equal(records.length, 1, `${mode}: one log record`)
    t.equal(records[0]?.spanContext?.spanId, request?.spanContext().spanId, `${mode}: correlated with @fastify/otel's request span`)
  }
})

t.test('no logs API installed: the environment variable falls back to span events with a warning; the option fails registration', async (t) => {
  const warnings: unknown[][] = []
  const log = { warn (...args: unknown[]) { warnings.push(args) } } as never
  const none = async () => undefined
  setEnv(t, 'logs')
  t.equal(await exceptionLoggerFor({ exceptionSignal: 'logs', exceptionSignalChosen: false }, log, none), undefined, 'span events, as without the variable')
  t.match(warnings, [[/^fastify-problem-details: OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN=logs needs the OpenTelemetry logs API: .*@opentelemetry\/api-logs.*; exceptions stay span events$/]])
  await t.rejects(exceptionLoggerFor({ exceptionSignal: 'logs/dup', exceptionSignalChosen: true }, log, none), { code: 'FST_PROBLEM_INVALID_OPTION', message: /exceptionSignal.*is 'logs\/dup', which needs the OpenTelemetry logs API/ })
  t.equal(await exceptionLoggerFor({ exceptionSignal: 'spans', exceptionSignalChosen: true }, log, async () => { throw new Error('never asked') }), undefined, 'spans never looks for the logs API')
})
