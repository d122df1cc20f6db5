/**
 * Which form of the problem the client gets, from its `Accept` header (RFC 9110 section 12.5.1).
 * Never a 406 and never an empty body: when the client accepts none of the forms, it still gets
 * `application/problem+json`.
 */

/** Media type of problem documents in JSON (RFC 9457 section 3). */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json'
/** Media type of problem documents in XML (RFC 9457 appendix B). */
export const PROBLEM_XML_MEDIA_TYPE = 'application/problem+xml'
/** The same JSON document, for clients that accept `application/json` but not `application/problem+json`. */
export const JSON_MEDIA_TYPE = 'application/json'

/** The forms a problem is sent in, in the order the service prefers them when the client ranks them equally. */
export type ProblemFormat = typeof PROBLEM_MEDIA_TYPE | typeof JSON_MEDIA_TYPE | typeof PROBLEM_XML_MEDIA_TYPE

/** Chooses the form of one response from the request's `Accept` header. */
export type Negotiator = (accept: string | undefined) => ProblemFormat

/** Accept values seen often enough to answer without parsing. */
const COMMON_ACCEPTS: ReadonlyMap<string, ProblemFormat> = new Map<string, ProblemFormat>([
  ['', PROBLEM_MEDIA_TYPE],
  ['*/*', PROBLEM_MEDIA_TYPE],
  ['application/*', PROBLEM_MEDIA_TYPE],
  [PROBLEM_MEDIA_TYPE, PROBLEM_MEDIA_TYPE],
  [JSON_MEDIA_TYPE, JSON_MEDIA_TYPE],
  // axios and many generated clients
  ['application/json, text/plain, */*', PROBLEM_MEDIA_TYPE]
])
/** Parsed Accept values are remembered, up to this many, each up to MAX_CACHED_LENGTH characters. */
const CACHE_SIZE = 256
const MAX_CACHED_LENGTH = 512
const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/

interface Offer { readonly format: ProblemFormat, readonly type: string, readonly subtype: string }

/** How well the best matching range of the header accepts one offer. */
interface Match { q: number, specificity: number }

/** Splits `text` at `separator` (a character code) outside quoted strings. */
function splitOutsideQuotes (text: string, separator: number): string[] {
  const parts: string[] = []
  let start = 0
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (quoted) {
      if (c === 92) i++ // backslash: the next character is escaped
      else if (c === 34) quoted = false
    } else if (c === 34) {
      quoted = true
    } else if (c === separator) {
      parts.push(text.slice(start, i))
      start = i + 1
    }
  }
  parts.push(text.slice(start))
  return parts
}

/** Applies one media range of the header to every offer; a malformed range is ignored. */
function applyRange (range: string, offers: readonly Offer[], matches: Match[]): void {
  const [mediaRange, ...parameters] = splitOutsideQuotes(range, 59 /* ; */)
  const slash = mediaRange.indexOf('/')
  const type = mediaRange.slice(0, slash).trim().toLowerCase()
  const subtype = mediaRange.slice(slash + 1).trim().toLowerCase()
  if (slash === -1 || !TOKEN.test(type) || !TOKEN.test(subtype) || (type === '*' && subtype !== '*')) return
  let q = 1
  let ownParameters = 0
  for (const parameter of parameters) {
    const equals = parameter.indexOf('=')
    const name = (equals === -1 ? parameter : parameter.slice(0, equals)).trim().toLowerCase()
    if (name === 'q') {
      const value = parameter.slice(equals + 1).trim()
      if (equals === -1 || !QVALUE.test(value)) return
      q = Number(value)
      break // what follows q are accept extensions, not parameters of the media type
    }
    if (name !== '') ownParameters++
  }
  // RFC 9110: the most specific range that matches an offer sets its weight
  const specificity = type === '*' ? 0 : subtype === '*' ? 1 : ownParameters > 0 ? 3 : 2
  for (let i = 0; i < offers.length; i++) {
    const offer = offers[i]
    if ((type === '*' || type === offer.type) && (subtype === '*' || subtype === offer.subtype) && specificity > matches[i].specificity) {
      matches[i] = { q, specificity }
    }
  }
}

/** The offer the header ranks highest; ties go to the earlier offer; nothing accepted gives the first. */
function preferredOffer (accept: string, offers: readonly Offer[]): ProblemFormat {
  const matches: Match[] = offers.map(() => ({ q: 0, specificity: -1 }))
  for (const range of splitOutsideQuotes(accept, 44 /* , */)) applyRange(range, offers, matches)
  let best = 0
  for (let i = 1; i < offers.length; i++) {
    if (matches[i].q > matches[best].q) best = i
  }
  return offers[best].format
}

function offer (format: ProblemFormat): Offer {
  const [type, subtype] = format.split('/')
  return { format, type, subtype }
}

/**
 * The negotiator of one plugin registration. `application/problem+json` first, then
 * `application/json` (the same document), then `application/problem+xml` when `xml` is on.
 */
export function createNegotiator (xml: boolean): Negotiator {
  const offers = xml ? [offer(PROBLEM_MEDIA_TYPE), offer(JSON_MEDIA_TYPE), offer(PROBLEM_XML_MEDIA_TYPE)] : [offer(PROBLEM_MEDIA_TYPE), offer(JSON_MEDIA_TYPE)]
  const seen = new Map<string, ProblemFormat>()
  return function negotiateProblemFormat (accept: string | undefined): ProblemFormat {
    if (accept === undefined) return PROBLEM_MEDIA_TYPE
    const common = COMMON_ACCEPTS.get(accept)
    if (common !== undefined) return common
    let format = seen.get(accept)
    if (format === undefined) {
      format = preferredOffer(accept, offers)
      if (accept.length <= MAX_CACHED_LENGTH) {
        if (seen.size >= CACHE_SIZE) seen.clear()
        seen.set(accept, format)
      }
    }
    return format
  }
}
