import t, { type Test } from 'tap'
import Fastify from 'fastify'
import swagger from '@fastify/swagger'
import { Validator } from '@seriousme/openapi-schema-validator'
import problemDetails, { PROBLEM_CONTENT_TYPE, ProblemError } from '../lib/index.ts'
import { nameProblemComponent } from '../lib/openapi-names.ts'
import { logCollector } from './helper.ts'

type Doc = { components: { schemas: Record<string, Record<string, unknown>> }, paths: Record<string, Record<string, { responses: Record<string, any> }>> }

async function valid (t: Test, doc: unknown) {
  const result = await new Validator().validate(doc as Parameters<Validator['validate']>[0])
  t.ok(result.valid, 'the OpenAPI document is valid: ' + JSON.stringify(result.errors ?? ''))
}

/** Every `$ref` string of a document. */
function refsOf (node: unknown): string[] {
  if (node === null || typeof node !== 'object') return []
  return Object.entries(node).flatMap(([key, value]) => key === '$ref' && typeof value === 'string' ? [value] : refsOf(value))
}

t.test('without a refResolver the shared schema is the ProblemDetails component, in the JSON and the YAML document', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(swagger, { openapi: { openapi: '3.0.3', info: { title: 'wire', version: '1.0.0' } } })
  await app.register(problemDetails)
  app.addSchema({ $id: 'Task', type: 'object', properties: { id: { type: 'integer' } } })
  // 1. a route referencing the shared schema itself, and one declaring problems
  app.get('/tasks/:id', { schema: { response: { 200: { $ref: 'Task#' }, 404: { $ref: 'ProblemDetails#' } } } }, async () => ({ id: 1 }))
  app.post('/tasks', { config: { problems: ['invalid_request'] } }, async () => 'x')
  await app.ready()

  // 2. YAML asked first: the name is right there too
  const yaml = app.swagger({ yaml: true }) as unknown as string
  t.match(yaml, /\n {4}ProblemDetails:\n/)
  t.match(yaml, '$ref: "#/components/schemas/ProblemDetails"')
  const doc = app.swagger() as unknown as Doc
  await valid(t, doc)
  t.equal(doc.components.schemas.ProblemDetails.title, 'Problem Details (RFC 9457)')
  t.ok(Object.values(doc.components.schemas).filter((schema) => schema.title === 'Problem Details (RFC 9457)').length === 1, 'no generated copy is left')
  t.ok(doc.components.schemas['def-1'] ?? doc.components.schemas['def-0'], 'the other shared schemas keep the names @fastify/swagger gives them')
  const refs = refsOf(doc.paths)
  t.ok(refs.includes('#/components/schemas/ProblemDetails'))
  t.strictSame(doc.paths['/tasks/{id}'].get.responses['404'].content['application/json'].schema, { $ref: '#/components/schemas/ProblemDetails' })
  // 3. asked again, the same document (the renaming is done once)
  t.equal(app.swagger(), doc)
  t.equal(app.swagger({ yaml: true }), yaml)
})

t.test('Swagger 2.0 documents keep the name as well, and an application refResolver is left alone', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(swagger, { swagger: { info: { title: 'wire', version: '1.0.0' } } })
  await app.register(problemDetails)
  app.get('/x', { config: { problems: ['conflict'] } }, async () => 'x')
  await app.ready()
  const yaml = app.swagger({ yaml: true }) as unknown as string
  t.match(yaml, '$ref: "#/definitions/ProblemDetails"')
  const doc = app.swagger() as unknown as { definitions: Record<string, { title?: string }> }
  t.equal(doc.definitions.ProblemDetails.title, 'Problem Details (RFC 9457)')

  const own = Fastify()
  t.teardown(() => own.close())
  await own.register(swagger, { openapi: { info: { title: 'wire', version: '1.0.0' } }, refResolver: { buildLocalReference: (json: { $id?: unknown }, _b: unknown, _f: unknown, i: number) => typeof json.$id === 'string' ? json.$id : `def-${i}` } })
  await own.register(problemDetails)
  own.get('/x', { config: { problems: ['conflict'] } }, async () => 'x')
  await own.ready()
  t.ok((own.swagger() as unknown as Doc).components.schemas.ProblemDetails)
  t.equal(nameProblemComponent(own.swagger()), undefined, 'nothing to rename')
  t.match(own.swagger({ yaml: true }), '$ref: "#/components/schemas/ProblemDetails"')
  t.equal(nameProblemComponent(null), undefined)
  t.equal(nameProblemComponent({ components: { schemas: { 'def-0': { title: 'Other' } } } }), undefined)
})

