import t from 'tap'
import { build, problemOf } from './helper.ts'
import { builtinCatalog, ProblemError, PROBLEM_SCHEMA_ID, type ProblemCode } from '../lib/index.ts'

t.test('a thrown ProblemError becomes the documented problem document, members in order', async (t) => {
  const { app } = await build(t, {
    plugin: { typeBase: 'https://docs.example.com/errors/' },
    routes: (app) => {
      app.post('/api/v1/agent/tasks', async () => {
        throw new ProblemError('invalid_request', { detail: 'schedule_id is required' })
      })
    }
  })
  const res = await app.inject({ method: 'POST', url: '/api/v1/agent/tasks?token=secret', payload: {} })
  t.equal(res.statusCode, 400)
  t.equal(res.headers['content-type'], 'application/problem+json')
  t.equal(res.body, '{"type":"https://docs.example.com/errors/invalid-request","title":"The request contains invalid or missing parameters.","status":400,"detail":"schedule_id is required","instance":"/api/v1/agent/tasks","error":"The request contains invalid or missing parameters. (schedule_id is required)","retryable":false}')
})

t.test('every built-in code answers with its status, title, retryable flag and type', async (t) => {
  const codes = Object.keys(builtinCatalog) as Array<keyof typeof builtinCatalog>
  t.equal(codes.length, 16)
  const { app } = await build(t, {
    routes: (app) => {
      app.get('/code/:code', async (request) => {
        throw new ProblemError((request.params as { code: keyof typeof builtinCatalog }).code)
      })
    }
  })
  for (const code of codes) {
    const entry = builtinCatalog[code]
    const res = await app.inject(`/code/${code}`)
    const body = problemOf(t, res, entry.status)
    t.strictSame(body, {
      type: `/problems/${code.replaceAll('_', '-')}`,
      title: entry.title,
      status: entry.status,
      instance: `/code/${code}`,
      error: entry.title,
      retryable: entry.retryable
    }, code)
  }
})

t.test('the two titles clients already match on are kept verbatim', async (t) => {
  t.equal(builtinCatalog.invalid_request.title, 'The request contains invalid or missing parameters.')
  t.equal(builtinCatalog.internal_error.title, 'An unexpected error occurred. Please try again later. If the issue persists, contact support.')
})

t.test('extension members come after the standard members and only declared ones are sent', async (t) => {
  const { app } = await build(t, {
    routes: (app) => {
      app.get('/auth', async () => {
        const init = { provider: 'github', auth_url: 'https://auth.example.com/gh', inaccessible_repos: ['acme/api'], password: 'hunter2' }
        throw new ProblemError('external_authentication_required', init)
      })
    }
  })
  const res = await app.inject('/auth')
  t.equal(res.body, '{"type":"/problems/external-authentication-required","title":"Authorization with an external service is required.","status":401,"instance":"/auth","error":"Authorization with an external service is required.","retryable":false,"provider":"github","auth_url":"https://auth.example.com/gh","inaccessible_repos":["acme/api"]}')
  t.notMatch(res.body, /hunter2/)
})

t.test('a custom catalog entry with typed extension members is served', async (t) => {
  const { app } = await build(t, {
    plugin: {
      typeBase: 'https://docs.example.com/errors/',
      catalog: {
        quota_exceeded: {
          status: 429,
          title: 'The quota for this period is used up.',
          retryable: true,
          category: 'user',
          retryAfter: 30,
          members: { limit: { type: 'integer' }, window: { type: 'string', enum: ['hour', 'day'] } },
          required: ['limit']
        },
        internal_error: { ...builtinCatalog.internal_error, title: 'Something broke on our side.' }
      }
    },
    routes: (app) => {
      app.get('/quota', async (_request, reply) => reply.problem('quota_exceeded' as ProblemCode, { limit: 100, window: 'day' } as never))
      app.get('/boom', async () => { throw new Error('db password is hunter2') })
    }
  })
  const res = await app.inject('/quota')
  t.strictSame(problemOf(t, res, 429), {
    type: 'https://docs.example.com/errors/quota-exceeded',
    title: 'The quota for this period is used up.',
    status: 429,
    instance: '/quota',
    error: 'The quota for this period is used up.',
    retryable: true,
    limit: 100,
    window: 'day'
  })
  t.equal(res.headers['retry-after'], '30')
  const boom = await app.inject('/boom')
  t.equal(problemOf(t, boom, 500).title, 'Something broke on our side.', 'a built-in code can be overridden')
})

t.test('a member of the wrong type is a coded developer error in the log and internal_error on the wire', async (t) => {
  const { app, logs } = await build(t, {
    routes: (app) => {
      app.get('/bad', async () => {
        throw new ProblemError('external_authentication_required', { provider: 42 as unknown as string, auth_url: 'not a uri' })
      })
    }
  })
  const res = await app.inject('/bad')
  const body = problemOf(t, res, 500)
  t.equal(body.type, '/problems/internal-error')
  t.notOk('provider' in body)
  const [line] = logs.problems()
  t.equal(line.level, 50)
  t.match(line.err, { code: 'FST_PROBLEM_INVALID_MEMBER' })
  t.match(line.msg, /external_authentication_required.*provider.*must be string/)
  t.match(line.msg, /auth_url.*must match format "uri"/)
})

