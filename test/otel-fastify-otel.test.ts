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
