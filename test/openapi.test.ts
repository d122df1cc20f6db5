import t, { type Test } from 'tap'
import Fastify, { type FastifyInstance, type FastifyReply, type RouteHandlerMethod } from 'fastify'
import swagger from '@fastify/swagger'
import { Validator } from '@seriousme/openapi-schema-validator'
import problemDetails, { builtinCatalog, FST_PROBLEM_INVALID_ROUTE_PROBLEMS, FST_PROBLEM_UNKNOWN_CODE, ProblemError, type ProblemDetailsOptions } from '../lib/index.ts'

type Doc = { components: { schemas: Record<string, Record<string, unknown>> }, paths: Record<string, Record<string, { responses: Record<string, any> }>> }

// no refResolver: the plugin keeps the shared schema's name itself
const swaggerOptions = {
  openapi: { openapi: '3.0.3', info: { title: 'test', version: '1.0.0' } }
}

async function valid (t: Test, doc: unknown) {
  const result = await new Validator().validate(doc as Parameters<Validator['validate']>[0])
  t.ok(result.valid, 'the OpenAPI document is valid: ' + JSON.stringify(result.errors ?? ''))
}

/** An app with both plugins in the given order and a few routes declaring problems. */
async function build (t: Test, order: 'swagger-first' | 'problems-first', plugin: ProblemDetailsOptions = {}) {
  const app = Fastify()
  t.teardown(() => app.close())
  if (order === 'swagger-first') await app.register(swagger, swaggerOptions)
  await app.register(problemDetails, plugin)
  if (order === 'problems-first') await app.register(swagger, swaggerOptions)
  app.get('/tasks/:id', { config: { problems: ['invalid_request', 'resource_not_found'] } }, async () => {
    throw new ProblemError('resource_not_found', { detail: 'task 7 does not exist' })
  })
  app.post('/tasks', { config: { problems: ['not_authorized', 'insufficient_credits', 'conflict'] } }, async (_request, reply) => reply.problem('insufficient_credits'))
  app.get('/plain', async () => 'no problems declared')
  await app.ready()
  return app
}

/** The real response of the plugin for a code, with no trace active. */
async function realBody (code: string, init: Record<string, unknown> = {}) {
  const app = Fastify()
  await app.register(problemDetails)
  app.get('/x', async (_request, reply) => (reply.problem as any)(code, init))
  const body = (await app.inject('/x')).json()
  await app.close()
  return body
}

for (const order of ['swagger-first', 'problems-first'] as const) {
  t.test(`routes list their declared problems as responses when ${order === 'swagger-first' ? '@fastify/swagger is registered first' : 'the plugin is registered first'}`, async (t) => {
    const app = await build(t, order)
    const doc = app.swagger() as unknown as Doc
    await valid(t, doc)

    // 1. the shared problem schema is a component
    t.equal(doc.components.schemas.ProblemDetails.title, 'Problem Details (RFC 9457)')
    // 2. one response per status, with the problem media type
    const get = doc.paths['/tasks/{id}'].get.responses
    t.strictSame(Object.keys(get).sort(), ['200', '400', '404'])
    t.strictSame(get['200'], { description: 'Default Response' }, "@fastify/swagger's default success response is kept")
    t.strictSame(Object.keys(get['404'].content), ['application/problem+json', 'application/json'])
    t.strictSame(get['404'].content['application/json'], get['404'].content['application/problem+json'], 'the same document under both media types')
    t.match(get['404'].description, /^Not Found: resource_not_found/)
    t.strictSame(get['404'].content['application/problem+json'].schema.allOf[0], { $ref: '#/components/schemas/ProblemDetails' })
    t.strictSame(get['404'].content['application/problem+json'].schema.allOf[1].properties.type, { type: 'string', enum: ['/problems/resource-not-found'] })
    // 3. each example is what the plugin sends (the docs add a trace_id)
    const example = get['404'].content['application/problem+json'].examples.resource_not_found.value
    const { trace_id: traceId, ...rest } = example
    t.match(traceId, /^[0-9a-f]{32}$/)
    t.strictSame(rest, await realBody('resource_not_found', { detail: 'task 42 does not exist' }).then((b) => ({ ...b, instance: '/tasks/{id}' })), 'the example instance is the route path')

    // 4. two codes on one status: a oneOf with both examples
    const post = doc.paths['/tasks'].post.responses
    t.strictSame(Object.keys(post).sort(), ['200', '403', '409'])
    const forbidden = post['403'].content['application/problem+json']
    t.strictSame(forbidden.schema.oneOf.map((s: any) => s.allOf[1].title), ['not_authorized', 'insufficient_credits'])
    t.strictSame(Object.keys(forbidden.examples), ['not_authorized', 'insufficient_credits'])
    t.equal(forbidden.examples.insufficient_credits.value.title, builtinCatalog.insufficient_credits.title)
    // 5. retryable codes document Retry-After
    t.strictSame(Object.keys(post['409'].headers ?? {}), ['retry-after'])
    t.notOk(post['403'].headers, 'no Retry-After on codes that are not retryable')

    // 6. routes without problems are untouched
    t.strictSame(Object.keys(doc.paths['/plain'].get.responses), ['200'])
  })
}

