import type { ProblemCode, ProblemRegistry } from '../types.ts'
import type { ClientProblemDocument } from './parse.ts'

const kProblemResponseError = Symbol.for('fastify-problem-details.ProblemResponseError')

/** The problem document of a code: its extension members may be present (the client cannot vouch for them). */
export type ProblemDocumentOf<C extends ProblemCode | undefined> = C extends ProblemCode ? ClientProblemDocument & Partial<ProblemRegistry[C]> : ClientProblemDocument | undefined

/** What a `ProblemResponseError` is made of. */
export interface ProblemResponseErrorInit<C extends ProblemCode | undefined> {
  status: number
  /** The URL that answered, without its query string. */
  url: string
  problem: ProblemDocumentOf<C>
  code: C
  retryAfter: number | undefined
}

/**
 * A response with an error status (4xx, 5xx), as an Error: its `status`, its problem document
 * (`undefined` when the body was not one), the catalog `code` its `type` names, and `Retry-After`.
 * The message holds the status and the code only, never text from the response.
 *
 * Narrow the members by code with `error.is('quota_exceeded')`, or with
 * `isProblemResponseError(error)` and then `error.code`.
 */
export class ProblemResponseError<C extends ProblemCode | undefined = ProblemCode | undefined> extends Error {
  declare readonly [kProblemResponseError]: true
  /** HTTP status of the response. */
  readonly status: number
  /** The URL that answered, without its query string. */
  readonly url: string
  /** The problem document, or `undefined` when the body was not one. */
  readonly problem: ProblemDocumentOf<C>
  /** The catalog code the problem's `type` names, or `undefined`. */
  readonly code: C
  /** Seconds the server asked to wait before retrying (`Retry-After`), when it said. */
  readonly retryAfter: number | undefined

  constructor (init: ProblemResponseErrorInit<C>) {
    super(`The service answered ${init.status}${init.code === undefined ? '' : ` (${init.code})`}`)
    this.status = init.status
    this.url = init.url
    this.problem = init.problem
    this.code = init.code
    this.retryAfter = init.retryAfter
  }

  /** Whether the problem says that sending the same request again may succeed (its `retryable` member). */
  get retryable (): boolean {
    return this.problem?.retryable === true
  }

  /** True when the problem has this catalog code; narrows `problem` to the code's members. */
  is<K extends ProblemCode> (code: K): this is ProblemResponseError<K> {
    return (this.code as string | undefined) === code
  }
}

Object.defineProperty(ProblemResponseError.prototype, kProblemResponseError, { value: true })
Object.defineProperty(ProblemResponseError.prototype, 'name', { value: 'ProblemResponseError', writable: true, configurable: true })

/** A `ProblemResponseError` of any code: `error.code` narrows `error.problem` to that code's members. */
export type AnyProblemResponseError = { [C in ProblemCode]: ProblemResponseError<C> }[ProblemCode] | ProblemResponseError<undefined>

/** True for a `ProblemResponseError`, whichever copy of the package (CommonJS or ESM build) created it. */
export function isProblemResponseError (value: unknown): value is AnyProblemResponseError {
  try {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kProblemResponseError] === true
  } catch {
    return false
  }
}

/** The URL without its query string or fragment, which may hold secrets. */
export function urlWithoutQuery (url: string): string {
  // two searches for a character: cheaper than a regular expression on every problem
  const query = url.indexOf('?')
  const fragment = url.indexOf('#')
  const end = query === -1 ? fragment : fragment === -1 ? query : Math.min(query, fragment)
  return end === -1 ? url : url.slice(0, end)
}
