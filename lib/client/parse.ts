import { checkOptionNames, numberOption } from './options.ts'
import { problemMediaType } from './media-type.ts'

/** Default of `maxBodyBytes`: the largest problem body read, in bytes (64 KiB). */
export const DEFAULT_MAX_PROBLEM_BYTES = 64 * 1024
/** Default of `timeout`: how long reading a problem body may take, in milliseconds (5 s). */
export const DEFAULT_PROBLEM_TIMEOUT = 5000

/** Options of `parseProblem`. */
export interface ParseProblemOptions {
  /** Largest body read, in bytes; a longer body is cancelled and is not a problem. Default: `65536`. */
  maxBodyBytes?: number
  /** Deadline for reading the body, in milliseconds; past it the body is cancelled. Default: `5000`. */
  timeout?: number
  /** Stops reading the body when aborted (the body is cancelled). Default: none. */
  signal?: AbortSignal
}

/**
 * A problem document as a client reads it (RFC 9457): every member is optional, and a standard
 * member of the wrong type is dropped, as RFC 9457 section 3.1 asks consumers to ignore it.
 */
export interface ClientProblemDocument {
  type?: string
  title?: string
  status?: number
  detail?: string
  instance?: string
  /** This plugin's member: whether the same request may succeed if sent again. */
  retryable?: boolean
  /** This plugin's member: the trace id of the failed request. */
  trace_id?: string
  [member: string]: unknown
}

/** Why reading a response gave, or did not give, a problem document. */
export type ProblemReadOutcome = 'problem' | 'not-problem' | 'too-large' | 'timeout' | 'aborted' | 'unreadable'

/** The result of reading a response: the document when the outcome is `problem`. */
export interface ProblemRead {
  outcome: ProblemReadOutcome
  document: ClientProblemDocument | undefined
}

/** Every option of `parseProblem` (the README documents each; a test keeps them equal). */
export const PARSE_OPTION_NAMES: readonly string[] = Object.freeze(['maxBodyBytes', 'timeout', 'signal'])
const STRING_MEMBERS = ['type', 'title', 'detail', 'instance', 'trace_id'] as const

/** The checked options of a read, with their defaults. */
export interface ReadLimits {
  maxBodyBytes: number
  timeout: number
  signal: AbortSignal | undefined
}

/** Checks `parseProblem` options; `context` names the caller in error messages. */
export function readLimits (options: ParseProblemOptions, context: string): ReadLimits {
  if (options === null || typeof options !== 'object') throw new TypeError(`The options of ${context} must be an object`)
  checkOptionNames(options, PARSE_OPTION_NAMES, context)
  return {
    maxBodyBytes: numberOption('maxBodyBytes', options.maxBodyBytes, DEFAULT_MAX_PROBLEM_BYTES, 1, true),
    timeout: numberOption('timeout', options.timeout, DEFAULT_PROBLEM_TIMEOUT, 1, false),
    signal: options.signal
  }
}

function ignore (): void {}

/** Keeps a timer from holding a Node.js process open; browsers' timers are numbers. */
function unref (timer: unknown): void {
  (timer as { unref?: () => void }).unref?.()
}

type TextRead = { outcome: 'problem', text: string } | { outcome: Exclude<ProblemReadOutcome, 'problem' | 'not-problem'>, text?: undefined }

/** Reads chunks until the end, `maxBodyBytes`, or a stop; never rejects. */
async function readChunks (reader: ReadableStreamDefaultReader<Uint8Array>, maxBodyBytes: number, stopped: () => 'timeout' | 'aborted' | undefined): Promise<TextRead> {
  try {
    const decoder = new TextDecoder()
    let text = ''
    let size = 0
    for (;;) {
      const { done, value } = await reader.read()
      const stop = stopped()
      if (stop !== undefined) return { outcome: stop }
      if (done) return { outcome: 'problem', text: text + decoder.decode() }
      size += value.byteLength
      if (size > maxBodyBytes) {
        await reader.cancel().catch(ignore)
        return { outcome: 'too-large' }
      }
      text += decoder.decode(value, { stream: true })
    }
  } catch {
    return { outcome: stopped() ?? 'unreadable' }
  }
}