t.test('problem responses are sent unchanged on routes that declare them', async (t) => {
  const app = await build(t, 'problems-first')
  const res = await app.inject('/tasks/7')
  t.equal(res.statusCode, 404)
  t.equal(res.headers['content-type'], 'application/problem+json')
  t.strictSame(res.json(), await realBody('resource_not_found', { detail: 'task 7 does not exist' }).then((b) => ({ ...b, instance: '/tasks/7' })))
  const post = await app.inject({ method: 'POST', url: '/tasks' })
  t.equal(post.statusCode, 403)
  t.equal(post.json().type, '/problems/insufficient-credits')
})

t.test('extension members appear in the schema and example of a user catalog code', async (t) => {
  const catalog = {
    quota_exceeded: {
      status: 429,
      title: 'The quota is used up.',
      retryable: true,
      category: 'user',
      members: { limit: { type: 'integer', description: 'Requests per hour.' } },
      required: ['limit'],
      example: { members: { limit: 100 } }
    }
  } as const
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(swagger, swaggerOptions)
  await app.register(problemDetails, { catalog, typeBase: 'https://docs.example.com/errors/' })
  app.get('/q', { config: { problems: ['quota_exceeded' as 'conflict'] } }, async (_request, reply) => (reply.problem as any)('quota_exceeded', { limit: 5 }))
  await app.ready()
  const doc = app.swagger() as unknown as Doc
  await valid(t, doc)
  const media = doc.paths['/q'].get.responses['429'].content['application/problem+json']
  t.strictSame(media.schema.allOf[1].properties.limit, { type: 'integer', description: 'Requests per hour.' })
  t.strictSame(media.schema.allOf[1].required, ['limit'])
  t.match(media.examples.quota_exceeded.value, { type: 'https://docs.example.com/errors/quota-exceeded', status: 429, limit: 100 })
  const res = await app.inject('/q')
  t.equal(res.statusCode, 429)
  t.match(res.json(), { type: 'https://docs.example.com/errors/quota-exceeded', limit: 5 })
})

t.test('a response the route declares itself for a status is kept', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(swagger, swaggerOptions)
  await app.register(problemDetails)
  const own = { description: 'my own 404', type: 'object', properties: { message: { type: 'string' } } }
  app.get('/own', { schema: { response: { 404: own } }, config: { problems: ['resource_not_found', 'resource_not_found', 'invalid_request'] } }, async () => 'ok')
  await app.ready()
  const responses = (app.swagger() as unknown as Doc).paths['/own'].get.responses
  t.equal(responses['404'].description, 'my own 404')
  t.ok(responses['400'].content['application/problem+json'], 'the other status is added')
})

t.test('a route declaring an unknown code fails at registration with a coded error', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(problemDetails)
  t.throws(() => app.get('/x', { config: { problems: ['no_such_code' as 'conflict'] } }, async () => 'x'), { code: FST_PROBLEM_UNKNOWN_CODE.prototype.code ?? 'FST_PROBLEM_UNKNOWN_CODE', message: /no_such_code/ })
  t.throws(() => app.get('/y', { config: { problems: 'conflict' as unknown as [] } }, async () => 'y'), new FST_PROBLEM_INVALID_ROUTE_PROBLEMS('GET', '/y', 'string'))
  t.throws(() => app.get('/z', { config: { problems: [] } }, async () => 'z'), { code: 'FST_PROBLEM_INVALID_ROUTE_PROBLEMS', message: /\[\] \(empty\)/ })
  t.throws(() => app.get('/w', { config: { problems: [42 as unknown as 'conflict'] } }, async () => 'w'), { code: 'FST_PROBLEM_UNKNOWN_CODE', message: /"42"/ })
})

