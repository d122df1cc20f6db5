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

let cachedProvider: MeterProvider | undefined
let cachedCounter: Counter | undefined

/**
 * The counter of the meter provider registered now. The API's global meter provider is not a proxy
 * (unlike the tracer provider): a meter taken before the SDK starts stays a no-op, so the provider is
 * read on every problem and the counter is created again only when it changed.
 */
function problemsCounter (): Counter {
  const provider = metrics.getMeterProvider()
  if (provider !== cachedProvider || cachedCounter === undefined) {
    cachedCounter = provider.getMeter(METER_NAME).createCounter(PROBLEMS_METRIC, {
      unit: '{problem}',
      description: 'Problem documents (RFC 9457) sent, by problem code, category, status, method and route'
    })
    cachedProvider = provider
  }
  return cachedCounter
}

function methodOf (request: FastifyRequest): string {
  const method = safeGet(request, 'method')
  return typeof method === 'string' && KNOWN_METHODS.has(method) ? method : '_OTHER'
}

/** The route template (never the raw path); undefined when no route matched. */
function routeOf (request: FastifyRequest): string | undefined {
  const is404 = safeGet(request, 'is404')
  if (is404 === true) return undefined
  const url = safeGet(safeGet(request, 'routeOptions'), 'url')
  return typeof url === 'string' ? url : undefined
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
      'problem_details.category': c.entry?.category ?? (c.status >= 500 ? 'platform' : 'user'),
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