t.test('the documented example is what the route sends, instance included', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(swagger, { openapi: { info: { title: 'wire', version: '1.0.0' } } })
  await app.register(problemDetails, { traceId: false })
  app.get('/reports/daily', { config: { problems: ['resource_unavailable'] } }, async () => {
    throw new ProblemError('resource_unavailable')
  })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const responses = (app.swagger() as unknown as Doc).paths['/reports/daily'].get.responses
  const documented = responses['503'].content['application/problem+json'].examples.resource_unavailable.value
  const res = await fetch(`${base}/reports/daily`)
  t.equal(res.status, 503)
  t.equal(res.headers.get('content-type'), PROBLEM_CONTENT_TYPE)
  t.strictSame(await res.json(), documented)
  t.strictSame(Object.keys(responses['503'].headers), ['retry-after'])
})

t.test('401 responses document WWW-Authenticate; a route declaring its own success response keeps it alone', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(swagger, { openapi: { info: { title: 'wire', version: '1.0.0' } } })
  await app.register(problemDetails)
  app.post('/tokens', { schema: { response: { 201: { type: 'object', properties: { token: { type: 'string' } } } } }, config: { problems: ['authentication_required'] } }, async () => ({ token: 't' }))
  await app.ready()
  const responses = (app.swagger() as unknown as Doc).paths['/tokens'].post.responses
  t.strictSame(Object.keys(responses).sort(), ['201', '401'])
  t.strictSame(Object.keys(responses['401'].headers), ['www-authenticate'])
})

t.test("a route's own error response that contradicts the wire is named in one warning at startup, and kept", async (t) => {
  const logs = logCollector()
  const app = Fastify({ logger: { level: 'info', stream: logs.stream } })
  t.teardown(() => app.close())
  await app.register(swagger, { openapi: { info: { title: 'wire', version: '1.0.0' } } })
  await app.register(problemDetails)
  const legacy = { type: 'object', properties: { message: { type: 'string' } } }
  app.get('/legacy', { schema: { response: { 200: { type: 'string' }, 404: legacy, '5xx': legacy } } }, async () => { throw new ProblemError('resource_not_found') })
  app.get('/typed', { schema: { response: { 404: app.problemDetails.schemaOf('resource_not_found'), 400: { $ref: 'ProblemDetails#' }, 409: { content: { 'application/problem+json': { schema: { allOf: [{ $ref: 'ProblemDetails#' }] } } } } } } }, async () => 'x')
  app.get('/declared', { schema: { response: { 404: legacy } }, config: { problems: ['resource_not_found'] } }, async () => 'x')
  const base = await app.listen({ port: 0, host: '127.0.0.1' })

  // 1. one warning, naming each contradicting response
  const warnings = logs.lines.filter((line) => line.level === 40)
  t.equal(warnings.length, 1)
  t.strictSame(warnings[0].responses, ['GET /legacy 404', 'GET /legacy 5xx', 'GET /declared 404'])
  t.match(warnings[0].msg, /3 route responses document an error body the plugin does not send: .*\$ref: 'ProblemDetails#'/)
  // 2. the schema stays as declared; the wire is a problem document
  t.strictSame((app.swagger() as unknown as Doc).paths['/declared'].get.responses['404'].content['application/json'].schema.properties, { message: { type: 'string' } })
  const res = await fetch(`${base}/legacy`)
  t.equal(res.status, 404)
  t.equal(res.headers.get('content-type'), PROBLEM_CONTENT_TYPE)
})

t.test('a single contradicting response is named the same way; HEAD routes are not counted twice', async (t) => {
  const logs = logCollector()
  const app = Fastify({ logger: { level: 'info', stream: logs.stream } })
  t.teardown(() => app.close())
  await app.register(problemDetails)
  app.get('/one', { schema: { response: { 400: { type: 'object', properties: { code: { type: 'string' } } } } } }, async () => 'x')
  await app.ready()
  t.match(logs.lines.filter((line) => line.level === 40), [{ responses: ['GET /one 400'], msg: /^fastify-problem-details: 1 route response documents an error body/ }])
})
