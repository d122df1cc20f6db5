import t from 'tap'
import { connect } from 'node:net'
import { Readable } from 'node:stream'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import { build, logCollector, problemOf, type LogLine } from './helper.ts'
import { keepAliveAgent, problemChecker, send } from './property-invariants.ts'
import problemDetails, { ProblemError, type ProblemCode } from '../lib/index.ts'

const INTERNAL_TITLE = 'An unexpected error occurred. Please try again later. If the issue persists, contact support.'

// no fault may escape as an unhandled rejection or exception
const escaped: unknown[] = []
const onEscape = (reason: unknown) => { escaped.push(reason) }
process.on('unhandledRejection', onEscape)
process.on('uncaughtException', onEscape)
t.teardown(() => {
  process.off('unhandledRejection', onEscape)
  process.off('uncaughtException', onEscape)
})

function linesOf (lines: LogLine[], reqId: unknown): LogLine[] {
  return lines.filter((l) => l.reqId === reqId)
}

t.test('a mapError callback that throws gives internal_error and logs the failure once', async (t) => {
  const { app, logs } = await build(t, {
    plugin: {
      mapError: (error) => {
        if (error instanceof Error && error.message === 'string') throw 'mapping went wrong' // eslint-disable-line no-throw-literal
        throw new TypeError('mapping bug SECRET-MAP')
      }
    },
    routes: (app) => {
      app.get('/x', async () => { throw new Error('original SECRET-ORIGINAL') })
      app.get('/s', async () => { throw new Error('string') })
    }
  })
  const res = await app.inject('/x')
  const body = problemOf(t, res, 500)
  t.equal(body.type, '/problems/internal-error')
  t.notMatch(res.body, /SECRET/)
  const lines = logs.problems()
  t.equal(lines.length, 1, 'one problem line')
  t.match(lines[0], { level: 50, problem: 'internal_error', err: { message: 'mapping bug SECRET-MAP' }, thrown: { message: 'original SECRET-ORIGINAL' } })

  problemOf(t, await app.inject('/s'), 500)
  t.match(logs.problems()[1], { err: { message: 'mapError threw a non-Error value' } })
})

t.test('a mapError that throws a revoked Proxy still ends as internal_error', async (t) => {
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  const { app, logs } = await build(t, {
    plugin: { mapError: () => { throw proxy } },
    routes: (app) => { app.get('/x', async () => { throw new Error('boom') }) }
  })
  t.equal(problemOf(t, await app.inject('/x'), 500).type, '/problems/internal-error')
  t.equal(logs.problems().length, 1)
})

t.test('a thrown revoked Proxy is answered with internal_error, not with the framework fallback', async (t) => {
  // regression: `instanceof Error` on a revoked Proxy threw inside the error handler
  const { proxy, revoke } = Proxy.revocable(new Error('x'), {})
  revoke()
  const { app, logs } = await build(t, { routes: (app) => { app.get('/x', () => { throw proxy }) } })
  const res = await app.inject('/x')
  t.strictSame(problemOf(t, res, 500), { type: '/problems/internal-error', title: INTERNAL_TITLE, status: 500, instance: '/x', error: INTERNAL_TITLE, retryable: true })
  t.equal(logs.problems().length, 1)
  t.match(logs.problems()[0], { problem: 'internal_error', err: { type: 'object' } })
})

t.test('an error whose getter throws when the logger reads it is still answered with a problem and logged once', async (t) => {
  // regression: pino's error serializer read a throwing getter and the handler fell back to Fastify's 500 with the getter's message
  const withGetter = () => Object.defineProperty(new Error('boom'), 'extra', { enumerable: true, get () { throw new Error('getter SECRET-GETTER') } })
  const { app, logs } = await build(t, { routes: (app) => { app.get('/getter', async () => { throw withGetter() }) } })
  const res = await app.inject('/getter')
  t.equal(problemOf(t, res, 500).type, '/problems/internal-error')
  t.notMatch(res.body, /SECRET/)
  t.equal(logs.problems().length, 1, 'one line')
  t.match(logs.problems()[0], { problem: 'internal_error', err: { message: 'boom', stack: /^Error: boom/ } })
})

t.test('a log serializer that always throws still leaves one problem line and a problem response', async (t) => {
  const logs = logCollector()
  const app = Fastify({ logger: { level: 'info', stream: logs.stream, serializers: { err: () => { throw new Error('serializer SECRET') } } } })
  t.teardown(() => app.close())
  await app.register(problemDetails)
  app.get('/x', async () => { throw new Error('boom') })
  const res = await app.inject('/x')
  t.equal(problemOf(t, res, 500).type, '/problems/internal-error')
  t.notMatch(res.body, /SECRET/)
  t.equal(logs.problems().length, 1)
  t.match(logs.problems()[0], { problem: 'internal_error', log_failure: 'the error could not be serialized' })
  t.notOk('err' in logs.problems()[0])
})

