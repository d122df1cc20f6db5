import { detailOf, membersOf, retryAfterOf, type Occurrence } from './occurrence.ts'
import type { ProblemCode, ProblemInit, ProblemInitArgs } from './types.ts'

/**
 * Which `ProblemError`s capture a stack trace when they are constructed:
 * - `'none'`: none. A problem is an expected outcome, not a crash: its `stack` is the one line
 *   `ProblemError: <code>: <detail>`, and its `cause` keeps the underlying error's own stack.
 *   Capturing a stack is the dearest part of a thrown error's response.
 * - `'server-errors'`: those of codes whose status is 5xx (the ones logged at the server level with
 *   their error), none for 4xx.
 * - `'all'`: every one (development: where each problem was thrown).
 */
export type ProblemErrorStacks = 'none' | 'server-errors' | 'all'
/** The values of the `problemErrorStacks` option. */
export const PROBLEM_ERROR_STACKS: readonly ProblemErrorStacks[] = Object.freeze(['none', 'server-errors', 'all'])

interface StackPolicy {
  stacks: ProblemErrorStacks
  /** Codes whose status is 5xx in some registered catalog (recorded before a registration sets 'server-errors'). */
  readonly serverCodes: Set<string>
}

/**
 * The stack policy is the process's, like `Error.stackTraceLimit`: a `ProblemError` is constructed
 * before any plugin sees it. Kept on the global object, so that the CommonJS and ESM copies of the
 * package share it.
 */
const kStackPolicy = Symbol.for('fastify-problem-details.ProblemError.stacks')
const globalSlot = globalThis as unknown as Record<symbol, StackPolicy | undefined>
const stackPolicy: StackPolicy = globalSlot[kStackPolicy] ??= { stacks: 'none', serverCodes: new Set() }

/** Sets which `ProblemError`s capture a stack (the plugin's `problemErrorStacks` option), for the whole process. */
export function setProblemErrorStacks (stacks: ProblemErrorStacks): void {
  stackPolicy.stacks = stacks
}

/** Which `ProblemError`s capture a stack now. */
export function problemErrorStacks (): ProblemErrorStacks {
  return stackPolicy.stacks
}

/** Records the 5xx codes of a registered catalog, for `'server-errors'`. */
export function recordServerCodes (codes: Iterable<string>): void {
  for (const code of codes) stackPolicy.serverCodes.add(code)
}

function capturesStack (code: string): boolean {
  const stacks = stackPolicy.stacks
  return stacks === 'all' || (stacks === 'server-errors' && stackPolicy.serverCodes.has(code))
}

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
    const message = detail === undefined ? code : `${code}: ${detail}`
    const capture = capturesStack(code)
    // no stack: V8 walks no frames when the limit is 0 (restored at once, the constructor cannot throw in between)
    const limit = Error.stackTraceLimit
    if (!capture) Error.stackTraceLimit = 0
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    if (!capture) Error.stackTraceLimit = limit
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