t.test('a required member that is missing is a developer error', async (t) => {
  const { app, logs } = await build(t, {
    plugin: { catalog: { needs_limit: { status: 429, title: 'Limited.', retryable: true, category: 'user', members: { limit: { type: 'integer' } }, required: ['limit'] } } },
    routes: (app) => { app.get('/x', async (_req, reply) => reply.problem('needs_limit' as ProblemCode)) }
  })
  problemOf(t, await app.inject('/x'), 500)
  t.match(logs.problems()[0].msg, /must have required property 'limit'/)
})

t.test('reply.problem sends without an Error and is logged once', async (t) => {
  const { app, logs } = await build(t, {
    routes: (app) => {
      app.get('/conflict', async (_request, reply) => reply.problem('conflict', { detail: 'version 3 is stale', retryAfter: 2 }))
      app.get('/sync', (_request, reply) => { reply.problem('not_authorized') })
    }
  })
  const res = await app.inject('/conflict')
  t.strictSame(problemOf(t, res, 409), {
    type: '/problems/conflict',
    title: 'The request conflicts with the current state of the resource.',
    status: 409,
    detail: 'version 3 is stale',
    instance: '/conflict',
    error: 'The request conflicts with the current state of the resource. (version 3 is stale)',
    retryable: true
  })
  t.equal(res.headers['retry-after'], '2')
  t.equal(problemOf(t, await app.inject('/sync'), 403).type, '/problems/not-authorized')
  const lines = logs.problems()
  t.equal(lines.length, 2)
  t.match(lines[0], { level: 30, problem: 'conflict', status: 409, msg: 'problem conflict: version 3 is stale' })
})

t.test('reply.problem with an unknown code logs a coded error and sends internal_error', async (t) => {
  const { app, logs } = await build(t, {
    routes: (app) => { app.get('/x', async (_req, reply) => reply.problem('no_such_code' as ProblemCode)) }
  })
  t.equal(problemOf(t, await app.inject('/x'), 500).type, '/problems/internal-error')
  t.match(logs.problems()[0], { level: 50, err: { code: 'FST_PROBLEM_UNKNOWN_CODE' } })
})

t.test('the error and trace_id members can be switched off', async (t) => {
  const { app } = await build(t, {
    plugin: { errorMember: false, traceId: false },
    routes: (app) => { app.get('/x', async () => { throw new ProblemError('conflict', { detail: 'd' }) }) }
  })
  const body = problemOf(t, await app.inject('/x'), 409)
  t.notOk('error' in body)
  t.equal(body.detail, 'd')
  const schema = app.getSchema(PROBLEM_SCHEMA_ID) as { properties: Record<string, unknown>, required: string[] }
  t.notOk('error' in schema.properties)
  t.notOk('trace_id' in schema.properties)
  t.notOk(schema.required.includes('error'))
})

t.test('the problem schema is shared so routes can $ref it', async (t) => {
  const { app } = await build(t, {
    routes: (app) => {
      app.get('/x', { schema: { response: { 404: { $ref: `${PROBLEM_SCHEMA_ID}#` } } } }, async (_req, reply) => reply.problem('resource_not_found'))
    }
  })
  const schema = app.getSchema(PROBLEM_SCHEMA_ID) as { required: string[] }
  t.strictSame(schema.required, ['type', 'title', 'status', 'instance', 'retryable', 'error'])
  t.equal(problemOf(t, await app.inject('/x'), 404).type, '/problems/resource-not-found')
  t.equal(app.problemDetails.schemaId, PROBLEM_SCHEMA_ID)
  t.ok(app.problemDetails.catalog.has('conflict'))
  t.match(app.problemDetails.schemaOf('integration_not_configured'), { properties: { integration_name: { type: 'string' }, setup_url: { format: 'uri' } } })
})

t.test('detail longer than maxDetailLength is cut with an ellipsis', async (t) => {
  const { app } = await build(t, {
    plugin: { maxDetailLength: 20 },
    routes: (app) => { app.get('/x', async () => { throw new ProblemError('invalid_request', { detail: 'x'.repeat(100) }) }) }
  })
  const body = problemOf(t, await app.inject('/x'), 400)
  t.equal(body.detail, 'x'.repeat(19) + '…')
})

t.test('HEAD requests get status and headers but no body', async (t) => {
  const { app } = await build(t, {
    routes: (app) => { app.get('/conflict', async () => { throw new ProblemError('conflict', { retryAfter: 5 }) }) }
  })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const res = await fetch(`${address}/conflict`, { method: 'HEAD' })
  t.equal(res.status, 409)
  t.equal(res.headers.get('content-type'), 'application/problem+json')
  t.equal(res.headers.get('retry-after'), '5')
  t.equal(await res.text(), '')
  const missing = await fetch(`${address}/missing`, { method: 'HEAD' })
  t.equal(missing.status, 404)
  t.equal(await missing.text(), '')
})
