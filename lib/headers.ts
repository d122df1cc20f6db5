import type { FastifyReply } from 'fastify'
import { safeGet } from './guards.ts'

/**
 * Headers that describe the representation the route was sending (its coding, length, range,
 * validators, file name, digests) or how to cache that success: a problem is a fresh representation,
 * so none of them may describe it.
 */
export const REPRESENTATION_HEADERS: readonly string[] = Object.freeze([
  'content-encoding', 'content-length', 'content-range', 'content-location', 'content-disposition', 'content-language',
  'content-md5', 'content-digest', 'repr-digest', 'digest', 'etag', 'last-modified',
  'cache-control', 'cdn-cache-control', 'surrogate-control', 'expires', 'pragma', 'age'
])
const REPRESENTATION_HEADER_SET = new Set(REPRESENTATION_HEADERS)
/** What every problem sends for caching, unless its own headers say otherwise: it describes one occurrence. */
export const PROBLEM_CACHE_CONTROL = 'no-store'

/** Representation headers a problem's own headers may set: the language of its detail, and how to cache it. */
const OWN_REPRESENTATION_HEADERS = new Set(['content-language', 'cache-control', 'cdn-cache-control', 'surrogate-control', 'expires', 'pragma'])
/**
 * Headers an error may not set: they describe the body or the connection, which the plugin owns,
 * or the representation the route was sending (all but the ones above).
 */
const FORBIDDEN = new Set(['content-type', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'trailer', 'te', 'host', 'set-cookie',
  ...REPRESENTATION_HEADERS.filter((name) => !OWN_REPRESENTATION_HEADERS.has(name))])
const VARY_ACCEPT = /(?:^|,)\s*(?:accept|\*)\s*(?:,|$)/i
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
/** Characters no header value may carry: control characters other than tab, DEL, and anything outside ASCII. */
// eslint-disable-next-line no-control-regex
export const UNSAFE_HEADER_VALUE = /[\u0000-\u0008\u000a-\u001f\u007f-\uffff]/
const MAX_HEADERS = 32
const MAX_VALUE_LENGTH = 4096

function safeValue (value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (typeof value !== 'string' || value.length > MAX_VALUE_LENGTH || UNSAFE_HEADER_VALUE.test(value)) return undefined
  return value
}

/**
 * Headers to send with a problem: the error's own headers when they are well formed (names are
 * tokens, values carry no control or non-Latin-1 characters), plus `Retry-After` for retryable
 * problems whose delay is known. Anything odd is dropped, never sent.
 */
