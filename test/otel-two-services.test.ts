import t, { type Test } from 'tap'
import { EventEmitter, once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startChild, staleBuild } from './fixtures/otel-child.ts'

// A gateway and a backend, each in its own process with the SDK preloaded, export their spans
// with @opentelemetry/exporter-trace-otlp-http to an OTLP/HTTP receiver this test runs.

const OTLP_SERVER = 2 // SPAN_KIND_SERVER in the OTLP encoding
const OTLP_STATUS_ERROR = 2

interface OtlpValue { stringValue?: string, intValue?: number | string, boolValue?: boolean }
interface OtlpKeyValue { key: string, value: OtlpValue }
interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  attributes?: OtlpKeyValue[]
  events?: Array<{ name: string, attributes?: OtlpKeyValue[] }>
  status?: { code?: number }
}
interface ReceivedSpan { service: string, span: OtlpSpan }

function valueOf (value: OtlpValue | undefined): unknown {
  if (value === undefined) return undefined
  if (value.stringValue !== undefined) return value.stringValue
  if (value.intValue !== undefined) return Number(value.intValue)
  return value.boolValue
}

function attribute (list: OtlpKeyValue[] | undefined, key: string): unknown {
  return valueOf(list?.find((a) => a.key === key)?.value)
}

/** An OTLP/HTTP JSON receiver on loopback. */
async function otlpReceiver (t: Test) {
  const received: ReceivedSpan[] = []
  const arrivals = new EventEmitter()
  const contentTypes = new Set<string>()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      contentTypes.add(String(req.headers['content-type']))
      const payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans?: Array<{ resource?: { attributes?: OtlpKeyValue[] }, scopeSpans?: Array<{ spans?: OtlpSpan[] }> }> }
      for (const resourceSpans of payload.resourceSpans ?? []) {
        const service = String(attribute(resourceSpans.resource?.attributes, 'service.name'))
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) received.push({ service, span })
        }
      }
      arrivals.emit('spans')
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections() }))
  const { port } = server.address() as AddressInfo
  /** Waits until `ready` holds for the received spans, re-checking at each export that arrives. */
  async function until (ready: () => boolean): Promise<boolean> {
    while (!ready()) await once(arrivals, 'spans')
    return true
  }
  return { endpoint: `http://127.0.0.1:${port}/v1/traces`, received, contentTypes, until }
}

const stale = staleBuild()
if (stale !== undefined) {
  t.fail(stale)
} else {
  t.test('a problem crossing two services keeps its code and members, and both bodies lead to one trace', async (t) => {
    const receiver = await otlpReceiver(t)
    // the exporter's own 10 s request timeout would drop spans on a very busy machine
    const otlp = { OTEL_TEST_EXPORT: 'otlp', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '3600000' }
    const backend = await startChild('otel-service.js', { ...otlp, OTEL_SERVICE_NAME: 'backend', SERVICE_ROLE: 'backend' }, 'http')
    t.teardown(() => backend.close())
    const gateway = await startChild('otel-service.js', { ...otlp, OTEL_SERVICE_NAME: 'gateway', SERVICE_ROLE: 'gateway', BACKEND_URL: backend.address }, 'both')
    t.teardown(() => gateway.close())

    await t.test('a 4xx upstream problem: code, status, detail, retryable, members and Retry-After kept', async (t) => {
      // 1. the client calls the gateway, 2. which calls the backend, 3. which answers a problem
      const res = await fetch(gateway.address + '/api/exports')
      t.equal(res.status, 429)
      t.equal(res.headers.get('retry-after'), '30')
      const body = await res.json() as Record<string, unknown>
      const [upstream] = (await gateway.collect()).logs as Array<Record<string, unknown>>
      t.same(body, {
        type: '/problems/quota-exceeded',
        title: 'The export quota is used up.',
        status: 429,
        detail: 'Five exports a month on the free plan.',
        instance: '/api/exports',
        error: 'The export quota is used up. (Five exports a month on the free plan.)',
        retryable: true,
        trace_id: body.trace_id,
        limit: 5,
        plan: 'free'
      }, 'the gateway answers with its own instance')
      t.equal(upstream?.instance, '/exports', 'the backend had answered with its own instance')
      t.match(body.trace_id, /^[0-9a-f]{32}$/)
      t.equal(upstream?.trace_id, body.trace_id, 'both bodies carry the same trace_id')

      // 4. the spans of both services reach the OTLP receiver, in that one trace
      const traceId = String(body.trace_id)
      const inTrace = () => receiver.received.filter((r) => r.span.traceId === traceId)
      const backendServer = () => inTrace().find((r) => r.service === 'backend' && r.span.kind === OTLP_SERVER)
      const gatewayRequest = () => inTrace().find((r) => r.service === 'gateway' && r.span.name === 'request')
      const gatewayServer = () => inTrace().find((r) => r.service === 'gateway' && r.span.kind === OTLP_SERVER)
      t.ok(await receiver.until(() => backendServer() !== undefined && gatewayRequest() !== undefined && gatewayServer() !== undefined), 'spans of both services arrived')
      t.equal(attribute(backendServer()?.span.attributes, 'problem_details.code'), 'quota_exceeded', 'the backend span names the problem')
      t.equal(attribute(backendServer()?.span.attributes, 'error.type'), undefined, 'a 429 is no server error: no error.type')
      t.equal(attribute(backendServer()?.span.attributes, 'http.response.status_code'), 429)
      t.equal(attribute(gatewayRequest()?.span.attributes, 'problem_details.code'), 'quota_exceeded', 'so does the gateway span')
      const gatewaySpanIds = inTrace().filter((r) => r.service === 'gateway').map((r) => r.span.spanId)
      t.ok(gatewaySpanIds.includes(String(backendServer()?.span.parentSpanId)), 'the backend span is a child of a gateway span')
    })

    await t.test('a 5xx upstream failure: the backend span holds the exception, the gateway answers internal_error', async (t) => {
      const res = await fetch(gateway.address + '/api/reports')
      t.equal(res.status, 500)
      const body = await res.json() as Record<string, unknown>
      t.equal(body.type, '/problems/internal-error')
      t.equal(body.instance, '/api/reports')
      t.notOk(JSON.stringify(body).includes('out of memory'), 'the backend message stays in telemetry')
      const upstream = (await gateway.collect()).logs.at(-1) as Record<string, unknown>
      t.equal(upstream.trace_id, body.trace_id)

      const traceId = String(body.trace_id)
      const backendServer = () => receiver.received.find((r) => r.span.traceId === traceId && r.service === 'backend' && r.span.kind === OTLP_SERVER)
      t.ok(await receiver.until(() => backendServer() !== undefined), 'the backend span arrived')
      const span = backendServer()?.span
      t.equal(span?.status?.code, OTLP_STATUS_ERROR)
      const exception = span?.events?.find((e) => e.name === 'exception')
      t.equal(attribute(exception?.attributes, 'exception.message'), 'report worker crashed: out of memory')
      t.ok(await receiver.until(() => receiver.received.some((r) => r.span.traceId === traceId && r.service === 'gateway' && r.span.name === 'request')), 'the gateway span arrived')
    })

    t.same([...receiver.contentTypes], ['application/json'], 'spans came as OTLP/HTTP JSON')
  })
}
