import { builtinCatalog } from './builtin-catalog.ts'
import { resolveCatalog, type ResolvedProblemEntry } from './catalog.ts'
import { isProblemResponseError, urlWithoutQuery, type ProblemResponseError } from './client/error.ts'
import { DEFAULT_MAX_PROBLEM_BYTES, DEFAULT_PROBLEM_TIMEOUT, discardBody, readProblem, type ClientProblemDocument, type ProblemReadOutcome } from './client/parse.ts'
import { retryAfterSeconds } from './client/retry.ts'
import { FST_PROBLEM_INVALID_OPTION } from './errors.ts'
import { createMemberValidator, isHttpUrl, type MemberValidator } from './members.ts'
import { describe } from './guards.ts'
import { loadDeferredModules } from './deferred.ts'
import { DEFAULT_STATUS_CODES, DEFAULT_TYPE_BASE, resolveStatusCodes, type ProblemDetailsConfig } from './options.ts'
import { ProblemError } from './problem-error.ts'

/** Default of `maxBodyBytes`: the largest upstream body read, in bytes (64 KiB); a longer one is not a problem document. */
export const MAX_UPSTREAM_BODY_BYTES = DEFAULT_MAX_PROBLEM_BYTES

/**
 * Default of `statusCodes` for upstream answers: `DEFAULT_STATUS_CODES`, and 502 and 504 (a
 * gateway or upstream that failed or timed out) as `resource_unavailable`, a retryable platform code.
 */
export const DEFAULT_UPSTREAM_STATUS_CODES: Readonly<Record<number, string>> = Object.freeze({ ...DEFAULT_STATUS_CODES, 502: 'resource_unavailable', 504: 'resource_unavailable' })

/** Options of `problemFromResponse`. */
export interface ProblemFromResponseOptions {
  /**
   * The local catalog, which decides which upstream codes are kept: pass `app.problemDetails.catalog`
   * when you registered your own codes. Default: the built-in catalog.
   */
  catalog?: ReadonlyMap<string, ResolvedProblemEntry>
  /**
   * HTTP status -> local code, for upstream answers whose code the local catalog does not know,
   * problem documents or not. Default: `DEFAULT_UPSTREAM_STATUS_CODES` (codes missing from the catalog are skipped).
   */
  statusCodes?: Readonly<Record<number, string>>
  /**
   * Keep the upstream `detail` of a 5xx answer (or of one answered here as a 5xx). Give it the value
   * of the plugin's own `exposeServerErrors` option. Default: `false`.
   */
  exposeServerErrors?: boolean
  /** Largest upstream body read, in bytes. Default: `65536` (`MAX_UPSTREAM_BODY_BYTES`). */
  maxBodyBytes?: number
  /** Deadline for reading the upstream body, in milliseconds; past it the body is cancelled. Default: `5000`. */
  timeout?: number
  /** Stops reading the upstream body when aborted (pass the request's signal). Default: none. */
  signal?: AbortSignal
}

/**
 * What an upstream service answered, kept as the `cause` of the `ProblemError` built from it:
 * logged and recorded in telemetry, never sent to the client.
 */
export class UpstreamProblem extends Error {
  /** HTTP status of the upstream response. */
  readonly status: number
  /** Upstream URL without its query string. */
  readonly url: string
  /** The upstream problem document, or undefined when the body was not one. */
  readonly document: Readonly<Record<string, unknown>> | undefined

  constructor (message: string, status: number, url: string, document: Record<string, unknown> | undefined) {
    super(message)
    this.name = 'UpstreamProblem'
    this.status = status
    this.url = url
    this.document = document === undefined ? undefined : Object.freeze(document)
  }
}

/** What the gateway knows of one upstream answer. */
interface UpstreamAnswer {
  status: number
  url: string
  document: ClientProblemDocument | undefined
  outcome: ProblemReadOutcome
  contentType: string
  retryAfter: number | undefined
}

/** A local catalog, indexed for upstream lookups, with the validator of its members. */
interface CatalogIndex {
  byType: ReadonlyMap<string, string>
  bySlug: ReadonlyMap<string, string>
  validator: MemberValidator
}

const indexes = new WeakMap<ReadonlyMap<string, ResolvedProblemEntry>, CatalogIndex>()
let builtinEntries: ReadonlyMap<string, ResolvedProblemEntry> | undefined
const TYPE_SEPARATORS = '/#=:'
const URL_FORMATS = new Set(['uri', 'url', 'iri'])

function catalogOf (options: ProblemFromResponseOptions): ReadonlyMap<string, ResolvedProblemEntry> {
  if (options.catalog === undefined) {
    builtinEntries ??= resolveCatalog(builtinCatalog, DEFAULT_TYPE_BASE, createMemberValidator())
    return builtinEntries
  }
  if (!(options.catalog instanceof Map)) {
    throw new FST_PROBLEM_INVALID_OPTION('catalog', `of problemFromResponse must be a Map such as app.problemDetails.catalog, got ${describe(options.catalog)}`)
  }
  return options.catalog
}

