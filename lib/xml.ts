/**
 * The XML form of a problem document (RFC 9457 appendix B): root `<problem>` in the namespace
 * `urn:ietf:rfc:7807`, one element per member in document order, arrays as `<i>` children, objects
 * as nested elements, every value escaped.
 */

/** Namespace of the XML form (RFC 9457 appendix B keeps RFC 7807's). */
export const PROBLEM_XML_NAMESPACE = 'urn:ietf:rfc:7807'

const XML_START = `<?xml version="1.0" encoding="UTF-8"?>\n<problem xmlns="${PROBLEM_XML_NAMESPACE}">`
/** A member name that is already a safe element name: ASCII, no colon, not starting with "xml". */
const PLAIN_NAME = /^(?!xml)(?!_x)[A-Za-z_](?:[A-Za-z0-9.-]|_(?!x))*$/i
/** Characters text content cannot carry as they are. */
// eslint-disable-next-line no-control-regex
const TEXT_SPECIAL = /[&<>\r\u0085\u2028\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff\ud800-\udfff]/
// eslint-disable-next-line no-control-regex
const TEXT_SPECIAL_ALL = /[&<>\r\u0085\u2028]|[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g
// line ends that parsers normalize to "\n" (XML 1.1 adds NEL and LINE SEPARATOR) are written as references, which they keep
const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;', '\u0085': '&#133;', '\u2028': '&#8232;' }

/** Escapes text content; characters XML 1.0 cannot carry at all (NUL, most C0 controls, lone surrogates) become U+FFFD. */
function escapeText (text: string): string {
  if (!TEXT_SPECIAL.test(text)) return text
  return text.replace(TEXT_SPECIAL_ALL, (c) => ENTITIES[c] ?? '\ufffd')
}

/** XML 1.0 (fifth edition) NameStartChar, without ":" (a colon would declare a namespace prefix). */
function isNameStart (c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f ||
    (c >= 0xc0 && c <= 0xd6) || (c >= 0xd8 && c <= 0xf6) || (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) || (c >= 0x37f && c <= 0x1fff) || (c >= 0x200c && c <= 0x200d) ||
    (c >= 0x2070 && c <= 0x218f) || (c >= 0x2c00 && c <= 0x2fef) || (c >= 0x3001 && c <= 0xd7ff) ||
    (c >= 0xf900 && c <= 0xfdcf) || (c >= 0xfdf0 && c <= 0xfffd) || (c >= 0x10000 && c <= 0xeffff)
}

/** XML 1.0 NameChar, without ":". */
function isNameChar (c: number): boolean {
  return isNameStart(c) || c === 0x2d || c === 0x2e || (c >= 0x30 && c <= 0x39) || c === 0xb7 ||
    (c >= 0x300 && c <= 0x36f) || (c >= 0x203f && c <= 0x2040)
}

function escapedChar (c: number): string {
  return `_x${c.toString(16).toUpperCase().padStart(4, '0')}_`
}

/**
 * The element name of a member name. Names that are not XML names (spaces, a leading digit, a
 * colon, a leading "xml", characters outside the name ranges) have each offending character written
 * as `_xHHHH_` (its code point in hex), as XmlConvert.EncodeLocalName does; a `_` followed by `x` is
 * written `_x005F_` so that every `_xHHHH_` in a name is an escape. The empty name is `_x_`.
 */
export function xmlElementName (name: string): string {
  if (PLAIN_NAME.test(name)) return name
  if (name === '') return '_x_'
  let out = ''
  let first = true
  for (let i = 0; i < name.length; i++) {
    const c = name.codePointAt(i) as number
    if (c > 0xffff) i++
    const reserved = first && /^xml/i.test(name)
    const underscoreX = c === 0x5f && name.charCodeAt(i + 1) === 0x78
    out += !reserved && !underscoreX && (first ? isNameStart(c) : isNameChar(c)) ? String.fromCodePoint(c) : escapedChar(c)
    first = false
  }
  return out
}

function element (name: string, value: unknown): string {
  const tag = xmlElementName(name)
  if (value === null || value === undefined) return `<${tag}/>`
  if (Array.isArray(value)) {
    let items = ''
    for (const item of value) items += element('i', item)
    return `<${tag}>${items}</${tag}>`
  }
  if (typeof value === 'object') return `<${tag}>${children(value as Record<string, unknown>)}</${tag}>`
  return `<${tag}>${escapeText(String(value))}</${tag}>`
}

function children (object: Record<string, unknown>): string {
  let xml = ''
  for (const key of Object.keys(object)) xml += element(key, object[key])
  return xml
}

/** The XML form of a problem document (a parsed JSON document: only JSON values). */
export function problemXml (document: Record<string, unknown>): string {
  return `${XML_START}${children(document)}</problem>\n`
}
