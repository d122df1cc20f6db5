import type { FastifyRequest } from 'fastify'
import { builtinCatalog } from './builtin-catalog.ts'
import { challengeProblem, DEFAULT_WWW_AUTHENTICATE } from './challenge.ts'
import { resolveCatalog, type ProblemCatalog, type ResolvedProblemEntry } from './catalog.ts'
import { FST_PROBLEM_INVALID_OPTION, FST_PROBLEM_UNKNOWN_MAPPED_CODE, FST_PROBLEM_UNSENDABLE_MAPPED_CODE } from './errors.ts'
import { EXCEPTION_SIGNAL_ENV, EXCEPTION_SIGNALS, exceptionSignalFromEnv, type ExceptionSignal } from './exception-signal.ts'
import { describe } from './guards.ts'
import { createMemberValidator, type MemberValidator } from './members.ts'
import { PROBLEM_ERROR_STACKS, type ProblemError, type ProblemErrorStacks } from './problem-error.ts'
import { DEFAULT_TYPE_BASE } from './client/slug.ts'

/** How much of the error a 4xx problem's log line carries: `'brief'` (type, code, bounded message) or `'full'` (the whole error). */
export type ClientErrorLogDetail = 'brief' | 'full'
const CLIENT_ERROR_LOG_DETAILS: readonly string[] = ['brief', 'full']

/** A pino level name, or `silent` to skip the log line. */
export type ProblemLogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

/**
 * Options of the plugin. Every option has a default; bad values make `register` fail with a
 * `FST_PROBLEM_INVALID_OPTION` error.
 *
 * @example
 * await app.register(problemDetails, {
 *   typeBase: 'https://docs.example.com/errors/',
 *   catalog: {
 *     quota_exceeded: { status: 429, title: 'The quota is used up.', retryable: true, category: 'user', retryAfter: 60 }
 *   },
 *   codes: { P2025: 'resource_not_found', ECONNREFUSED: 'resource_unavailable' }
 * })
 */
