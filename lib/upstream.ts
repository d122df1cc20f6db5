import { builtinCatalog } from './builtin-catalog.ts'
import { resolveCatalog, type ResolvedProblemEntry } from './catalog.ts'
import { FST_PROBLEM_INVALID_OPTION } from './errors.ts'
import { createMemberValidator } from './members.ts'
import { describe } from './guards.ts'
import { DEFAULT_TYPE_BASE, resolveStatusCodes } from './options.ts'
import { ProblemError } from './problem-error.ts'

/** Largest upstream body read, in bytes; a longer one is not treated as a problem document. */
export const MAX_UPSTREAM_BODY_BYTES = 64 * 1024
const MAX_CHUNKS = MAX_UPSTREAM_BODY_BYTES + 1
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i

/** Options of `problemFromResponse`. */
export interface ProblemFromResponseOptions {
  /**
   * The local catalog, which decides which upstream codes are kept: pass `app.problemDetails.catalog`
   * when you registered your own codes. Default: the built-in catalog.
   */
  catalog?: ReadonlyMap<string, ResolvedProblemEntry>
  /**
   * HTTP status -> local code, for upstream problems whose code the local catalog does not know.
   * Default: `DEFAULT_STATUS_CODES` (codes missing from the catalog are skipped).
   */
  statusCodes?: Readonly<Record<number, string>>
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

let builtinEntries: ReadonlyMap<string, ResolvedProblemEntry> | undefined

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

/** Reads at most MAX_UPSTREAM_BODY_BYTES; undefined when the body is longer or cannot be read. */
async function readBody (response: Response): Promise<string | undefined> {
  const stream = response.body
  if (stream === null) return ''
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (let i = 0; i < MAX_CHUNKS; i++) {
    const { done, value } = await reader.read()
    if (done) return Buffer.concat(chunks).toString('utf8')
    size += value.byteLength
    if (size > MAX_UPSTREAM_BODY_BYTES) break
    chunks.push(value)
  }
  await reader.cancel().catch(() => {})
  return undefined
}

/** The body as a problem document, or undefined when it is not one (RFC 9457: a JSON object). */
async function problemDocumentOf (response: Response): Promise<Record<string, unknown> | undefined> {
  if (!JSON_MEDIA_TYPE.test(response.headers.get('content-type') ?? '')) return undefined
  let text: string | undefined
  try {
    text = await readBody(response)
  } catch {
    return undefined
  }
  if (text === undefined) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return undefined
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined
  const document = parsed as Record<string, unknown>
  const looksLikeProblem = typeof document.type === 'string' || typeof document.title === 'string' || typeof document.status === 'number'
  return looksLikeProblem ? document : undefined
}

/** The last segment of a `type` URI (`/problems/quota-exceeded/` -> `quota-exceeded`). */
function slugOfType (type: string): string {
  const trimmed = type.replace(/[/#=:]+$/, '')
  return trimmed.slice(Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('#'), trimmed.lastIndexOf('='), trimmed.lastIndexOf(':')) + 1)
}

/**
 * The local code for an upstream document, in order: its `code` member, its `type` URI, the
 * code whose slug is the last segment of its `type`; undefined when the catalog knows none.
 */
function knownCode (document: Record<string, unknown>, catalog: ReadonlyMap<string, ResolvedProblemEntry>): string | undefined {
  const { code, type } = document
  if (typeof code === 'string' && catalog.has(code)) return code
  if (typeof type !== 'string' || type === 'about:blank') return undefined
  const slug = slugOfType(type).toLowerCase()
  for (const entry of catalog.values()) {
    if (entry.type === type) return entry.code
  }
  for (const entry of catalog.values()) {
    if (entry.slug === slug) return entry.code
  }
  return undefined
}

/** `Retry-After` as seconds (delta-seconds or an HTTP date), or undefined. */
function retryAfterOf (response: Response): number | undefined {
  const value = response.headers.get('retry-after')?.trim()
  if (value === undefined || value === '') return undefined
  if (/^\d{1,10}$/.test(value)) return Number(value)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000))
}

function urlWithoutQuery (url: string): string {
  const end = url.search(/[?#]/)
  return end === -1 ? url : url.slice(0, end)
}

// ProblemError's constructor is typed per code; here the code is only known at run time
const UntypedProblemError = ProblemError as unknown as new (code: string, init: Record<string, unknown>) => ProblemError

/**
 * Turns an upstream service's failed `fetch` response into a `ProblemError` to throw: the gateway
 * answers its own problem (its own `instance` and `trace_id`), keeping the upstream's code,
 * `detail`, extension members and `Retry-After`. Works with problem documents from any service,
 * not only this plugin. Never rejects for a bad upstream; only for bad `options`.
 *
 * - A code the local catalog knows is kept (found by the `code` member, the `type` URI, or the
 *   slug at the end of `type`); the local catalog decides its status, title and `retryable`, and
 *   which extension members are sent.
 * - Another code is mapped by the upstream status through `statusCodes`; a status with no code
 *   becomes `internal_error` (with the upstream `detail`).
 * - A body that is not a problem document (HTML, plain text, invalid or oversized JSON, a
 *   non-object) and a response that did not fail become `internal_error` with a short detail.
 * The upstream response itself is the error's `cause` (an `UpstreamProblem`), logged, never sent.
 *
 * @example
 * const res = await fetch(url, { headers })
 * if (!res.ok) throw await problemFromResponse(res, { catalog: app.problemDetails.catalog })
 */
export async function problemFromResponse (response: Response, options: ProblemFromResponseOptions = {}): Promise<ProblemError> {
  const catalog = catalogOf(options)
  const statusCodes = resolveStatusCodes(catalog, options.statusCodes, ' of problemFromResponse')
  const status = response.status
  const url = urlWithoutQuery(response.url)
  const failed = status >= 400 && status <= 599
  const document = failed ? await problemDocumentOf(response) : undefined

  if (document === undefined) {
    const cause = new UpstreamProblem(`upstream ${url} answered ${status} without a problem document (content-type ${response.headers.get('content-type') ?? 'none'})`, status, url, undefined)
    return new UntypedProblemError('internal_error', { detail: `An upstream service answered ${status} without a problem document.`, cause })
  }

  const known = knownCode(document, catalog)
  const code = known ?? statusCodes.get(status)?.code ?? 'internal_error'
  const entry = catalog.get(code)
  const init: Record<string, unknown> = {}
  if (typeof document.detail === 'string') init.detail = document.detail
  for (const name of entry?.memberNames ?? []) {
    if (document[name] !== undefined) init[name] = document[name]
  }
  const retryAfter = retryAfterOf(response)
  if (retryAfter !== undefined) init.retryAfter = retryAfter
  const described = typeof document.type === 'string' ? document.type : 'about:blank'
  init.cause = new UpstreamProblem(`upstream ${url} answered ${status} ${described}${known === undefined ? ` (unknown here, answered as ${code})` : ''}`, status, url, document)
  return new UntypedProblemError(code, init)
}
