'use strict'
// The demo service: fastify-problem-details with the OpenTelemetry SDK running in-process.
//   npm run demo             serve on 127.0.0.1:3000 and print each span as it ends
//   npm run demo -- --once   call every example route, print the answers and spans, exit
// HOST and PORT change where it listens (PORT=0 picks a free port).
// Every `type` URI resolves on the demo itself (serveDocs), and /openapi.json documents each
// route's problems.

// 1. OpenTelemetry starts before Fastify is loaded, so the HTTP server is instrumented
const { NodeSDK } = require('@opentelemetry/sdk-node')
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http')
const { SimpleSpanProcessor } = require('@opentelemetry/sdk-trace')
const { SpanKind, SpanStatusCode } = require('@opentelemetry/api')

const once = process.argv.includes('--once')
const spans = []
/** Callers of spanOf() waiting for the span of a trace id. */
const waiting = new Map()

/** Prints each finished server span on one line, so its trace id can be matched with a body. */
const printingExporter = {
  export (finished, done) {
    for (const span of finished) {
      if (span.kind !== SpanKind.SERVER) continue
      const line = `span  ${span.name}  trace_id=${span.spanContext().traceId}  status=${SpanStatusCode[span.status.code]}` +
        (span.attributes['problem_details.code'] ? `  problem_details.code=${span.attributes['problem_details.code']}` : '') +
        (span.attributes['error.type'] ? `  error.type=${span.attributes['error.type']}` : '') +
        `  http.status_code=${span.attributes['http.status_code'] ?? span.attributes['http.response.status_code']}`
      spans.push({ traceId: span.spanContext().traceId, line })
      waiting.get(span.spanContext().traceId)?.()
      if (!once) console.log(line)
    }
    done({ code: 0 })
  },
  shutdown () { return Promise.resolve() }
}

const sdk = new NodeSDK({
  serviceName: 'problem-details-demo',
  spanProcessors: [new SimpleSpanProcessor({ exporter: printingExporter })],
  instrumentations: [new HttpInstrumentation()],
  // traces only: without these, NodeSDK also starts OTLP metric and log exporters towards a
  // collector on localhost:4318, and flushing them to nobody delays every stop by seconds
  metricReaders: [],
  logRecordProcessors: []
})
sdk.start()

// 2. the service
const Fastify = require('fastify')
const swagger = require('@fastify/swagger')
const problemDetails = require('fastify-problem-details')
const { ProblemError } = problemDetails

async function buildDemo () {
  const app = Fastify({ logger: once ? false : { level: 'warn' } })
  await app.register(swagger, {
    openapi: { openapi: '3.0.3', info: { title: 'Demo tasks API', version: '1.0.0' } }
  })
  await app.register(problemDetails, {
    typeBase: '/problems/',
    serveDocs: true,
    codes: { ECONNREFUSED: 'resource_unavailable' }
  })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  app.post('/api/v1/agent/tasks', {
    schema: { body: { type: 'object', required: ['schedule_id'], properties: { schedule_id: { type: 'string' }, priority: { type: 'integer' } } } },
    config: { problems: ['invalid_request'] }
  }, async (request, reply) => reply.code(201).send({ id: 42, schedule_id: request.body.schedule_id }))

  app.get('/api/v1/agent/tasks/:id', { config: { problems: ['resource_not_found'] } }, async (request) => {
    throw new ProblemError('resource_not_found', { detail: `task ${request.params.id} does not exist` })
  })

  app.get('/api/v1/integrations/github/repos', { config: { problems: ['external_authentication_required'] } }, async (_request, reply) => {
    return reply.problem('external_authentication_required', {
      provider: 'github',
      auth_url: 'https://auth.example.com/connect/github',
      inaccessible_repos: ['acme/payments']
    })
  })

  app.get('/api/v1/reports', async () => {
    throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432 (password=hunter2)'), { code: 'ECONNREFUSED' })
  })

  app.get('/api/v1/crash', async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'owner')")
  })
  return app
}

const CALLS = [
  ['POST', '/api/v1/agent/tasks', { priority: 'high' }, 'validation failure -> invalid_request with errors[]'],
  ['GET', '/api/v1/agent/tasks/7?token=secret', undefined, 'ProblemError -> resource_not_found (query string never in instance)'],
  ['GET', '/api/v1/integrations/github/repos', undefined, 'reply.problem with extension members'],
  ['GET', '/api/v1/reports', undefined, 'foreign code ECONNREFUSED -> resource_unavailable, message hidden'],
  ['GET', '/api/v1/crash', undefined, 'unexpected TypeError -> internal_error, stack in telemetry only'],
  ['GET', '/api/v1/nowhere', undefined, 'unknown route -> resource_not_found']
]

/**
 * The server span of a trace. It ends just after the response is sent, so it may not be there
 * yet: wait for the exporter to see it. A body with a trace_id always has its server span.
 */
async function spanOf (traceId) {
  if (traceId === undefined) return undefined
  const found = () => spans.find((s) => s.traceId === traceId)
  if (found() === undefined) await new Promise((resolve) => waiting.set(traceId, resolve))
  waiting.delete(traceId)
  return found()
}

async function main () {
  const app = await buildDemo()
  const address = await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 3000) })

  if (!once) {
    console.log(`fastify-problem-details demo listening on ${address}\nTry:`)
    for (const [method, path, body, what] of CALLS) {
      const data = body === undefined ? '' : ` -H 'content-type: application/json' -d '${JSON.stringify(body)}'`
      console.log(`  curl -s -X ${method} '${address}${path}'${data}    # ${what}`)
    }
    console.log(`Each type URI resolves here: open ${address}/problems/ in a browser. OpenAPI: ${address}/openapi.json`)
    console.log('Each problem carries a trace_id; the span with that trace id is printed here when it ends. Ctrl-C stops.')
    const stop = () => app.close().then(() => sdk.shutdown()).then(() => process.exit(0))
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    return
  }

  for (const [method, path, body, what] of CALLS) {
    const res = await fetch(address + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    const text = await res.text()
    const traceId = JSON.parse(text).trace_id
    console.log(`\n# ${what}\n${method} ${path} -> ${res.status} ${res.headers.get('content-type')}`)
    console.log(JSON.stringify(JSON.parse(text), null, 2))
    const span = await spanOf(traceId)
    console.log(span ? span.line : `span  (none found for trace_id=${traceId})`)
  }
  const reference = await fetch(`${address}/problems/invalid-request`, { headers: { accept: 'application/json' } })
  console.log(`\n# every type URI resolves on the service\nGET /problems/invalid-request -> ${reference.status} ${reference.headers.get('content-type')}`)
  const paths = Object.keys((await (await fetch(`${address}/openapi.json`)).json()).paths)
  console.log(`GET /openapi.json -> documents ${paths.join(', ')} with their problem responses`)
  await app.close()
  await sdk.shutdown()
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
