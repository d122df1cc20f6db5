import t from 'tap'
import { build, problemOf } from './helper.ts'

const INVALID_TITLE = 'The request contains invalid or missing parameters.'

t.test('body validation failures list every failure with a JSON Pointer', async (t) => {
  const { app } = await build(t, {
    fastify: { ajv: { customOptions: { allErrors: true } } },
    routes: (app) => {
      app.post('/api/v1/agent/tasks', {
        schema: {
          body: {
            type: 'object',
            required: ['schedule_id'],
            properties: { age: { type: 'integer' }, 'a/b': { type: 'object', properties: { 'c~d': { type: 'string' } } } }
          }
        }
      }, async () => 'ok')
    }
  })
  const res = await app.inject({ method: 'POST', url: '/api/v1/agent/tasks', payload: { age: 'ten', 'a/b': { 'c~d': { not: 'a string' } } } })
  const body = problemOf(t, res, 400)
  t.strictSame(body, {
    type: '/problems/invalid-request',
    title: INVALID_TITLE,
    status: 400,
    detail: body.detail,
    instance: '/api/v1/agent/tasks',
    error: `${INVALID_TITLE} (${String(body.detail)})`,
    retryable: false,
    errors: [
      { detail: 'must have required property \'schedule_id\'', pointer: '#/schedule_id' },
      { detail: 'must be integer', pointer: '#/age' },
      { detail: 'must be string', pointer: '#/a~1b/c~0d' }
    ]
  })
  t.match(body.detail, /^body must have required property 'schedule_id'/)
})

t.test('querystring, params and header failures name the parameter or header', async (t) => {
  const { app } = await build(t, {
    routes: (app) => {
      app.get('/q', { schema: { querystring: { type: 'object', properties: { limit: { type: 'integer' } } } } }, async () => 'ok')
      app.get('/p/:id', { schema: { params: { type: 'object', properties: { id: { type: 'integer' } } } } }, async () => 'ok')
      app.get('/h', { schema: { headers: { type: 'object', required: ['x-tenant'], properties: { 'x-tenant': { type: 'string' } } } } }, async () => 'ok')
    }
  })
  t.match(problemOf(t, await app.inject('/q?limit=abc&token=s3cret'), 400), {
    instance: '/q',
    detail: 'querystring/limit must be integer',
    errors: [{ detail: 'must be integer', parameter: 'limit' }]
  })
  t.match(problemOf(t, await app.inject('/p/xyz'), 400), { errors: [{ detail: 'must be integer', parameter: 'id' }] })
  const header = problemOf(t, await app.inject('/h'), 400)
  t.strictSame(header.errors, [{ detail: 'must have required property \'x-tenant\'', header: 'x-tenant' }])
})

t.test('malformed and empty JSON bodies are invalid_request', async (t) => {
  const { app } = await build(t, { routes: (app) => { app.post('/x', async () => 'ok') } })
  const malformed = await app.inject({ method: 'POST', url: '/x', headers: { 'content-type': 'application/json' }, payload: '{"a":' })
  t.strictSame(problemOf(t, malformed, 400), {
    type: '/problems/invalid-request',
    title: INVALID_TITLE,
    status: 400,
    detail: 'Body is not valid JSON but content-type is set to \'application/json\'',
    instance: '/x',
    error: `${INVALID_TITLE} (Body is not valid JSON but content-type is set to 'application/json')`,
    retryable: false
  })
  const empty = await app.inject({ method: 'POST', url: '/x', headers: { 'content-type': 'application/json' }, payload: '' })
  t.match(problemOf(t, empty, 400), { type: '/problems/invalid-request', detail: /cannot be empty/ })
})

t.test('a body over the limit is 413 and an unsupported media type is 415, as about:blank', async (t) => {
  const { app } = await build(t, {
    fastify: { bodyLimit: 32 },
    routes: (app) => { app.post('/x', async () => 'ok') }
  })
  const large = await app.inject({ method: 'POST', url: '/x', payload: { text: 'y'.repeat(100) } })
  t.strictSame(problemOf(t, large, 413), {
    type: 'about:blank',
    title: 'Content Too Large',
    status: 413,
    detail: 'Request body is too large',
    instance: '/x',
    error: 'Content Too Large (Request body is too large)',
    retryable: false
  })
  const media = await app.inject({ method: 'POST', url: '/x', headers: { 'content-type': 'application/x-unknown' }, payload: 'a' })
  t.strictSame(problemOf(t, media, 415), {
    type: 'about:blank',
    title: 'Unsupported Media Type',
    status: 415,
    detail: 'Unsupported Media Type',
    instance: '/x',
    error: 'Unsupported Media Type (Unsupported Media Type)',
    retryable: false
  })
})

t.test('unknown routes are resource_not_found without the query string', async (t) => {
  const { app } = await build(t)
  t.strictSame(problemOf(t, await app.inject('/api/v1/nothing?api_key=s3cret'), 404), {
    type: '/problems/resource-not-found',
    title: 'The requested resource does not exist.',
    status: 404,
    detail: 'No route matches GET /api/v1/nothing',
    instance: '/api/v1/nothing',
    error: 'The requested resource does not exist. (No route matches GET /api/v1/nothing)',
    retryable: false
  })
})

t.test('with notFound: false the service keeps its own not-found handler', async (t) => {
  const { app } = await build(t, {
    plugin: { notFound: false },
    routes: (app) => { app.setNotFoundHandler((_req, reply) => { reply.code(404).send('custom') }) }
  })
  const res = await app.inject('/missing')
  t.equal(res.statusCode, 404)
  t.equal(res.body, 'custom')
})

t.test('a 404 with no default entry is about:blank', async (t) => {
  const { app } = await build(t, {
    plugin: {
      replaceCatalog: true,
      catalog: { internal_error: { status: 500, title: 'Oops.', retryable: false, category: 'platform' } }
    }
  })
  t.match(problemOf(t, await app.inject('/missing'), 404), { type: 'about:blank', title: 'Not Found', detail: 'No route matches GET /missing' })
  t.match(problemOf(t, await app.inject({ method: 'POST', url: '/missing', payload: {} }), 404), { detail: 'No route matches POST /missing' })
})

t.test('validation failures keep their errors list even when the catalog has no invalid_request', async (t) => {
  const { app } = await build(t, {
    plugin: { replaceCatalog: true, catalog: { internal_error: { status: 500, title: 'Oops.', retryable: false, category: 'platform' } } },
    routes: (app) => { app.get('/q', { schema: { querystring: { type: 'object', properties: { limit: { type: 'integer' } } } } }, async () => 'ok') }
  })
  t.strictSame(problemOf(t, await app.inject('/q?limit=x'), 400), {
    type: 'about:blank',
    title: 'Bad Request',
    status: 400,
    detail: 'querystring/limit must be integer',
    instance: '/q',
    error: 'Bad Request (querystring/limit must be integer)',
    retryable: false,
    errors: [{ detail: 'must be integer', parameter: 'limit' }]
  })
})
