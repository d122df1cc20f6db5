/**
 * How catalog text is read by both renderers (Markdown and HTML): plain text, where a span between
 * single backticks (`like_this`) is code. Nothing else in catalog text is markup.
 */

/** A piece of catalog text: code (without its backticks) or plain text. */
export interface TextPart {
  readonly code: boolean
  readonly text: string
}

/** A code span of catalog text: one backtick, then at least one character that is neither a backtick nor a line break, then one backtick. */
const CODE_SPAN = /(`[^`\n]+`)/

/** Catalog text cut into plain text and code spans, in order. */
export function textParts (text: string): TextPart[] {
  return text.split(CODE_SPAN).flatMap((part, i): TextPart[] => {
    if (i % 2 === 1) return [{ code: true, text: part.slice(1, -1) }]
    return part === '' ? [] : [{ code: false, text: part }]
  })
}

/** Only web and relative links become links; any other scheme (javascript:, data:...) is shown as text. */
export function safeHref (url: string): string | undefined {
  // browsers ignore control characters and spaces inside a scheme: look at the URL as they do
  const seen = [...url].filter((c) => c.charCodeAt(0) > 0x20).join('')
  return /^[a-z][a-z0-9+.-]*:/i.test(seen) && !/^https?:/i.test(seen) ? undefined : url
}
