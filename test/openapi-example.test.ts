import t from 'tap'
import { Validator } from '@seriousme/openapi-schema-validator'

// The example app uses the built package by its name, as users do (the test command builds first).
const { build } = require('../examples/openapi.js') as { build: () => Promise<import('fastify').FastifyInstance> }

t.test('the OpenAPI document of the example app validates and lists every declared problem per route', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  await app.ready()
  const res = await app.inject('/openapi.json')
  t.equal(res.statusCode, 200)
  const doc = res.json()
  const result = await new Validator().validate(doc)
  t.ok(result.valid, 'valid OpenAPI 3: ' + JSON.stringify(result.errors ?? ''))
  t.ok(doc.components.schemas.ProblemDetails, 'the problem schema is a component')
  t.strictSame(Object.keys(doc.paths).sort(), ['/tasks', '/tasks/{id}'], 'the docs and the document itself are hidden')

  // every code a route declares shows up in its responses, under its status, with its example
  const declared: Record<string, [string, string[]]> = {
    '/tasks/{id}': ['get', ['invalid_request', 'resource_not_found', 'quota_exceeded']],
    '/tasks': ['post', ['invalid_request', 'not_authorized', 'insufficient_credits', 'conflict']]
  }
  for (const [path, [method, codes]] of Object.entries(declared)) {
    const responses = doc.paths[path][method].responses
    for (const code of codes) {
      const entry = app.problemDetails.catalog.get(code)
      t.ok(entry, `${code} is in the catalog`)
      const media = responses[String(entry?.status)]?.content?.['application/problem+json']
      t.ok(media, `${method.toUpperCase()} ${path} documents ${code} under ${entry?.status}`)
      t.equal(media.examples[code].value.type, entry?.type, `${code} has its example`)
    }
  }
  t.strictSame(Object.keys(doc.paths['/tasks'].post.responses['403'].content['application/problem+json'].examples), ['not_authorized', 'insufficient_credits'])
})

t.test('the example app answers with the problems it documents', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  const missing = await app.inject('/tasks/7')
  t.equal(missing.statusCode, 404)
  t.match(missing.json(), { type: '/problems/resource-not-found', detail: 'task 7 does not exist' })
  const invalid = await app.inject('/tasks/abc')
  t.equal(invalid.statusCode, 400)
  t.equal(invalid.json().type, '/problems/invalid-request')
  const anonymous = await app.inject({ method: 'POST', url: '/tasks', payload: { name: 'x' } })
  t.equal(anonymous.statusCode, 403)
  t.equal(anonymous.json().type, '/problems/not-authorized')
  const duplicate = await app.inject({ method: 'POST', url: '/tasks', payload: { name: 'nightly build' }, headers: { authorization: 'Bearer t' } })
  t.equal(duplicate.statusCode, 409)
  const created = await app.inject({ method: 'POST', url: '/tasks', payload: { name: 'weekly' }, headers: { authorization: 'Bearer t' } })
  t.equal(created.statusCode, 201)
  const docs = await app.inject({ url: '/problems/quota-exceeded', headers: { accept: 'application/json' } })
  t.equal(docs.statusCode, 200)
  t.match(docs.json(), { code: 'quota_exceeded', status: 429, example: { limit: 1000 } })
})

t.test('the example app answers a bad URL with its own problem document', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  const res = await app.inject('/tasks/%E0%A4%A?token=secret')
  t.equal(res.statusCode, 400)
  t.match(res.json(), { type: '/problems/invalid-request', status: 400, instance: '/tasks/%E0%A4%A' })
  t.notOk(res.body.includes('secret'))
})
