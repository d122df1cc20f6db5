// The OpenTelemetry SDK as the in-process tests set it up, written once so that it runs on both
// lines the suite is tested against: `@opentelemetry/sdk-trace` is 2.12 on the Node 20 line and
// 3.x on the newest one (npm run test:compat). That package has the same API on both: span
// processors take their exporter as an option (`new SimpleSpanProcessor({ exporter })`; the 3.x
// line silently exports nothing when given the exporter itself), and there is no
// NodeTracerProvider: registerGlobally() does what its register() did.
import * as api from '@opentelemetry/api'
import { context, propagation, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core'
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { createRequire } from 'node:module'

/** A tracer provider whose finished spans are kept in memory, in `exporter`. */
export function memoryTracing (): { exporter: InMemorySpanExporter, provider: TracerProvider } {
  const exporter = new InMemorySpanExporter()
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] })
  return { exporter, provider }
}

/**
 * Makes `provider` the global one, with an AsyncLocalStorage context manager and W3C trace
 * context propagation, as a service's SDK does. Returns what undoes it (for `t.teardown`).
 */
export function registerGlobally (provider: TracerProvider): () => Promise<void> {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }))
  trace.setGlobalTracerProvider(provider)
  return async function unregister () {
    await provider.shutdown()
    trace.disable()
    propagation.disable()
    context.disable()
  }
}

/**
 * A logger provider whose records are kept in memory, made the global one through the logs API
 * the plugin finds: `logs` of `@opentelemetry/api` on the newest line (1.10+, with sdk-logs 3.x), the
 * separate `@opentelemetry/api-logs` on the Node 20 line. Returns the exporter and what undoes it.
 */
export function registerMemoryLogs (): { exporter: InMemoryLogRecordExporter, unregister: () => Promise<void> } {
  const exporter = new InMemoryLogRecordExporter()
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] })
  const logsApi = (api as { logs?: GlobalLogs }).logs ?? (createRequire(__filename)('@opentelemetry/api-logs') as { logs: GlobalLogs }).logs
  logsApi.setGlobalLoggerProvider(provider)
  return {
    exporter,
    async unregister () {
      await provider.shutdown()
      logsApi.disable()
    }
  }
}

interface GlobalLogs {
  setGlobalLoggerProvider (provider: LoggerProvider): unknown
  disable (): void
}
