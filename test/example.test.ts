import t from 'tap'
import swagger from '@fastify/swagger'
import { trace, TraceFlags } from '@opentelemetry/api'
import Fastify from 'fastify'
import problemDetails, { builtinCatalog, type ProblemCatalog } from '../lib/index.ts'
import { buildReference, renderMarkdownFiles } from '../lib/docs/index.ts'
import { DEFAULT_EXAMPLE_INSTANCE, EXAMPLE_TRACE_ID, exampleOccurrence, exampleResponse } from '../lib/example.ts'
import { normalizeOptions } from '../lib/options.ts'
import { renderProblem } from '../lib/responder.ts'
import { createSerializers, type SerializerFor } from '../lib/serializer.ts'

// The README's own custom code: a required member and no `example`.
const readmeCatalog = {
  quota_exceeded: {
    status: 429,
    title: 'The quota for this period is used up.',
    retryable: true,
    category: 'user',
    retryAfter: 60,
    members: { limit: { type: 'integer', description: 'Requests allowed per window.' } },
    required: ['limit'],
    summary: 'The caller sent more requests than its plan allows in one window.',
    occurs: ['More than `limit` requests arrived within the window.'],
    resolve: ['Wait for `Retry-After` seconds, then retry.']
  }
} as const

// Codes whose examples are built from their member schemas.
const customCatalog: ProblemCatalog = {
  ...readmeCatalog,
  payment_declined: {
    status: 402,
    title: 'The payment was declined.',
    retryable: false,
    category: 'user',
    members: {
      reason: { type: 'string', enum: ['insufficient_funds', 'expired_card'] },
      receipt_url: { type: 'string', format: 'uri' },
      attempts: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 2 }
    },
    required: ['reason']
  },
  maintenance: {
    status: 503,
    title: 'The service is in maintenance.',
    retryable: true,
    category: 'platform',
    retryAfter: 120,
    members: { until: { type: 'string', format: 'date-time' } },
    example: { detail: 'back at noon' }
  }
}

/** The span @fastify/otel gives a request: the examples show the same trace id. */
function tracedApp () {
  const app = Fastify()
  const span = trace.wrapSpanContext({ traceId: EXAMPLE_TRACE_ID, spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED })
  app.decorateRequest('opentelemetry', function exampleSpan () { return { span } })
  return app
}

for (const [name, options] of [['built-in catalog', {}], ['custom catalog', { catalog: customCatalog, typeBase: 'https://docs.example.com/errors/' }]] as const) {
  t.test(`every example of the ${name} is the response the service sends for that occurrence`, async (t) => {
    const config = normalizeOptions(options)
    const serializerFor = createSerializers()
    const app = tracedApp()
    t.teardown(() => app.close())
    await app.register(problemDetails, options)
    app.get(DEFAULT_EXAMPLE_INSTANCE, async function sendExample (request, reply) {
      const code = (request.query as { code: string }).code
      const occurrence = exampleOccurrence(config.entries.get(code) as never, config.memberValidator)
      return (reply.problem as (code: string, init: Record<string, unknown>) => typeof reply)(code, { ...occurrence?.members, detail: occurrence?.detail })
    })
    for (const entry of config.entries.values()) {
      const example = exampleResponse(entry, config, serializerFor)
      if (example === undefined) {
        t.fail(`${entry.code} has an example`)
        continue
      }
      const res = await app.inject({ url: DEFAULT_EXAMPLE_INSTANCE, query: { code: entry.code } })
      t.equal(example.status, res.statusCode, `${entry.code}: status`)
      t.equal(example.raw, res.body, `${entry.code}: the same bytes`)
      t.strictSame(example.body, res.json(), `${entry.code}: the same document`)
      const sent: Record<string, string> = { 'content-type': String(res.headers['content-type']) }
      if (res.headers['retry-after'] !== undefined) sent['retry-after'] = String(res.headers['retry-after'])
      if (res.headers['www-authenticate'] !== undefined) sent['www-authenticate'] = String(res.headers['www-authenticate'])
      t.strictSame(example.headers, sent, `${entry.code}: the same headers`)
      t.equal(example.body.type, entry.type, `${entry.code}: a body of this code, never another`)
    }
  })
}

t.test('examples are built from member schemas, and always valid', async (t) => {
  const config = normalizeOptions({ catalog: customCatalog })
  const members = (code: string) => exampleOccurrence(config.entries.get(code) as never, config.memberValidator)?.members
  t.strictSame(members('quota_exceeded'), { limit: 1 })
  t.strictSame(members('payment_declined'), { reason: 'insufficient_funds', receipt_url: 'https://example.com/resource', attempts: [1, 1] })
  t.strictSame(members('maintenance'), {}, 'an example without members keeps to what it gives')
  t.equal(exampleOccurrence(config.entries.get('maintenance') as never, config.memberValidator)?.detail, 'back at noon')
  t.strictSame(members('external_authentication_required'), builtinCatalog.external_authentication_required.example.members, 'an example given is used as it is')
})

