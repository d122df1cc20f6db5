import t from 'tap'
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http'
import { isSpanContextValid, trace } from '@opentelemetry/api'
import { memoryTracing, registerGlobally } from './otel-sdk.ts'

// 1. the tracer provider and the HTTP instrumentation start before Fastify is loaded
// (a tracer provider rather than NodeSDK: the same pipeline, without loading every exporter)
const unregister = registerGlobally(memoryTracing().provider)
const http = new HttpInstrumentation() // enabled on construction, with the global provider
t.teardown(async () => { http.disable(); await unregister() })

/** The mixin docs/opentelemetry.md shows: every log line of a traced request gets trace_id and span_id. */
function traceMixin (): Record<string, string> {
  const context = trace.getActiveSpan()?.spanContext()
  return context !== undefined && isSpanContextValid(context) ? { trace_id: context.traceId, span_id: context.spanId } : {}
}

t.test('with the documented pino mixin every log line of the request carries the trace_id of the body', async (t) => {
  // 2. Fastify and the plugin load after the SDK
  const { logCollector, problemOf } = await import('./helper.ts')
  const { default: Fastify } = await import('fastify')
  const { default: problemDetails } = await import('../lib/index.ts')
  const logs = logCollector()
  const app = Fastify({ logger: { level: 'info', stream: logs.stream, mixin: traceMixin } })
  t.teardown(() => app.close())
  await app.register(problemDetails)
  app.get('/boom', async function boom (request) {
    request.log.info('about to fail')
    throw new Error('kaput')
  })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })

  const res = await fetch(address + '/boom')
  const body = problemOf(t, { statusCode: res.status, headers: Object.fromEntries(res.headers), body: await res.text() }, 500)
  const requestLines = logs.lines.filter((line) => line.reqId !== undefined)
  t.same(requestLines.map((l) => l.msg), ['incoming request', 'about to fail', 'problem internal_error', 'request completed'])
  for (const line of requestLines) {
    t.equal(line.trace_id, body.trace_id, `"${line.msg}" carries the trace id`)
  }
  const problemLine = logs.problems()[0]
  t.equal(problemLine?.trace_id, body.trace_id, 'the plugin line keeps its own trace_id')
  t.equal(logs.lines.find((l) => l.msg === 'Server listening at ' + address)?.trace_id, undefined, 'lines outside a request have none')
})