t.test('a 4xx error mapped to a 5xx problem keeps its message private', async (t) => {
  // regression: the message was exposed because the error's own status (406) was 4xx, though the problem sent was a 503
  const { app } = await build(t, {
    plugin: { codes: { UPSTREAM: 'resource_unavailable' }, statusCodes: { 410: 'internal_error' } },
    routes: (app) => {
      app.get('/catalog-code', async () => { throw Object.assign(new Error('db at 10.0.0.7 SECRET'), { code: 'resource_unavailable', status: 406 }) })
      app.get('/mapped-code', async () => { throw Object.assign(new Error('db at 10.0.0.7 SECRET'), { code: 'UPSTREAM', statusCode: 404 }) })
      app.get('/mapped-status', async () => { throw Object.assign(new Error('db at 10.0.0.7 SECRET'), { statusCode: 410 }) })
    }
  })
  for (const [url, status] of [['/catalog-code', 503], ['/mapped-code', 503], ['/mapped-status', 500]] as const) {
    const res = await app.inject(url)
    const body = problemOf(t, res, status)
    t.notOk('detail' in body, url)
    t.notMatch(res.body, /SECRET/, url)
  }
})

t.test('validation items of an error answered with a 5xx are not sent', async (t) => {
  // regression: `errors` was built from any error's `validation` array, even for a 503
  const { app } = await build(t, {
    routes: (app) => {
      app.get('/x', async () => { throw Object.assign(new Error('x'), { statusCode: 503, validation: [{ message: 'column SECRET is null', instancePath: '/SECRET' }] }) })
    }
  })
  const res = await app.inject('/x')
  const body = problemOf(t, res, 503)
  t.notOk('errors' in body)
  t.notMatch(res.body, /SECRET/)
})

t.test('a serializer failure sends internal_error and says so in the log once', async (t) => {
  const { app, logs } = await build(t, {
    plugin: { catalog: { anything: { status: 422, title: 'Anything.', retryable: false, category: 'user', members: { value: {} } } } },
    routes: (app) => { app.get('/x', async (_req, reply) => reply.problem('anything' as ProblemCode, { value: 10n } as never)) }
  })
  const res = await app.inject('/x')
  t.equal(problemOf(t, res, 500).type, '/problems/internal-error')
  const lines = logs.problems()
  t.equal(lines.length, 1, 'one line for the problem, saying the serialization failed')
  t.match(lines[0], { level: 50, problem: 'internal_error', status: 500, err: { code: 'FST_PROBLEM_SEND_FAILED', message: /could not send problem "anything"/ } })
})

t.test('a serializer failure that is not an Error still ends as internal_error, logged once', async (t) => {
  const { app, logs } = await build(t, {
    plugin: { catalog: { anything: { status: 422, title: 'Anything.', retryable: false, category: 'user', members: { value: {} } } } },
    routes: (app) => {
      app.get('/string', async (_req, reply) => reply.problem('anything' as ProblemCode, { value: { toJSON () { throw 'nope' } } } as never)) // eslint-disable-line no-throw-literal
      app.get('/undefined', async (_req, reply) => reply.problem('anything' as ProblemCode, { value: { toJSON () { throw undefined } } } as never)) // eslint-disable-line no-throw-literal
    }
  })
  for (const url of ['/string', '/undefined']) t.equal(problemOf(t, await app.inject(url), 500).type, '/problems/internal-error', url)
  const failures = logs.problems()
  t.equal(failures.length, 2, 'one line per request')
  t.match(failures[0], { problem: 'internal_error', err: { code: 'FST_PROBLEM_SEND_FAILED', message: /\(unknown failure\)/ } })
})

t.test('an error after the reply was sent is logged once and the response is untouched', async (t) => {
  const { app, logs } = await build(t, {
    routes: (app) => {
      app.get('/send-then-throw', async (_req, reply) => {
        reply.send({ ok: true })
        throw new Error('late failure')
      })
      app.get('/problem-twice', async (_req, reply) => {
        reply.problem('conflict')
        return reply.problem('resource_not_found')
      })
    }
  })
  const res = await app.inject('/send-then-throw')
  t.equal(res.statusCode, 200)
  t.same(res.json(), { ok: true })
  const twice = await app.inject('/problem-twice')
  t.equal(problemOf(t, twice, 409).type, '/problems/conflict')
  t.equal(escaped.length, 0)
  const reqIds = [...new Set(logs.lines.map((l) => l.reqId).filter(Boolean))]
  t.equal(reqIds.length, 2)
  // the late problem of each request is logged once (the second reply.problem too), never sent
  t.equal(linesOf(logs.problems(), reqIds[1]).length, 2)
})