t.test('schema keywords pick the sample: examples, default, const, enum, then type, format and bounds', async (t) => {
  const schemas: Record<string, [Record<string, unknown>, unknown]> = {
    fromExamples: [{ type: 'string', examples: ['eu-west-1'] }, 'eu-west-1'],
    fromDefault: [{ type: 'integer', default: 30 }, 30],
    fromConst: [{ const: 'fixed' }, 'fixed'],
    fromEnum: [{ enum: [3, 4] }, 3],
    email: [{ type: 'string', format: 'email' }, 'user@example.com'],
    when: [{ type: 'string', format: 'date' }, '2026-01-01'],
    id: [{ type: 'string', format: 'uuid' }, '3fa85f64-5717-4562-b3fc-2c963f66afa6'],
    host: [{ type: 'string', format: 'ipv4' }, '192.0.2.1'],
    unknownFormatName: [{ type: 'string', format: 'int64' }, 'example'],
    padded: [{ type: 'string', minLength: 10 }, 'examplexxx'],
    cut: [{ type: 'string', maxLength: 3 }, 'exa'],
    atLeast: [{ type: 'integer', minimum: 10 }, 10],
    above: [{ type: 'integer', exclusiveMinimum: 5 }, 6],
    aboveNumber: [{ type: 'number', exclusiveMinimum: 5 }, 5.5],
    atMost: [{ type: 'integer', maximum: 0 }, 0],
    belowNumber: [{ type: 'number', exclusiveMaximum: 0 }, -0.5],
    belowInteger: [{ type: 'integer', exclusiveMaximum: 0 }, -1],
    stepped: [{ type: 'integer', minimum: 7, multipleOf: 5 }, 10],
    ratio: [{ type: 'number' }, 1],
    flag: [{ type: 'boolean' }, true],
    nothing: [{ type: 'null' }, null],
    nullable: [{ type: ['null', 'string'] }, 'example'],
    list: [{ type: 'array', items: { type: 'string' } }, ['example']],
    empty: [{ type: 'array', items: { type: 'string' }, maxItems: 0 }, []],
    untypedList: [{ type: 'array' }, []],
    inferredList: [{ items: { type: 'boolean' } }, [true]],
    nested: [{ type: 'object', properties: { name: { type: 'string' }, size: { type: 'integer' }, any: {} } }, { name: 'example', size: 1 }],
    inferredObject: [{ properties: { on: { type: 'boolean' } } }, { on: true }],
    bag: [{ type: 'object' }, {}]
  }
  const catalog: ProblemCatalog = {
    sampled: { status: 400, title: 'Sampled.', retryable: false, category: 'user', members: Object.fromEntries(Object.entries(schemas).map(([name, [schema]]) => [name, schema])) }
  }
  const config = normalizeOptions({ catalog })
  const occurrence = exampleOccurrence(config.entries.get('sampled') as never, config.memberValidator)
  t.strictSame(occurrence?.members, Object.fromEntries(Object.entries(schemas).map(([name, [, sample]]) => [name, sample])))
})

