import { context, propagation, trace } from '@opentelemetry/api'
import { codeOfTypeFromOptions, type ClientCatalog, type CodeOfType } from './codes.ts'
import { ProblemResponseError, urlWithoutQuery } from './error.ts'
import { checkOptionNames, numberOption } from './options.ts'
import { readLimits, readProblem, type ReadLimits } from './parse.ts'
import { isSafeToRepeat, retryAfterSeconds, retryDelayOf, sleep } from './retry.ts'

/** Default of `retries`: how many times a retryable problem is retried. */
export const DEFAULT_RETRIES = 2
/** Default of `retryDelay`: the first backoff step, in milliseconds. */
export const DEFAULT_RETRY_DELAY = 200
/** Default of `maxRetryDelay`: the longest wait before a retry, in milliseconds. */
export const DEFAULT_MAX_RETRY_DELAY = 10_000

/** What `onRetry` is told before each wait. */
export interface ProblemRetry {
  /** 1 for the first retry. */
  attempt: number
  /** Milliseconds about to be waited. */
  delay: number
  /** The retryable problem that caused the retry. */
  error: ProblemResponseError
}

/**
 * Options of `createProblemFetch`.
 *
 * @example
 * const callBilling = createProblemFetch({ typeBase: 'https://docs.example.com/errors/', retries: 3, maxRetryDelay: 5000 })
 */
export interface ProblemFetchOptions {
  /** The `fetch` to call. Default: the global `fetch`, looked up at each call. */
  fetch?: (input: Request | string | URL, init?: RequestInit) => Promise<Response>
  /** Retries of a retryable problem, for requests safe to repeat. `0` never retries. Default: `2`. */
  retries?: number
  /** First step of the exponential backoff (full jitter), in milliseconds, when there is no `Retry-After`. Default: `200`. */
  retryDelay?: number
  /** Longest wait before a retry, in milliseconds; a longer `Retry-After` is cut to it. Default: `10000`. */
  maxRetryDelay?: number
  /** The service's codes, to find `error.code` from a problem's `type`: a catalog object or a list of codes. Default: the built-in catalog. */
  catalog?: ClientCatalog
  /** Prefix of the service's `type` URIs (its plugin option `typeBase`). Default: `'/problems/'`. */
  typeBase?: string
  /** Largest problem body read, in bytes. Default: `65536`. */
  maxBodyBytes?: number
  /** Deadline for reading a problem body, in milliseconds. Default: `5000`. */
  bodyTimeout?: number
  /** Sends W3C trace context (`traceparent`) through `@opentelemetry/api` when a span is active and the request has none. Default: `true`. */
  traceContext?: boolean
  /** Called before each wait, with `{ attempt, delay, error }`. Default: none. */
  onRetry?: (retry: ProblemRetry) => void
}

/** A `fetch`-compatible function that throws `ProblemResponseError` for error statuses. */
export type ProblemFetch = (input: Request | string | URL, init?: RequestInit) => Promise<Response>

/** Every option of `createProblemFetch` (the README documents each; a test keeps them equal). */
export const FETCH_OPTION_NAMES: readonly string[] = Object.freeze(['fetch', 'retries', 'retryDelay', 'maxRetryDelay', 'catalog', 'typeBase', 'maxBodyBytes', 'bodyTimeout', 'traceContext', 'onRetry'])

function functionOption<F> (name: string, value: unknown): F | undefined {
  if (value !== undefined && typeof value !== 'function') throw new TypeError(`The option ${name} of createProblemFetch must be a function`)
  return value as F | undefined
}

const setIfAbsent = {
  set (carrier: Headers, key: string, value: string): void {
    if (!carrier.has(key)) carrier.set(key, value)
  }
}

/** Adds the active span's trace context, unless the request already carries one. */
function injectTraceContext (headers: Headers): void {
  const active = context.active()
  if (trace.getSpan(active) !== undefined) propagation.inject(active, headers, setIfAbsent)
}

/** The request's headers: those of a `Request` input, then those of `init`. */
function headersOf (request: Request | undefined, init: RequestInit): Headers {
  const headers = new Headers(request?.headers)
  new Headers(init.headers).forEach((value, name) => headers.set(name, value))
  return headers
}