export interface ProblemDetailsOptions {
  /** Codes added to the built-in catalog; a code of the same name replaces the built-in one. Default: `{}`. */
  catalog?: ProblemCatalog
  /** Use `catalog` alone instead of merging it over the built-in catalog (it must then define `internal_error`). Default: `false`. */
  replaceCatalog?: boolean
  /** Prefix of every `type` URI: `type` = `typeBase` + slug. Absolute (`https://docs.example.com/errors/`) or relative. Default: `'/problems/'`. */
  typeBase?: string
  /** Foreign error `code` values mapped to catalog codes, merged over the default map of Fastify's own errors. Default: `{}`. */
  codes?: Record<string, string>
  /** HTTP status -> catalog code used for errors that carry only a status, merged over the defaults (400 invalid_request, 401 authentication_required, 403 not_authorized, 404 resource_not_found, 409 conflict, 422 operation_not_supported, 503 resource_unavailable). Default: `{}`. */
  statusCodes?: Record<number, string>
  /** Send the backward-compatible `error` member (`"title (detail)"`). Default: `true`. */
  errorMember?: boolean
  /** Send the `trace_id` member when an OpenTelemetry span is active. Default: `true`. */
  traceId?: boolean
  /** Answer unknown routes with `resource_not_found` (sets the not-found handler). Default: `true`. */
  notFound?: boolean
  /** Copy the message of 5xx errors into `detail`. Off by default: server messages can hold internals. Default: `false`. */
  exposeServerErrors?: boolean
  /** Longest `detail` sent, in characters; longer ones are cut and end with `…`. Default: `1024`. */
  maxDetailLength?: number
  /** Log level of 4xx problems. Default: `'info'`. */
  clientErrorLogLevel?: ProblemLogLevel
  /** Log level of 5xx problems (logged with the original error). Default: `'error'`. */
  serverErrorLogLevel?: ProblemLogLevel
  /**
   * What the log line of a 4xx problem says of the error: `'brief'` (its type, code and message,
   * bounded; never its stack, properties or causes, which may hold the client's tokens) or `'full'`
   * (the whole error as `err`, as 5xx lines carry it). Default: `'brief'`.
   */
  clientErrorLogDetail?: ClientErrorLogDetail
  /**
   * Your own mapping, tried right after `ProblemError`: return a `ProblemError` for errors you
   * recognise, `undefined` to let the default rules run. If it throws, the client gets
   * `internal_error` and the failure is logged. Default: none.
   */
  mapError?: (error: unknown, request: FastifyRequest) => ProblemError | undefined
  /**
   * Serve the error reference from the service, so that every `type` URI resolves:
   * `GET <typeBase>` lists the codes and `GET <typeBase><slug>` describes one, as an HTML page for
   * browsers (`Accept: text/html`) and as JSON otherwise. Needs a relative `typeBase` such as
   * `'/problems/'`. Default: `false`.
   */
  serveDocs?: boolean
  /**
   * Challenge sent as `WWW-Authenticate` with every 401 problem (RFC 9110 section 15.5.2 requires
   * one), unless the error carries its own header or the catalog entry its own `wwwAuthenticate`.
   * Default: `'Bearer'`.
   */
  wwwAuthenticate?: string
  /**
   * Answer clients that prefer `application/problem+xml` (by their `Accept` header) with the XML form
   * of RFC 9457 appendix B; off, they get `application/problem+json`. Default: `true`.
   */
  problemXml?: boolean
  /** Count every problem sent in the OpenTelemetry counter `problem_details.problems` (a no-op without a metrics SDK). Default: `true`. */
  metrics?: boolean
  /**
   * Where a 5xx problem's exception is recorded: `'spans'` (an `exception` event on the span),
   * `'logs'` (an `http.server.request.exception` log record through the OpenTelemetry logs API, no span
   * event) or `'logs/dup'` (both). `'logs'` and `'logs/dup'` need the logs API: `@opentelemetry/api`
   * 1.10 or later, or `@opentelemetry/api-logs`. Default: the `OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN`
   * environment variable as the semantic conventions define it (`logs`, `logs/dup`), else `'spans'`.
   */
  exceptionSignal?: ExceptionSignal
  /**
   * Which `ProblemError`s capture a stack trace when constructed: `'none'` (a problem is an expected
   * outcome; its `stack` is one line and its `cause` keeps the underlying error's stack),
   * `'server-errors'` (codes whose status is 5xx) or `'all'` (development). It applies to the whole
   * process, like `Error.stackTraceLimit`, from the registration that gives it. Default: `'none'`.
   */
  problemErrorStacks?: ProblemErrorStacks
}

/** Fastify's own request errors that map to a catalog code; the others keep their status (413, 415, 414...). */
export const DEFAULT_CODES: Readonly<Record<string, string>> = Object.freeze({
  FST_ERR_VALIDATION: 'invalid_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_BAD_URL: 'invalid_request',
  FST_ERR_INVALID_URL: 'invalid_request',
  FST_ERR_ROUTE_MISSING_CONTENT_TYPE: 'invalid_request',
  FST_ERR_ROUTE_MISSING_CONTENT: 'invalid_request',
  FST_ERR_NOT_FOUND: 'resource_not_found'
})

/** Default catalog code for an error that only carries an HTTP status. */
export const DEFAULT_STATUS_CODES: Readonly<Record<number, string>> = Object.freeze({
  400: 'invalid_request',
  401: 'authentication_required',
  403: 'not_authorized',
  404: 'resource_not_found',
  409: 'conflict',
  422: 'operation_not_supported',
  503: 'resource_unavailable'
})

