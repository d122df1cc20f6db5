import type { ProblemCategory } from '../catalog.ts'

/**
 * The words shared by the Markdown pages, the HTML pages and the JSON descriptions, so that the
 * three outputs say the same thing.
 */

/** Title of the reference index. */
export const INDEX_TITLE = 'Error reference'

/** Opening paragraph of the index. */
export const INDEX_INTRO = 'Every error this service returns is a problem document as defined by RFC 9457 (Problem Details for HTTP APIs), ' +
  'sent with the `application/problem+json` media type (exactly that, with no parameter). Clients that accept `application/json` only get the same document as ' +
  '`application/json`; clients that prefer `application/problem+xml` may get its XML form (RFC 9457 appendix B). Its `type` URI names the error code and leads to the code\'s page below; ' +
  'its `title` never changes for a code, so clients can branch on `type` and show `title` to people.'

/** The paragraph above the example in the index. */
export const RESPONSE_FORMAT_TEXT = 'All error responses have the same shape. This one was produced by the service itself:'

/** The paragraph after the field reference. */
export const EXTENSION_MEMBERS_TEXT = 'Some codes add extension members of their own; each code\'s page lists them with their type and meaning.'

/** What each category means, for the index and the code pages. */
export const CATEGORY_MEANINGS: Readonly<Record<ProblemCategory, { heading: string, label: string, meaning: string }>> = Object.freeze({
  user: {
    heading: 'User errors',
    label: 'user error (the caller has to change something)',
    meaning: 'The caller has to change something: the request, its credentials, the account or its settings. Sending the same request again gives the same answer, unless the code says it is retryable.'
  },
  platform: {
    heading: 'Platform errors',
    label: 'platform error (a failure on the service\'s side)',
    meaning: 'The service itself failed or is not available right now. The caller did nothing wrong; retryable ones are retried automatically and usually clear by themselves.'
  }
})

/** How the retry behaviour of a code reads on its page. */
export function retryLabel (retryable: boolean, category: ProblemCategory): string {
  if (!retryable) return 'No'
  return category === 'platform' ? 'Yes (automatic)' : 'Yes (the caller retries)'
}

/** Paragraph about `trace_id`, shown when the service sends it. */
export const TRACE_ID_TEXT = 'When a response carries a `trace_id`, quote it when you report the problem: it identifies the request in the service\'s traces and logs. ' +
  'It matters most for `internal_error` and other server-side errors.'

/** The notice of a deprecated code: a fixed sentence, then the catalog's message when it gives one. */
export function deprecationText (deprecated: true | string): string {
  const notice = 'This code is deprecated and may be removed in a future version.'
  return deprecated === true ? notice : `${notice} ${deprecated}`
}

/** Shown where a catalog entry lacks the text a section needs, so a gap is visible, never silently empty. */
export const NOT_DOCUMENTED = 'Not documented yet.'

/** Shown in place of an example when the catalog entry has none the service can send. */
export const NO_EXAMPLE_TEXT = 'No example: give this code an "example" in the catalog whose members match their schemas.'

/** Sentence shown for codes without extension members. */
export const NO_MEMBERS_TEXT = 'None: this problem carries only the standard members.'

/** Headings of a code page, in order. */
export const SECTION = Object.freeze({
  details: 'Details',
  members: 'Extension members',
  occurs: 'When does this occur?',
  example: 'Example response',
  resolve: 'How to resolve',
  related: 'Related',
  format: 'Response format',
  fields: 'Field reference',
  categories: 'Error categories',
  codes: 'All codes',
  traceId: 'Using the trace_id'
})

/** Link text pointing back to the index. */
export const ALL_CODES_LINK = 'All error codes'
