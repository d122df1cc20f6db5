import { createNoopMeter, metrics, type Attributes, type MeterProvider, type ObservableResult } from '@opentelemetry/api'
import type { FastifyRequest } from 'fastify'
import type { ResolvedProblemEntry } from './catalog.ts'
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
  /** The attributes as one string: two apps' entries of the same code are one series of the SDK. */
  readonly key: string
  count: number
}

/** The API's no-op meter (what `getMeter` gives while no SDK is registered): its instruments record nothing. */
const NoopMeter = createNoopMeter().constructor

/**
 * The counts, found without building a key: by the problem's catalog entry (or, for about:blank, its
 * status), then the route template, then the method. The entry is an object and the route and
 * method strings are the same string objects on every request (the route's own, Node's method
 * names), so each lookup hashes nothing new.
 */
type SeriesTable = Map<ResolvedProblemEntry | number, Map<string | undefined, Map<string, Series>>>

let state: { readonly provider: MeterProvider, readonly series: SeriesTable | undefined } | undefined

/**
 * The series of the meter provider registered now. The counter is asynchronous (an observable
 * counter): the plugin keeps one count per attribute set and the SDK reads them at each collection,
 * so a problem costs a map lookup instead of the SDK hashing its attributes on every add. The API's
 * global meter provider is not a proxy (unlike the tracer provider): a meter taken before the SDK
 * starts stays a no-op, so the provider is read on every problem and the counts start again from
 * zero for a new one. Undefined while the provider is the API's no-op one (no SDK).
 */
function currentSeries (): SeriesTable | undefined {
  const provider = metrics.getMeterProvider()
  if (state?.provider !== provider) {
    const meter = provider.getMeter(METER_NAME)
    // without an SDK nothing would ever read the counts: counting them is work for nobody
    if (meter instanceof NoopMeter) {
      state = { provider, series: undefined }
      return undefined
    }
    const series: SeriesTable = new Map()
    meter.createObservableCounter(PROBLEMS_METRIC, {
      unit: '{problem}',
      description: 'Problem documents (RFC 9457) sent, by problem code, category, status, method and route'
    }).addCallback(function observeProblems (result: ObservableResult) {
      // per collection, not per problem: the counts of equal attributes added up (two apps in one
      // process each count their own entry of a code; the SDK keeps one observation per attribute set)
      const merged = new Map<string, { attributes: Attributes, count: number }>()
      for (const byRoute of series.values()) {
        for (const byMethod of byRoute.values()) {
          for (const { key, count, attributes } of byMethod.values()) {
            const same = merged.get(key)
            if (same === undefined) merged.set(key, { attributes, count })
            else same.count += count
          }
        }
      }
      for (const { count, attributes } of merged.values()) result.observe(count, attributes)
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
    const method = methodOf(request)
    const route = routeOf(request)
    const kind = c.entry ?? c.status
    let byRoute = series.get(kind)
    if (byRoute === undefined) series.set(kind, byRoute = new Map())
    let byMethod = byRoute.get(route)
    if (byMethod === undefined) byRoute.set(route, byMethod = new Map())
    const counted = byMethod.get(method)
    if (counted !== undefined) {
      counted.count++
      return
    }
    const code = c.entry?.code ?? 'about:blank'
    // only a 4xx status without a catalog entry is sent as about:blank (a 5xx one is internal_error)
    const category = c.entry?.category ?? 'user'
    const retryable = isRetryable(c)
    const attributes: Attributes = {
      'problem_details.code': code,
      'problem_details.category': category,
      'problem_details.retryable': retryable,
      'http.response.status_code': c.status,
      'http.request.method': method
    }
    if (route !== undefined) attributes['http.route'] = route
    if (c.status >= 500) attributes['error.type'] = code
    byMethod.set(method, { attributes, key: `${code} ${category} ${retryable ? 1 : 0} ${c.status} ${method} ${route === undefined ? '' : '/' + route}`, count: 1 })
  } catch {}
}
