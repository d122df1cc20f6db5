// What the plugin's log line says of a failure: a brief 4xx line by default, the whole error on
// 5xx lines, bounded text, and one line per failure whatever state the reply is in.
import t from 'tap'
import type { AddressInfo } from 'node:net'
import { request as httpRequest } from 'node:http'
import createHttpError from 'http-errors'
import Fastify from 'fastify'
import problemDetails from '../lib/index.ts'
import { build } from './helper.ts'
import { MAX_LOG_MESSAGE_LENGTH } from '../lib/responder.ts'

/** A 4xx line in the default brief mode is under this many characters, whole. */
const BRIEF_LINE_BOUND = 4096

function clientErrorWithSecrets (): Error {
  // 1. a 4xx error carrying what a client sent: a token in a property, a password in its cause
  const error = createHttpError(401, 'token expired', { authorization: 'Bearer sk_live_SECRET_TOKEN' })
  ;(error as Error).cause = new Error('login failed for password=SECRET_PASSWORD')
  return error
}

t.test('a 4xx log line carries the code, status and a bounded message: no stack, properties or causes', async (t) => {
  const { app, logs } = await build(t, {
    routes: (app) => {
      app.get('/secrets', async () => { throw clientErrorWithSecrets() })
      app.get('/long', async () => { throw createHttpError(400, 'x'.repeat(100_000)) })
    }
  })
  await app.inject('/secrets')
  await app.inject('/long')
  const [secrets, long] = logs.problems()
  // 2. the line says what failed, at the client level, and nothing the client sent
  t.match(secrets, { level: 30, problem: 'authentication_required', status: 401, error: { type: 'UnauthorizedError', message: 'token expired' }, msg: 'problem authentication_required: token expired' })
  t.notOk('err' in secrets, 'not the error itself')
  t.notMatch(JSON.stringify(secrets), /SECRET|stack|\.ts:\d+/, 'no token, password or stack frame')
  // 3. bounded: a huge message makes a short line
  t.ok(JSON.stringify(long).length < BRIEF_LINE_BOUND, `${JSON.stringify(long).length} characters`)
  t.ok(String(long.msg).length <= MAX_LOG_MESSAGE_LENGTH)
})

t.test("clientErrorLogDetail: 'full' logs the whole 4xx error, as 5xx lines carry it", async (t) => {
  const { app, logs } = await build(t, {
    plugin: { clientErrorLogDetail: 'full' },
    routes: (app) => { app.get('/secrets', async () => { throw clientErrorWithSecrets() }) }
  })
  await app.inject('/secrets')
  t.match(logs.problems(), [{ level: 30, problem: 'authentication_required', err: { type: 'UnauthorizedError', message: /token expired/, stack: /UnauthorizedError/, authorization: /SECRET_TOKEN/ } }])
})

t.test('5xx lines keep the original error; the message the plugin writes is bounded', async (t) => {
  const { app, logs } = await build(t, {
    plugin: { exposeServerErrors: true },
    routes: (app) => { app.get('/boom', async () => { throw createHttpError(503, 'y'.repeat(100_000)) }) }
  })
  await app.inject('/boom')
  const [line] = logs.problems()
  t.match(line, { level: 50, problem: 'resource_unavailable', err: { type: 'ServiceUnavailableError', stack: /ServiceUnavailableError/ } })
  t.ok(String(line.msg).length <= MAX_LOG_MESSAGE_LENGTH, `msg of ${String(line.msg).length} characters`)
})

