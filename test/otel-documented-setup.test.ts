import t from 'tap'
import { createRequire } from 'node:module'
import type { FastifyInstance } from 'fastify'
import type { Instrumentation } from '@opentelemetry/instrumentation'
import { NodeSDK } from '@opentelemetry/sdk-node'
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace'
import { Validator } from '@seriousme/openapi-schema-validator'

// The set-up docs/opentelemetry.md recommends, as a service runs it: NodeSDK started first with
// @fastify/otel registering itself on every Fastify instance, then @fastify/swagger, the plugin with
// serveDocs, and routes that declare their problems. Anything that boots a second Fastify instance
// in the process would get @fastify/otel registered twice, and `ready()` would fail.
process.env.OTEL_METRICS_EXPORTER = 'none'
process.env.OTEL_LOGS_EXPORTER = 'none'
const load = createRequire(__filename)
// loaded untyped on purpose: @fastify/otel's types augment FastifyRequest for the whole project
const { FastifyOtelInstrumentation } = load('@fastify/otel') as { FastifyOtelInstrumentation: new (options: { registerOnInitialization: boolean }) => Instrumentation }
const exporter = new InMemorySpanExporter()
const sdk = new NodeSDK({
  serviceName: 'orders',
  // the exporter as an option: the form both SDK lines accept (the 3.x line ignores a bare exporter)
  spanProcessors: [new SimpleSpanProcessor({ exporter })],
  instrumentations: [new FastifyOtelInstrumentation({ registerOnInitialization: true })]
})
sdk.start()
t.teardown(() => sdk.shutdown())

// required after the SDK started, as a preload would order it
const Fastify = load('fastify') as typeof import('fastify').default
const swagger = load('@fastify/swagger') as typeof import('@fastify/swagger').default
const { default: problemDetails, ProblemError } = load('../lib/index.ts') as typeof import('../lib/index.ts')

async function service (): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(swagger, { openapi: { info: { title: 'orders', version: '1.0.0' } } })
  await app.register(problemDetails, { serveDocs: true })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  app.get('/tasks/:id', { config: { problems: ['invalid_request', 'resource_not_found'] } }, async function getTask (request) {
    throw new ProblemError('resource_not_found', { detail: `task ${(request.params as { id: string }).id} does not exist` })
  })
  app.post('/tasks', { config: { problems: ['conflict', 'insufficient_credits', 'external_authentication_required'] } }, async function createTask (_request, reply) {
    return reply.problem('conflict', { detail: 'a task with this name exists' })
  })
  return app
}

t.test('with NodeSDK and @fastify/otel registering itself, swagger, serveDocs and routes declaring problems, the service starts', async (t) => {
  const app = await service()
  t.teardown(() => app.close())
  await t.resolves(async () => { await app.ready() }, 'ready() succeeds')
  const base = await app.listen({ host: '127.0.0.1', port: 0 })

  // every docs page answers, as HTML for a browser and as JSON otherwise
  const index = await fetch(`${base}/problems/`, { headers: { accept: 'application/json' } })
  t.equal(index.status, 200)
  const { codes } = await index.json() as { codes: Array<{ code: string, href: string }> }
  t.equal(codes.length, 16)
  for (const accept of ['text/html', 'application/json']) {
    t.equal((await fetch(`${base}/problems/`, { headers: { accept } })).status, 200, `index as ${accept}`)
    for (const { code, href } of codes) {
      const page = await fetch(base + href, { headers: { accept } })
      t.equal(page.status, 200, `${code} as ${accept}`)
      await page.arrayBuffer()
    }
  }

  // the OpenAPI document is valid and shows each declared code's own example
  const doc = await (await fetch(`${base}/openapi.json`)).json() as { paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { examples: Record<string, { value: { type: string } }> }> }> }>> }
  const validation = await new Validator().validate(doc as never)
  t.ok(validation.valid, JSON.stringify(validation.errors ?? ''))
  const post = doc.paths['/tasks'].post.responses
  t.equal(post['409'].content['application/problem+json'].examples.conflict.value.type, '/problems/conflict')
  t.equal(post['401'].content['application/problem+json'].examples.external_authentication_required.value.type, '/problems/external-authentication-required')

  // problems carry the trace id of @fastify/otel's request span
  exporter.reset()
  const thrown = await fetch(`${base}/tasks/42`)
  t.equal(thrown.status, 404)
  const thrownBody = await thrown.json() as { trace_id?: string, detail: string }
  t.equal(thrownBody.detail, 'task 42 does not exist')
  const sent = await fetch(`${base}/tasks`, { method: 'POST' })
  t.equal(sent.status, 409)
  const sentBody = await sent.json() as { trace_id?: string }
  const requests = exporter.getFinishedSpans().filter((span) => span.name === 'request')
  t.equal(requests.length, 2, 'one request span per request: @fastify/otel registered once')
  t.strictSame(requests.map((span) => span.spanContext().traceId).sort(), [thrownBody.trace_id, sentBody.trace_id].sort())
  const sentSpan = requests.find((span) => span.spanContext().traceId === sentBody.trace_id)
  t.match(sentSpan?.attributes, { 'problem_details.code': 'conflict' })
  t.equal(sentSpan?.attributes['error.type'], undefined, 'a 409 sets no error.type')
})