t.test('a socket destroyed before the error is handled: no crash, one log line, the server keeps serving', async (t) => {
  let closed: () => void = () => {}
  let arrived: () => void = () => {}
  const gone = new Promise<void>((resolve) => { closed = resolve })
  const inHandler = new Promise<void>((resolve) => { arrived = resolve })
  const { app, logs } = await build(t, {
    routes: (app) => {
      app.get('/slow', async (request) => {
        request.raw.socket.once('close', () => closed())
        arrived()
        await gone
        throw new ProblemError('resource_unavailable', { retryAfter: 5 })
      })
      app.get('/ok', async () => ({ ok: true }))
    }
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  const socket = connect(port, '127.0.0.1')
  socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n')
  socket.on('error', () => {})
  await inHandler
  socket.destroy()
  await gone
  await new Promise((resolve) => setImmediate(resolve))
  const agent = keepAliveAgent()
  t.teardown(() => agent.destroy())
  const ok = await send(agent, port, 'GET', '/ok')
  t.equal(ok.status, 200)
  const problems = logs.problems()
  t.equal(problems.length, 1, 'the problem is logged once')
  t.match(problems[0], { problem: 'resource_unavailable', status: 503 })
  t.equal(escaped.length, 0)
})

t.test('an error in onSend becomes a problem, logged once', async (t) => {
  const { app, logs } = await build(t, {
    routes: (app) => {
      app.addHook('onSend', async (_request, reply, payload) => {
        if (reply.getHeader('content-type') !== 'application/problem+json') throw new Error('onSend SECRET')
        return payload
      })
      app.get('/x', async () => ({ ok: true }))
    }
  })
  const res = await app.inject('/x')
  t.equal(problemOf(t, res, 500).type, '/problems/internal-error')
  t.notMatch(res.body, /SECRET/)
  t.equal(logs.problems().length, 1)
  t.match(logs.problems()[0], { err: { message: 'onSend SECRET' } })
  t.equal(escaped.length, 0)
})

t.test('an onSend hook that also fails on the problem itself reaches Fastify\'s own fallback (a documented limit)', async (t) => {
  // Fastify hands an error raised while sending the error response to the next error handler up
  // the chain (its default one), which the plugin cannot replace: the service's hook must not throw twice.
  const { app, logs } = await build(t, {
    routes: (app) => {
      app.addHook('onSend', async () => { throw new Error('always failing hook') })
      app.get('/x', async () => ({ ok: true }))
    }
  })
  const res = await app.inject('/x')
  t.equal(res.statusCode, 500)
  t.match(res.headers['content-type'], /^application\/json/)
  t.equal(logs.problems().length, 1, 'the plugin logged its problem once before the hook failed again')
  t.equal(escaped.length, 0)
})

t.test('an error in onResponse is logged by Fastify once and changes nothing for the client', async (t) => {
  const { app, logs } = await build(t, {
    routes: (app) => {
      app.addHook('onResponse', async (request) => { if (request.url === '/x') throw new Error('after the response') })
      app.get('/x', async () => { throw new ProblemError('conflict') })
    }
  })
  const res = await app.inject('/x')
  t.equal(problemOf(t, res, 409).type, '/problems/conflict')
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(logs.problems().length, 1)
  t.equal(logs.lines.filter((l) => (l.err as { message?: string } | undefined)?.message === 'after the response').length, 1)
  t.equal(escaped.length, 0)
})

t.test('a stream that fails before its first byte becomes a problem; after it started, the connection closes', async (t) => {
  const { app, logs } = await build(t, {
    routes: (app) => {
      app.get('/before', async (_req, reply) => reply.send(new Readable({ read () { this.destroy(new Error('disk SECRET')) } })))
      app.get('/after', async (_req, reply) => {
        let sent = false
        return reply.send(new Readable({
          read () {
            if (sent) { setTimeout(() => this.destroy(new Error('disk SECRET after')), 10); return }
            sent = true
            this.push('partial')
          }
        }))
      })
      app.get('/ok', async () => ({ ok: true }))
    }
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  const agent = keepAliveAgent()
  t.teardown(() => agent.destroy())
  const check = problemChecker(app)
  const before = await send(agent, port, 'GET', '/before')
  t.strictSame(check(before, { status: 500, forbidden: ['SECRET'] }).broken, [])

  // after the first byte, only a clean close is possible: the client sees the response aborted
  const socket = connect(port, '127.0.0.1')
  socket.write('GET /after HTTP/1.1\r\nHost: x\r\n\r\n')
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  socket.on('error', () => {})
  await once(socket, 'close')
  const raw = Buffer.concat(chunks).toString('latin1')
  t.match(raw, /^HTTP\/1\.1 200 OK/)
  t.notMatch(raw, /SECRET/)
  t.notMatch(raw, /\r\n0\r\n\r\n$/, 'the chunked body is not terminated: the client can tell it is incomplete')
  t.equal((await send(agent, port, 'GET', '/ok')).status, 200, 'the server keeps serving')
  t.equal(logs.problems().length, 1, 'only the failure before the first byte is a problem')
  t.equal(logs.lines.filter((l) => (l.err as { message?: string } | undefined)?.message === 'disk SECRET after').length, 1, 'the late failure is logged once')
  t.equal(escaped.length, 0)
})

t.test('no fault escaped as an unhandled rejection or exception', async (t) => {
  t.strictSame(escaped, [])
})

t.test('a thrown ProblemError whose member cannot be read gives internal_error, not the framework fallback', async (t) => {
  // regression: validating a member whose Proxy trap throws escaped the error handler, and Fastify's default handler sent the trap's message
  const unreadable = () => new Proxy(['a'], { get (target, key, receiver) { if (key === '0' || key === 'length') throw new Error('trap SECRET'); return Reflect.get(target, key, receiver) } })
  const { app, logs } = await build(t, {
    routes: (app) => {
      app.get('/thrown', async () => { throw new ProblemError('external_authentication_required', { inaccessible_repos: unreadable() as never }) })
      app.get('/odd-throw', async () => {
        throw new ProblemError('external_authentication_required', { inaccessible_repos: new Proxy([], { get () { throw 'not an Error' } }) as never }) // eslint-disable-line no-throw-literal
      })
    }
  })
  for (const url of ['/thrown', '/odd-throw']) {
    const res = await app.inject(url)
    t.equal(problemOf(t, res, 500).type, '/problems/internal-error', url)
    t.notMatch(res.body, /SECRET/)
  }
  const [thrown, odd] = logs.problems()
  t.equal(logs.problems().length, 2)
  t.match(thrown, { err: { code: 'FST_PROBLEM_INVALID_MEMBER', message: /could not be read \(trap SECRET\)/ } })
  t.match(odd, { err: { code: 'FST_PROBLEM_INVALID_MEMBER', message: /could not be read \(a non-Error was thrown\)/ } })
})

/** An app whose logger throws on the plugin's problem lines (all of them, or all but the last-resort line). */
async function appWithThrowingLogger (t: Parameters<typeof build>[0], spareLastResort: boolean) {
  const logs = logCollector()
  const app = Fastify({
    logger: {
      level: 'info',
      stream: logs.stream,
      hooks: {
        logMethod (args, method) {
          const fields = args[0] as unknown as Record<string, unknown> | undefined
          if (typeof fields?.problem === 'string' && !(spareLastResort && args[1] === 'problem could not be sent as classified')) {
            if (fields.problem === 'about:blank') throw 'logger refused' // eslint-disable-line no-throw-literal
            throw new Error('logger SECRET')
          }
          return method.apply(this, args)
        }
      }
    }
  })
  t.teardown(() => app.close())
  await app.register(problemDetails)
  app.get('/problem', async () => { throw new ProblemError('conflict', { detail: 'stale' }) })
  app.get('/teapot', async () => { throw Object.assign(new Error('short and stout'), { statusCode: 418 }) })
  return { app, logs }
}

t.test('when the send path itself throws, the client still gets a fixed internal_error and the log says why once', async (t) => {
  // 1. the problem line cannot be written (the logger throws), 2. the last resort answers and logs
  const { app, logs } = await appWithThrowingLogger(t, true)
  for (const url of ['/problem', '/teapot']) {
    const res = await app.inject(url)
    t.strictSame(problemOf(t, res, 500), { type: '/problems/internal-error', title: INTERNAL_TITLE, status: 500, instance: url, error: INTERNAL_TITLE, retryable: true }, url)
    t.notMatch(res.body, /SECRET|refused/)
  }
  const lines = logs.problems()
  t.equal(lines.length, 2, 'one line per request')
  t.match(lines[0], { problem: 'internal_error', err: { code: 'FST_PROBLEM_SEND_FAILED', message: /problem "conflict" \(logger SECRET\)/ } })
  t.match(lines[1], { problem: 'internal_error', err: { code: 'FST_PROBLEM_SEND_FAILED', message: /problem "about:blank" \(a non-Error was thrown\)/ } })
})

t.test('when even the last-resort log line throws, the client still gets internal_error', async (t) => {
  const { app } = await appWithThrowingLogger(t, false)
  const res = await app.inject('/problem')
  t.equal(problemOf(t, res, 500).type, '/problems/internal-error')
  t.equal(escaped.length, 0)
})
