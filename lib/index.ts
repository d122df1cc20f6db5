import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { loadDeferredModules } from './deferred.ts'
import type { ProblemDetailsOptions } from './options.ts'
import type { ProblemCode, ProblemDetailsApi, ProblemInitArgs } from './types.ts'

// the public decorations, declared with the entry point that adds them (the client entry point's
// types, which share lib/types.ts, stay free of fastify)
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

// async, so that a bad option rejects `register` instead of throwing out of avvio; the registration
// code and the modules it needs load here, on first registration, not when the package is required
const plugin: FastifyPluginAsync<ProblemDetailsOptions> = async function problemDetailsPlugin (fastify: FastifyInstance, options: ProblemDetailsOptions): Promise<void> {
  await loadDeferredModules()
  const { registerProblemDetails } = await import('./plugin.ts')
  await registerProblemDetails(fastify, options)
}

/** The plugin: register it once and every failure leaves the service as an RFC 9457 problem document. */
const problemDetails = fp(plugin, { name: 'fastify-problem-details', fastify: '5.x' })

export default problemDetails
export { problemDetails }
export { ProblemError, isProblemError, PROBLEM_ERROR_STACKS, type ProblemErrorStacks } from './problem-error.ts'
export { builtinCatalog, type BuiltinCatalog } from './builtin-catalog.ts'
export type { ProblemCatalog, ProblemCatalogEntry, ProblemCategory, ProblemLink, ResolvedProblemEntry } from './catalog.ts'
export { DEFAULT_CODES, DEFAULT_STATUS_CODES, type ClientErrorLogDetail, type ProblemDetailsOptions, type ProblemLogLevel } from './options.ts'
export { EXCEPTION_SIGNAL_ENV, type ExceptionSignal } from './exception-signal.ts'
export { PROBLEM_SCHEMA_ID } from './serializer.ts'
export { PROBLEM_CONTENT_TYPE } from './content-type.ts'
export { PROBLEM_MEDIA_TYPE, PROBLEM_XML_MEDIA_TYPE } from './negotiate.ts'
export { PROBLEM_XML_NAMESPACE } from './xml.ts'
export { problemFrameworkErrors, problemClientErrorHandler } from './framework-errors.ts'
export { DEFAULT_WWW_AUTHENTICATE } from './challenge.ts'
export { problemFromResponse, UpstreamProblem, MAX_UPSTREAM_BODY_BYTES, DEFAULT_UPSTREAM_STATUS_CODES, type ProblemFromResponseOptions } from './upstream.ts'
export type { ProblemDocument } from './problem.ts'
export type { ValidationIssue } from './classify.ts'
export type { CatalogMembers, FromSchema, MembersOf, MemberSchema } from './member-types.ts'
export type { ProblemCode, ProblemDetailsApi, ProblemInit, ProblemInitArgs, ProblemInitBase, ProblemRegistry } from './types.ts'
export * from './errors.ts'
