// What every problem response must satisfy, checked over real HTTP. Shared by the property,
// edge, fault and soak tests. Each check returns the list of broken promises (empty when all hold),
// so thousands of cases can run with one assertion per batch.
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import type { FastifyInstance } from 'fastify'
import Ajv, { type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import { DOMParser, type Element as XmlElement } from '@xmldom/xmldom'
import { problemSchema } from '../lib/serializer.ts'

/** A response as it came off the wire. */
export interface WireResponse {
  status: number
  headers: IncomingHttpHeaders
  /** The raw header block (names and values) as received. */
  rawHeaders: string[]
  body: Buffer
}

/** Sends one request over a keep-alive agent and collects the raw response. */
export function send (agent: Agent, port: number, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, agent, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** A keep-alive agent closed with the test. */
export function keepAliveAgent (): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1 })
}

/** Namespace of the XML form (RFC 9457 appendix B). */
export const XML_NAMESPACE = 'urn:ietf:rfc:7807'
/** Characters XML 1.0 cannot carry, even escaped. */
// eslint-disable-next-line no-control-regex
const NOT_XML_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

type JsonSchema = Record<string, any> | undefined

/** A member name from its element name: `_xHHHH_` escapes decoded, `_x_` is the empty name. */
export function memberName (elementName: string): string {
  if (elementName === '_x_') return ''
  return elementName.replace(/_x([0-9A-F]{4,6})_/g, (_match, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
}

function childElements (element: XmlElement): XmlElement[] {
  const out: XmlElement[] = []
  for (let node = element.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType === 1) out.push(node as XmlElement)
  }
  return out
}

function typesOf (schema: JsonSchema): string[] {
  const type = schema?.type
  return Array.isArray(type) ? type : typeof type === 'string' ? [type] : []
}

/**
 * The JSON value an element of the XML form stands for, read as appendix B writes it, with the
 * member's schema telling numbers, booleans and strings apart (XML text has no types).
 * Every element must be in the problem namespace and arrays must hold `<i>` elements only.
 */
function valueOf (element: XmlElement, schema: JsonSchema, broken: string[]): unknown {
  if (element.namespaceURI !== XML_NAMESPACE || element.prefix !== null) broken.push(`element ${element.tagName} is not in ${XML_NAMESPACE} without a prefix`)
  const kids = childElements(element)
  const types = typesOf(schema)
  if (types.includes('array')) {
    if (kids.some((kid) => kid.localName !== 'i')) broken.push(`array ${element.localName} holds elements other than <i>`)
    return kids.map((kid) => valueOf(kid, schema?.items, broken))
  }
  if (types.includes('object') || kids.length > 0) {
    const object: Record<string, unknown> = {}
    for (const kid of kids) {
      const name = memberName(kid.localName ?? '')
      object[name] = valueOf(kid, schema?.properties?.[name], broken)
    }
    return object
  }
  const text = element.textContent ?? ''
  if (types.includes('integer') || types.includes('number')) return text === '' ? text : Number(text)
  if (types.includes('boolean')) return text === 'true' ? true : text === 'false' ? false : text
  if (text === '' && types.includes('null')) return null
  return text
}

/** Parses the XML form with a real XML parser and reads it back as the JSON document it stands for. */
export function readXmlProblem (text: string, schemaOfType: (type: string) => JsonSchema): { broken: string[], body: Record<string, unknown> | undefined } {
  const broken: string[] = []
  if (!text.startsWith('<?xml version="1.0" encoding="UTF-8"?>')) broken.push('no XML declaration')
  if (NOT_XML_CHARACTER.test(text)) broken.push('a character XML 1.0 cannot carry')
  let root: XmlElement | null
  try {
    const parsed = new DOMParser({ onError: (level, message) => { if (level !== 'warning') throw new Error(`${level}: ${message}`) } }).parseFromString(text, 'application/xml')
    root = parsed.documentElement
  } catch (error) {
    broken.push(`body is not well-formed XML: ${(error as Error).message.slice(0, 200)}`)
    return { broken, body: undefined }
  }
  if (root === null || root.localName !== 'problem') {
    broken.push('the root element is not <problem>')
    return { broken, body: undefined }
  }
  const type = childElements(root).find((kid) => kid.localName === 'type')?.textContent ?? ''
  const body = valueOf(root, { type: 'object', properties: schemaOfType(type)?.properties }, broken) as Record<string, unknown>
  return { broken, body }
}

/** The media types a problem may be sent with. */
export const PROBLEM_CONTENT_TYPES = ['application/problem+json', 'application/json', 'application/problem+xml'] as const

export interface ProblemExpectations {
  /** The content type negotiation must choose, when the case knows it. */
  contentType?: string
  /** Strings that must not appear in any byte of the response (headers included). */
  forbidden?: readonly string[]
  /** Expected status, when the case knows it. */
  status?: number
  /** Path the `instance` member must equal. */
  instance?: string
}

const STACK_FRAME = /\n\s+at |\bat [^\s]+ \(|node:internal|\.ts:\d+:\d+|\.js:\d+:\d+/

/** Builds the checker of one app: the published schema, plus each code's own members. */
export function problemChecker (app: FastifyInstance, options: { errorMember?: boolean, traceId?: boolean } = {}) {
  const ajv = new Ajv({ strict: false, allErrors: true })
  addFormats(ajv)
  const published: ValidateFunction = ajv.compile({ ...problemSchema({ errorMember: options.errorMember ?? true, traceId: options.traceId ?? true }), $id: undefined })
  // each code's published schema (`schemaOf(code)`), compiled once with ajv and ajv-formats as a
  // client would, closed to undeclared members; and its link members (format uri or url)
  const byType = new Map<string, { code: string, schema: Record<string, unknown>, validate: ValidateFunction, allowed: Set<string>, links: string[] }>()
  for (const [code, entry] of app.problemDetails.catalog) {
    const schema = app.problemDetails.schemaOf(code)
    const properties = schema.properties as Record<string, { format?: unknown }>
    const links = Object.keys(entry.members).filter((name) => properties[name]?.format === 'uri' || properties[name]?.format === 'url')
    byType.set(entry.type, { code, schema, validate: ajv.compile({ ...schema, additionalProperties: false }), allowed: new Set(Object.keys(properties)), links })
  }
  const aboutBlank = app.problemDetails.schemaOf('about:blank')
  const schemaOfType = (type: string) => byType.get(type)?.schema ?? aboutBlank
  const aboutBlankValidate = ajv.compile({ ...aboutBlank, additionalProperties: false })

  /** Every broken promise of one response; also returns the parsed body when it parsed. */
  function check (res: WireResponse, expect: ProblemExpectations = {}): { broken: string[], body: Record<string, unknown> | undefined } {
    const broken: string[] = []
    if (!(res.status >= 400 && res.status <= 599)) broken.push(`status ${res.status} is not 400-599`)
    if (expect.status !== undefined && res.status !== expect.status) broken.push(`status ${res.status}, expected ${expect.status}`)
    const contentType = String(res.headers['content-type'])
    if (!(PROBLEM_CONTENT_TYPES as readonly string[]).includes(contentType)) broken.push(`content type ${contentType}`)
    if (expect.contentType !== undefined && contentType !== expect.contentType) broken.push(`content type ${contentType}, expected ${expect.contentType}`)
    // a fresh representation: negotiated on Accept, never cached, no coding of the route's payload
    if (!/(?:^|,)\s*accept\s*(?:,|$)/i.test(String(res.headers.vary))) broken.push(`vary ${String(res.headers.vary)} does not name Accept`)
    if (res.headers['content-encoding'] !== undefined) broken.push(`content-encoding ${String(res.headers['content-encoding'])}`)
    if (res.headers['cache-control'] === undefined) broken.push('no cache-control')
    const text = res.body.toString('utf8')
    const headerBytes = res.rawHeaders.join('\n')
    for (const canary of expect.forbidden ?? []) {
      if (text.includes(canary) || res.body.includes(canary) || headerBytes.includes(canary)) broken.push(`forbidden string ${JSON.stringify(canary)} reached the response`)
    }
    if (STACK_FRAME.test(text) || STACK_FRAME.test(headerBytes)) broken.push('a stack frame reached the response')
    let body: Record<string, unknown> | undefined
    if (contentType === 'application/problem+xml') {
      const read = readXmlProblem(text, schemaOfType)
      broken.push(...read.broken)
      if (read.body === undefined) return { broken, body: undefined }
      body = read.body
    } else {
      try {
        body = JSON.parse(text)
      } catch {
        broken.push(`body is not JSON: ${JSON.stringify(text.slice(0, 200))}`)
        return { broken, body }
      }
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      broken.push('body is not an object')
      return { broken, body: undefined }
    }
    if (!published(body)) broken.push(`body fails the published schema: ${ajv.errorsText(published.errors)}`)
    if (body.status !== res.status) broken.push(`status member ${String(body.status)} differs from HTTP ${res.status}`)
    const own = byType.get(String(body.type))
    const validate = own?.validate ?? aboutBlankValidate
    if (own === undefined && body.type !== 'about:blank') broken.push(`type ${String(body.type)} is neither a catalog type nor about:blank`)
    if (!validate(body)) broken.push(`body fails the published schema of its code (schemaOf): ${ajv.errorsText(validate.errors)}`)
    // a client's `uri` format accepts any scheme; the plugin sends only links a client may open
    for (const name of own?.links ?? []) {
      if (body[name] !== undefined && !(typeof body[name] === 'string' && /^https?:\/\/[^\s/?#]/i.test(body[name]))) broken.push(`link member ${name} is not an http(s) URL: ${JSON.stringify(body[name]).slice(0, 60)}`)
    }
    if ((options.errorMember ?? true) && body.error !== (body.detail === undefined ? body.title : `${String(body.title)} (${String(body.detail)})`)) {
      broken.push(`error member ${JSON.stringify(body.error)} does not follow "title (detail)"`)
    }
    if (expect.instance !== undefined && body.instance !== expect.instance) broken.push(`instance ${String(body.instance)}, expected ${expect.instance}`)
    if (typeof body.instance === 'string' && body.instance.includes('?')) broken.push('instance carries a query string')
    return { broken, body }
  }

  return check
}

/**
 * Bounds of the plugin's log line (docs/security.md, "Logs, spans and bounds"), in characters of
 * text (the names and string values of the line, as the logger received them): a 4xx line in the
 * default brief mode, whole; any line, less the `err` the logger serializes itself.
 */
export const BRIEF_LOG_LINE_TEXT_BOUND = 4096
export const LOG_LINE_TEXT_BOUND_WITHOUT_ERR = 8192
/** Bound of an exception event the plugin records on a span, in characters of attribute text. */
export const EXCEPTION_EVENT_TEXT_BOUND = 20_480

/** Characters of text in a value: every string value and every key, at any depth. */
export function textLength (value: unknown): number {
  if (typeof value === 'string') return value.length
  if (value === null || typeof value !== 'object') return String(value).length
  let length = 0
  for (const [key, item] of Object.entries(value)) length += key.length + textLength(item)
  return length
}

/**
 * Broken promises of one of the plugin's log lines (a line with a `problem` field), with the
 * default `clientErrorLogDetail: 'brief'`: a 4xx line (one sent, not a response already started)
 * carries no `err` and is bounded whole; any line is bounded less its `err`.
 */
export function logLineBroken (line: Record<string, unknown>): string[] {
  const broken: string[] = []
  const { err, ...rest } = line
  const withoutErr = textLength(rest)
  if (withoutErr > LOG_LINE_TEXT_BOUND_WITHOUT_ERR) broken.push(`log line of ${withoutErr} characters besides err, over ${LOG_LINE_TEXT_BOUND_WITHOUT_ERR}`)
  if (typeof line.status === 'number' && line.status < 500 && line.response_started === undefined) {
    const whole = textLength(line)
    if (err !== undefined) broken.push('a 4xx line carries err')
    if (whole > BRIEF_LOG_LINE_TEXT_BOUND) broken.push(`brief 4xx log line of ${whole} characters, over ${BRIEF_LOG_LINE_TEXT_BOUND}`)
    if (/\n\s+at /.test(JSON.stringify(line.error))) broken.push('a brief 4xx log line carries a stack')
  }
  return broken
}

/**
 * Headers of a thrown error (not a ProblemError) that reached the response outside the documented
 * policy (lib/headers.ts ERROR_HEADER_POLICY): a response header equal to the thrown one, under a
 * name the policy does not allow with the response's status.
 */
export function headerPolicyBroken (res: WireResponse, thrownHeaders: Record<string, unknown> | undefined, allowed: (name: string, status: number) => boolean): string[] {
  const broken: string[] = []
  for (const [name, value] of Object.entries(thrownHeaders ?? {})) {
    if (typeof value !== 'string' && typeof value !== 'number') continue
    const lower = name.toLowerCase()
    if (res.headers[lower] === String(value) && !allowed(lower, res.status)) broken.push(`the thrown error's ${lower} header reached a ${res.status} response outside the header policy`)
  }
  return broken
}

/** Exception events over the bound, among the events of finished spans. */
export function exceptionEventsBroken (events: ReadonlyArray<{ name: string, attributes?: Record<string, unknown> }>): string[] {
  const broken: string[] = []
  for (const event of events) {
    if (event.name !== 'exception') continue
    const length = textLength(event.attributes ?? {})
    if (length > EXCEPTION_EVENT_TEXT_BOUND) broken.push(`exception event of ${length} characters, over ${EXCEPTION_EVENT_TEXT_BOUND}`)
  }
  return broken
}
