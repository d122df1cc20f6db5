import { isSpanContextValid, trace, type Span, type SpanContext } from '@opentelemetry/api'
import type { FastifyRequest } from 'fastify'

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
      if (span !== undefined && typeof span.spanContext === 'function') return span
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
