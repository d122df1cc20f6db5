import t from 'tap'
import Fastify from 'fastify'
import { build, problemOf } from './helper.ts'
import problemDetails, { isProblemError, ProblemError, type ProblemCode } from '../lib/index.ts'
import { reasonPhrase } from '../lib/status-phrases.ts'
import { bound } from '../lib/guards.ts'

t.test('instanceof: any ProblemError for the base class, the real prototype chain for subclasses', async (t) => {
  class QuotaError extends ProblemError {}
  const plain = new ProblemError('conflict')
  const sub = new QuotaError('conflict')
  t.ok(sub instanceof ProblemError)
  t.ok(sub instanceof QuotaError)
  t.notOk(plain instanceof QuotaError)
  t.notOk({ code: 'conflict' } instanceof ProblemError)
  t.equal(plain.name, 'ProblemError')
  t.equal(new ProblemError('conflict', { detail: 'd' }).message, 'conflict: d')
  t.equal(new ProblemError('conflict', { cause: plain }).cause, plain)
})

t.test('isProblemError survives hostile values', async (t) => {
  const hostile = new Proxy({}, { get () { throw new Error('trap') } })
  t.equal(isProblemError(hostile), false)
  t.equal(isProblemError(null), false)
  t.equal(isProblemError('conflict'), false)
})

t.test('an unknown status has a neutral reason phrase', async (t) => {
  t.equal(reasonPhrase(499), 'Unknown Status')
  const { app } = await build(t, { routes: (app) => { app.get('/x', async () => { throw Object.assign(new Error('closed'), { statusCode: 499 }) }) } })
  t.match(problemOf(t, await app.inject('/x'), 499), { type: 'about:blank', title: 'Unknown Status', detail: 'closed' })
})

t.test('bound never splits a surrogate pair', async (t) => {
  t.equal(bound('abc', 10), 'abc')
  t.equal(bound('ab😀cd', 4), 'ab…')
  t.equal(bound('abcdef', 4), 'abc…')
})

t.test('a getter that throws on the error is treated as absent', async (t) => {
  const { app } = await build(t, {
    routes: (app) => {
      app.get('/x', async () => {
        const error = new Error('x')
        Object.defineProperty(error, 'statusCode', { get () { throw new Error('getter') } })
        throw error
      })
    }
  })
  t.match(problemOf(t, await app.inject('/x'), 500), { type: '/problems/internal-error' })
})

t.test('array header values are kept when every item is safe', async (t) => {
  const { app } = await build(t, {
    routes: (app) => {
      app.get('/ok', async () => { throw new ProblemError('conflict', { headers: { link: ['</a>; rel="a"', '</b>; rel="b"'], 'x-n': 3 } }) })
      app.get('/bad', async () => { throw new ProblemError('conflict', { headers: { link: ['</a>', 'b\nc'] } }) })
    }
  })
  const ok = await app.inject('/ok')
  t.strictSame(ok.headers.link, ['</a>; rel="a"', '</b>; rel="b"'])
  t.equal(ok.headers['x-n'], '3')
  t.notOk('link' in (await app.inject('/bad')).headers)
})

t.test('a member the serializer cannot write still ends as a valid internal_error', async (t) => {
  const { app, logs } = await build(t, {
    plugin: { catalog: { anything: { status: 422, title: 'Anything.', retryable: false, category: 'user', members: { value: {} } } } },
    routes: (app) => { app.get('/x', async (_req, reply) => reply.problem('anything' as ProblemCode, { value: 10n } as never)) }
  })
  const body = problemOf(t, await app.inject('/x'), 500)
  t.strictSame(body, {
    type: '/problems/internal-error',
    title: 'An unexpected error occurred. Please try again later. If the issue persists, contact support.',
    status: 500,
    instance: '/x',
    error: 'An unexpected error occurred. Please try again later. If the issue persists, contact support.',
    retryable: true
  })
  t.equal(logs.problems().length, 1, 'logged once')
  t.match(logs.problems()[0], { problem: 'internal_error', err: { code: 'FST_PROBLEM_SEND_FAILED', message: /could not send problem "anything"/ } })
})

t.test('a problem sent after the reply went out is logged and nothing crashes', async (t) => {
  const { app, logs } = await build(t, {
    routes: (app) => {
      app.get('/x', async (_req, reply) => {
        await reply.send('done')
        return reply.problem('conflict')
      })
    }
  })
  const res = await app.inject('/x')
  t.equal(res.statusCode, 200)
  t.equal(res.body, 'done')
  t.equal(logs.problems().length, 1)
})

t.test('option errors describe the value given', async (t) => {
  for (const [options, message] of [
    [{ typeBase: null }, /got null/],
    [{ typeBase: 'x'.repeat(100) }, /got "x{60}…"/],
    [{ errorMember: 1 }, /got number 1/]
  ] as const) {
    const app = Fastify()
    app.register(problemDetails, options as never)
    await t.rejects(async () => { await app.ready() }, { message })
    await app.close().catch(() => {})
  }
})
