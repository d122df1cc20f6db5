'use strict'
// A small service whose routes declare the problems they can answer with. The plugin turns each
// `config.problems` list into OpenAPI responses, and `serveDocs` makes every `type` URI resolve.
//   node examples/openapi.js          serve on 127.0.0.1:3000 (HOST and PORT change it)
//   GET /openapi.json                 the OpenAPI document
//   GET /problems/                    the error reference (open it in a browser)
const Fastify = require('fastify')
const swagger = require('@fastify/swagger')
const problemDetails = require('fastify-problem-details')
const { ProblemError, problemFrameworkErrors, problemClientErrorHandler } = problemDetails

/** A code of this service, added to the built-in catalog. */
const catalog = {
  quota_exceeded: {
    status: 429,
    title: 'The request quota of this account is used up.',
    retryable: true,
    category: 'user',
    retryAfter: 60,
    members: { limit: { type: 'integer', description: 'Requests allowed per hour.' } },
    required: ['limit'],
    summary: 'The account sent more requests in the last hour than its plan allows.',
    occurs: ['More than `limit` requests arrived within one hour.'],
    resolve: ['Wait for the time given by `Retry-After`, then send the request again.', 'Spread requests out, or move to a plan with a higher limit.'],
    example: { members: { limit: 1000 } }
  }
}

const tasks = new Map([['42', { id: '42', name: 'nightly build' }]])

/** Builds the app (not listening), so tests and demos can reuse it. */
async function build (opts = {}) {
  // router errors (a bad URL, an over-long path parameter) and unreadable requests answer with problems too
  const app = Fastify({ logger: opts.logger ?? false, frameworkErrors: problemFrameworkErrors, clientErrorHandler: problemClientErrorHandler })
  await app.register(swagger, {
    openapi: { openapi: '3.0.3', info: { title: 'Tasks API', version: '1.0.0' } }
  })
  await app.register(problemDetails, { catalog, serveDocs: true })

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  app.get('/tasks/:id', {
    schema: {
      params: { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9]+$' } }, required: ['id'] },
      response: { 200: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } } }
    },
    config: { problems: ['invalid_request', 'resource_not_found', 'quota_exceeded'] }
  }, async (request) => {
    const task = tasks.get(request.params.id)
    if (task === undefined) throw new ProblemError('resource_not_found', { detail: `task ${request.params.id} does not exist` })
    return task
  })

  app.post('/tasks', {
    schema: {
      body: { type: 'object', properties: { name: { type: 'string', minLength: 1 } }, required: ['name'] },
      response: { 201: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } } }
    },
    // two codes with status 403: the document shows a oneOf with both examples
    config: { problems: ['invalid_request', 'not_authorized', 'insufficient_credits', 'conflict'] }
  }, async (request, reply) => {
    if (request.headers.authorization === undefined) return reply.problem('not_authorized', { detail: 'creating tasks needs the tasks:write role' })
    if ([...tasks.values()].some((task) => task.name === request.body.name)) throw new ProblemError('conflict', { detail: `a task named "${request.body.name}" exists` })
    const task = { id: String(tasks.size + 41), name: request.body.name }
    tasks.set(task.id, task)
    return reply.code(201).send(task)
  })

  return app
}

module.exports = { build, catalog }

if (require.main === module) {
  build({ logger: true }).then(async (app) => {
    const address = await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 3000) })
    app.log.info(`OpenAPI document: ${address}/openapi.json, error reference: ${address}/problems/`)
  }).catch((error) => {
    console.error(error)
    process.exit(1)
  })
}
