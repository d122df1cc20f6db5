import t from 'tap'
import Ajv from 'ajv'
import addFormats from 'ajv-formats'
import Fastify from 'fastify'
import type { Span } from '@opentelemetry/api'
import type { ReadableSpan } from '@opentelemetry/sdk-trace'
import problemDetails from '../lib/index.ts'
import { MAX_ERROR_ARGUMENT_LENGTH } from '../lib/guards.ts'
import { MAX_FAILURE_LENGTH, MAX_LISTED_FAILURES, MAX_MEMBER_DEPTH, MAX_MEMBERS_LENGTH } from '../lib/members.ts'
import { build, problemOf, type LogLine } from './helper.ts'
import type { ProblemCode } from '../lib/index.ts'
import { memoryTracing } from './otel-sdk.ts'

/** The bound docs/security.md promises for one log line of the plugin, and for one span's exception events. */
const MAX_LOG_LINE = 16 * 1024

const quota = { status: 429, title: 'The quota is used up.', retryable: true, category: 'user' } as const

/** The problem lines of the log that replaced a problem with internal_error. */
function refusals (lines: LogLine[]): LogLine[] {
  return lines.filter((l) => l.problem === 'internal_error')
}

/** A client's validator of the published schema of each code: ajv with ajv-formats. */
function clientValidator (app: { problemDetails: { schemaOf: (code: string) => Record<string, unknown> } }) {
  const ajv = new Ajv({ strict: false, allErrors: true })
  addFormats(ajv)
  return (code: string, body: unknown) => {
    const validate = ajv.compile({ ...app.problemDetails.schemaOf(code), additionalProperties: false })
    return validate(body) ? undefined : ajv.errorsText(validate.errors)
  }
}

t.test('regression: a 1 MiB member is refused before validation, and the log line and the span stay bounded', async (t) => {
  // an array of 262,144 items that all fail their schema: every failure was validated and listed,
  // a multi-megabyte log line and span event for one request
  const { exporter, provider } = memoryTracing()
  t.teardown(() => provider.shutdown())
  const tracer = provider.getTracer('members-test')
  const spans = new WeakMap<object, Span>()
  const started: Span[] = []
  const { app, logs } = await build(t, {
    routes: (app) => {
      // the request span as @fastify/otel exposes it
      app.decorateRequest('opentelemetry', function opentelemetry (this: object) {
        let span = spans.get(this)
        if (span === undefined) {
          span = tracer.startSpan('request')
          spans.set(this, span)
          started.push(span)
        }
        return { span }
      })
      app.get('/array', async (_req, reply) => reply.problem('external_authentication_required', { inaccessible_repos: Array.from({ length: 1 << 18 }, () => 1234) } as never))
      app.get('/string', async (_req, reply) => reply.problem('external_authentication_required', { provider: 'p'.repeat(1 << 20) }))
      app.get('/keys', async (_req, reply) => reply.problem('external_authentication_required', { provider: Object.fromEntries(Array.from({ length: 1 << 16 }, (_, i) => [`key-${i}`, i])) } as never))
    }
  })
  for (const url of ['/array', '/string', '/keys']) {
    const res = await app.inject(url)
    t.equal(problemOf(t, res, 500).type, '/problems/internal-error', url)
    t.ok(res.body.length < 1000, `${url}: nothing of the value is sent`)
  }
  for (const span of started) span.end()
  const lines = refusals(logs.lines)
  t.equal(lines.length, 3)
  for (const line of lines) {
    t.match(line, { err: { code: 'FST_PROBLEM_INVALID_MEMBER', message: new RegExp(`over the limit of ${MAX_MEMBERS_LENGTH} characters`) } })
    t.ok(JSON.stringify(line).length < MAX_LOG_LINE, `the log line is ${JSON.stringify(line).length} characters, under ${MAX_LOG_LINE}`)
  }
  const finished: ReadableSpan[] = exporter.getFinishedSpans()
  t.equal(finished.length, 3)
  for (const span of finished) {
    t.ok(JSON.stringify(span.events).length < MAX_LOG_LINE, `the span events are ${JSON.stringify(span.events).length} characters`)
    t.ok(String(span.status.message).length < MAX_LOG_LINE, 'the span status message is bounded')
  }
})

