import t from 'tap'
import { context, SpanStatusCode, trace, type Span } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import type { ReadableSpan } from '@opentelemetry/sdk-trace'
import { recordProblemOnSpan } from '../lib/trace.ts'
import { build, problemOf } from './helper.ts'
import { memoryTracing } from './otel-sdk.ts'

const { exporter, provider } = memoryTracing()
const tracer = provider.getTracer('otel-span-test')

function finished (span: Span): ReadableSpan {
  span.end()
  const spanId = span.spanContext().spanId
  const found = exporter.getFinishedSpans().find((s) => s.spanContext().spanId === spanId)
  if (found === undefined) throw new Error('span not exported')
  return found
}

function entry (code: string): { code: string, type: string } {
  return { code, type: '/problems/' + code.replaceAll('_', '-') }
}

function exceptionMessages (span: ReadableSpan): unknown[] {
  return span.events.filter((e) => e.name === 'exception').map((e) => e.attributes?.['exception.message'])
}

t.test('a 4xx problem sets its code, type and status, and neither error.type nor an ERROR status', async (t) => {
  const span = tracer.startSpan('server')
  recordProblemOnSpan(span, entry('conflict'), 409, new Error('stale version'))
  const done = finished(span)
  t.equal(done.attributes['problem_details.code'], 'conflict')
  t.equal(done.attributes['problem_details.type'], '/problems/conflict')
  t.equal(done.attributes['error.type'], undefined, 'a 4xx SERVER span is successful by the conventions: no error.type')
  t.equal(done.attributes['http.response.status_code'], 409)
  t.equal(done.status.code, SpanStatusCode.UNSET)
  t.same(exceptionMessages(done), [])
})

t.test('an about:blank 4xx problem names about:blank as its code and type, without error.type', async (t) => {
  const span = tracer.startSpan('server')
  recordProblemOnSpan(span, undefined, 418, undefined)
  const done = finished(span)
  t.equal(done.attributes['problem_details.code'], 'about:blank')
  t.equal(done.attributes['problem_details.type'], 'about:blank')
  t.equal(done.attributes['error.type'], undefined)
})

t.test('a 5xx problem sets error.type to its code; an about:blank 5xx to its status, as the conventions do', async (t) => {
  const coded = tracer.startSpan('server')
  recordProblemOnSpan(coded, entry('resource_unavailable'), 503, undefined)
  const codedDone = finished(coded)
  t.equal(codedDone.attributes['error.type'], 'resource_unavailable')
  t.equal(codedDone.attributes['problem_details.code'], 'resource_unavailable')
  t.equal(codedDone.attributes['problem_details.type'], '/problems/resource-unavailable')
  const blank = tracer.startSpan('server')
  recordProblemOnSpan(blank, undefined, 502, undefined)
  const blankDone = finished(blank)
  t.equal(blankDone.attributes['error.type'], '502')
  t.equal(blankDone.attributes['problem_details.code'], 'about:blank')
})

t.test('a status the instrumentation already set is left alone', async (t) => {
  const current = tracer.startSpan('server', { attributes: { 'http.response.status_code': 502 } })
  recordProblemOnSpan(current, entry('internal_error'), 500, undefined)
  t.equal(finished(current).attributes['http.response.status_code'], 502)
  const old = tracer.startSpan('server', { attributes: { 'http.status_code': 502 } })
  recordProblemOnSpan(old, entry('internal_error'), 500, undefined)
  t.equal(finished(old).attributes['http.response.status_code'], undefined, 'the old attribute name counts too')
})

t.test('a 5xx problem records the original error once, with status ERROR', async (t) => {
  const span = tracer.startSpan('server')
  const original = new Error('disk full on /var/lib/db')
  recordProblemOnSpan(span, entry('internal_error'), 500, original)
  const done = finished(span)
  t.equal(done.status.code, SpanStatusCode.ERROR)
  t.equal(done.status.message, 'disk full on /var/lib/db')
  t.same(exceptionMessages(done), ['disk full on /var/lib/db'])
  t.match(done.events[0]?.attributes?.['exception.stacktrace'], /disk full/)
})

t.test('an exception already recorded (by @fastify/otel onError) is not recorded again', async (t) => {
  const span = tracer.startSpan('request')
  const original = new Error('boom')
  span.recordException(original)
  recordProblemOnSpan(span, entry('internal_error'), 500, original)
  const done = finished(span)
  t.same(exceptionMessages(done), ['boom'])
  t.equal(done.status.code, SpanStatusCode.ERROR)
})

t.test('a developer mistake behind a 5xx is recorded as well', async (t) => {
  const span = tracer.startSpan('server')
  recordProblemOnSpan(span, entry('internal_error'), 500, undefined, new Error('unknown problem code "nope"'))
  const done = finished(span)
  t.same(exceptionMessages(done), ['unknown problem code "nope"'])
  t.equal(done.status.message, 'unknown problem code "nope"')
})