export { DEFAULT_TYPE_BASE }
export const DEFAULT_MAX_DETAIL_LENGTH = 1024
const LOG_LEVELS = new Set<string>(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
/** Every option of the plugin (the README documents each; a test keeps them equal). */
export const OPTION_NAMES: readonly string[] = Object.freeze(['catalog', 'replaceCatalog', 'typeBase', 'codes', 'statusCodes', 'errorMember', 'traceId', 'notFound', 'exposeServerErrors', 'maxDetailLength', 'clientErrorLogLevel', 'serverErrorLogLevel', 'clientErrorLogDetail', 'mapError', 'serveDocs', 'wwwAuthenticate', 'problemXml', 'metrics', 'exceptionSignal', 'problemErrorStacks'])
const KNOWN_OPTIONS = new Set(OPTION_NAMES)
/** Options Fastify itself passes to every plugin. */
const FASTIFY_OPTIONS = new Set(['prefix', 'logLevel', 'logSerializers'])

/** The frozen configuration every request reads. */
export interface ProblemDetailsConfig {
  readonly entries: ReadonlyMap<string, ResolvedProblemEntry>
  /** Entries by lower-cased code: @fastify/error upper-cases the codes it is given. */
  readonly entriesByLowerCode: ReadonlyMap<string, ResolvedProblemEntry>
  readonly codes: ReadonlyMap<string, ResolvedProblemEntry>
  readonly statusCodes: ReadonlyMap<number, ResolvedProblemEntry>
  readonly internalError: ResolvedProblemEntry
  readonly typeBase: string
  readonly errorMember: boolean
  readonly traceId: boolean
  readonly notFound: boolean
  readonly exposeServerErrors: boolean
  readonly maxDetailLength: number
  readonly clientErrorLogLevel: ProblemLogLevel
  readonly serverErrorLogLevel: ProblemLogLevel
  readonly clientErrorLogDetail: ClientErrorLogDetail
  readonly mapError: ProblemDetailsOptions['mapError']
  readonly serveDocs: boolean
  readonly wwwAuthenticate: string
  readonly problemXml: boolean
  readonly metrics: boolean
  readonly exceptionSignal: ExceptionSignal
  /** True when `exceptionSignal` was given as an option, false when it comes from the environment. */
  readonly exceptionSignalChosen: boolean
  /** The `problemErrorStacks` option, or undefined when not given (the process's policy stays as it is). */
  readonly problemErrorStacks: ProblemErrorStacks | undefined
  readonly memberValidator: MemberValidator
}

function invalid (name: string, why: string): never {
  throw new FST_PROBLEM_INVALID_OPTION(name, why)
}

/** Refuses a value that is not one of `allowed`, naming them all. */
function oneOf (name: string, value: unknown, allowed: readonly string[]): void {
  if (!allowed.includes(value as string)) invalid(name, `must be one of ${allowed.map((s) => `'${s}'`).join(', ')}, got ${describe(value)}`)
}

function plainObject (name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {}
  if (value === null || typeof value !== 'object' || Array.isArray(value)) invalid(name, `must be an object, got ${describe(value)}`)
  return value as Record<string, unknown>
}

function flag (name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') invalid(name, `must be true or false, got ${describe(value)}`)
  return value
}

function level (name: string, value: unknown, fallback: ProblemLogLevel): ProblemLogLevel {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || !LOG_LEVELS.has(value)) invalid(name, `must be one of ${[...LOG_LEVELS].join(', ')}, got ${describe(value)}`)
  return value as ProblemLogLevel
}

