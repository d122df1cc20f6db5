import t from 'tap'
import { startChild, staleBuild, type ChildService } from './fixtures/otel-child.ts'

// Exceptions as log records the way a service runs them: the published package in its own process,
// NodeSDK started by `node --require` with a logs SDK (logRecordProcessors) beside the tracing one,
// OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN in the environment, each instrumentation pipeline.
const PIPELINES = ['http', 'fastify-otel', 'both'] as const
const MODES = ['logs', 'logs/dup'] as const

/** Failure sites of test/fixtures/otel-server.js, and the exception each one's record describes (none for a 4xx). */
const SITES = [
  { path: '/sync', status: 500, code: 'internal_error', exception: { type: 'Error', message: 'database password rejected for user admin' } },
  // an error's code names its type, as the SDK names a span event's (a ProblemError's code is its problem code)
  { path: '/async', status: 503, code: 'resource_unavailable', exception: { type: 'resource_unavailable' } },
  { path: '/pre-handler', status: 500, code: 'internal_error', exception: { type: 'Error', message: 'lock wait timeout exceeded on accounts' } },
  { path: '/reply-problem', status: 503, code: 'resource_unavailable', exception: { type: 'Error', message: 'connect ECONNREFUSED 10.0.0.7:5432' } },
  { path: '/on-request', status: 401, code: 'authentication_required', exception: undefined }
]

async function traceOf (service: ChildService, path: string): Promise<{ status: number, traceId: string }> {
  const res = await fetch(service.address + path)
  const body = await res.json() as { trace_id: string }
  return { status: res.status, traceId: body.trace_id }
}

const stale = staleBuild()
if (stale !== undefined) {
  t.fail(stale)
} else {
  for (const pipeline of PIPELINES) {
    t.test(`pipeline ${pipeline}`, async (t) => {
      const services = await Promise.all(MODES.map((mode) => startChild('otel-server.js', { OTEL_TEST_LOG_RECORDS: 'memory', OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN: mode }, pipeline)))
      t.teardown(() => Promise.all(services.map((s) => s.close())))
      // @fastify/otel records the thrown error on its request span itself, in every mode
      const ownEvents = pipeline === 'http' ? 0 : 1

      for (const [index, mode] of MODES.entries()) {
        const service = services[index] as ChildService
        for (const site of SITES) {
          await t.test(`${mode} ${site.path}`, async (t) => {
            const { status, traceId } = await traceOf(service, site.path)
            t.equal(status, site.status)
            const { spans, logRecords = [] } = await service.collect(traceId, site.exception === undefined ? 0 : 1)
            const span = spans.find((s) => s.attributes['problem_details.code'] === site.code)
            t.ok(span, 'the span that tells the problem')
            const exceptionEvents = span?.events.filter((e) => e.name === 'exception').length
            const records = logRecords.filter((r) => r.eventName === 'http.server.request.exception')
            if (site.exception === undefined) {
              t.same(records, [], 'a 4xx is no exception of the server')
              return
            }
            t.equal(records.length, 1, 'one record')
            const record = records[0]
            t.equal(record?.severityNumber, 17)
            t.equal(record?.traceId, traceId, 'in the trace of the problem')
            t.equal(record?.spanId, span?.spanId, 'of the span that holds problem_details.code')
            t.match(record?.attributes, { 'exception.type': site.exception.type, 'problem_details.code': site.code, 'http.response.status_code': site.status, 'http.route': site.path })
            if (site.exception.message !== undefined) t.equal(record?.attributes['exception.message'], site.exception.message)
            t.type(record?.attributes['exception.stacktrace'], 'string')
            // the plugin adds an event only in logs/dup, and never a second one
            // (reply.problem() passes no onError hook: @fastify/otel never sees its cause)
            const thrown = site.path !== '/reply-problem'
            const expected = mode === 'logs' ? (thrown ? ownEvents : 0) : 1
            t.equal(exceptionEvents, expected, 'span events: @fastify/otel\'s own, or the plugin\'s in logs/dup, never two')
            t.equal(span?.status.code, 2, 'the span is still ERROR')
          })
        }
      }
    })
  }
}
