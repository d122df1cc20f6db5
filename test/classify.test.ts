import t from 'tap'
import createError from '@fastify/error'
import createHttpError from 'http-errors'
import sensible from '@fastify/sensible'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { MAX_CAUSE_DEPTH } from '../lib/classify.ts'
import { build, problemOf } from './helper.ts'
import { ProblemError, type ProblemCode } from '../lib/index.ts'

const INTERNAL = {
  type: '/problems/internal-error',
  title: 'An unexpected error occurred. Please try again later. If the issue persists, contact support.',
  status: 500,
  error: 'An unexpected error occurred. Please try again later. If the issue persists, contact support.',
  retryable: true
}

t.test('1. a ProblemError comes before the error\'s own code and status', async (t) => {
  const { app } = await build(t, {
    plugin: { codes: { conflict: 'invalid_request' } },
    routes: (app) => {
      app.get('/x', async () => {
        const error = new ProblemError('conflict', { detail: 'stale' })
        Object.assign(error, { statusCode: 404 })
        throw error
      })
    }
  })
  t.match(problemOf(t, await app.inject('/x'), 409), { type: '/problems/conflict', detail: 'stale' })
})

t.test('mapError turns the service\'s own errors into problems before the default rules', async (t) => {
  class OrderLocked extends Error {}
  const { app } = await build(t, {
    plugin: {
      mapError: (error) => error instanceof OrderLocked ? new ProblemError('conflict', { detail: 'order 7 is locked' }) : undefined
    },
    routes: (app) => {
      app.get('/locked', async () => { throw new OrderLocked('row lock timeout on orders') })
      app.get('/other', async () => { throw createHttpError(404, 'no such order') })
    }
  })
  t.strictSame(problemOf(t, await app.inject('/locked'), 409), {
    type: '/problems/conflict',
    title: 'The request conflicts with the current state of the resource.',
    status: 409,
    detail: 'order 7 is locked',
    instance: '/locked',
    error: 'The request conflicts with the current state of the resource. (order 7 is locked)',
    retryable: true
  })
  t.match(problemOf(t, await app.inject('/other'), 404), { type: '/problems/resource-not-found', detail: 'no such order' })
})

t.test('a throwing mapError still gives internal_error and logs what happened', async (t) => {
  const { app, logs } = await build(t, {
    plugin: { mapError: () => { throw new Error('mapper bug') } },
    routes: (app) => { app.get('/x', async () => { throw new Error('original') }) }
  })
  t.strictSame(problemOf(t, await app.inject('/x'), 500), { ...INTERNAL, instance: '/x' })
  const [line] = logs.problems()
  t.match(line, { level: 50, msg: 'mapper bug', thrown: { message: 'original' } })
})

