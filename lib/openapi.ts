import type { RouteOptions } from 'fastify'
import type { ResolvedProblemEntry } from './catalog.ts'
import { FST_PROBLEM_INVALID_ROUTE_PROBLEMS, FST_PROBLEM_UNKNOWN_CODE } from './errors.ts'
import { exampleResponse } from './example.ts'
import type { ProblemDetailsConfig } from './options.ts'
import { PROBLEM_MEDIA_TYPE } from './responder.ts'
import { PROBLEM_SCHEMA_ID, type SerializerFor } from './serializer.ts'
import { reasonPhrase } from './status-phrases.ts'

const RETRY_AFTER_HEADER = Object.freeze({ type: 'integer', minimum: 0, description: 'Seconds to wait before retrying; sent when the delay is known.' })

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
 * the route serializes its own payloads as it did. Examples are built when first read, once per code.
 */
export function createProblemResponses (config: ProblemDetailsConfig, serializerFor: SerializerFor) {
  const examples = new Map<string, ProblemExample | undefined>()
  function exampleOf (entry: ResolvedProblemEntry): ProblemExample | undefined {
    if (!examples.has(entry.code)) {
      const response = exampleResponse(entry, config, serializerFor)
      // a plain copy: OpenAPI generators may rewrite the objects they are given
      examples.set(entry.code, response === undefined ? undefined : { summary: entry.title, value: JSON.parse(response.raw) })
    }
    return examples.get(entry.code)
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
  function problemResponse (status: number, entries: readonly ResolvedProblemEntry[]): Record<string, unknown> {
    const retry = entries.some((entry) => entry.retryable) ? { headers: { 'retry-after': RETRY_AFTER_HEADER } } : {}
    return {
      ...retry,
      description: `${reasonPhrase(status)}: ${entries.map(describeEntry).join('; or ')}`,
      content: {
        [PROBLEM_MEDIA_TYPE]: {
          schema: entries.length === 1 ? schemaOf(entries[0]) : { oneOf: entries.map(schemaOf) },
          get examples () {
            const shown = entries.flatMap((entry) => {
              const example = exampleOf(entry)
              return example === undefined ? [] : [[entry.code, example] as const]
            })
            return shown.length === 0 ? undefined : Object.fromEntries(shown)
          }
        }
      }
    }
  }

  // routes waiting for their problem responses: the route's schema object and its codes by status
  let pending: Array<{ schema: { response?: Record<string, unknown> }, byStatus: Map<number, ResolvedProblemEntry[]> }> = []

  /** `onRoute`: checks the route's `config.problems` at once (a bad code fails the route), documents it when ready. */
  function addProblemResponses (routeOptions: RouteOptions): void {
    const declared: unknown = routeOptions.config?.problems
    if (declared === undefined) return
    const method = String(routeOptions.method)
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
    pending.push({ schema: (routeOptions.schema ??= {}) as { response?: Record<string, unknown> }, byStatus })
  }

  /** `onReady`: every route declaring problems gets their responses. */
  function documentProblemResponses (): void {
    for (const { schema, byStatus } of pending) {
      const response = (schema.response ??= {})
      for (const [status, entries] of [...byStatus].sort(([a], [b]) => a - b)) {
        if (response[status] !== undefined || response[String(status)] !== undefined) continue
        response[status] = problemResponse(status, entries)
      }
    }
    pending = []
  }

  return { addProblemResponses, documentProblemResponses }
}
