/**
 * One occurrence of a problem: the code, and what this time adds to it. `new ProblemError(code,
 * init)`, `reply.problem(code, init)`, a `mapError` result and the examples of the docs all carry
 * this one shape, read from the same `init` object.
 */
export interface Occurrence {
  readonly code: string
  /** Sent as `detail`. */
  readonly detail: string | undefined
  /** Extension members, validated against the catalog entry when sent. */
  readonly members: Readonly<Record<string, unknown>>
  /** Response headers the occurrence asks for (filtered when sent). */
  readonly headers: unknown
  /** Seconds before a retry may succeed; sent as `Retry-After` on retryable problems. */
  readonly retryAfter: number | undefined
  /** The underlying error: logged and recorded in telemetry, never sent. */
  readonly cause?: unknown
}

/** Keys of an `init` object that are not extension members. */
export const OCCURRENCE_KEYS: readonly string[] = Object.freeze(['detail', 'headers', 'retryAfter', 'cause'])
const OCCURRENCE_KEY_SET = new Set(OCCURRENCE_KEYS)

export const NO_MEMBERS: Readonly<Record<string, unknown>> = Object.freeze({})

/** The extension members of an `init` object: every key that is not an occurrence field, frozen. */
export function membersOf (init: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  let members: Record<string, unknown> | undefined
  for (const key of Object.keys(init)) {
    if (OCCURRENCE_KEY_SET.has(key)) continue
    members ??= {}
    members[key] = init[key]
  }
  return members === undefined ? NO_MEMBERS : Object.freeze(members)
}

/** `detail` of an `init` object, when it is a string. */
export function detailOf (init: Readonly<Record<string, unknown>>): string | undefined {
  return typeof init.detail === 'string' ? init.detail : undefined
}

/** `retryAfter` of an `init` object, when it is a number (the headers step checks its range). */
export function retryAfterOf (init: Readonly<Record<string, unknown>>): number | undefined {
  return typeof init.retryAfter === 'number' ? init.retryAfter : undefined
}

const NO_INIT: Readonly<Record<string, unknown>> = Object.freeze({})

/** The occurrence an `init` object describes. */
export function occurrenceOf (code: string, init: Readonly<Record<string, unknown>> | undefined): Occurrence {
  const given = init ?? NO_INIT
  return { code, detail: detailOf(given), members: membersOf(given), headers: given.headers, retryAfter: retryAfterOf(given), cause: given.cause }
}