export function problemHeaders (source: unknown, retryable: boolean, retryAfter: number | undefined, entryRetryAfter: number | undefined): Record<string, string | string[]> | undefined {
  let out: Record<string, string | string[]> | undefined
  if (source !== null && typeof source === 'object') {
    let keys: string[] = []
    try {
      keys = Object.keys(source).slice(0, MAX_HEADERS)
    } catch {}
    for (const key of keys) {
      const name = key.toLowerCase()
      if (!TOKEN.test(name) || FORBIDDEN.has(name)) continue
      const raw = safeGet(source, key)
      let value: string | string[] | undefined
      if (Array.isArray(raw)) {
        const values = raw.slice(0, MAX_HEADERS).map(safeValue)
        value = values.every((v) => v !== undefined) ? values as string[] : undefined
      } else {
        value = safeValue(raw)
      }
      if (value === undefined) continue
      if (name === 'retry-after' && (!retryable || typeof value !== 'string' || !/^(\d{1,10}|[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT)$/.test(value))) continue
      out ??= {}
      out[name] = value
    }
  }
  // the occurrence's own delay wins, then the error's header, then the catalog entry's default
  const delay = retryAfter ?? (out?.['retry-after'] === undefined ? entryRetryAfter : undefined)
  if (retryable && typeof delay === 'number' && Number.isInteger(delay) && delay >= 0 && delay <= 2 ** 31) {
    out ??= {}
    out['retry-after'] = String(delay)
  }
  return out
}

/**
 * The headers a thrown error other than a `ProblemError` may send, with the statuses of the problems
 * they may go with. Such an error's `headers` were written for another response (an HTTP client's
 * error carries the upstream's, a library's error its own debugging) and are dropped, all but these,
 * which tell the client how to go on:
 * - `retry-after`: when to retry (only on retryable problems, see problemHeaders);
 * - `www-authenticate` with 401 and 403: the challenge of the service's own authentication;
 * - `allow` with 405: the methods the resource supports (RFC 9110 section 15.5.6);
 * - `accept`, `accept-encoding`, `accept-patch`, `accept-post` with 415: what the resource accepts;
 * - the rate-limit headers with 429: the client's own quota.
 * A `ProblemError`'s headers are the service's own choice for this problem and are not filtered here.
 */
export const ERROR_HEADER_POLICY: Readonly<Record<string, readonly number[] | 'any'>> = Object.freeze({
  'retry-after': 'any',
  'www-authenticate': Object.freeze([401, 403]),
  allow: Object.freeze([405]),
  ...Object.fromEntries(['accept', 'accept-encoding', 'accept-patch', 'accept-post'].map((name) => [name, Object.freeze([415])])),
  ...Object.fromEntries(['ratelimit', 'ratelimit-policy', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'].map((name) => [name, Object.freeze([429])]))
})

/** Whether a thrown error (not a `ProblemError`) may send the header `name` with a problem of `status`. */
export function errorHeaderAllowed (name: string, status: number): boolean {
  const statuses = Object.hasOwn(ERROR_HEADER_POLICY, name) ? ERROR_HEADER_POLICY[name] : undefined
  return statuses === 'any' || (statuses !== undefined && statuses.includes(status))
}

/**
 * The `headers` of a thrown error (not a `ProblemError`) that ERROR_HEADER_POLICY lets go with a
 * problem of `status`, still to be checked by problemHeaders; undefined when none.
 */
export function errorHeaders (source: unknown, status: number): Record<string, unknown> | undefined {
  if (source === null || typeof source !== 'object') return undefined
  let keys: string[] = []
  try {
    keys = Object.keys(source)
  } catch {}
  let out: Record<string, unknown> | undefined
  for (const key of keys) {
    if (!errorHeaderAllowed(key.toLowerCase(), status)) continue
    out ??= {}
    out[key] = safeGet(source, key)
  }
  return out
}

/** `Vary` listing what the route varied on (and the problem's own), plus `Accept`, which chose the problem's form. */
function varyWithAccept (routeVary: unknown, ownVary: unknown): string {
  // the usual case: neither the route nor the problem varies on anything else
  if (routeVary === undefined && ownVary === undefined) return 'Accept'
  let vary = ''
  for (const value of [routeVary, ownVary]) {
    const text = Array.isArray(value) ? value.join(', ') : typeof value === 'string' ? value : ''
    if (text.trim() !== '' && text !== vary) vary = vary === '' ? text : `${vary}, ${text}`
  }
  if (vary === '') return 'Accept'
  return VARY_ACCEPT.test(vary) ? vary : `${vary}, Accept`
}

/**
 * Makes the reply describe the problem alone: the route's representation and caching headers
 * removed (from the reply and from the raw response, where a stream's headers go), the problem's
 * own headers set, `Vary: Accept` appended to the route's `Vary`, and `cache-control: no-store`
 * unless the problem set its own.
 */
export function resetRepresentation (reply: FastifyReply, own: Record<string, string | string[]> | undefined): void {
  // only the headers present are removed: a route usually set none, and each removal costs
  const present = reply.getHeaders()
  const routeVary = present.vary
  for (const name in present) {
    if (REPRESENTATION_HEADER_SET.has(name)) reply.removeHeader(name)
  }
  if (own !== undefined) reply.headers(own)
  reply.header('vary', varyWithAccept(routeVary, own?.vary))
  if (own?.['cache-control'] === undefined) reply.header('cache-control', PROBLEM_CACHE_CONTROL)
}
