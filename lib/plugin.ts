import type { FastifyInstance, FastifyReply } from 'fastify'
import { createProblemResponses } from './openapi.ts'
import { keepProblemSchemaName } from './openapi-names.ts'
import { exceptionLoggerFor } from './exception-logs.ts'
import { normalizeOptions, type ProblemDetailsOptions } from './options.ts'
import { defaultHandlerRoutesInScope, recordRegistration, warnUncoveredRoutes } from './registration.ts'
import { createResponder } from './responder.ts'
import { recordServerCodes, setProblemErrorStacks } from './problem-error.ts'
import { createSerializers, entrySchema, PROBLEM_SCHEMA_ID, problemSchema } from './serializer.ts'
import type { ProblemCode, ProblemDetailsApi, ProblemInitBase } from './types.ts'

/**
 * What registering the plugin does. It lives apart from the entry point, which loads it on
 * registration, so that requiring the package does not load what only registration needs (the
 * responder, OpenAPI, telemetry); the deferred modules (Ajv, fast-json-stringify) are loaded
 * before it runs.
 */
export async function registerProblemDetails (fastify: FastifyInstance, options: ProblemDetailsOptions): Promise<void> {
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
