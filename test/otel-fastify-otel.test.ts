import t from 'tap'
import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { createRequire } from 'node:module'
import type { FastifyPluginCallback } from 'fastify'
import type { TracerProvider } from '@opentelemetry/api'

// loaded untyped on purpose: importing @fastify/otel's types would augment FastifyRequest for
// the whole type-checked project, which would then reject other `opentelemetry` decorations
const { FastifyOtelInstrumentation } = createRequire(__filename)('@fastify/otel') as {
  FastifyOtelInstrumentation: new () => { setTracerProvider (provider: TracerProvider): void, plugin (): FastifyPluginCallback }
}
import { build, problemOf } from './helper.ts'
import { memoryTracing } from './otel-sdk.ts'

// @fastify/otel registered as a plugin in the same process (the child-process pipeline tests
// cover the preload set-up): the plugin writes to @fastify/otel's request span.
const { exporter, provider } = memoryTracing()
const manager = new AsyncLocalStorageContextManager().enable()
context.setGlobalContextManager(manager)
t.teardown(() => { context.disable() })

t.test('under @fastify/otel the request span carries the problem, and its trace id is the body trace_id', async (t) => {
  const instrumentation = new FastifyOtelInstrumentation()
  instrumentation.setTracerProvider(provider)
  const { app, logs } = await build(t, {
    routes: async (app) => {
      await app.register(instrumentation.plugin())
      app.get('/boom', async function boom () { throw new Error('socket hang up') })
      app.get('/quiet', { config: { otel: false } }, async function quiet (_req, reply) { return reply.problem('conflict') })
    }
  })
  exporter.reset()
  const body = problemOf(t, await app.inject('/boom'), 500)
  const request = exporter.getFinishedSpans().find((s) => s.name === 'request')
  t.equal(request?.kind, SpanKind.SERVER)
  t.equal(body.trace_id, request?.spanContext().traceId)
  t.equal(request?.attributes['error.type'], 'internal_error')
  t.equal(request?.status.code, SpanStatusCode.ERROR)
  t.equal(request?.events.filter((e) => e.name === 'exception').length, 1, '@fastify/otel recorded it; the plugin did not record it again')
  t.equal(logs.problems().at(-1)?.span_id, request?.spanContext().spanId)

  // a route with instrumentation turned off has no request span: no trace_id, no failure
  const quiet = problemOf(t, await app.inject('/quiet'), 409)
  t.notOk('trace_id' in quiet)
})

t.test('a request decoration named opentelemetry that throws is ignored', async (t) => {
  const { app } = await build(t, {
    routes: (app) => {
      app.decorateRequest('opentelemetry', function opentelemetry () { throw new Error('not this one') })
      app.get('/x', async (_req, reply) => reply.problem('conflict'))
    }
  })
  const body = problemOf(t, await app.inject('/x'), 409)
  t.notOk('trace_id' in body)
})

t.test('a thrown 4xx: @fastify/otel marks its request span ERROR, which cannot be reset; reply.problem() keeps it unset', async (t) => {
  const instrumentation = new FastifyOtelInstrumentation()
  instrumentation.setTracerProvider(provider)
  const { app } = await build(t, {
    routes: async (app) => {
      await app.register(instrumentation.plugin())
      app.get('/thrown', async function thrown () { throw Object.assign(new Error('no such task'), { statusCode: 404 }) })
      app.get('/sent', async function sent (_req, reply) { return reply.problem('conflict') })
    }
  })
  exporter.reset()
  const thrownBody = problemOf(t, await app.inject('/thrown'), 404)
  const sentBody = problemOf(t, await app.inject('/sent'), 409)
  const requests = exporter.getFinishedSpans().filter((s) => s.name === 'request')
  const thrown = requests.find((s) => s.spanContext().traceId === thrownBody.trace_id)
  const sent = requests.find((s) => s.spanContext().traceId === sentBody.trace_id)
  t.equal(thrown?.status.code, SpanStatusCode.ERROR, 'set by @fastify/otel in its onError hook, not by the plugin')
  t.equal(thrown?.attributes['problem_details.code'], 'resource_not_found')
  t.equal(thrown?.attributes['error.type'], undefined, 'the plugin sets no error.type on a 4xx')
  t.equal(sent?.status.code, SpanStatusCode.UNSET, 'reply.problem() is no error to @fastify/otel')
  t.equal(sent?.attributes['problem_details.code'], 'conflict')

  // why the plugin does not reset it: the SDK ignores setStatus(UNSET) on an open span
  const span = provider.getTracer('reset').startSpan('server')
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'no such task' })
  span.setStatus({ code: SpanStatusCode.UNSET })
  span.end()
  t.equal(exporter.getFinishedSpans().find((s) => s.name === 'server')?.status.code, SpanStatusCode.ERROR)
})