t.test('regression: a member within the bound whose items all fail lists a few failures, each bounded, and counts the rest', async (t) => {
  const pattern = '^' + 'a'.repeat(1000) + '$'
  const { app, logs } = await build(t, {
    plugin: { catalog: { quota_exceeded: { ...quota, members: { plans: { type: 'array', items: { type: 'string', pattern } } } } } },
    routes: (app) => {
      app.get('/numbers', async (_req, reply) => reply.problem('external_authentication_required', { inaccessible_repos: Array.from({ length: 1000 }, () => 1) } as never))
      app.get('/patterns', async (_req, reply) => reply.problem('quota_exceeded' as ProblemCode, { plans: ['b', 'c', 'd'] } as never))
    }
  })
  problemOf(t, await app.inject('/numbers'), 500)
  problemOf(t, await app.inject('/patterns'), 500)
  const [numbers, patterns] = refusals(logs.lines).map((l) => (l.err as { message: string }).message)
  t.match(numbers, `member/inaccessible_repos/${MAX_LISTED_FAILURES - 1} must be string, and ${1000 - MAX_LISTED_FAILURES} more`)
  t.notMatch(numbers, `member/inaccessible_repos/${MAX_LISTED_FAILURES} must`)
  t.ok(numbers.length < 2048, `${numbers.length} characters`)
  // each failure repeats the 1,000-character pattern: cut to MAX_FAILURE_LENGTH
  for (const failure of patterns.slice(patterns.indexOf('member/')).split(', ')) t.ok(failure.length <= MAX_FAILURE_LENGTH, failure.slice(0, 40))
})

t.test('a member whose reading throws a huge message is logged with a bounded one', async (t) => {
  const { app, logs } = await build(t, {
    routes: (app) => {
      const hostile = Object.defineProperty({}, 'name', { enumerable: true, get () { throw new Error('x'.repeat(1 << 20)) } })
      app.get('/hostile', async (_req, reply) => reply.problem('external_authentication_required', { provider: hostile } as never))
    }
  })
  problemOf(t, await app.inject('/hostile'), 500)
  const [line] = refusals(logs.lines)
  t.match(line, { err: { code: 'FST_PROBLEM_INVALID_MEMBER', message: /could not be read \(x+…\)/ } })
  t.ok(JSON.stringify(line).length < MAX_LOG_LINE, `${JSON.stringify(line).length} characters`)
})

t.test('regression: developer-error messages stay bounded: an unknown code of 1 MiB, and a serializer failure with a 1 MiB message', async (t) => {
  // the code, or the failure's message, was copied whole into the message, then into the log line and the span
  const { app, logs } = await build(t, {
    plugin: { catalog: { quota_exceeded: { ...quota, members: { any: {} } } } },
    routes: (app) => {
      app.get('/code', async (_req, reply) => reply.problem('c'.repeat(1 << 20) as ProblemCode))
      app.get('/serializer', async (_req, reply) => reply.problem('quota_exceeded' as ProblemCode, { any: { toJSON () { throw new Error('s'.repeat(1 << 20)) } } } as never))
    }
  })
  problemOf(t, await app.inject('/code'), 500)
  problemOf(t, await app.inject('/serializer'), 500)
  const [code, serializer] = refusals(logs.lines)
  t.match(code, { err: { code: 'FST_PROBLEM_UNKNOWN_CODE', message: new RegExp(`unknown problem code "c{${MAX_ERROR_ARGUMENT_LENGTH - 1}}…"`) } })
  t.match(serializer, { err: { code: 'FST_PROBLEM_SEND_FAILED', message: new RegExp(`\\(s{${MAX_ERROR_ARGUMENT_LENGTH - 1}}…\\)`) } })
  for (const line of [code, serializer]) t.ok(JSON.stringify(line).length < MAX_LOG_LINE, `${JSON.stringify(line).length} characters`)
})