function indexOf (catalog: ReadonlyMap<string, ResolvedProblemEntry>): CatalogIndex {
  let index = indexes.get(catalog)
  if (index === undefined) {
    const entries = [...catalog.values()]
    index = {
      byType: new Map(entries.map((entry) => [entry.type, entry.code])),
      bySlug: new Map(entries.map((entry) => [entry.slug, entry.code])),
      validator: createMemberValidator()
    }
    indexes.set(catalog, index)
  }
  return index
}

function limitOption (name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new FST_PROBLEM_INVALID_OPTION(name, `of problemFromResponse must be a whole number, 1 or more, got ${describe(value)}`)
  return value
}

/**
 * The last segment of a `type` URI (`/problems/quota-exceeded/` -> `quota-exceeded`), by two
 * scans from the end: linear in the length of the `type`, whatever it holds.
 */
export function slugOfType (type: string): string {
  let end = type.length
  while (end > 0 && TYPE_SEPARATORS.includes(type[end - 1])) end--
  let start = end
  while (start > 0 && !TYPE_SEPARATORS.includes(type[start - 1])) start--
  return type.slice(start, end)
}

/**
 * The local code for an upstream document, in order: its `code` member, its `type` URI, the
 * code whose slug is the last segment of its `type`; undefined when the catalog knows none.
 */
function knownCode (document: ClientProblemDocument, catalog: ReadonlyMap<string, ResolvedProblemEntry>, index: CatalogIndex): string | undefined {
  const { code, type } = document
  if (typeof code === 'string' && catalog.has(code)) return code
  if (type === undefined || type === 'about:blank') return undefined
  return index.byType.get(type) ?? index.bySlug.get(slugOfType(type).toLowerCase())
}

/** A URL member must be an absolute http(s) URL: an upstream's `javascript:` link is never ours to send. */
function isUrlMember (name: string, schema: Record<string, unknown>): boolean {
  return (typeof schema.format === 'string' && URL_FORMATS.has(schema.format)) || name.toLowerCase().endsWith('url')
}

/**
 * The upstream members the local entry declares, each valid against its schema (URL members http(s)
 * only); undefined when a required member is missing or invalid.
 */
function membersFor (entry: ResolvedProblemEntry, document: ClientProblemDocument | undefined, index: CatalogIndex): Record<string, unknown> | undefined {
  const members: Record<string, unknown> = {}
  for (const name of entry.memberNames) {
    const value = document?.[name]
    if (value === undefined) continue
    const schema = entry.members[name] as Record<string, unknown>
    if (isUrlMember(name, schema) && !(typeof value === 'string' && isHttpUrl(value))) continue
    if (index.validator.validate(`${entry.code}\u0000${name}`, { [name]: schema }, [], { [name]: value }) !== undefined) continue
    members[name] = value
  }
  return entry.required.every((name) => Object.hasOwn(members, name)) ? members : undefined
}

// ProblemError's constructor is typed per code; here the code is only known at run time
const UntypedProblemError = ProblemError as unknown as new (code: string, init: Record<string, unknown>) => ProblemError

function fromAnswer (answer: UpstreamAnswer, catalog: ReadonlyMap<string, ResolvedProblemEntry>, statusCodes: ReadonlyMap<number, ResolvedProblemEntry>, exposeServerErrors: boolean): ProblemError {
  const { status, url, document } = answer
  const index = indexOf(catalog)
  const known = document === undefined ? undefined : knownCode(document, catalog, index)
  const byStatus = statusCodes.get(status)?.code ?? 'internal_error'
  const knownEntry = known === undefined ? undefined : catalog.get(known)
  const knownMembers = knownEntry === undefined ? undefined : membersFor(knownEntry, document, index)
  // an upstream problem that lacks what the local code requires is answered by its status instead
  const code = knownMembers === undefined ? byStatus : known as string
  const entry = catalog.get(code)
  const members = knownMembers ?? (entry === undefined ? {} : membersFor(entry, document, index) ?? {})
  const init: Record<string, unknown> = { ...members }
  const serverError = status >= 500 || (entry?.status ?? 500) >= 500
  if (document === undefined) {
    init.detail = `An upstream service answered ${status} without a problem document.`
  } else if (document.detail !== undefined && (exposeServerErrors || !serverError)) {
    init.detail = document.detail
  }
  if (answer.retryAfter !== undefined) init.retryAfter = answer.retryAfter
  const unknownHere = code === known ? '' : ` (${known === undefined ? 'unknown here' : `${known} lacks required members`}, answered as ${code})`
  const message = document === undefined
    ? `upstream ${url} answered ${status} without a problem document (content-type ${answer.contentType}, ${answer.outcome})${unknownHere}`
    : `upstream ${url} answered ${status} ${document.type ?? 'about:blank'}${unknownHere}`
  init.cause = new UpstreamProblem(message, status, url, document)
  return new UntypedProblemError(code, init)
}

