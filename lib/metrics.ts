import { createNoopMeter, metrics, type Attributes, type MeterProvider, type ObservableResult } from '@opentelemetry/api'
import type { FastifyRequest } from 'fastify'
import type { Classification } from './classify.ts'
import { safeGet } from './guards.ts'
import { isRetryable } from './problem.ts'

/** Name of the counter of problems sent. */
export const PROBLEMS_METRIC = 'problem_details.problems'
const METER_NAME = 'fastify-problem-details'

/** Methods the HTTP semantic conventions know; any other is recorded as `_OTHER`, keeping the attribute bounded. */
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE'])

/** One series of the counter: its attributes and the problems counted with them. */
interface Series {
  readonly attributes: Attributes
  count: number
}

/** The API's no-op meter (what `getMeter` gives while no SDK is registered): its instruments record nothing. */
const NoopMeter = createNoopMeter().constructor

let state: { readonly provider: MeterProvider, readonly series: Map<string, Series> | undefined } | undefined

/**
 * The series of the meter provider registered now. The counter is asynchronous (an observable
 * counter): the plugin keeps one count per attribute set and the SDK reads them at each collection,
 * so a problem costs a map lookup instead of the SDK hashing its attributes on every add. The API's
 * global meter provider is not a proxy (unlike the tracer provider): a meter taken before the SDK
 * starts stays a no-op, so the provider is read on every problem and the counts start again from
 * zero for a new one. Undefined while the provider is the API's no-op one (no SDK).
 */
function currentSeries (): Map<string, Series> | undefined {
  const provider = metrics.getMeterProvider()
  if (state?.provider !== provider) {
    const meter = provider.getMeter(METER_NAME)
    // without an SDK nothing would ever read the counts: counting them is work for nobody
    if (meter instanceof NoopMeter) {
      state = { provider, series: undefined }
      return undefined
    }
    const series = new Map<string, Series>()
    meter.createObservableCounter(PROBLEMS_METRIC, {
      unit: '{problem}',
      description: 'Problem documents (RFC 9457) sent, by problem code, category, status, method and route'
    }).addCallback(function observeProblems (result: ObservableResult) {
      for (const { count, attributes } of series.values()) result.observe(count, attributes)
    })
    state = { provider, series }
  }
  return state.series
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
    const series = currentSeries()
    if (series === undefined) return
    const code = c.entry?.code ?? 'about:blank'
    // only a 4xx status without a catalog entry is sent as about:blank (a 5xx one is internal_error)
    const category = c.entry?.category ?? 'user'
    const retryable = isRetryable(c)
    const method = methodOf(request)
    const route = routeOf(request)
    const key = `${code} ${category} ${retryable ? 1 : 0} ${c.status} ${method} ${route === undefined ? '' : '/' + route}`
    const counted = series.get(key)
    if (counted !== undefined) {
      counted.count++
      return
    }
    const attributes: Attributes = {
      'problem_details.code': code,
      'problem_details.category': category,
      'problem_details.retryable': retryable,
      'http.response.status_code': c.status,
      'http.request.method': method
    }
    if (route !== undefined) attributes['http.route'] = route
    if (c.status >= 500) attributes['error.type'] = code
    series.set(key, { attributes, count: 1 })
  } catch {}
}
