import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import { createProblemResponses } from './openapi.ts'
import { keepProblemSchemaName } from './openapi-names.ts'
import { exceptionLoggerFor } from './exception-logs.ts'
import { normalizeOptions, type ProblemDetailsOptions } from './options.ts'
import { defaultHandlerRoutesInScope, recordRegistration, warnUncoveredRoutes } from './registration.ts'
import { createResponder } from './responder.ts'
import { recordServerCodes, setProblemErrorStacks } from './problem-error.ts'
import { createSerializers, entrySchema, PROBLEM_SCHEMA_ID, problemSchema } from './serializer.ts'
import type { ProblemCode, ProblemDetailsApi, ProblemInitArgs, ProblemInitBase } from './types.ts'

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

// async, so that a bad option rejects `register` instead of throwing out of avvio
const plugin: FastifyPluginAsync<ProblemDetailsOptions> = async function problemDetailsPlugin (fastify: FastifyInstance, options: ProblemDetailsOptions): Promise<void> {
  const config = normalizeOptions(options, fastify.prefix)
  recordServerCodes([...config.entries.values()].filter((entry) => entry.status >= 500).map((entry) => entry.code))
  if (config.problemErrorStacks !== undefined) setProblemErrorStacks(config.problemErrorStacks)
  const serializerFor = createSerializers()
  const responder = createResponder(config, serializerFor, await exceptionLoggerFor(config, fastify.log))
  recordRegistration(fastify, responder.problemErrorHandler)
  // routes declared before the plugin, while the router holds only them (warned about at ready())
  const declaredBefore = defaultHandlerRoutesInScope(fastify)

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

  // OpenAPI: routes' `config.problems` become responses, with the examples the service sends
  const problemResponses = createProblemResponses(config, serializerFor)
  fastify.addHook('onRoute', problemResponses.addProblemResponses)
  fastify.addHook('onReady', async function documentProblemResponses () { problemResponses.documentProblemResponses(fastify.log) })
  fastify.addHook('onReady', async function nameProblemSchema () { keepProblemSchemaName(fastify) })
  fastify.addHook('onReady', async function warnAboutUncoveredRoutes () { warnUncoveredRoutes(fastify, declaredBefore) })
  if (config.serveDocs) {
    // the reference tooling loads only for services that serve it
    const { registerDocsRoutes } = await import('./docs/serve.ts')
    registerDocsRoutes(fastify, config, serializerFor)
  }
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
export { PROBLEM_CONTENT_TYPE } from './responder.ts'
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
