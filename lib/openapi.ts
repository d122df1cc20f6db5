import type { RouteOptions } from 'fastify'
import { reasonPhrase, type ResolvedProblemEntry } from './catalog.ts'
import { FST_PROBLEM_INVALID_ROUTE_PROBLEMS, FST_PROBLEM_UNKNOWN_CODE } from './errors.ts'
import { exampleResponse } from './example.ts'
import type { ProblemDetailsConfig } from './options.ts'
import { PROBLEM_MEDIA_TYPE } from './responder.ts'
import { PROBLEM_SCHEMA_ID, type SerializerFor } from './serializer.ts'

const RETRY_AFTER_HEADER = Object.freeze({ type: 'integer', minimum: 0, description: 'Seconds to wait before retrying; sent when the delay is known.' })

/** An OpenAPI example object: `value` is the body the service sends for the code's example. */
export interface ProblemExample {
  summary: string
  value: Record<string, unknown>
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
  return { allOf: [{ $ref: `${PROBLEM_SCHEMA_ID}#` }, own] }
}

/**
 * Adds the responses a route declares in `config.problems` to its schema, keyed by status: one
 * code gives its schema and example, several codes on one status a `oneOf` with every example.
 * Responses the route already declares for a status are left as they are. A code without a valid
 * example is documented without one.
 *
 * These responses document; they never serialize: problems are sent already serialized. Until the
 * app is ready, each one shows Fastify an empty schema (compiled in microseconds, where the full
 * one costs a millisecond per route and status); from `ready()` on, when OpenAPI generators may
 * read routes (`app.swagger()` refuses earlier), it shows the full schema. Examples are built when
 * first read, once per code.
 */
export function createProblemResponses (config: ProblemDetailsConfig, serializerFor: SerializerFor) {
  let ready = false
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

  /** The media type object of one status: schema and examples, resolved when read. */
  function problemMedia (entries: readonly ResolvedProblemEntry[]): Record<string, unknown> {
    let full: Record<string, unknown> | undefined
    return {
      get schema () {
        if (!ready) return {}
        full ??= entries.length === 1 ? schemaOf(entries[0]) : { oneOf: entries.map(schemaOf) }
        return full
      },
      get examples () {
        const shown = entries.flatMap((entry) => {
          const example = exampleOf(entry)
          return example === undefined ? [] : [[entry.code, example] as const]
        })
        return shown.length === 0 ? undefined : Object.fromEntries(shown)
      },
    }
  }

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
    const schema = (routeOptions.schema ??= {}) as { response?: Record<string, unknown> }
    const response = (schema.response ??= {})
    for (const [status, entries] of [...byStatus].sort(([a], [b]) => a - b)) {
      if (response[status] !== undefined || response[String(status)] !== undefined) continue
      const retry = entries.some((entry) => entry.retryable) ? { headers: { 'retry-after': RETRY_AFTER_HEADER } } : {}
      response[status] = {
        ...retry,
        description: `${reasonPhrase(status)}: ${entries.map((entry) => `${entry.code} (${entry.title})`).join('; or ')}`,
        content: { [PROBLEM_MEDIA_TYPE]: problemMedia(entries) }
      }
    }
  }

  return {
    addProblemResponses,
    /** From now on the responses show their full schemas (call from `onReady`). */
    documentFully (): void {
      ready = true
    }
  }
}
