import t from 'tap'
import { registerInstrumentations } from '@opentelemetry/instrumentation'
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http'
import { memoryTracing, registerGlobally } from './otel-sdk.ts'

// The same generated values with the OpenTelemetry SDK recording every request: recording the
// problem on the span must not break any promise either. The SDK starts before Fastify loads.
const { exporter, provider } = memoryTracing()
const unregisterProvider = registerGlobally(provider)
const unregister = registerInstrumentations({ instrumentations: [new HttpInstrumentation()] })
t.teardown(async () => { unregister(); await unregisterProvider() })

// A revoked or hostile Proxy makes lib/trace.ts throw (an unguarded `instanceof Error`); the
// responder's last resort still answers internal_error with one log line, which this run checks.
t.test('with a recording span, whatever is thrown still gives a valid problem and nothing leaks', async (t) => {
  const { runProperty } = await import('./property-cases.ts')
  const cases = await runProperty(t, { seed: Number(process.env.PROPERTY_SEED ?? 20261124), runsPerStage: Number(process.env.PROPERTY_TRACED_RUNS ?? 30) })
  t.ok(cases > 0, `${cases} generated cases ran over HTTP with tracing`)
  const spans = exporter.getFinishedSpans()
  t.ok(spans.length > 0, 'spans were recorded')
  const { exceptionEventsBroken } = await import('./property-invariants.ts')
  t.ok(spans.some((span) => span.events.some((event) => event.name === 'exception')), 'exception events were recorded')
  t.strictSame(exceptionEventsBroken(spans.flatMap((span) => span.events)), [], 'every exception event of every case is under the documented bound')
  exporter.reset()
})
