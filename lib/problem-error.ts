import { detailOf, membersOf, retryAfterOf, type Occurrence } from './occurrence.ts'
import type { ProblemCode, ProblemInit, ProblemInitArgs } from './types.ts'

const kProblemError = Symbol.for('fastify-problem-details.ProblemError')
const kBaseClass = Symbol.for('fastify-problem-details.ProblemError.base')
const NO_INIT: Readonly<Record<string, unknown>> = Object.freeze({})

/**
 * An error that names a catalog code. Throw it anywhere in a request (handler, hook, `reply.send`)
 * and the plugin answers with that code's problem document.
 *
 * @example
 * throw new ProblemError('invalid_request', { detail: 'schedule_id is required' })
 * throw new ProblemError('external_authentication_required', { provider: 'github', auth_url: 'https://...' })
 */
export class ProblemError<C extends ProblemCode = ProblemCode> extends Error implements Occurrence {
  /** Marks the base class: `instanceof` works across copies of this package (CommonJS and ESM). */
  static readonly [kBaseClass] = true
  // fields are declared, not emitted: the constructor assigns each once (this is the error path's hot spot)
  declare readonly [kProblemError]: true
  /** The catalog code. */
  declare readonly code: C
  /** Occurrence-specific explanation sent as `detail`. */
  declare readonly detail: string | undefined
  /** Extension members for this occurrence (validated against the catalog when sent). */
  declare readonly members: Readonly<Record<string, unknown>>
  /** Extra response headers. */
  declare readonly headers: Readonly<Record<string, string | number | readonly string[]>> | undefined
  /** Seconds to wait before retrying; sent as `Retry-After` when the code is retryable. */
  declare readonly retryAfter: number | undefined

  constructor (code: C, ...[init]: ProblemInitArgs<C>)
  constructor (code: C, init?: ProblemInit<C>) {
    const options = (init ?? NO_INIT) as Readonly<Record<string, unknown>>
    const detail = detailOf(options)
    super(detail === undefined ? code : `${code}: ${detail}`, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.detail = detail
    this.headers = options.headers as ProblemError['headers']
    this.retryAfter = retryAfterOf(options)
    this.members = membersOf(options)
  }

  static [Symbol.hasInstance] (value: unknown): boolean {
    if (Object.hasOwn(this, kBaseClass)) return isProblemError(value)
    return Function.prototype[Symbol.hasInstance].call(this, value)
  }
}

// the brand and the name live on the prototype: nothing to define per instance
Object.defineProperty(ProblemError.prototype, kProblemError, { value: true })
Object.defineProperty(ProblemError.prototype, 'name', { value: 'ProblemError', writable: true, configurable: true })

/** True for a `ProblemError`, whichever copy of the package created it. */
export function isProblemError (value: unknown): value is ProblemError {
  try {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kProblemError] === true
  } catch {
    return false
  }
}