function checkTypeBase (value: unknown): string {
  if (value === undefined) return DEFAULT_TYPE_BASE
  if (typeof value !== 'string') invalid('typeBase', `must be a string such as "https://docs.example.com/errors/" or "/problems/", got ${describe(value)}`)
  if (value === '' || /[\s<>"\\^`{|}]/.test(value)) invalid('typeBase', `must be a URI without spaces or quotes, got ${describe(value)}`)
  if (!/[/#=:]$/.test(value)) invalid('typeBase', `must end with "/" (or "#", "=", ":") so that the slug forms a path, got ${describe(value)}; try "${value}/"`)
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value) && !value.startsWith('urn:') && !URL.canParse(value)) invalid('typeBase', `is not a valid absolute URI: ${describe(value)}`)
  return value
}

/**
 * Refuses a mapping to a code with required members: the mapped error carries no members, so the
 * problem would fail its own schema on every such error. `given` tells a mapping of the options
 * from a default one the caller never wrote (a catalog that gives a default code required members).
 */
function checkMappable (option: string, entry: ResolvedProblemEntry, given: boolean): void {
  if (entry.required.length === 0) return
  throw new FST_PROBLEM_UNSENDABLE_MAPPED_CODE(given ? option : `${option} (a default; override it in the option)`, entry.code, entry.required.map((name) => `"${name}"`).join(', '))
}

/**
 * HTTP status -> catalog entry: the `defaults` the catalog can serve, then `given` (keys 400-599,
 * values codes of the catalog). `context` names the caller in error messages.
 */
export function resolveStatusCodes (entries: ReadonlyMap<string, ResolvedProblemEntry>, given: unknown, context: string = '', defaults: Readonly<Record<number, string>> = DEFAULT_STATUS_CODES): Map<number, ResolvedProblemEntry> {
  const statusCodes = new Map<number, ResolvedProblemEntry>()
  for (const [status, code] of Object.entries(defaults)) {
    const entry = entries.get(code)
    if (entry !== undefined) statusCodes.set(Number(status), entry)
  }
  for (const [status, code] of Object.entries(plainObject(`statusCodes${context}`, given))) {
    const n = Number(status)
    if (!Number.isInteger(n) || n < 400 || n > 599) invalid(`statusCodes${context}`, `has the key ${JSON.stringify(status)}: keys must be HTTP statuses from 400 to 599`)
    const entry = typeof code === 'string' ? entries.get(code) : undefined
    if (entry === undefined) throw new FST_PROBLEM_UNKNOWN_MAPPED_CODE(`statusCodes[${status}]${context}`, String(code), [...entries.keys()].join(', '))
    statusCodes.set(n, entry)
  }
  return statusCodes
}

/**
 * The `typeBase` the served reference answers at: under a route prefix (the plugin registered in a
 * prefixed scope), the prefix comes first, so that every `type` resolves to its page. A `typeBase`
 * that already starts with the prefix is used as it is.
 */
function servedTypeBase (typeBase: string, routePrefix: string): string {
  const prefix = routePrefix.endsWith('/') ? routePrefix.slice(0, -1) : routePrefix
  return prefix === '' || typeBase.startsWith(prefix + '/') ? typeBase : prefix + typeBase
}

/**
 * Validates the options once, at registration, and returns the frozen configuration.
 * `routePrefix` is the prefix of the scope registering the plugin (`fastify.prefix`).
 */
export function normalizeOptions (options: ProblemDetailsOptions, routePrefix: string = ''): ProblemDetailsConfig {
  const raw = plainObject('options', options)
  for (const key of Object.keys(raw)) {
    if (!KNOWN_OPTIONS.has(key) && !FASTIFY_OPTIONS.has(key)) invalid(key, `is not an option of this plugin; known options are ${[...KNOWN_OPTIONS].join(', ')}`)
  }
  const serveDocs = flag('serveDocs', raw.serveDocs, false)
  let typeBase = checkTypeBase(raw.typeBase)
  if (serveDocs && !/^\/(?!\/).*\/$/.test(typeBase)) invalid('serveDocs', `needs a relative typeBase that starts and ends with "/" (such as "/problems/") so the service can answer its own type URIs; typeBase is ${describe(typeBase)}`)
  if (serveDocs) typeBase = servedTypeBase(typeBase, routePrefix)
  const replaceCatalog = flag('replaceCatalog', raw.replaceCatalog, false)
  const userCatalog = plainObject('catalog', raw.catalog) as ProblemCatalog
  const merged: ProblemCatalog = replaceCatalog ? userCatalog : { ...builtinCatalog, ...userCatalog }
  const memberValidator = createMemberValidator()
  const entries = resolveCatalog(merged, typeBase, memberValidator)
  const internalError = entries.get('internal_error')
  if (internalError === undefined) invalid('catalog', 'replaces the catalog without an "internal_error" entry; add one (status 500) so unexpected errors have a problem to map to')
  if (internalError.status < 500) invalid('catalog', `gives "internal_error" status ${internalError.status}; it must be a 5xx status`)

  const codes = new Map<string, ResolvedProblemEntry>()
  for (const [foreign, code] of Object.entries(DEFAULT_CODES)) {
    const entry = entries.get(code)
    if (entry !== undefined) codes.set(foreign, entry)
  }
  const givenCodes = plainObject('codes', raw.codes)
  for (const [foreign, code] of Object.entries(givenCodes)) {
    const entry = typeof code === 'string' ? entries.get(code) : undefined
    if (entry === undefined) throw new FST_PROBLEM_UNKNOWN_MAPPED_CODE(`codes[${JSON.stringify(foreign)}]`, String(code), [...entries.keys()].join(', '))
    codes.set(foreign, entry)
  }
  for (const [foreign, entry] of codes) checkMappable(`codes[${JSON.stringify(foreign)}]`, entry, Object.hasOwn(givenCodes, foreign))

  const statusCodes = resolveStatusCodes(entries, raw.statusCodes)
  const givenStatusCodes = plainObject('statusCodes', raw.statusCodes)
  for (const [status, entry] of statusCodes) checkMappable(`statusCodes[${status}]`, entry, Object.hasOwn(givenStatusCodes, String(status)))

  const maxDetailLength = raw.maxDetailLength ?? DEFAULT_MAX_DETAIL_LENGTH
  if (!Number.isInteger(maxDetailLength) || (maxDetailLength as number) < 16) invalid('maxDetailLength', `must be a whole number of characters, 16 or more, got ${describe(maxDetailLength)}`)
  const wwwAuthenticate = raw.wwwAuthenticate ?? DEFAULT_WWW_AUTHENTICATE
  const challengeWhy = challengeProblem(wwwAuthenticate)
  if (challengeWhy !== undefined) invalid('wwwAuthenticate', `${challengeWhy}, got ${describe(wwwAuthenticate)}`)
  const exceptionSignal = raw.exceptionSignal ?? exceptionSignalFromEnv(process.env[EXCEPTION_SIGNAL_ENV])
  oneOf('exceptionSignal', exceptionSignal, EXCEPTION_SIGNALS)
  const clientErrorLogDetail = raw.clientErrorLogDetail ?? 'brief'
  if (!CLIENT_ERROR_LOG_DETAILS.includes(clientErrorLogDetail as string)) invalid('clientErrorLogDetail', `must be 'brief' or 'full', got ${describe(clientErrorLogDetail)}`)
  if (raw.problemErrorStacks !== undefined) oneOf('problemErrorStacks', raw.problemErrorStacks, PROBLEM_ERROR_STACKS)
  if (raw.mapError !== undefined && typeof raw.mapError !== 'function') invalid('mapError', `must be a function (error, request) => ProblemError | undefined, got ${describe(raw.mapError)}`)

  return Object.freeze({
    entries,
    entriesByLowerCode: new Map([...entries].map(([code, entry]) => [code.toLowerCase(), entry])),
    codes,
    statusCodes,
    internalError,
    typeBase,
    errorMember: flag('errorMember', raw.errorMember, true),
    traceId: flag('traceId', raw.traceId, true),
    notFound: flag('notFound', raw.notFound, true),
    exposeServerErrors: flag('exposeServerErrors', raw.exposeServerErrors, false),
    maxDetailLength: maxDetailLength as number,
    clientErrorLogLevel: level('clientErrorLogLevel', raw.clientErrorLogLevel, 'info'),
    serverErrorLogLevel: level('serverErrorLogLevel', raw.serverErrorLogLevel, 'error'),
    clientErrorLogDetail: clientErrorLogDetail as ClientErrorLogDetail,
    mapError: raw.mapError as ProblemDetailsOptions['mapError'],
    serveDocs,
    wwwAuthenticate: wwwAuthenticate as string,
    problemXml: flag('problemXml', raw.problemXml, true),
    metrics: flag('metrics', raw.metrics, true),
    exceptionSignal: exceptionSignal as ExceptionSignal,
    exceptionSignalChosen: raw.exceptionSignal !== undefined,
    problemErrorStacks: raw.problemErrorStacks as ProblemErrorStacks | undefined,
    memberValidator
  })
}
