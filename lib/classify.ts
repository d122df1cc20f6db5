import type { FastifyRequest } from 'fastify'
import type { ResolvedProblemEntry } from './catalog.ts'
import { FST_PROBLEM_UNKNOWN_CODE } from './errors.ts'
import { bound, safeGet } from './guards.ts'
import { errorHeaders } from './headers.ts'
import { NO_MEMBERS, type Occurrence } from './occurrence.ts'
import type { ProblemDetailsConfig } from './options.ts'
import { isProblemError } from './problem-error.ts'
import { isProblemResponseError } from './client/error.ts'
import { problemOfResponseError } from './upstream.ts'

/** One failure of a validation problem: RFC 9457 `errors` item. */
export interface ValidationIssue {
  detail: string
  pointer?: string
  parameter?: string
  header?: string
}

/** What the plugin learned from a thrown value: everything needed to build the problem. */
export interface Classification {
  /** The catalog entry, or undefined for an `about:blank` problem. */
  entry: ResolvedProblemEntry | undefined
  status: number
  detail: string | undefined
  members: Readonly<Record<string, unknown>>
  headers: unknown
  retryAfter: number | undefined
  errors: ValidationIssue[] | undefined
  /** A developer mistake found while classifying (unknown code...), logged with the problem. */
  developerError: Error | undefined
}

/** Longest string of one validation issue (its detail, pointer or parameter name): body keys come from the client. */
export const MAX_ISSUE_LENGTH = 512

function httpStatusOf (error: unknown): number | undefined {
  for (const key of ['statusCode', 'status']) {
    const status = safeGet(error, key)
    if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599) return status
  }
  return undefined
}

function messageOf (error: unknown): string | undefined {
  const message = safeGet(error, 'message')
  return typeof message === 'string' && message !== '' ? message : undefined
}

/**
 * The client may read the message of an error whose own status (its `statusCode`, else its catalog
 * code's) is 4xx and whose problem is sent with a 4xx, unless the error says `expose: false`
 * (http-errors: its author marked the message private). A 4xx error mapped to a 5xx problem keeps
 * its message private. 5xx messages only when the service opted in with `exposeServerErrors`, which
 * alone decides for them: http-errors marks every 5xx `expose: false` by default, and an error's
 * `expose: true` does not overrule the service.
 */
function exposedDetail (error: unknown, ownStatus: number | undefined, sentStatus: number, config: ProblemDetailsConfig): string | undefined {
  if (ownStatus === undefined) return undefined
  if (ownStatus >= 500 || sentStatus >= 500) return config.exposeServerErrors ? messageOf(error) : undefined
  return safeGet(error, 'expose') === false ? undefined : messageOf(error)
}

function fromEntry (entry: ResolvedProblemEntry, detail: string | undefined, error: unknown, headers: unknown): Classification {
  // validation issues describe the client's input: never attached to a 5xx problem
  return { entry, status: entry.status, detail, members: NO_MEMBERS, headers: errorHeaders(headers, entry.status), retryAfter: undefined, errors: entry.status < 500 ? validationIssues(error) : undefined, developerError: undefined }
}

/** Codes of undici's errors about a response it received (`request(url, { throwOnError: true })`, the `responseError` interceptor). */
const UNDICI_RESPONSE_CODES = new Set(['UND_ERR_RESPONSE_STATUS_CODE', 'UND_ERR_RESPONSE'])
/** Upstream statuses that make our failure worth retrying: the upstream was unavailable, slow or limited our calls. */
const RETRYABLE_UPSTREAM_STATUSES = new Set([408, 425, 429, 502, 503, 504])

function integerStatus (value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined
}

/**
 * Whether a thrown value is an HTTP client's error about a response it received from another
 * service, and that response's status: undici's errors (by their code, with `statusCode`), and
 * any error carrying the `response` it received with a numeric `status` or `statusCode` (got's
 * `HTTPError`, axios' `AxiosError`, ky's `HTTPError`, ofetch's `FetchError`, superagent...).
 * Undefined when it is not one.
 */
export function upstreamFailureOf (error: unknown): { status: number | undefined } | undefined {
  const code = safeGet(error, 'code')
  if (typeof code === 'string' && UNDICI_RESPONSE_CODES.has(code)) return { status: integerStatus(safeGet(error, 'statusCode')) }
  const response = safeGet(error, 'response')
  const status = integerStatus(safeGet(response, 'status')) ?? integerStatus(safeGet(response, 'statusCode'))
  return status === undefined ? undefined : { status }
}

/**
 * An HTTP client's error is our failure to call another service, never the client's: its status,
 * headers and message describe the upstream's answer to us. A code in `codes` maps it; else an
 * upstream that was unavailable, slow or rate-limited us gives the problem of 503 in `statusCodes`
 * (`resource_unavailable`, retryable), and any other status `internal_error`. Nothing of it is sent.
 */
function fromUpstream (status: number | undefined, code: unknown, config: ProblemDetailsConfig): Classification {
  const mapped = typeof code === 'string' ? config.codes.get(code) : undefined
  const entry = mapped ?? (status !== undefined && RETRYABLE_UPSTREAM_STATUSES.has(status) ? config.statusCodes.get(503) : undefined)
  if (entry === undefined) return internalError(config)
  return { entry, status: entry.status, detail: undefined, members: NO_MEMBERS, headers: undefined, retryAfter: undefined, errors: undefined, developerError: undefined }
}

