import t from 'tap'
import type { Span } from '@opentelemetry/api'
import type { ReadableSpan } from '@opentelemetry/sdk-trace'
import { MAX_DESCRIPTION_LENGTH, MAX_STACK_LENGTH } from '../lib/guards.ts'
import { recordProblemOnSpan } from '../lib/trace.ts'
import { memoryTracing } from './otel-sdk.ts'

const { exporter, provider } = memoryTracing()
const tracer = provider.getTracer('trace-bounds-test')
t.teardown(() => provider.shutdown())

const internalError = { code: 'internal_error', type: '/problems/internal-error' }

/** The attributes of the exception events of a span on which a 5xx problem with `thrown` was recorded. */
function recorded (thrown: Error): Array<Record<string, unknown>> {
  const span: Span = tracer.startSpan('server')
  recordProblemOnSpan(span, internalError, 500, thrown)
  span.end()
  const spanId = span.spanContext().spanId
  const done = exporter.getFinishedSpans().find((s: ReadableSpan) => s.spanContext().spanId === spanId)
  return (done?.events ?? []).filter((e) => e.name === 'exception').map((e) => ({ ...e.attributes }))
}

t.test('regression: a thrown error with a 1 MiB message is recorded on the span with its message and stack bounded', async (t) => {
  // the SDK copied the whole message, and the stack that repeats it, into the exception event
  const huge = Object.assign(new Error('m'.repeat(1 << 20)), { code: 'E_HUGE' })
  const [event] = recorded(huge)
  t.equal(event['exception.type'], 'E_HUGE')
  t.equal(String(event['exception.message']).length, MAX_DESCRIPTION_LENGTH)
  t.equal(String(event['exception.stacktrace']).length, MAX_STACK_LENGTH)
  t.ok(JSON.stringify(event).length < MAX_DESCRIPTION_LENGTH + MAX_STACK_LENGTH + 200)
})

t.test('an error over the bounds keeps what it has of its type, message and stack', async (t) => {
  // a long stack, a message that is not a string, a numeric code
  const longStack = Object.assign(new Error('short'), { code: 7 })
  Object.defineProperty(longStack, 'message', { value: 42 })
  longStack.stack = 's'.repeat(MAX_STACK_LENGTH * 2)
  t.match(recorded(longStack)[0], { 'exception.type': '7', 'exception.stacktrace': /^s+…$/ })
  t.notOk('exception.message' in recorded(longStack)[0])
  // a long message and no stack, no code
  const noStack = new TypeError('n'.repeat(MAX_DESCRIPTION_LENGTH * 2))
  noStack.stack = undefined
  const [event] = recorded(noStack)
  t.equal(event['exception.type'], 'TypeError')
  t.equal(String(event['exception.message']).length, MAX_DESCRIPTION_LENGTH)
  t.notOk('exception.stacktrace' in event)
  // within the bounds, without a stack: recorded as it is
  const plain = new Error('fits')
  plain.stack = undefined
  t.strictSame(recorded(plain), [{ 'exception.type': 'Error', 'exception.message': 'fits' }])
})
