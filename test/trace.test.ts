import t from 'tap'
import { registerInstrumentations } from '@opentelemetry/instrumentation'
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http'
import { SpanKind } from '@opentelemetry/api'
import { memoryTracing, registerGlobally } from './otel-sdk.ts'

// 1. the SDK and the HTTP instrumentation start before Fastify is loaded, as in a service
const { exporter, provider } = memoryTracing()
const unregisterProvider = registerGlobally(provider)
const unregister = registerInstrumentations({ instrumentations: [new HttpInstrumentation()] })
t.teardown(async () => { unregister(); await unregisterProvider() })

t.test('trace_id is the trace id of the exported server span, and the log line carries it', async (t) => {
  // 2. Fastify and the plugin load after the SDK
  const { build, problemOf } = await import('./helper.ts')
  const { ProblemError } = await import('../lib/index.ts')
  const { app, logs } = await build(t, {
    routes: (app) => {
      app.get('/boom', async () => { throw new Error('kaput') })
      app.get('/conflict', async (_req, reply) => reply.problem('conflict'))
      app.get('/thrown', async () => { throw new ProblemError('invalid_request', { detail: 'x' }) })
    }
  })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })

  for (const path of ['/boom', '/conflict', '/thrown', '/missing']) {
    exporter.reset()
    const res = await fetch(address + path)
    const body = problemOf(t, { statusCode: res.status, headers: Object.fromEntries(res.headers), body: await res.text() }, res.status)
    const server = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER)
    t.ok(server, `${path}: a server span was exported`)
    t.match(body.trace_id, /^[0-9a-f]{32}$/)
    t.equal(body.trace_id, server?.spanContext().traceId, `${path}: trace_id matches the server span`)
    const line = logs.problems().at(-1)
    t.equal(line?.trace_id, body.trace_id, `${path}: the log line has the same trace id`)
    t.equal(line?.span_id, server?.spanContext().spanId, `${path}: and the server span id`)
  }

  // 3. an incoming W3C traceparent is honoured
  const incoming = '4bf92f3577b34da6a3ce929d0e0e4736'
  const res = await fetch(address + '/conflict', { headers: { traceparent: `00-${incoming}-00f067aa0ba902b7-01` } })
  t.equal(((await res.json()) as { trace_id?: string }).trace_id, incoming)
})

t.test('with traceId: false the member is never sent', async (t) => {
  const { build, problemOf } = await import('./helper.ts')
  const { app } = await build(t, { plugin: { traceId: false }, routes: (app) => { app.get('/x', async (_req, reply) => reply.problem('conflict')) } })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const res = await fetch(address + '/x')
  const body = problemOf(t, { statusCode: res.status, headers: Object.fromEntries(res.headers), body: await res.text() }, 409)
  t.notOk('trace_id' in body)
})

t.test('an exception event is bounded: a huge message and stack are cut, a numeric code still names the type', async (t) => {
  const { build } = await import('./helper.ts')
  const { MAX_STACK_LENGTH } = await import('../lib/guards.ts')
  const { app } = await build(t, {
    routes: (app) => {
      app.get('/huge', async () => {
        const error = Object.assign(new Error('m'.repeat(100_000)), { code: 42 })
        error.stack = 'S'.repeat(100_000)
        throw error
      })
    }
  })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  exporter.reset()
  t.equal((await fetch(address + '/huge')).status, 500)
  const server = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER)
  const event = server?.events.find((e) => e.name === 'exception')
  t.equal(event?.attributes?.['exception.type'], '42')
  t.equal(String(event?.attributes?.['exception.message']).length, 1000)
  t.equal(String(event?.attributes?.['exception.stacktrace']).length, MAX_STACK_LENGTH)
})
