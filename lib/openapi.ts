import type { FastifyBaseLogger, RouteOptions } from 'fastify'
import type { ResolvedProblemEntry } from './catalog.ts'
import { FST_PROBLEM_INVALID_ROUTE_PROBLEMS, FST_PROBLEM_UNKNOWN_CODE } from './errors.ts'
import { exampleResponse } from './example.ts'
import { safeGet } from './guards.ts'
import type { ProblemDetailsConfig } from './options.ts'
import { PROBLEM_MEDIA_TYPE } from './responder.ts'
import { PROBLEM_SCHEMA_ID, type SerializerFor } from './serializer.ts'
import { reasonPhrase } from './status-phrases.ts'

const RETRY_AFTER_HEADER = Object.freeze({ type: 'integer', minimum: 0, description: 'Seconds to wait before retrying; sent when the delay is known.' })
const WWW_AUTHENTICATE_HEADER = Object.freeze({ type: 'string', description: 'The authentication challenge (RFC 9110 section 11.6.1).' })
/** The media types a problem is documented with: the service sends the same document as either, by the client's Accept. */
const DOCUMENTED_MEDIA_TYPES = Object.freeze([PROBLEM_MEDIA_TYPE, 'application/json'])
/** What @fastify/swagger documents for a route without response schemas; kept when the plugin adds problem responses. */
const DEFAULT_SUCCESS_RESPONSE = Object.freeze({ type: 'null', description: 'Default Response' })
const ERROR_STATUS = /^(?:[45]\d\d|[45]xx)$/i
const SUCCESS_STATUS = /^(?:2\d\d|2xx|default)$/i

/** The OpenAPI form of a route URL, as `paths` keys it: `/tasks/:id` -> `/tasks/{id}`. */
export function openapiPath (url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)(?:\([^)]*\))?/g, '{$1}')
}

/**
 * Whether a route's own response schema describes what the plugin sends: it references the shared
 * problem schema, or has the members of a problem document (as `app.problemDetails.schemaOf()` does).
 */
function describesProblems (schema: unknown): boolean {
  const properties = safeGet(schema, 'properties')
  if (properties !== null && typeof properties === 'object' && ['type', 'title', 'status'].every((name) => Object.hasOwn(properties, name))) return true
  return referencesProblemSchema(schema, 0)
}

function referencesProblemSchema (node: unknown, depth: number): boolean {
  if (node === null || typeof node !== 'object' || depth > 32) return false
  const ref = (node as { $ref?: unknown }).$ref
  if (typeof ref === 'string' && ref.startsWith(`${PROBLEM_SCHEMA_ID}#`)) return true
  return Object.values(node).some((value) => referencesProblemSchema(value, depth + 1))
}

/** An OpenAPI example object: `value` is the body the service sends for the code's example. */
export interface ProblemExample {
  summary: string
  value: Record<string, unknown>
}

/** `code (title)`, with the deprecation when there is one: `code (title; deprecated: use other_code)`. */
function describeEntry (entry: ResolvedProblemEntry): string {
  const deprecated = entry.deprecated === undefined ? '' : entry.deprecated === true ? '; deprecated' : `; deprecated: ${entry.deprecated}`
  return `${entry.code} (${entry.title}${deprecated})`
}

/** The schema of one code's documents: the shared problem schema narrowed to its `type`, plus its members. */
export function codeSchema (entry: ResolvedProblemEntry): Record<string, unknown> {
  const own: Record<string, unknown> = {
    type: 'object',
    title: entry.code,
    properties: {
      type: { type: 'string', enum: [entry.type] },
      status: { type: 'integer', enum: [entry.status] },
      ...entry.members
    }
  }
  if (entry.required.length > 0) own.required = [...entry.required]
  // `deprecated` is a Schema Object field in OpenAPI 3.0 and a JSON Schema annotation in 3.1
  if (entry.deprecated !== undefined) own.deprecated = true
  return { allOf: [{ $ref: `${PROBLEM_SCHEMA_ID}#` }, own] }
}

/**
 * Adds the responses a route declares in `config.problems` to its schema, keyed by status: one
 * code gives its schema and example, several codes on one status a `oneOf` with every example.
 * Responses the route already declares for a status are left as they are. A code without a valid
 * example is documented without one.
 *
 * These responses document; they never serialize (problems are sent already serialized). So they
 * join the route's schema once the app is ready, after Fastify compiled the route's own response
 * schemas and before any OpenAPI generator may read it (`app.swagger()` refuses earlier): Fastify
 * compiles nothing for them (a full problem schema costs a millisecond per route and status), and
 * the route serializes its own payloads as it did: a route declaring no response schema of its own
 * keeps no compiled serializer, so its successful replies skip Fastify's response-schema lookup
 * exactly as they would without `config.problems`. Examples are built when first read, once per code.
 */