t.test('members at the bound, of every JSON type, are sent as given', async (t) => {
  const { app } = await build(t, {
    plugin: { catalog: { quota_exceeded: { ...quota, members: { any: {}, flags: { type: 'array', items: { type: ['boolean', 'null'] } } } } } },
    routes: (app) => {
      app.get('/fits', async (_req, reply) => reply.problem('quota_exceeded' as ProblemCode, { any: { a: [1, 'two', null, true], b: { c: false } }, flags: [true, false, null] } as never))
      app.get('/skipped', async (_req, reply) => reply.problem('quota_exceeded' as ProblemCode, { any: { fn: () => 1, gone: undefined, list: [undefined] } } as never))
      app.get('/written', async (_req, reply) => reply.problem('quota_exceeded' as ProblemCode, { any: { date: new Date(0), custom: { toJSON () { return { a: 1 } } } } } as never))
      // measured as JSON writes it: what toJSON returns
      app.get('/written-over', async (_req, reply) => reply.problem('quota_exceeded' as ProblemCode, { any: { toJSON () { return 'w'.repeat(1 << 20) } } } as never))
      // an object that opens just past the bound
      app.get('/opens-over', async (_req, reply) => reply.problem('quota_exceeded' as ProblemCode, { any: ['p'.repeat(MAX_MEMBERS_LENGTH - 6), {}] } as never))
      app.get('/opens-at', async (_req, reply) => reply.problem('quota_exceeded' as ProblemCode, { any: ['p'.repeat(MAX_MEMBERS_LENGTH - 7), {}] } as never))
      app.get('/long-fits', async (_req, reply) => reply.problem('external_authentication_required', { provider: 'p'.repeat(MAX_MEMBERS_LENGTH - 2) }))
      app.get('/long-over', async (_req, reply) => reply.problem('external_authentication_required', { provider: 'p'.repeat(MAX_MEMBERS_LENGTH - 1) }))
    }
  })
  t.match(problemOf(t, await app.inject('/fits'), 429), { any: { a: [1, 'two', null, true], b: { c: false } }, flags: [true, false, null] })
  t.match(problemOf(t, await app.inject('/skipped'), 429), { any: { list: [null] } })
  t.match(problemOf(t, await app.inject('/written'), 429), { any: { date: '1970-01-01T00:00:00.000Z', custom: { a: 1 } } })
  problemOf(t, await app.inject('/written-over'), 500)
  problemOf(t, await app.inject('/opens-over'), 500)
  problemOf(t, await app.inject('/opens-at'), 429)
  problemOf(t, await app.inject('/long-fits'), 401)
  problemOf(t, await app.inject('/long-over'), 500)
})

t.test('regression: members declared with format uri or url accept only http(s) URLs, the built-in auth_url and setup_url included', async (t) => {
  const unsafe = ['javascript:alert(1)', 'JavaScript:alert(document.cookie)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', 'file:///etc/passwd', 'ftp://files.example.com/x', 'https:no-host', 'https://', 'mailto:ops@example.com', '//example.com/x']
  const safe = ['https://auth.example.com/connect/github', 'http://localhost:3000/setup?step=2#top', 'HTTPS://EXAMPLE.COM/']
  const { app, logs } = await build(t, {
    plugin: { catalog: { quota_exceeded: { ...quota, members: { upgrade_url: { type: 'string', format: 'uri' }, docs: { type: 'string', format: 'url' } } } } },
    routes: (app) => {
      app.get('/auth', async (req, reply) => reply.problem('external_authentication_required', { auth_url: (req.query as { u: string }).u }))
      app.get('/setup', async (req, reply) => reply.problem('integration_not_configured', { setup_url: (req.query as { u: string }).u }))
      app.get('/own', async (req, reply) => reply.problem('quota_exceeded' as ProblemCode, { upgrade_url: (req.query as { u: string }).u } as never))
      app.get('/url', async (req, reply) => reply.problem('quota_exceeded' as ProblemCode, { docs: (req.query as { u: string }).u } as never))
    }
  })
  const routes = [['/auth', 401], ['/setup', 400], ['/own', 429]] as const
  for (const [route, status] of routes) {
    for (const u of unsafe) {
      const res = await app.inject({ url: route, query: { u } })
      t.equal(res.statusCode, 500, `${route} refuses ${u}`)
      t.notMatch(res.body, u.slice(0, 12))
    }
    for (const u of safe) t.equal((await app.inject({ url: route, query: { u } })).statusCode, status, `${route} sends ${u}`)
  }
  t.equal((await app.inject({ url: '/url', query: { u: 'javascript:alert(1)' } })).statusCode, 500)
  t.equal((await app.inject({ url: '/url', query: { u: 'ftp://files.example.com/x' } })).statusCode, 500)
  t.equal((await app.inject({ url: '/url', query: { u: 'https://docs.example.com/quota' } })).statusCode, 429)
  t.match(refusals(logs.lines)[0], { err: { code: 'FST_PROBLEM_INVALID_MEMBER', message: /member\/auth_url must match format "uri"/ } })
})

