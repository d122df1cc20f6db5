import type { ProblemCode, ProblemInit, ProblemInitArgs } from './index.ts'

const kProblemError = Symbol.for('fastify-problem-details.ProblemError')
const kBaseClass = Symbol.for('fastify-problem-details.ProblemError.base')
const INIT_KEYS = new Set(['detail', 'headers', 'retryAfter', 'cause'])

/**
 * An error that names a catalog code. Throw it anywhere in a request (handler, hook, `reply.send`)
 * and the plugin answers with that code's problem document.
 *
 * @example
 * throw new ProblemError('invalid_request', { detail: 'schedule_id is required' })
 * throw new ProblemError('external_authentication_required', { provider: 'github', auth_url: 'https://...' })
 */
export class ProblemError<C extends ProblemCode = ProblemCode> extends Error {
  /** Marks the base class: `instanceof` works across copies of this package (CommonJS and ESM). */
  static readonly [kBaseClass] = true
  declare readonly [kProblemError]: true
  /** The catalog code. */
  readonly code: C
  /** Occurrence-specific explanation sent as `detail`. */
  readonly detail: string | undefined
  /** Extension members for this occurrence (validated against the catalog when sent). */
  readonly members: Readonly<Record<string, unknown>>
  /** Extra response headers. */
  readonly headers: Readonly<Record<string, string | number | readonly string[]>> | undefined
  /** Seconds to wait before retrying; sent as `Retry-After` when the code is retryable. */
  readonly retryAfter: number | undefined

  constructor (code: C, ...[init]: ProblemInitArgs<C>) {
    const options = (init ?? {}) as ProblemInit<ProblemCode> & Record<string, unknown>
    super(typeof options.detail === 'string' ? `${code}: ${options.detail}` : code, options.cause === undefined ? undefined : { cause: options.cause })
    Object.defineProperty(this, kProblemError, { value: true })
    this.name = 'ProblemError'
    this.code = code
    this.detail = typeof options.detail === 'string' ? options.detail : undefined
    this.headers = options.headers
    this.retryAfter = options.retryAfter
    const members: Record<string, unknown> = {}
    for (const key of Object.keys(options)) {
      if (!INIT_KEYS.has(key)) members[key] = options[key]
    }
    this.members = Object.freeze(members)
  }

  static [Symbol.hasInstance] (value: unknown): boolean {
    if (Object.hasOwn(this, kBaseClass)) return isProblemError(value)
    return Function.prototype[Symbol.hasInstance].call(this, value)
  }
}

/** True for a `ProblemError`, whichever copy of the package created it. */
export function isProblemError (value: unknown): value is ProblemError {
  try {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kProblemError] === true
  } catch {
    return false
  }
}
