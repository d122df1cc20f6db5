import { metrics, type Counter, type MeterProvider } from '@opentelemetry/api'
import type { FastifyRequest } from 'fastify'
import type { Classification } from './classify.ts'
import { safeGet } from './guards.ts'
import { isRetryable } from './problem.ts'

/** Name of the counter of problems sent. */
export const PROBLEMS_METRIC = 'problem_details.problems'
const METER_NAME = 'fastify-problem-details'

/** Methods the HTTP semantic conventions know; any other is recorded as `_OTHER`, keeping the attribute bounded. */
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE'])

let cached: { readonly provider: MeterProvider, readonly counter: Counter } | undefined

/**
 * The counter of the meter provider registered now. The API's global meter provider is not a proxy
 * (unlike the tracer provider): a meter taken before the SDK starts stays a no-op, so the provider is
 * read on every problem and the counter is created again only when it changed.
 */
function problemsCounter (): Counter {
  const provider = metrics.getMeterProvider()
  if (cached?.provider !== provider) {
    const counter = provider.getMeter(METER_NAME).createCounter(PROBLEMS_METRIC, {
      unit: '{problem}',
      description: 'Problem documents (RFC 9457) sent, by problem code, category, status, method and route'
    })
    cached = { provider, counter }
  }
  return cached.counter
}

/** The request's method as the HTTP conventions record it: a known method, else `_OTHER`. */
export function methodOf (request: FastifyRequest): string {
  return KNOWN_METHODS.has(request.method) ? request.method : '_OTHER'
}

/** The route template (never the raw path); undefined when no route matched (the not-found handler, a router error). */
export function routeOf (request: FastifyRequest): string | undefined {
  return request.is404 ? undefined : safeGet(request.routeOptions, 'url') as string | undefined
}

/**
 * Counts one problem sent, with attributes bounded by the catalog and the routes. Never throws:
 * a failing SDK or a hostile request must not cost the client its response.
 */
export function countProblem (request: FastifyRequest, c: Classification): void {
  try {
    const code = c.entry?.code ?? 'about:blank'
    const attributes: Record<string, string | number | boolean> = {
      'problem_details.code': code,
      // only a 4xx status without a catalog entry is sent as about:blank (a 5xx one is internal_error)
      'problem_details.category': c.entry?.category ?? 'user',
      'problem_details.retryable': isRetryable(c),
      'http.response.status_code': c.status,
      'http.request.method': methodOf(request)
    }
    const route = routeOf(request)
    if (route !== undefined) attributes['http.route'] = route
    if (c.status >= 500) attributes['error.type'] = code
    problemsCounter().add(1, attributes)
  } catch {}
}
