import { deferredModules } from './deferred.ts'
import type { ResolvedProblemEntry } from './catalog.ts'
import type { ProblemDocument } from './problem.ts'
import type { MemberSchema } from './member-types.ts'

/** `$id` of the shared problem schema registered with `addSchema`; `$ref: 'ProblemDetails#'` from routes. */
export const PROBLEM_SCHEMA_ID = 'ProblemDetails'

const VALIDATION_ISSUE_SCHEMA = {
  type: 'object',
  description: 'One validation failure.',
  properties: {
    detail: { type: 'string', description: 'What is wrong with this value.' },
    pointer: { type: 'string', description: 'JSON Pointer (as a URI fragment) to the body value at fault.' },
    parameter: { type: 'string', description: 'The query string or path parameter at fault.' },
    header: { type: 'string', description: 'The request header at fault.' }
  },
  required: ['detail']
} as const

/** The members every problem may carry, in wire order, with their meaning. */
export const STANDARD_MEMBER_SCHEMAS = {
  type: { type: 'string', format: 'uri-reference', description: 'URI reference identifying the problem type; it resolves to the documentation of the code.' },
  title: { type: 'string', description: 'Short, human-readable summary of the problem type. It does not change between occurrences.' },
  status: { type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status code of this response.' },
  detail: { type: 'string', description: 'Explanation specific to this occurrence. Present only when there is one.' },
  instance: { type: 'string', description: 'The request path that produced the problem, without the query string.' },
  error: { type: 'string', description: 'Backward-compatible summary: the title, followed by the detail in parentheses when there is one.' },
  retryable: { type: 'boolean', description: 'Whether sending the same request again may succeed.' },
  trace_id: { type: 'string', pattern: '^[0-9a-f]{32}$', description: 'OpenTelemetry trace id of the request, when tracing is active. Quote it when contacting support.' },
  errors: { type: 'array', items: VALIDATION_ISSUE_SCHEMA, description: 'Every validation failure, for invalid requests.' }
} as const

/** The shared problem schema (members that every problem may carry; extension members are allowed). */
export function problemSchema (options: { errorMember: boolean, traceId: boolean }): Record<string, unknown> {
  const properties: Record<string, unknown> = { ...STANDARD_MEMBER_SCHEMAS }
  if (!options.errorMember) delete properties.error
  if (!options.traceId) delete properties.trace_id
  const required = ['type', 'title', 'status', 'instance', 'retryable']
  if (options.errorMember) required.push('error')
  return {
    $id: PROBLEM_SCHEMA_ID,
    type: 'object',
    title: PROBLEM_SCHEMA_TITLE,
    description: 'An error response, sent as application/problem+json.',
    properties,
    required,
    additionalProperties: true
  }
}

/** The exact schema of one code's documents: the standard members followed by its extension members. */
export function entrySchema (entry: ResolvedProblemEntry | undefined): { type: 'object', properties: Record<string, MemberSchema | object> } {
  return {
    type: 'object',
    properties: entry === undefined ? { ...STANDARD_MEMBER_SCHEMAS } : { ...STANDARD_MEMBER_SCHEMAS, ...entry.members }
  }
}

/** `title` of the shared problem schema; the OpenAPI document names its component after `PROBLEM_SCHEMA_ID` by it. */
export const PROBLEM_SCHEMA_TITLE = 'Problem Details (RFC 9457)'

export type ProblemSerializer = (problem: ProblemDocument) => string
/** The serializer of a code's documents (about:blank for `undefined`). */
export type SerializerFor = (entry: ResolvedProblemEntry | undefined) => ProblemSerializer

/** How many details a code's serializer remembers the JSON of (then it starts again from none). */
export const MAX_REMEMBERED_DETAILS = 64
/** Longer details are escaped each time: the sentences a service repeats are short, and memory stays bounded (about 64 KiB per code). */
export const MAX_REMEMBERED_DETAIL_LENGTH = 256

/** The JSON of one `detail`, and of the `error` member made from it (`title (detail)`). */
interface DetailJson {
  /** `,"detail":"..."` */
  readonly detail: string
  /** The `error` text this JSON is for, compared with the document's own before it is used. */
  readonly errorText: string
  /** `,"error":"..."` */
  readonly error: string
}

/**
 * JSON.stringify escapes each character on its own (a surrogate half that is not part of a pair
 * is escaped; nothing here can pair with a neighbour across the ` (` and `)` around the detail),
 * so the `error` member's JSON is the title's and the detail's JSON put together.
 */
function detailJsonOf (title: string, titleJson: string, detail: string): DetailJson {
  const detailJson = JSON.stringify(detail)
  return {
    detail: `,"detail":${detailJson}`,
    errorText: `${title} (${detail})`,
    error: `,"error":${titleJson.slice(0, -1)} (${detailJson.slice(1, -1)})"`
  }
}

/**
 * Writes a problem of a code without extension members: the standard members, in the same order
 * and with the same escaping as the fast-json-stringify serializer of `entrySchema()` (a property
 * test proves the two byte-identical), with the constant start of each code's document written
 * once. A service sends the same few details again and again (most are sentences in its code): the
 * JSON of a detail and of the `error` made from it is remembered per code, so escaping them, the
 * dearest part of writing a problem, is done once. Problems that carry validation `errors` go to
 * the schema serializer.
 */
function standardMembersSerializer (entry: ResolvedProblemEntry | undefined, schemaSerializer: ProblemSerializer): ProblemSerializer {
  const titleJson = entry === undefined ? undefined : JSON.stringify(entry.title)
  const start = entry === undefined ? undefined : `{"type":${JSON.stringify(entry.type)},"title":${titleJson},"status":${entry.status}`
  const remembered = new Map<string, DetailJson>()

  function rememberedJson (title: string, detail: string): DetailJson {
    let parts = remembered.get(detail)
    if (parts === undefined) {
      parts = detailJsonOf(title, titleJson as string, detail)
      if (detail.length <= MAX_REMEMBERED_DETAIL_LENGTH) {
        if (remembered.size >= MAX_REMEMBERED_DETAILS) remembered.clear()
        remembered.set(detail, parts)
      }
    }
    return parts
  }

  return function serializeStandardProblem (problem: ProblemDocument): string {
    if (problem.errors !== undefined) return schemaSerializer(problem)
    const { title, detail, error } = problem
    // the code's own document (always, from buildProblem): its constant start and remembered details;
    // anything else (about:blank, whose title is its status's) is written from its own members
    const known = start !== undefined && title === (entry as ResolvedProblemEntry).title
    const ownTitleJson = known ? titleJson as string : JSON.stringify(title)
    let json = known ? start as string : `{"type":${JSON.stringify(problem.type)},"title":${ownTitleJson},"status":${problem.status}`
    let errorJson: string | undefined
    if (detail !== undefined) {
      const parts = known ? rememberedJson(title, detail) : detailJsonOf(title, ownTitleJson, detail)
      json += parts.detail
      if (error === parts.errorText) errorJson = parts.error
    }
    json += `,"instance":${JSON.stringify(problem.instance)}`
    if (error !== undefined) json += errorJson ?? (error === title ? `,"error":${ownTitleJson}` : `,"error":${JSON.stringify(error)}`)
    json += problem.retryable ? ',"retryable":true' : ',"retryable":false'
    if (problem.trace_id !== undefined) json += `,"trace_id":${JSON.stringify(problem.trace_id)}`
    return json + '}'
  }
}

/**
 * Serializers, one per code, made on first use so registration stays fast with large catalogs.
 * Codes with extension members are written by fast-json-stringify (Fastify's own serializer)
 * compiled from the code's schema, so only declared members are ever written.
 */
export function createSerializers (): SerializerFor {
  // loaded by now (see deferred.ts): per-code serializers compile at request time and must not wait
  const { fastJsonStringify } = deferredModules()
  const cache = new Map<string, ProblemSerializer>()
  const standardSchemaSerializer = fastJsonStringify(entrySchema(undefined)) as ProblemSerializer
  const aboutBlank = standardMembersSerializer(undefined, standardSchemaSerializer)
  return function serializerFor (entry: ResolvedProblemEntry | undefined): ProblemSerializer {
    if (entry === undefined) return aboutBlank
    let serialize = cache.get(entry.code)
    if (serialize === undefined) {
      serialize = entry.memberNames.length === 0
        ? standardMembersSerializer(entry, standardSchemaSerializer)
        : fastJsonStringify(entrySchema(entry)) as ProblemSerializer
      cache.set(entry.code, serialize)
    }
    return serialize
  }
}
