import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import type { BuiltinCatalog } from './builtin-catalog.ts'
import type { ResolvedProblemEntry } from './catalog.ts'
import { recordExamples } from './docs/examples.ts'
import { createProblemResponses } from './openapi.ts'
import { normalizeOptions, type ProblemDetailsOptions } from './options.ts'
import { createResponder } from './responder.ts'
import { registerDocsRoutes } from './serve-docs.ts'
import { createSerializers, entrySchema, PROBLEM_SCHEMA_ID, problemSchema } from './serializer.ts'
import type { CatalogMembers } from './types.ts'

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

declare module 'fastify' {
  interface FastifyReply {
    /** Sends the problem of a catalog code. Usable as `return reply.problem(...)`. */
    problem<C extends ProblemCode>(code: C, ...init: ProblemInitArgs<C>): FastifyReply
  }
  interface FastifyInstance {
    /** The problem catalog and schemas registered by fastify-problem-details. */
    problemDetails: ProblemDetailsApi
  }
  interface FastifyContextConfig {
    /** Problems this route can answer with; documented in its OpenAPI responses. */
    problems?: readonly ProblemCode[]
  }
}

// async, so that a bad option rejects `register` instead of throwing out of avvio
const plugin: FastifyPluginAsync<ProblemDetailsOptions> = async function problemDetailsPlugin (fastify: FastifyInstance, options: ProblemDetailsOptions): Promise<void> {
  const config = normalizeOptions(options)
  const responder = createResponder(config, createSerializers())

  fastify.addSchema(problemSchema(config))
  const api: ProblemDetailsApi = Object.freeze({
    catalog: config.entries,
    schemaId: PROBLEM_SCHEMA_ID,
    schemaOf: function schemaOf (code: string) { return entrySchema(config.entries.get(code)) }
  })
  fastify.decorate('problemDetails', api)
  fastify.decorateReply('problem', function problem (this: FastifyReply, code: ProblemCode, init?: ProblemInitBase) {
    return responder.sendProblem(this.request, this, code, init as Record<string, unknown> | undefined)
  })
  fastify.setErrorHandler(responder.problemErrorHandler)
  if (config.notFound) fastify.setNotFoundHandler(responder.problemNotFoundHandler)

  // OpenAPI: routes' `config.problems` become responses; their examples are real responses, recorded once ready
  const openapi = createProblemResponses(config)
  fastify.addHook('onRoute', openapi.addProblemResponses)
  fastify.addHook('onReady', async function recordProblemExamples () {
    if (openapi.pendingExamples().size > 0) openapi.fillExamples((await recordExamples(options)).examples)
  })
  if (config.serveDocs) registerDocsRoutes(fastify, config, options)
}

/** The plugin: register it once and every failure leaves the service as an RFC 9457 problem document. */
const problemDetails = fp(plugin, { name: 'fastify-problem-details', fastify: '5.x' })

export default problemDetails
export { problemDetails }
export { ProblemError, isProblemError } from './problem-error.ts'
export { builtinCatalog, type BuiltinCatalog } from './builtin-catalog.ts'
export { slugOf, reasonPhrase, type ProblemCatalog, type ProblemCatalogEntry, type ProblemCategory, type ProblemLink, type ResolvedProblemEntry } from './catalog.ts'
export { DEFAULT_CODES, DEFAULT_STATUS_CODES, DEFAULT_TYPE_BASE, DEFAULT_MAX_DETAIL_LENGTH, type ProblemDetailsOptions, type ProblemLogLevel } from './options.ts'
export { PROBLEM_SCHEMA_ID, STANDARD_MEMBER_SCHEMAS, problemSchema } from './serializer.ts'
export { PROBLEM_CONTENT_TYPE } from './responder.ts'
export { problemFromResponse, UpstreamProblem, MAX_UPSTREAM_BODY_BYTES, type ProblemFromResponseOptions } from './upstream.ts'
export type { ProblemDocument } from './problem.ts'
export type { ValidationIssue } from './classify.ts'
export type { CatalogMembers, FromSchema, MembersOf, MemberSchema } from './types.ts'
export * from './errors.ts'
export { FST_PROBLEM_INVALID_ROUTE_PROBLEMS } from './openapi.ts'
export { buildReference, type Reference, type CodePage, type IndexPage, type DocsGap, type ReferenceOptions } from './docs/model.ts'
export { renderMarkdownFiles } from './docs/markdown.ts'