export function createProblemResponses (config: ProblemDetailsConfig, serializerFor: SerializerFor) {
  const examples = new Map<string, ProblemExample | undefined>()
  /** The example of a code on a route: its `instance` is the route's path, as OpenAPI writes it. */
  function exampleOf (entry: ResolvedProblemEntry, path: string): ProblemExample | undefined {
    const key = `${entry.code} ${path}`
    if (!examples.has(key)) {
      const response = exampleResponse(entry, config, serializerFor, path)
      // a plain copy: OpenAPI generators may rewrite the objects they are given
      examples.set(key, response === undefined ? undefined : { summary: entry.title, value: JSON.parse(response.raw) })
    }
    return examples.get(key)
  }
  const schemas = new Map<ResolvedProblemEntry, Record<string, unknown>>()
  function schemaOf (entry: ResolvedProblemEntry): Record<string, unknown> {
    let schema = schemas.get(entry)
    if (schema === undefined) {
      schema = codeSchema(entry)
      schemas.set(entry, schema)
    }
    return schema
  }

  /** The response object of one status: description, headers, schema, and examples built when read. */
  function problemResponse (status: number, entries: readonly ResolvedProblemEntry[], path: string): Record<string, unknown> {
    const headers: Record<string, unknown> = {}
    if (entries.some((entry) => entry.retryable)) headers['retry-after'] = RETRY_AFTER_HEADER
    if (status === 401 || entries.some((entry) => entry.wwwAuthenticate !== undefined)) headers['www-authenticate'] = WWW_AUTHENTICATE_HEADER
    const media = () => ({
      schema: entries.length === 1 ? schemaOf(entries[0]) : { oneOf: entries.map(schemaOf) },
      get examples () {
        const shown = entries.flatMap((entry) => {
          const example = exampleOf(entry, path)
          return example === undefined ? [] : [[entry.code, example] as const]
        })
        return shown.length === 0 ? undefined : Object.fromEntries(shown)
      }
    })
    return {
      ...(Object.keys(headers).length === 0 ? {} : { headers }),
      description: `${reasonPhrase(status)}: ${entries.map(describeEntry).join('; or ')}`,
      content: Object.fromEntries(DOCUMENTED_MEDIA_TYPES.map((type) => [type, media()]))
    }
  }

  // routes waiting for their problem responses: the route's schema object and its codes by status
  let pending: Array<{ schema: { response?: Record<string, unknown> }, byStatus: Map<number, ResolvedProblemEntry[]>, path: string }> = []
  // route responses whose own schema describes a body the plugin does not send for errors
  let contradictions: string[] = []

  /** `onRoute`: checks the route's `config.problems` at once (a bad code fails the route), documents it when ready. */
  function addProblemResponses (routeOptions: RouteOptions): void {
    const method = String(routeOptions.method)
    const own = (routeOptions.schema as { response?: unknown } | undefined)?.response
    if (own !== null && typeof own === 'object' && method !== 'HEAD') {
      for (const [status, schema] of Object.entries(own)) {
        if (ERROR_STATUS.test(status) && !describesProblems(schema)) contradictions.push(`${method} ${routeOptions.url} ${status}`)
      }
    }
    const declared: unknown = routeOptions.config?.problems
    if (declared === undefined) return
    if (!Array.isArray(declared) || declared.length === 0) throw new FST_PROBLEM_INVALID_ROUTE_PROBLEMS(method, routeOptions.url, Array.isArray(declared) ? '[] (empty)' : typeof declared)
    const byStatus = new Map<number, ResolvedProblemEntry[]>()
    for (const code of declared) {
      const entry = typeof code === 'string' ? config.entries.get(code) : undefined
      if (entry === undefined) throw new FST_PROBLEM_UNKNOWN_CODE(String(code))
      const same = byStatus.get(entry.status) ?? []
      if (!same.includes(entry)) same.push(entry)
      byStatus.set(entry.status, same)
    }
    // the route's own schema object, which Fastify and OpenAPI generators keep: filled in when ready
    pending.push({ schema: (routeOptions.schema ??= {}) as { response?: Record<string, unknown> }, byStatus, path: openapiPath(routeOptions.url) })
  }

  /**
   * `onReady`: every route declaring problems gets their responses. A route that declared no success
   * response keeps the one @fastify/swagger documents for it (200, "Default Response"). Route
   * responses that contradict the wire are named in one warning and kept as declared: a route may
   * send such a body itself (`reply.code(404).send(...)`), but its errors leave as problem documents.
   */
  function documentProblemResponses (log: FastifyBaseLogger): void {
    for (const { schema, byStatus, path } of pending) {
      const response = (schema.response ??= {})
      if (!Object.keys(response).some((status) => SUCCESS_STATUS.test(status))) response[200] = { ...DEFAULT_SUCCESS_RESPONSE }
      for (const [status, entries] of [...byStatus].sort(([a], [b]) => a - b)) {
        if (response[status] !== undefined || response[String(status)] !== undefined) continue
        response[status] = problemResponse(status, entries, path)
      }
    }
    pending = []
    if (contradictions.length > 0) {
      log.warn({ responses: contradictions }, `fastify-problem-details: ${contradictions.length === 1 ? '1 route response documents' : `${contradictions.length} route responses document`} an error body the plugin does not send: ${contradictions.join(', ')}. Errors on these routes leave as problem documents; document them with { $ref: '${PROBLEM_SCHEMA_ID}#' } or config.problems. The schemas are kept as declared, for bodies a route sends itself.`)
      contradictions = []
    }
  }

  return { addProblemResponses, documentProblemResponses }
}
