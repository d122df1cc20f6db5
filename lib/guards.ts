/**
 * Reading values the plugin does not control (thrown values, error properties, members) without
 * letting them break a response: a throwing getter, a revoked Proxy or a huge string is handled
 * here, once, for every module of the request path.
 */

/** Longest description of a thrown value, in the log and on the span. */
export const MAX_DESCRIPTION_LENGTH = 1000
/**
 * Longest text of one argument of a request-time developer error, in characters: its message is
 * written to a log line and a span, and an argument can be a value from the request (a code, the
 * message of a failure).
 */
export const MAX_ERROR_ARGUMENT_LENGTH = 2048
/** Longest stack trace written to a span event or a log record; a stack is for a developer, not a payload. */
export const MAX_STACK_LENGTH = 16_384

/** `instanceof Error` that a revoked Proxy or a throwing `getPrototypeOf` trap cannot break. */
export function isError (value: unknown): value is Error {
  try {
    return value instanceof Error
  } catch {
    return false
  }
}

/** Reads a property without letting a throwing getter or Proxy trap escape. */
export function safeGet (value: unknown, key: string): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined
  try {
    return (value as Record<string, unknown>)[key]
  } catch {
    return undefined
  }
}

/** Cuts a string to `max` characters without splitting a surrogate pair. */
export function bound (text: string, max: number): string {
  if (text.length <= max) return text
  let end = max - 1
  const code = text.charCodeAt(end - 1)
  if (code >= 0xd800 && code <= 0xdbff) end--
  return text.slice(0, end) + '…'
}

/** Longest name or code of an error the plugin writes to a log line, a span or a log record, in characters. */
export const MAX_NAME_LENGTH = 128

/** A string read from an error, cut to `max`; undefined for anything else. */
export function boundedText (value: unknown, max: number): string | undefined {
  return typeof value === 'string' ? bound(value, max) : undefined
}

/** An error's `code` as telemetry and logs carry it: a number as it is, a string cut to MAX_NAME_LENGTH. */
export function boundedCode (value: unknown): string | number | undefined {
  return typeof value === 'number' ? value : boundedText(value, MAX_NAME_LENGTH)
}

/**
 * A bounded text of a thrown value that is not an Error, never the raw value (it may be huge or
 * hostile); undefined when even `String()` throws (a Symbol.toPrimitive trap...).
 */
export function textOf (value: unknown): string | undefined {
  try {
    return (typeof value === 'string' ? value : String(value)).slice(0, MAX_DESCRIPTION_LENGTH)
  } catch {
    return undefined
  }
}

/** A short, safe description of a value for the developer's error messages. */
export function describe (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? value.slice(0, 60) + '…' : value)
  if (typeof value === 'object') return 'an object'
  return `${typeof value} ${String(value)}`
}