t.test('no valid example means no example: never the body of another code', async (t) => {
  const catalog: ProblemCatalog = {
    // the sample string does not match the pattern of the required member
    patterned: { status: 400, title: 'Patterned.', retryable: false, category: 'user', members: { ref: { type: 'string', pattern: '^[A-Z]{3}-[0-9]{4}$' } }, required: ['ref'] },
    // a required member whose schema gives no value to start from
    untyped: { status: 400, title: 'Untyped.', retryable: false, category: 'user', members: { anything: {} }, required: ['anything'] },
    // an optional member that cannot be sampled is left out; the required one stays
    partly: { status: 409, title: 'Partly.', retryable: false, category: 'user', members: { id: { type: 'integer' }, ref: { type: 'string', pattern: '^[0-9]+$' } }, required: ['id'] },
    // recursion is bounded
    deep: { status: 400, title: 'Deep.', retryable: false, category: 'user', members: { tree: nested(12) } }
  }
  const config = normalizeOptions({ catalog })
  const serializerFor = createSerializers()
  t.equal(exampleResponse(config.entries.get('patterned') as never, config, serializerFor), undefined)
  t.equal(exampleResponse(config.entries.get('untyped') as never, config, serializerFor), undefined)
  t.match(exampleResponse(config.entries.get('partly') as never, config, serializerFor)?.body, { type: '/problems/partly', status: 409, id: 1 })
  t.notOk('ref' in (exampleResponse(config.entries.get('partly') as never, config, serializerFor)?.body ?? {}))
  const deep = exampleResponse(config.entries.get('deep') as never, config, serializerFor)?.body as { tree: unknown }
  t.equal(JSON.stringify(deep.tree).split('{').length - 1, 9, 'nine levels deep, then the sampling stops')

  // OpenAPI shows the codes that have an example, and leaves the others without one
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(swagger, { openapi: { info: { title: 't', version: '1' } } })
  await app.register(problemDetails, { catalog })
  // codes of a catalog the type checker does not know (no ProblemRegistry augmentation here)
  const problems = (codes: string[]) => ({ config: { problems: codes as never } })
  app.get('/x', problems(['patterned', 'invalid_request', 'untyped']), async () => 'ok')
  app.get('/y', problems(['untyped']), async () => 'ok')
  await app.ready()
  // the document as a client receives it
  const doc = JSON.parse(JSON.stringify(app.swagger())) as { paths: Record<string, { get: { responses: Record<string, { content: Record<string, { examples?: Record<string, unknown> }> }> } }> }
  t.strictSame(Object.keys(doc.paths['/x'].get.responses['400'].content['application/problem+json'].examples ?? {}), ['invalid_request'])
  t.notOk('examples' in doc.paths['/y'].get.responses['400'].content['application/problem+json'])
})

function nested (depth: number): Record<string, unknown> {
  return depth === 0 ? { type: 'string' } : { type: 'object', properties: { child: nested(depth - 1) } }
}

t.test("the README's quota_exceeded shows a 429 body of its own, with a valid limit, in OpenAPI, served pages and Markdown", async (t) => {
  const options = { catalog: readmeCatalog, serveDocs: true }
  const expected = { type: '/problems/quota-exceeded', title: readmeCatalog.quota_exceeded.title, status: 429, instance: DEFAULT_EXAMPLE_INSTANCE, retryable: true, trace_id: EXAMPLE_TRACE_ID, limit: 1 }

  // 1. OpenAPI, with @fastify/swagger
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(swagger, { openapi: { info: { title: 't', version: '1' } } })
  await app.register(problemDetails, options)
  app.get('/tasks', { config: { problems: ['quota_exceeded' as never] } }, async () => 'ok')
  await app.ready()
  const doc = app.swagger() as { paths: Record<string, { get: { responses: Record<string, { content: Record<string, { examples: Record<string, { value: unknown }> }> }> } }> }
  t.match(doc.paths['/tasks'].get.responses['429'].content['application/problem+json'].examples.quota_exceeded.value, { ...expected, instance: '/tasks' }, 'in OpenAPI, the instance is the route path')

  // 2. the served page, as JSON and as HTML
  const json = await app.inject({ url: '/problems/quota-exceeded', headers: { accept: 'application/json' } })
  t.equal(json.statusCode, 200)
  t.match(json.json().example, expected)
  const html = await app.inject({ url: '/problems/quota-exceeded', headers: { accept: 'text/html' } })
  t.equal(html.statusCode, 200)
  t.match(html.body, '<code>429 Too Many Requests</code> and <code>content-type: application/problem+json</code>, <code>retry-after: 60</code>')
  t.match(html.body, '&#34;limit&#34;: 1')
  t.notMatch(html.body, 'internal-error')

  // 3. the Markdown page
  const page = renderMarkdownFiles(buildReference(options)).get('quota-exceeded.md') as string
  t.match(page, 'Sent with status `429 Too Many Requests`')
  const body = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(page)?.[1] as string)
  t.match(body, expected)
  t.strictSame(buildReference(options).gaps, [], 'nothing missing: the example was built')
})

t.test('an example whose document cannot be serialized is no example, never an internal_error body', async (t) => {
  const config = normalizeOptions({})
  const failing: SerializerFor = () => () => { throw new Error('serializer broke') }
  t.equal(exampleResponse(config.entries.get('conflict') as never, config, failing), undefined)
  // the same render step, for an about:blank problem: the failure still ends as a valid internal_error
  const rendered = renderProblem({ entry: undefined, status: 418, detail: undefined, members: {}, headers: undefined, retryAfter: undefined, errors: undefined, developerError: undefined }, '/x', undefined, config, failing)
  t.equal(rendered.status, 500)
  t.match(JSON.parse(rendered.payload), { type: '/problems/internal-error', status: 500, instance: '/x' })
  t.match(rendered.classification.developerError?.message, 'could not send problem "about:blank" (serializer broke)')
})