/**
 * Reads a body as UTF-8 text: at most `maxBodyBytes`, before the deadline and the signal; any
 * other end cancels the stream, which lets the HTTP client close or reuse the connection.
 */
async function readText (body: ReadableStream<Uint8Array>, limits: ReadLimits): Promise<TextRead> {
  const reader = body.getReader()
  let stopped: 'timeout' | 'aborted' | undefined
  function stop (why: 'timeout' | 'aborted'): void {
    stopped ??= why
    reader.cancel().catch(ignore)
  }
  const onAbort = (): void => stop('aborted')
  const timer = setTimeout(stop, limits.timeout, 'timeout')
  unref(timer)
  limits.signal?.addEventListener('abort', onAbort)
  const read = await readChunks(reader, limits.maxBodyBytes, () => stopped)
  clearTimeout(timer)
  limits.signal?.removeEventListener('abort', onAbort)
  return read
}

/** Drops standard members of the wrong type (RFC 9457 section 3.1: consumers ignore them). */
function normalize (document: Record<string, unknown>): ClientProblemDocument {
  for (const name of STRING_MEMBERS) {
    if (document[name] !== undefined && typeof document[name] !== 'string') delete document[name]
  }
  if (document.status !== undefined && !Number.isInteger(document.status)) delete document.status
  if (document.retryable !== undefined && typeof document.retryable !== 'boolean') delete document.retryable
  return document
}

const NOT_A_PROBLEM: ProblemRead = Object.freeze({ outcome: 'not-problem', document: undefined })

/**
 * Reads a response as a problem document and tells why when it is not one. The body is always
 * consumed or cancelled, never left open.
 */
export async function readProblem (response: Response, limits: ReadLimits): Promise<ProblemRead> {
  const mediaType = problemMediaType(response.headers.get('content-type'))
  const body = response.body
  if (body === null) return NOT_A_PROBLEM
  if (mediaType === 'other' || limits.signal?.aborted === true) {
    await body.cancel().catch(ignore)
    return mediaType === 'other' ? NOT_A_PROBLEM : { outcome: 'aborted', document: undefined }
  }
  let read: TextRead
  try {
    read = await readText(body, limits)
  } catch {
    // a body already read or locked by someone else
    return { outcome: 'unreadable', document: undefined }
  }
  if (read.outcome !== 'problem') return { outcome: read.outcome, document: undefined }
  let parsed: unknown
  try {
    parsed = JSON.parse(read.text)
  } catch {
    return NOT_A_PROBLEM
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return NOT_A_PROBLEM
  const document = normalize(parsed as Record<string, unknown>)
  // application/json is used for many things: there, only an object shaped like a problem is one
  if (mediaType === 'json' && document.type === undefined && document.title === undefined && document.status === undefined) return NOT_A_PROBLEM
  return { outcome: 'problem', document }
}

/**
 * Resolves to the problem document of a response, or `undefined` when the response is not one
 * (another media type, invalid JSON, a body over `maxBodyBytes`, past the `timeout`, or aborted).
 * `application/problem+json` is matched with any parameters; an `application/json` body counts
 * when it is an object with a `type`, `title` or `status`. The body is read in linear time
 * whatever it holds and is always consumed or cancelled, so the connection is freed.
 *
 * @example
 * const res = await fetch(url)
 * const problem = await parseProblem(res, { timeout: 2000 })
 * if (problem?.retryable) scheduleRetry()
 */
export async function parseProblem (response: Response, options: ParseProblemOptions = {}): Promise<ClientProblemDocument | undefined> {
  return (await readProblem(response, readLimits(options, 'parseProblem'))).document
}

/** Cancels a body that will not be read, so that the connection is freed. */
export async function discardBody (response: Response): Promise<void> {
  await response.body?.cancel().catch(ignore)
}