/** The error for a failed response; its body is read (within the limits) or cancelled. */
async function problemResponseError (response: Response, limits: ReadLimits, codeOfType: CodeOfType): Promise<ProblemResponseError> {
  const { document } = await readProblem(response, limits)
  return new ProblemResponseError({
    status: response.status,
    url: urlWithoutQuery(response.url),
    problem: document,
    code: codeOfType(document?.type) as ProblemResponseError['code'],
    retryAfter: retryAfterSeconds(response.headers.get('retry-after'))
  })
}

/**
 * Returns a `fetch`-compatible function for calling services that answer with problem documents.
 * A response below 400 resolves as it is; a 4xx or 5xx rejects with a `ProblemResponseError`.
 * A problem whose `retryable` is `true` is retried, up to `retries` times, only when the request
 * is safe to repeat (GET, HEAD, OPTIONS, PUT, DELETE, or any request with an `Idempotency-Key`
 * header), after its `Retry-After` or an exponential backoff with full jitter, both capped by
 * `maxRetryDelay`. The request's `signal` aborts a wait. With an active OpenTelemetry span, the
 * trace context goes with every attempt.
 *
 * @example
 * const problemFetch = createProblemFetch({ retries: 2 })
 * try {
 *   const res = await problemFetch('https://billing.internal/invoices', { signal: AbortSignal.timeout(10_000) })
 * } catch (error) {
 *   if (isProblemResponseError(error) && error.code === 'resource_not_found') ...
 * }
 */
export function createProblemFetch (options: ProblemFetchOptions = {}): ProblemFetch {
  if (options === null || typeof options !== 'object') throw new TypeError('The options of createProblemFetch must be an object')
  checkOptionNames(options, FETCH_OPTION_NAMES, 'createProblemFetch')
  const retries = numberOption('retries', options.retries, DEFAULT_RETRIES, 0, true)
  const retryDelay = numberOption('retryDelay', options.retryDelay, DEFAULT_RETRY_DELAY, 0, false)
  const maxRetryDelay = numberOption('maxRetryDelay', options.maxRetryDelay, DEFAULT_MAX_RETRY_DELAY, 0, false)
  const limits = readLimits({ maxBodyBytes: options.maxBodyBytes, timeout: options.bodyTimeout }, 'createProblemFetch')
  const codeOfType = codeOfTypeFromOptions(options.catalog, options.typeBase, 'createProblemFetch')
  const givenFetch = functionOption<ProblemFetchOptions['fetch']>('fetch', options.fetch)
  const onRetry = functionOption<ProblemFetchOptions['onRetry']>('onRetry', options.onRetry)
  if (options.traceContext !== undefined && typeof options.traceContext !== 'boolean') throw new TypeError('The option traceContext of createProblemFetch must be true or false')
  const traceContext = options.traceContext ?? true

  return async function problemFetch (input: Request | string | URL, init: RequestInit = {}): Promise<Response> {
    const request = input instanceof Request ? input : undefined
    const headers = headersOf(request, init)
    if (traceContext) injectTraceContext(headers)
    const signal = init.signal ?? request?.signal
    // a streamed body is gone once sent: such a request is never repeated
    const repeatable = isSafeToRepeat(init.method ?? request?.method ?? 'GET', headers) && !(init.body instanceof ReadableStream)
    const doFetch = givenFetch ?? fetch
    const send = async (): Promise<Response> => await doFetch(request === undefined ? input : request.clone(), { ...init, headers, signal })
    let response = await send()
    for (let attempt = 1; response.status >= 400; attempt++) {
      const error = await problemResponseError(response, { ...limits, signal: signal ?? undefined }, codeOfType)
      if (attempt > retries || !repeatable || !error.retryable) throw error
      const delay = retryDelayOf(attempt, error.retryAfter, retryDelay, maxRetryDelay)
      onRetry?.({ attempt, delay, error })
      await sleep(delay, signal ?? undefined)
      response = await send()
    }
    return response
  }
}
