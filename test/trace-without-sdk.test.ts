import t from 'tap'
import { context, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { build, problemOf } from './helper.ts'

t.test('without any SDK there is no trace_id member and no error', async (t) => {
  const { app, logs } = await build(t, { routes: (app) => { app.get('/x', async () => { throw new Error('kaput') }) } })
  const body = problemOf(t, await app.inject('/x'), 500)
  t.notOk('trace_id' in body)
  t.notOk('trace_id' in logs.problems()[0])
})

t.test('an invalid (all-zero) span context never becomes a trace_id', async (t) => {
  const manager = new AsyncLocalStorageContextManager().enable()
  context.setGlobalContextManager(manager)
  t.teardown(() => { context.disable() })
  const { app } = await build(t, { routes: (app) => { app.get('/x', async (_req, reply) => reply.problem('conflict')) } })
  const zero = trace.wrapSpanContext({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 })
  const res = await context.with(trace.setSpan(context.active(), zero), async () => await app.inject('/x'))
  t.notOk('trace_id' in problemOf(t, res, 409))
  const valid = trace.wrapSpanContext({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 0 })
  const sampledOut = await context.with(trace.setSpan(context.active(), valid), async () => await app.inject('/x'))
  t.equal(problemOf(t, sampledOut, 409).trace_id, '4bf92f3577b34da6a3ce929d0e0e4736', 'an unsampled but valid trace still has its id')
})