/** The problem of an occurrence (a `ProblemError`, `reply.problem()`); an unknown code is a developer error. */
export function classifyOccurrence (occurrence: Occurrence, config: ProblemDetailsConfig): Classification {
  const entry = config.entries.get(occurrence.code)
  if (entry === undefined) return internalError(config, new FST_PROBLEM_UNKNOWN_CODE(occurrence.code))
  return { entry, status: entry.status, detail: occurrence.detail, members: occurrence.members, headers: occurrence.headers, retryAfter: occurrence.retryAfter, errors: undefined, developerError: undefined }
}

/** `internal_error`, optionally carrying the developer mistake that led to it. */
export function internalError (config: ProblemDetailsConfig, developerError?: Error): Classification {
  const entry = config.internalError
  return { entry, status: entry.status, detail: undefined, members: NO_MEMBERS, headers: undefined, retryAfter: undefined, errors: undefined, developerError }
}

/** How far along `cause` a foreign code is looked for. */
export const MAX_CAUSE_DEPTH = 8

/**
 * The entry of the first `code` the `codes` map knows, on the error then along its `cause` chain
 * (`fetch failed` -> `ECONNREFUSED`): at most MAX_CAUSE_DEPTH errors, each once (a cycle ends it).
 */
function mappedCode (error: unknown, codes: ReadonlyMap<string, ResolvedProblemEntry>): ResolvedProblemEntry | undefined {
  const seen = new Set<unknown>()
  let current = error
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current !== undefined && !seen.has(current); depth++) {
    seen.add(current)
    const code = safeGet(current, 'code')
    const entry = typeof code === 'string' ? codes.get(code) : undefined
    if (entry !== undefined) return entry
    current = safeGet(current, 'cause')
  }
  return undefined
}

/**
 * Maps anything thrown to a problem, in order:
 * 1. a ProblemError; then the user's `mapError`; then a `ProblemResponseError` (a called service's
 *    problem), answered as `problemFromResponse` would;
 * 2. an HTTP client's error about another service's response: an upstream failure;
 * 3. a `code` in the `codes` map, on the error or along its `cause` chain; then a `code` that is a catalog code;
 * 4. a 4xx/5xx `statusCode` or `status` (default entry for the status, else about:blank for 4xx);
 * 5. anything else: internal_error, with nothing of the thrown value sent.
 * The headers of errors other than ProblemErrors go through ERROR_HEADER_POLICY.
 */
export function classify (error: unknown, request: FastifyRequest, config: ProblemDetailsConfig): Classification {
  // 1. our own errors, then the service's own mapping
  if (isProblemError(error)) return classifyOccurrence(error, config)
  if (config.mapError !== undefined) {
    const mapped = config.mapError(error, request)
    if (isProblemError(mapped)) return classifyOccurrence(mapped, config)
  }
  // 1b. a called service's problem (createProblemFetch), answered as problemFromResponse would
  if (isProblemResponseError(error)) return classifyOccurrence(problemOfResponseError(error, config), config)
  const code = safeGet(error, 'code')
  // 2. an HTTP client's error: our failure to call another service
  const upstream = upstreamFailureOf(error)
  if (upstream !== undefined) return fromUpstream(upstream.status, code, config)
  const status = httpStatusOf(error)
  const headers = status === undefined ? undefined : safeGet(error, 'headers')
  // 3. foreign codes (Fastify's own, ORM and system codes), on the error or along its causes
  const mapped = mappedCode(error, config.codes)
  if (mapped !== undefined) return fromEntry(mapped, exposedDetail(error, status, mapped.status, config), error, headers)
  if (typeof code === 'string') {
    // then errors created with the catalog code itself (@fastify/error upper-cases it)
    const entry = config.entries.get(code) ?? config.entriesByLowerCode.get(code.toLowerCase())
    if (entry !== undefined) return fromEntry(entry, exposedDetail(error, status ?? entry.status, entry.status, config), error, headers)
  }
  // 4. errors that only carry an HTTP status (http-errors, @fastify/sensible, rate limiting)
  if (status !== undefined) {
    const entry = config.statusCodes.get(status)
    if (entry !== undefined) return fromEntry(entry, exposedDetail(error, status, entry.status, config), error, headers)
    if (status < 500) {
      return { entry: undefined, status, detail: exposedDetail(error, status, status, config), members: NO_MEMBERS, headers: errorHeaders(headers, status), retryAfter: undefined, errors: validationIssues(error), developerError: undefined }
    }
  }
  // 5. everything else
  return internalError(config)
}

function escapePointer (segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1')
}

/** Turns Fastify's validation error into RFC 9457 `errors` items (JSON Pointer for the body). */
function validationIssues (error: unknown): ValidationIssue[] | undefined {
  const validation = safeGet(error, 'validation')
  if (!Array.isArray(validation) || validation.length === 0) return undefined
  const where = safeGet(error, 'validationContext')
  const issues: ValidationIssue[] = []
  for (const item of validation.slice(0, 100)) {
    const message = safeGet(item, 'message')
    const instancePath = safeGet(item, 'instancePath')
    const missing = safeGet(safeGet(item, 'params'), 'missingProperty')
    let path = typeof instancePath === 'string' ? instancePath : ''
    if (typeof missing === 'string') path += '/' + escapePointer(missing)
    const issue: ValidationIssue = { detail: typeof message === 'string' ? bound(message, MAX_ISSUE_LENGTH) : 'is invalid' }
    if (where === 'querystring' || where === 'params' || where === 'headers') {
      const name = path.split('/')[1]?.replaceAll('~1', '/').replaceAll('~0', '~') ?? ''
      if (where === 'headers') issue.header = bound(name, MAX_ISSUE_LENGTH)
      else issue.parameter = bound(name, MAX_ISSUE_LENGTH)
    } else {
      issue.pointer = bound('#' + path, MAX_ISSUE_LENGTH)
    }
    issues.push(issue)
  }
  return issues
}