t.test('a 5xx error with a huge message or stack is logged as a bounded, truncated description; others as they are', async (t) => {
  const { app, logs } = await build(t, {
    routes: (app) => {
      app.get('/huge', async () => { throw Object.assign(new Error('m'.repeat(1 << 20)), { stack: 's'.repeat(1 << 20), code: 'E_HUGE' }) })
      app.get('/normal', async () => { throw Object.assign(new Error('disk full'), { volume: '/data' }) })
    }
  })
  await app.inject('/huge')
  await app.inject('/normal')
  const [huge, normal] = logs.problems()
  t.ok(JSON.stringify(huge).length < 16_384, `the line of a 1 MiB message and stack: ${JSON.stringify(huge).length} characters`)
  t.match(huge, { level: 50, problem: 'internal_error', err: { type: 'Error', code: 'E_HUGE', truncated: true, message: /^m+…$/, stack: /^s+…$/ } })
  t.match(normal, { level: 50, err: { type: 'Error', message: 'disk full', volume: '/data' } })
  t.notOk('truncated' in (normal?.err as object), 'an error within the bounds is the logger\'s to serialize, whole')
})

t.test('clientErrorLogDetail accepts only brief or full', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(async () => { await app.register(problemDetails, { clientErrorLogDetail: 'everything' as never }) }, { code: 'FST_PROBLEM_INVALID_OPTION', message: /"clientErrorLogDetail" must be 'brief' or 'full', got "everything"/ })
})

t.test('a route that wrote the status line through reply.raw (server-sent events) and then throws is logged once', async (t) => {
  const { app, logs } = await build(t, {
    routes: (app) => {
      app.get('/events', async (_request, reply) => {
        // 1. the route starts an event stream on the raw response
        reply.raw.writeHead(200, { 'content-type': 'text/event-stream' })
        reply.raw.write('data: first\n\n')
        // 2. then fails
        throw new Error('feed lost')
      })
    }
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  // 3. a real client reads what it can until the server closes the connection
  const received = await new Promise<string>((resolve) => {
    const chunks: Buffer[] = []
    httpRequest({ host: '127.0.0.1', port, path: '/events' }, (res) => {
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', () => {})
      res.on('close', () => resolve(Buffer.concat(chunks).toString()))
    }).on('error', () => resolve(Buffer.concat(chunks).toString())).end()
  })
  t.match(received, /^(data: first\n\n)?$/, 'the stream as far as it went, no problem document glued to it')
  await app.close()
  // 4. one line about the failure: the plugin's, at the server level
  const failures = logs.lines.filter((line) => line.level >= 40 || line.err !== undefined || line.error !== undefined)
  t.equal(failures.length, 1, JSON.stringify(failures.map((line) => line.msg)))
  t.match(failures[0], { level: 50, problem: 'internal_error', response_started: true, err: { message: 'feed lost' } })
})

t.test('a level the logger does not write (isLevelEnabled false) is not built at all; a logger that cannot say is asked', async (t) => {
  // a logger as Fastify takes one (loggerInstance): every method records, isLevelEnabled says what it writes
  function recordingLogger (writes: ((level: string) => boolean) | undefined) {
    const calls: Array<{ level: string, fields: unknown }> = []
    const logger: Record<string, unknown> = { level: 'warn', child: () => logger }
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace']) logger[level] = (fields: unknown) => { calls.push({ level, fields }) }
    if (writes !== undefined) logger.isLevelEnabled = writes
    return { logger, calls }
  }
  for (const [name, writes] of [['pino-like at warn', (level: string) => ['fatal', 'error', 'warn'].includes(level)], ['without isLevelEnabled', undefined]] as const) {
    const { logger, calls } = recordingLogger(writes)
    const app = Fastify({ loggerInstance: logger as never })
    t.teardown(() => app.close())
    await app.register(problemDetails)
    app.get('/missing', async () => { throw createHttpError(404, 'no such order') })
    app.get('/down', async () => { throw createHttpError(503, 'the ledger is down') })
    await app.ready()
    t.equal((await app.inject('/missing')).statusCode, 404)
    t.equal((await app.inject('/down')).statusCode, 503)
    const problems = calls.filter((call) => typeof (call.fields as { problem?: unknown })?.problem === 'string').map((call) => `${call.level} ${(call.fields as { problem: string }).problem}`)
    t.same(problems, writes === undefined ? ['info resource_not_found', 'error resource_unavailable'] : ['error resource_unavailable'], name)
  }
})
