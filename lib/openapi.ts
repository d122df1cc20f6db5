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
 */
export function createProblemResponses (config: ProblemDetailsConfig, serializerFor: SerializerFor) {
  // built on first use, once per code: routes share them
  const examples = new Map<string, ProblemExample | undefined>()
  function exampleOf (entry: ResolvedProblemEntry): ProblemExample | undefined {
    if (!examples.has(entry.code)) {
      const response = exampleResponse(entry, config, serializerFor)
      // a plain copy: @fastify/swagger may rewrite the objects it is given
      examples.set(entry.code, response === undefined ? undefined : { summary: entry.title, value: JSON.parse(response.raw) })
    }
    return examples.get(entry.code)
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
      const schemas = entries.map(codeSchema)
      const retry = entries.some((entry) => entry.retryable) ? { headers: { 'retry-after': RETRY_AFTER_HEADER } } : {}
      const media: Record<string, unknown> = { schema: schemas.length === 1 ? schemas[0] : { oneOf: schemas } }
      const shown = entries.flatMap((entry) => {
        const example = exampleOf(entry)
        return example === undefined ? [] : [[entry.code, example] as const]
      })
      if (shown.length > 0) media.examples = Object.fromEntries(shown)
      response[status] = {
        ...retry,
        description: `${reasonPhrase(status)}: ${entries.map((entry) => `${entry.code} (${entry.title})`).join('; or ')}`,
        content: { [PROBLEM_MEDIA_TYPE]: media }
      }
    }
  }

  return addProblemResponses
}
