import { trace, TraceFlags } from '@opentelemetry/api'
import Fastify from 'fastify'
import type { ResolvedProblemEntry } from '../catalog.ts'
import plugin, { type ProblemDetailsApi } from '../index.ts'
import type { ProblemDetailsOptions } from '../options.ts'

/** Trace id shown in the examples: the sample id of the W3C Trace Context specification. */
export const EXAMPLE_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'
const EXAMPLE_SPAN_ID = '00f067aa0ba902b7'
/** Default request path of the examples (their `instance`). */
export const DEFAULT_EXAMPLE_INSTANCE = '/api/v1/tasks'

/** One response recorded from the plugin. */
export interface ExampleResponse {
  readonly status: number
  /** Response headers worth showing: content type, and `Retry-After` when sent. */
  readonly headers: Readonly<Record<string, string>>
  /** The parsed body, members in wire order. */
  readonly body: Readonly<Record<string, unknown>>
  /** The body as the service sent it. */
  readonly raw: string
}

/** The catalog as the plugin resolved it, and one real response per code. */
export interface RecordedCatalog {
  readonly entries: ReadonlyMap<string, ResolvedProblemEntry>
  readonly examples: ReadonlyMap<string, ExampleResponse>
}

/**
 * Registers the plugin with `options` on a fresh Fastify instance and records, for every code of
 * the resolved catalog, the response to a request whose handler calls `reply.problem()` with the
 * entry's `example`. The docs show these bodies, so they cannot differ from what the service sends.
 * A fixed span context stands in for a traced request, so the examples show `trace_id` the way
 * a traced service sends it.
 */
export async function recordExamples (options: ProblemDetailsOptions, instance: string = DEFAULT_EXAMPLE_INSTANCE): Promise<RecordedCatalog> {
  const app = Fastify({ logger: false })
  try {
    const span = trace.wrapSpanContext({ traceId: EXAMPLE_TRACE_ID, spanId: EXAMPLE_SPAN_ID, traceFlags: TraceFlags.SAMPLED })
    // the shape @fastify/otel gives requests; the plugin reads the span from it
    app.decorateRequest('opentelemetry', function exampleTraceContext () { return { span } })
    await app.register(plugin, { ...options, serveDocs: false, notFound: false })
    const api: ProblemDetailsApi = app.problemDetails
    app.get(instance, function exampleProblem (request, reply) {
      const entry = api.catalog.get((request.query as { code: string }).code) as ResolvedProblemEntry
      const init: Record<string, unknown> = { ...entry.example?.members }
      if (entry.example?.detail !== undefined) init.detail = entry.example.detail
      return (reply.problem as (code: string, init: Record<string, unknown>) => typeof reply)(entry.code, init)
    })
    await app.ready()
    const examples = new Map<string, ExampleResponse>()
    for (const code of api.catalog.keys()) {
      const res = await app.inject({ method: 'GET', url: instance, query: { code } })
      const headers: Record<string, string> = { 'content-type': String(res.headers['content-type']) }
      if (res.headers['retry-after'] !== undefined) headers['retry-after'] = String(res.headers['retry-after'])
      examples.set(code, Object.freeze({ status: res.statusCode, headers: Object.freeze(headers), body: Object.freeze(JSON.parse(res.body)), raw: res.body }))
    }
    return { entries: api.catalog, examples }
  } finally {
    await app.close()
  }
}