t.test('regression: a number member set to Infinity or NaN is refused, and every body sent validates against its code\'s published schema', async (t) => {
  const { app, logs } = await build(t, {
    plugin: { catalog: { quota_exceeded: { ...quota, members: { limit: { type: 'number' }, used: { type: 'integer' }, history: { type: 'array', items: { type: 'number' } }, any: {} } } } },
    routes: (app) => {
      app.get('/q', async (req, reply) => {
        const { member, value } = req.query as { member: string, value: string }
        const number = Number(value)
        return reply.problem('quota_exceeded' as ProblemCode, { [member]: member === 'history' ? [1, number] : member === 'any' ? { deep: [number] } : number } as never)
      })
    }
  })
  const validate = clientValidator(app)
  for (const member of ['limit', 'used', 'history', 'any']) {
    for (const value of ['NaN', 'Infinity', '-Infinity', '5']) {
      const res = await app.inject({ url: '/q', query: { member, value } })
      const body = JSON.parse(res.body)
      t.equal(res.statusCode, value === '5' ? 429 : 500, `${member} = ${value}`)
      t.equal(validate(value === '5' ? 'quota_exceeded' : 'internal_error', body), undefined, `${member} = ${value}: the body validates against the schema of its code`)
    }
  }
  t.match(refusals(logs.lines)[0], { err: { code: 'FST_PROBLEM_INVALID_MEMBER', message: /member\/limit is NaN, which JSON cannot carry/ } })
  t.match(refusals(logs.lines)[8], { err: { message: /member\/history\/1 is -Infinity/ } })
})

t.test('a member value that refers to itself, or nests deeper than the bound, is refused with a message that says so', async (t) => {
  const { app, logs } = await build(t, {
    plugin: { catalog: { quota_exceeded: { ...quota, members: { any: {} } } } },
    routes: (app) => {
      app.get('/cycle', async (_req, reply) => {
        const value: Record<string, unknown> = { shared: { x: 1 } }
        value.again = value.shared
        value.self = value
        return reply.problem('quota_exceeded' as ProblemCode, { any: value } as never)
      })
      app.get('/deep', async (req, reply) => {
        let value: unknown = 'leaf'
        for (let i = 0; i < Number((req.query as { depth: string }).depth); i++) value = i % 2 === 0 ? [value] : { k: value }
        return reply.problem('quota_exceeded' as ProblemCode, { any: value } as never)
      })
    }
  })
  problemOf(t, await app.inject('/cycle'), 500)
  // a stack overflow, without the bound
  problemOf(t, await app.inject({ url: '/deep', query: { depth: '100000' } }), 500)
  problemOf(t, await app.inject({ url: '/deep', query: { depth: String(MAX_MEMBER_DEPTH) } }), 429)
  problemOf(t, await app.inject({ url: '/deep', query: { depth: String(MAX_MEMBER_DEPTH + 1) } }), 500)
  const [cycle, deep] = refusals(logs.lines)
  t.match(cycle, { err: { code: 'FST_PROBLEM_INVALID_MEMBER', message: /member\/any\/self refers to itself \(a cycle\)/ } })
  t.match(deep, { err: { code: 'FST_PROBLEM_INVALID_MEMBER', message: new RegExp(`nests deeper than ${MAX_MEMBER_DEPTH} levels`) } })
})

t.test('regression: member and member property names inherited from Object.prototype are refused at registration', async (t) => {
  // they were accepted, and then every problem of the code was internal_error unless the member was
  // given: the inherited function was read as its value
  const names = Object.getOwnPropertyNames(Object.prototype).filter((name) => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name))
  t.ok(names.includes('constructor') && names.includes('toString') && names.includes('__proto__'))
  for (const name of names) {
    // JSON.parse makes `__proto__` an own key, as a catalog read from a file would
    const members = JSON.parse(`{"${name}":{"type":"string"}}`)
    const app = Fastify()
    await t.rejects(async () => { await app.register(problemDetails, { catalog: { quota_exceeded: { ...quota, members } } }) }, {
      code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY',
      message: new RegExp(`"quota_exceeded" declares the member "${name.replaceAll('$', '\\$')}", a name every JavaScript object inherits .*rename it`)
    }, name)
    await app.close()
    // nor as a property of an object member, at any depth: the serializer wrote the inherited
    // function as text ("function toString() { [native code] }") when the value did not have it
    const nested = JSON.parse(`{"info":{"type":"array","items":{"type":"object","properties":{"${name}":{"type":"string"}}}}}`)
    const nestedApp = Fastify()
    await t.rejects(async () => { await nestedApp.register(problemDetails, { catalog: { quota_exceeded: { ...quota, members: nested } } }) }, {
      code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY',
      message: new RegExp(`"quota_exceeded" has a schema for member "info" with the property "${name.replaceAll('$', '\\$')}", a name every JavaScript object inherits .*rename it`)
    }, `nested ${name}`)
    await nestedApp.close()
  }
})