t.test('a 5xx without any error still gets status ERROR, described by its code', async (t) => {
  const span = tracer.startSpan('server')
  recordProblemOnSpan(span, entry('resource_unavailable'), 503, undefined)
  const done = finished(span)
  t.equal(done.status.code, SpanStatusCode.ERROR)
  t.equal(done.status.message, 'resource_unavailable')
  t.same(exceptionMessages(done), [])
})

t.test('thrown values that are not errors are recorded as short descriptions', async (t) => {
  const text = tracer.startSpan('server')
  recordProblemOnSpan(text, entry('internal_error'), 500, 'x'.repeat(5000))
  const textDone = finished(text)
  t.equal((exceptionMessages(textDone)[0] as string).length, 1000)
  t.equal(textDone.status.message?.length, 1000)

  const number = tracer.startSpan('server')
  recordProblemOnSpan(number, entry('internal_error'), 500, 42)
  const numberDone = finished(number)
  t.same(exceptionMessages(numberDone), ['42'])
  t.equal(numberDone.events[0]?.attributes?.['exception.type'], 'number')

  const hostile = tracer.startSpan('server')
  recordProblemOnSpan(hostile, entry('internal_error'), 500, Object.create(null))
  t.same(exceptionMessages(finished(hostile)), ['a value that cannot be described'])
})

t.test('an error whose message cannot be read falls back to the problem code', async (t) => {
  const weird = new Error('hidden')
  Object.defineProperty(weird, 'message', { get () { throw new Error('no') } })
  const span = tracer.startSpan('server')
  t.doesNotThrow(() => recordProblemOnSpan(span, entry('internal_error'), 500, weird))
  t.equal(finished(span).status.message, 'internal_error')

  const numeric = new Error('x')
  Object.defineProperty(numeric, 'message', { value: 7 })
  const other = tracer.startSpan('server')
  recordProblemOnSpan(other, entry('internal_error'), 500, numeric)
  t.equal(finished(other).status.message, 'internal_error')
})

t.test('nothing is written without a span or on a sampled-out span', async (t) => {
  t.doesNotThrow(() => recordProblemOnSpan(undefined, entry('internal_error'), 500, new Error('x')))
  const sampledOut = trace.wrapSpanContext({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 0 })
  t.doesNotThrow(() => recordProblemOnSpan(sampledOut, entry('internal_error'), 500, new Error('x')))
})

t.test('spans of other SDKs whose attributes or events cannot be read are still enriched', async (t) => {
  const real = tracer.startSpan('server')
  const hostile = new Proxy(real, {
    get (target, key, receiver) {
      if (key === 'attributes' || key === 'events') throw new Error('not readable')
      const value = Reflect.get(target, key, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
  recordProblemOnSpan(hostile, entry('internal_error'), 500, new Error('once'))
  const done = finished(real)
  t.equal(done.attributes['http.response.status_code'], 500)
  t.same(exceptionMessages(done), ['once'])
})

t.test('the plugin enriches the active span of a request through every send path', async (t) => {
  const manager = new AsyncLocalStorageContextManager().enable()
  context.setGlobalContextManager(manager)
  t.teardown(() => { context.disable() })
  const { app } = await build(t, {
    routes: (app) => {
      app.get('/teapot', async () => { throw Object.assign(new Error('short and stout'), { statusCode: 418 }) })
      app.get('/unknown-code', async (_req, reply) => reply.problem('no_such_code' as 'conflict'))
    }
  })
  const teapot = tracer.startSpan('server')
  problemOf(t, await context.with(trace.setSpan(context.active(), teapot), async () => await app.inject('/teapot')), 418)
  const teapotDone = finished(teapot)
  t.equal(teapotDone.attributes['error.type'], undefined)
  t.equal(teapotDone.attributes['problem_details.code'], 'about:blank')
  t.equal(teapotDone.status.code, SpanStatusCode.UNSET)

  const mistake = tracer.startSpan('server')
  problemOf(t, await context.with(trace.setSpan(context.active(), mistake), async () => await app.inject('/unknown-code')), 500)
  const mistakeDone = finished(mistake)
  t.equal(mistakeDone.attributes['error.type'], 'internal_error')
  t.equal(mistakeDone.attributes['problem_details.code'], 'internal_error')
  t.equal(mistakeDone.status.code, SpanStatusCode.ERROR)
  t.match(exceptionMessages(mistakeDone)[0], /no_such_code/)
})

t.test('a span whose recordException throws (another SDK, a broken exporter hook) still gets its status and attributes', async (t) => {
  const span = tracer.startSpan('server')
  span.recordException = function brokenRecordException () { throw new Error('recording failed') }
  t.doesNotThrow(() => recordProblemOnSpan(span, entry('internal_error'), 500, new Error('db down')))
  const done = finished(span)
  t.equal(done.status.code, SpanStatusCode.ERROR)
  t.equal(done.status.message, 'db down')
  t.equal(done.attributes['error.type'], 'internal_error')
})