t.test('2. foreign error codes map through the codes option, without leaking their message', async (t) => {
  const { app } = await build(t, {
    plugin: { codes: { P2025: 'resource_not_found', ECONNREFUSED: 'resource_unavailable' } },
    routes: (app) => {
      app.get('/prisma', async () => { throw Object.assign(new Error('Record to update not found in table secret_users'), { code: 'P2025' }) })
      app.get('/db', async () => { throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432'), { code: 'ECONNREFUSED' }) })
    }
  })
  t.strictSame(problemOf(t, await app.inject('/prisma'), 404), {
    type: '/problems/resource-not-found',
    title: 'The requested resource does not exist.',
    status: 404,
    instance: '/prisma',
    error: 'The requested resource does not exist.',
    retryable: false
  })
  const db = await app.inject('/db')
  t.strictSame(problemOf(t, db, 503), {
    type: '/problems/resource-unavailable',
    title: 'A resource needed for this request is temporarily unavailable.',
    status: 503,
    instance: '/db',
    error: 'A resource needed for this request is temporarily unavailable.',
    retryable: true
  })
  t.notMatch(db.body, /10\.0\.0\.7/)
})

t.test('3. an error whose code is a catalog code (made with @fastify/error) uses that entry', async (t) => {
  const Conflict = createError('conflict', 'Version %s is stale', 409)
  const NoStatus = createError('integration_disabled', 'Integration %s was disabled by admin@example.com')
  const { app } = await build(t, {
    routes: (app) => {
      app.get('/conflict', async () => { throw new Conflict('3') })
      app.get('/disabled', async () => { throw new NoStatus('slack') })
    }
  })
  t.match(problemOf(t, await app.inject('/conflict'), 409), { type: '/problems/conflict', detail: 'Version 3 is stale', retryable: true })
  const disabled = await app.inject('/disabled')
  const body = problemOf(t, disabled, 403)
  t.equal(body.type, '/problems/integration-disabled')
  t.notOk('detail' in body, 'a 5xx-declared message is not exposed')
  t.notMatch(disabled.body, /admin@example\.com/)
})

t.test('4. http-errors map to the default entry of their status, else about:blank with the reason phrase', async (t) => {
  const { app } = await build(t, {
    routes: (app) => {
      app.get('/401', async () => { throw createHttpError(401, 'token expired') })
      app.get('/403', async () => { throw createHttpError(403) })
      app.get('/404', async () => { throw createHttpError(404, 'no task 9') })
      app.get('/409', async () => { throw createHttpError(409, 'taken') })
      app.get('/422', async () => { throw createHttpError(422, 'task already finished') })
      app.get('/410', async () => { throw createHttpError(410, 'task 9 was archived') })
      app.get('/429', async () => { throw createHttpError(429, 'slow down', { headers: { 'retry-after': '12', 'x-ratelimit-remaining': '0' } }) })
      app.get('/503', async () => { throw createHttpError(503, 'pool exhausted on db-3') })
      app.get('/502', async () => { throw createHttpError(502, 'upstream 10.1.1.1 failed') })
      app.get('/status', async () => { throw Object.assign(new Error('gone'), { status: 410 }) })
    }
  })
  t.match(problemOf(t, await app.inject('/401'), 401), { type: '/problems/authentication-required', detail: 'token expired' })
  t.match(problemOf(t, await app.inject('/403'), 403), { type: '/problems/not-authorized', detail: 'Forbidden' })
  t.match(problemOf(t, await app.inject('/404'), 404), { type: '/problems/resource-not-found', detail: 'no task 9' })
  t.match(problemOf(t, await app.inject('/409'), 409), { type: '/problems/conflict' })
  t.match(problemOf(t, await app.inject('/422'), 422), { type: '/problems/operation-not-supported' })
  t.strictSame(problemOf(t, await app.inject('/410'), 410), {
    type: 'about:blank',
    title: 'Gone',
    status: 410,
    detail: 'task 9 was archived',
    instance: '/410',
    error: 'Gone (task 9 was archived)',
    retryable: false
  })
  const limited = await app.inject('/429')
  t.strictSame(problemOf(t, limited, 429), {
    type: 'about:blank',
    title: 'Too Many Requests',
    status: 429,
    detail: 'slow down',
    instance: '/429',
    error: 'Too Many Requests (slow down)',
    retryable: true
  })
  t.equal(limited.headers['retry-after'], '12', 'the error\'s own headers are kept')
  t.equal(limited.headers['x-ratelimit-remaining'], '0')
  const unavailable = await app.inject('/503')
  t.strictSame(problemOf(t, unavailable, 503), {
    type: '/problems/resource-unavailable',
    title: 'A resource needed for this request is temporarily unavailable.',
    status: 503,
    instance: '/503',
    error: 'A resource needed for this request is temporarily unavailable.',
    retryable: true
  })
  t.strictSame(problemOf(t, await app.inject('/502'), 500), { ...INTERNAL, instance: '/502' }, '5. a 5xx without a default entry is internal_error')
  t.match(problemOf(t, await app.inject('/status'), 410), { type: 'about:blank', title: 'Gone', detail: 'gone' }, 'status works like statusCode')
})

t.test('4. @fastify/sensible errors are mapped like http-errors', async (t) => {
  const { app } = await build(t, {
    routes: async (app) => {
      await app.register(sensible)
      app.get('/bad', async () => { throw app.httpErrors.badRequest('limit must be positive') })
      app.get('/teapot', async (_req, reply) => reply.send(app.httpErrors.imateapot()))
    }
  })
  t.strictSame(problemOf(t, await app.inject('/bad'), 400), {
    type: '/problems/invalid-request',
    title: 'The request contains invalid or missing parameters.',
    status: 400,
    detail: 'limit must be positive',
    instance: '/bad',
    error: 'The request contains invalid or missing parameters. (limit must be positive)',
    retryable: false
  })
  t.match(problemOf(t, await app.inject('/teapot'), 418), { type: 'about:blank', title: 'I\'m a Teapot' })
})

t.test('statusCodes adds or replaces the default entry of a status', async (t) => {
  const { app } = await build(t, {
    plugin: {
      catalog: { gone: { status: 410, title: 'It is gone.', retryable: false, category: 'user' } },
      statusCodes: { 410: 'gone', 404: 'invalid_request' }
    },
    routes: (app) => {
      app.get('/410', async () => { throw createHttpError(410) })
      app.get('/404', async () => { throw createHttpError(404) })
    }
  })
  t.match(problemOf(t, await app.inject('/410'), 410), { type: '/problems/gone', title: 'It is gone.' })
  t.match(problemOf(t, await app.inject('/404'), 400), { type: '/problems/invalid-request' }, 'the entry decides the status')
})

t.test('5. anything else is internal_error with nothing of the thrown value in the body', async (t) => {
  const secret = 'canary-7f3a'
  const thrown: Record<string, unknown> = {
    string: `failed with ${secret}`,
    null: null,
    object: { message: secret, statusCode: 'nope' },
    number: 42,
    error: Object.assign(new Error(`db at ${secret}`), { password: secret, statusCode: 500 }),
    statusOutOfRange: Object.assign(new Error(secret), { statusCode: 200 }),
    typeError: new TypeError(`cannot read ${secret}`)
  }
  const { app, logs } = await build(t, {
    routes: (app) => {
      app.get('/throw/:kind', async (request) => { throw thrown[(request.params as { kind: string }).kind] })
      app.get('/reject/:kind', (request, reply) => { reply.send(thrown[(request.params as { kind: string }).kind]) })
    }
  })
  for (const kind of Object.keys(thrown)) {
    const res = await app.inject(`/throw/${kind}`)
    t.strictSame(problemOf(t, res, 500), { ...INTERNAL, instance: `/throw/${kind}` }, kind)
    t.notMatch(res.body, secret)
  }
  const lines = logs.problems()
  t.equal(lines.length, Object.keys(thrown).length, 'one log line per problem')
  t.ok(lines.every((l) => l.level === 50 && l.problem === 'internal_error'))
  t.match(lines[0], { err: { type: 'string', value: `failed with ${secret}` } }, 'a thrown string is described in the log')
  t.match(lines[4], { err: { message: `db at ${secret}`, stack: /Error: db at/ } }, 'the original error and its stack go to the log')
  const res = await app.inject('/reject/error')
  t.strictSame(problemOf(t, res, 500), { ...INTERNAL, instance: '/reject/error' }, 'reply.send(error) takes the same path')
})

t.test('exposeServerErrors puts the message of 5xx errors in detail on purpose', async (t) => {
  const { app } = await build(t, {
    plugin: { exposeServerErrors: true },
    routes: (app) => {
      app.get('/x', async () => { throw createHttpError(503, 'maintenance until 10:00') })
      app.get('/plain', async () => { throw new Error('no status, still hidden') })
    }
  })
  t.match(problemOf(t, await app.inject('/x'), 503), { detail: 'maintenance until 10:00' })
  t.notOk('detail' in problemOf(t, await app.inject('/plain'), 500))
})

t.test('a failing hook ends as a problem', async (t) => {
  const { app } = await build(t, {
    routes: (app) => {
      app.register(async (scope) => {
        scope.addHook('onRequest', async () => { throw createHttpError(401, 'missing api key') })
        scope.get('/private', async () => 'never')
      })
      app.get('/pre', { preHandler: async () => { throw new ProblemError('feature_not_available') } }, async () => 'never')
      app.get('/hook-crash', { preValidation: (_req, _reply, done) => { done(new Error('hook exploded')) } }, async () => 'never')
    }
  })
  t.match(problemOf(t, await app.inject('/private'), 401), { type: '/problems/authentication-required', detail: 'missing api key' })
  t.match(problemOf(t, await app.inject('/pre'), 403), { type: '/problems/feature-not-available' })
  t.strictSame(problemOf(t, await app.inject('/hook-crash'), 500), { ...INTERNAL, instance: '/hook-crash' })
})

t.test('Retry-After: the occurrence wins, then the error header, then the entry; only on retryable problems', async (t) => {
  const { app } = await build(t, {
    plugin: { catalog: { busy: { status: 503, title: 'Busy.', retryable: true, category: 'platform', retryAfter: 60 } } },
    routes: (app) => {
      app.get('/entry', async () => { throw new ProblemError('busy' as ProblemCode) })
      app.get('/init', async () => { throw new ProblemError('busy' as ProblemCode, { retryAfter: 5 } as never) })
      app.get('/header', async () => { throw new ProblemError('busy' as ProblemCode, { headers: { 'Retry-After': '7' } } as never) })
      app.get('/not-retryable', async () => { throw new ProblemError('invalid_request', { retryAfter: 5, headers: { 'retry-after': '9' } }) })
      app.get('/injected', async () => { throw new ProblemError('conflict', { headers: { 'retry-after': '1\r\nset-cookie: a=b', 'x-ok': 'yes', 'bad name': 'v', 'content-type': 'text/html' } }) })
    }
  })
  t.equal((await app.inject('/entry')).headers['retry-after'], '60')
  t.equal((await app.inject('/init')).headers['retry-after'], '5')
  t.equal((await app.inject('/header')).headers['retry-after'], '7')
  t.notOk('retry-after' in (await app.inject('/not-retryable')).headers)
  const injected = await app.inject('/injected')
  t.notOk('retry-after' in injected.headers)
  t.notOk('set-cookie' in injected.headers)
  t.equal(injected.headers['x-ok'], 'yes')
  t.equal(injected.headers['content-type'], 'application/problem+json')
})

t.test('4xx are logged at info, 5xx at error with the original error, each once', async (t) => {
  const { app, logs } = await build(t, {
    plugin: { clientErrorLogLevel: 'warn' },
    routes: (app) => {
      app.get('/4xx', async () => { throw new ProblemError('conflict', { detail: 'stale' }) })
      app.get('/5xx', async () => { throw new Error('kaput') })
    }
  })
  await app.inject('/4xx')
  await app.inject('/5xx')
  const [client, server] = logs.problems()
  t.match(client, { level: 40, problem: 'conflict', status: 409, msg: 'problem conflict: stale' })
  t.match(server, { level: 50, problem: 'internal_error', status: 500, err: { message: 'kaput' } })
  t.notOk('trace_id' in server, 'no trace_id without a span')
})

t.test('silent log levels write no problem line', async (t) => {
  const { app, logs } = await build(t, {
    plugin: { clientErrorLogLevel: 'silent', serverErrorLogLevel: 'silent' },
    routes: (app) => {
      app.get('/4xx', async () => { throw new ProblemError('conflict') })
      app.get('/5xx', async () => { throw new Error('kaput') })
    }
  })
  problemOf(t, await app.inject('/4xx'), 409)
  problemOf(t, await app.inject('/5xx'), 500)
  t.equal(logs.problems().length, 0)
})

t.test('codes follows the cause chain: a fetch that failed with ECONNREFUSED is mapped', async (t) => {
  // a port nothing listens on: open one, note it, close it
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  const cyclic: Error & { cause?: unknown } = new Error('a')
  cyclic.cause = Object.assign(new Error('b'), { cause: cyclic })
  let deep: unknown = Object.assign(new Error('deepest'), { code: 'ECONNREFUSED' })
  for (let i = 0; i < MAX_CAUSE_DEPTH; i++) deep = new Error(`level ${i}`, { cause: deep })
  const { app } = await build(t, {
    plugin: { codes: { ECONNREFUSED: 'resource_unavailable' } },
    routes: (app) => {
      app.get('/fetch', async () => await fetch(`http://127.0.0.1:${port}/`))
      app.get('/cycle', async () => { throw cyclic })
      app.get('/deep', async () => { throw deep })
    }
  })
  // 1. fetch rejects with TypeError('fetch failed'), its cause carries code ECONNREFUSED
  const res = await app.inject('/fetch')
  t.match(problemOf(t, res, 503), { type: '/problems/resource-unavailable', retryable: true })
  t.notMatch(res.body, /fetch failed|127\.0\.0\.1/, 'nothing of the error is sent')
  // 2. a cycle of causes ends the search; a code deeper than MAX_CAUSE_DEPTH is not looked for
  t.match(problemOf(t, await app.inject('/cycle'), 500), { type: '/problems/internal-error' })
  t.match(problemOf(t, await app.inject('/deep'), 500), { type: '/problems/internal-error' })
})
