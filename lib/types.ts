import type { BuiltinCatalog } from './builtin-catalog.ts'
import type { ResolvedProblemEntry } from './catalog.ts'
import type { CatalogMembers } from './member-types.ts'

/**
 * Codes and their extension members, as the type checker sees them. Add your catalog's codes:
 *
 * @example
 * const catalog = { quota_exceeded: { status: 429, title: '…', retryable: true, category: 'user', members: { limit: { type: 'integer' } } } } as const
 * declare module 'fastify-problem-details' {
 *   interface ProblemRegistry extends CatalogMembers<typeof catalog> {}
 * }
 */
export interface ProblemRegistry extends CatalogMembers<BuiltinCatalog> {}

/** Every code known to the type checker. */
export type ProblemCode = keyof ProblemRegistry & string

/** What one occurrence of a problem may carry besides its extension members. */
export interface ProblemInitBase {
  /** Occurrence-specific explanation, sent as `detail`. */
  detail?: string
  /** Extra response headers (malformed names or values are dropped). */
  headers?: Record<string, string | number | readonly string[]>
  /** Seconds to wait before retrying; sent as `Retry-After` when the code is retryable. */
  retryAfter?: number
  /** The underlying error: logged and recorded in telemetry, never sent. */
  cause?: unknown
}

/** The second argument of `new ProblemError(code, init)` and `reply.problem(code, init)`. */
export type ProblemInit<C extends ProblemCode> = ProblemInitBase & ProblemRegistry[C]

/** `init` is optional unless the code has required members. */
export type ProblemInitArgs<C extends ProblemCode> = {} extends ProblemRegistry[C] ? [init?: ProblemInit<C>] : [init: ProblemInit<C>]

/** What the plugin exposes on the Fastify instance, for integrations (OpenAPI, docs, tests). */
export interface ProblemDetailsApi {
  /** The resolved catalog, in declaration order. */
  readonly catalog: ReadonlyMap<string, ResolvedProblemEntry>
  /** `$id` of the shared problem schema. */
  readonly schemaId: string
  /** The exact JSON schema of one code's documents (standard members then its extension members). */
  schemaOf (code: string): Record<string, unknown>
}
