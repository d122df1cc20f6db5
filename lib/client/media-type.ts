/**
 * The media types a problem document may come with, matched by plain string operations (no
 * regular expression runs over the upstream's header).
 */

/** How a `content-type` relates to problem documents. */
export type ProblemMediaType = 'problem' | 'json' | 'other'

/** Longest `content-type` header looked at; a longer one is not a problem document. */
const MAX_CONTENT_TYPE_LENGTH = 256

/**
 * `problem` for `application/problem+json` (any parameters, any case), `json` for
 * `application/json` and other `+json` types (a body there must also look like a problem),
 * `other` for everything else.
 */
export function problemMediaType (contentType: string | null): ProblemMediaType {
  if (contentType === null || contentType.length > MAX_CONTENT_TYPE_LENGTH) return 'other'
  const end = contentType.indexOf(';')
  const essence = (end === -1 ? contentType : contentType.slice(0, end)).trim().toLowerCase()
  if (essence === 'application/problem+json') return 'problem'
  if (essence === 'application/json' || (essence.startsWith('application/') && essence.endsWith('+json'))) return 'json'
  return 'other'
}