async function answerOf (response: Response, maxBodyBytes: number, timeout: number, signal: AbortSignal | undefined): Promise<UpstreamAnswer> {
  const status = response.status
  const failed = status >= 400 && status <= 599
  let read: { outcome: ProblemReadOutcome, document: ClientProblemDocument | undefined } = { outcome: 'not-problem', document: undefined }
  if (failed) read = await readProblem(response, { maxBodyBytes, timeout, signal })
  else await discardBody(response)
  return {
    status,
    url: urlWithoutQuery(response.url),
    document: read.document,
    outcome: read.outcome,
    contentType: response.headers.get('content-type') ?? 'none',
    // the only upstream header taken: the others describe the upstream's answer, not ours
    retryAfter: retryAfterSeconds(response.headers.get('retry-after'))
  }
}

function answerOfError (error: ProblemResponseError): UpstreamAnswer {
  return { status: error.status, url: error.url, document: error.problem, outcome: error.problem === undefined ? 'not-problem' : 'problem', contentType: 'unknown', retryAfter: error.retryAfter }
}

/**
 * Turns an upstream service's failed `fetch` response (or the `ProblemResponseError` thrown by
 * `createProblemFetch`) into a `ProblemError` to throw: the gateway answers its own problem (its own
 * `instance` and `trace_id`). Works with problem documents from any service, not only this plugin.
 * Never rejects for a bad upstream; only for bad `options`.
 *
 * - The body is read with `parseProblem`: a size bound, a deadline, linear time, always consumed
 *   or cancelled.
 * - A code the local catalog knows is kept (found by the `code` member, the `type` URI, or the
 *   slug at the end of `type`); the local catalog decides its status, title and `retryable`.
 * - Extension members are kept only when the local entry declares them and they validate against
 *   its schemas; URL members must be http(s) URLs.
 * - Another code, and an answer that is not a problem document, is mapped by the upstream status
 *   through `statusCodes` (409 `conflict`, 502/503/504 `resource_unavailable`...), else `internal_error`.
 * - The upstream `detail` is kept, except on a 5xx unless `exposeServerErrors`.
 * - Of the upstream headers, only `Retry-After` is taken.
 * The upstream answer is the error's `cause` (an `UpstreamProblem`), logged, never sent.
 *
 * @example
 * const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) })
 * if (!res.ok) throw await problemFromResponse(res, { catalog: app.problemDetails.catalog, timeout: 2000 })
 */
export async function problemFromResponse (response: Response | ProblemResponseError, options: ProblemFromResponseOptions = {}): Promise<ProblemError> {
  // member validation (Ajv) loads on first use, not with the package
  await loadDeferredModules()
  const catalog = catalogOf(options)
  const statusCodes = resolveStatusCodes(catalog, options.statusCodes, ' of problemFromResponse', DEFAULT_UPSTREAM_STATUS_CODES)
  const exposeServerErrors = options.exposeServerErrors ?? false
  if (typeof exposeServerErrors !== 'boolean') throw new FST_PROBLEM_INVALID_OPTION('exposeServerErrors', `of problemFromResponse must be true or false, got ${describe(exposeServerErrors)}`)
  const maxBodyBytes = limitOption('maxBodyBytes', options.maxBodyBytes, MAX_UPSTREAM_BODY_BYTES)
  const timeout = limitOption('timeout', options.timeout, DEFAULT_PROBLEM_TIMEOUT)
  const answer = isProblemResponseError(response) ? answerOfError(response) : await answerOf(response as Response, maxBodyBytes, timeout, options.signal)
  return fromAnswer(answer, catalog, statusCodes, exposeServerErrors)
}

const upstreamStatusCodes = new WeakMap<ProblemDetailsConfig, ReadonlyMap<number, ResolvedProblemEntry>>()

/**
 * The problem the plugin answers for a `ProblemResponseError` thrown in a route, as
 * `problemFromResponse` would with the plugin's own settings: its catalog, its `statusCodes` over
 * `DEFAULT_UPSTREAM_STATUS_CODES`, and its `exposeServerErrors`.
 */
export function problemOfResponseError (error: ProblemResponseError, config: ProblemDetailsConfig): ProblemError {
  let statusCodes = upstreamStatusCodes.get(config)
  if (statusCodes === undefined) {
    statusCodes = new Map([...resolveStatusCodes(config.entries, undefined, '', DEFAULT_UPSTREAM_STATUS_CODES), ...config.statusCodes])
    upstreamStatusCodes.set(config, statusCodes)
  }
  return fromAnswer(answerOfError(error), config.entries, statusCodes, config.exposeServerErrors)
}