t.test('declared problems document the route; Fastify compiles no serializer for them, and the route sends its own payloads as before', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  // 1. a serializer compiler that records what Fastify asks it to compile, and serializes as Fastify would
  const compiled: Array<{ status: string, schema: unknown }> = []
  app.setSerializerCompiler(function recordingCompiler ({ schema, httpStatus }) {
    compiled.push({ status: String(httpStatus), schema: JSON.parse(JSON.stringify(schema)) })
    return (data: unknown) => JSON.stringify(httpStatus === '200' ? { id: (data as { id: unknown }).id } : data)
  })
  await app.register(swagger, swaggerOptions)
  await app.register(problemDetails)
  const ok = { type: 'object', properties: { id: { type: 'integer' } } }
  app.get('/typed/:id', { schema: { response: { 200: ok } }, config: { problems: ['resource_not_found', 'invalid_request'] } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    if (id === 'gone') return (reply as FastifyReply).code(404).send({ own: 'payload', kept: true })
    if (id === 'bad') throw new ProblemError('invalid_request', { detail: 'id is not a number' })
    return { id: Number(id), secret: 'filtered by the 200 schema' }
  })
  await app.ready()

  // 2. Fastify compiled the route's own 200 schema as given (for GET and the HEAD route it adds), nothing for the problems
  t.strictSame(compiled, [{ status: '200', schema: ok }, { status: '200', schema: ok }])

  // 3. the route behaves as it did without config.problems
  t.strictSame((await app.inject('/typed/7')).json(), { id: 7 })
  const own = await app.inject('/typed/gone')
  t.equal(own.statusCode, 404)
  t.match(own.headers['content-type'], /^application\/json/)
  t.strictSame(own.json(), { own: 'payload', kept: true }, 'a payload the route sends itself is not reshaped by the documentation')
  const problem = await app.inject('/typed/bad')
  t.equal(problem.statusCode, 400)
  t.match(problem.json(), { type: '/problems/invalid-request', detail: 'id is not a number' })

  // 4. and the document, read after ready(), has the full schemas
  const doc = app.swagger() as unknown as Doc
  await valid(t, doc)
  const media = doc.paths['/typed/{id}'].get.responses['404'].content['application/problem+json']
  t.match(media.schema, { allOf: [{ $ref: '#/components/schemas/ProblemDetails' }, { title: 'resource_not_found' }] })
  t.equal(media.examples.resource_not_found.value.type, '/problems/resource-not-found')
})

t.test('a 200 route declaring config.problems answers as one that does not: no response serializer at run time, its problems in the document', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  // Fastify takes its schema path for a reply (status lookup, content type, compiled serializer)
  // only when it compiled a response schema for the route: here it is asked to compile none
  const compiled: string[] = []
  app.setSerializerCompiler(function recordingCompiler ({ url, httpStatus }) {
    compiled.push(`${url} ${httpStatus}`)
    return (data: unknown) => JSON.stringify(data)
  })
  await app.register(swagger, swaggerOptions)
  await app.register(problemDetails)
  // what each route's reply finds for its statuses, asked from inside the request
  const found: Record<string, unknown[]> = {}
  const ok: RouteHandlerMethod = async function ok (request, reply) {
    found[String(request.routeOptions.url)] = ['200', '400', '404', '2xx', 'default'].map((status) => reply.getSerializationFunction(status))
    return { ok: true }
  }
  app.get('/declaring', { config: { problems: ['invalid_request', 'resource_not_found'] } }, ok)
  app.get('/plain', ok)
  await app.ready()

  t.strictSame(compiled, [], 'no response schema was compiled, for either route')
  for (const url of ['/declaring', '/plain']) {
    const response = await app.inject(url)
    t.equal(response.statusCode, 200)
    t.match(response.headers['content-type'], /^application\/json/)
    t.equal(response.body, '{"ok":true}')
    t.strictSame(found[url], [undefined, undefined, undefined, undefined, undefined], `${url}: no serializer for any status`)
  }

  // the document still has the declared problems, with their examples, beside the default 200
  const doc = app.swagger() as unknown as Doc
  await valid(t, doc)
  const responses = doc.paths['/declaring'].get.responses
  t.strictSame(Object.keys(responses), ['200', '400', '404'])
  t.strictSame(responses['200'], { description: 'Default Response' })
  t.equal(responses['400'].content['application/problem+json'].examples.invalid_request.value.type, '/problems/invalid-request')
  t.equal(responses['404'].content['application/json'].examples.resource_not_found.value.type, '/problems/resource-not-found')
})

t.test('an app without routes declaring problems records no examples', async (t) => {
  const app: FastifyInstance = Fastify()
  t.teardown(() => app.close())
  await app.register(problemDetails)
  app.get('/a', async () => 'a')
  await app.ready()
  t.equal((await app.inject('/a')).body, 'a')
})
