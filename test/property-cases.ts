// Generated thrown values and the app that throws them from every stage; used by the property tests.
import type { Test } from 'tap'
import fc from 'fast-check'
import { Readable } from 'node:stream'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { build } from './helper.ts'
import { headerPolicyBroken, keepAliveAgent, logLineBroken, PROBLEM_CONTENT_TYPES, problemChecker, send } from './property-invariants.ts'
import { errorHeaderAllowed } from '../lib/headers.ts'
import { isProblemError, ProblemError, type ProblemCode, type ProblemDetailsOptions } from '../lib/index.ts'

/** Where a value is thrown from. */
export const STAGES = ['handler-sync', 'handler-async', 'reply-send', 'reply-problem', 'onRequest', 'preParsing', 'preValidation', 'preHandler', 'preSerialization', 'stream'] as const
type Stage = typeof STAGES[number]

/** A description of a thrown value; built into the real (possibly hostile) value at request time, with a fresh canary. */
type Recipe =
  | { kind: 'string' | 'symbol' | 'bigint' | 'null' | 'undefined' | 'true' }
  | { kind: 'number', value: number }
  | { kind: 'array', items: Recipe[] }
  | ErrorRecipe
  | ProblemRecipe

interface ErrorRecipe {
  kind: 'error'
  ctor: 'Error' | 'TypeError' | 'RangeError' | 'Custom' | 'plain'
  message: string
  code: unknown
  statusCode: unknown
  status: unknown
  headers: HeaderRecipe | undefined
  validation: boolean
  /** An HTTP client's error: it carries the `response` it received, with the same headers. */
  response: boolean
  cause: 'none' | 'chain' | 'cycle' | 'self'
  throwingGetter: 'none' | 'statusCode' | 'status' | 'message' | 'code' | 'headers' | 'name' | 'stack' | 'cause' | 'validation'
  wrap: 'none' | 'frozen' | 'proxy' | 'hostile-proxy' | 'revoked-proxy'
}

interface ProblemRecipe {
  kind: 'problem'
  code: string
  detail: string | undefined
  members: Record<string, unknown>
  undeclared: boolean
  headers: HeaderRecipe | undefined
  retryAfter: unknown
  cause: boolean
}

/** Headers: well-formed ones may be sent; canary-carrying ones are malformed or forbidden and must be dropped. */
interface HeaderRecipe { safe: Record<string, string | number>, poisoned: Array<'crlf' | 'nul' | 'unicode' | 'forbidden-name' | 'bad-name' | 'object' | 'array-crlf' | 'retry-after'> }

const CATALOG_CODES = ['insufficient_credits', 'feature_not_available', 'external_authentication_required', 'not_authorized', 'invalid_request', 'resource_not_found', 'budget_exceeded', 'integration_disabled', 'integration_not_configured', 'operation_not_supported', 'environment_setup_failed', 'content_policy_violation', 'conflict', 'authentication_required', 'resource_unavailable', 'internal_error', 'quota_exceeded']

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('\u0000', '\n', '\r', '"', '\\', '\ud800', '\udfff', '\u2028', '<', '\u007f', 'é'), maxLength: 20 })
)
const statusLike = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: 400, max: 599 }),
  fc.constantFrom(400, 404, 409, 418, 422, 429, 499, 500, 502, 503, 504, 599),
  fc.integer({ min: -1000, max: 2000 }),
  fc.constantFrom(-1, 0, 200, 302, 399, 600, 700, 1e21, Number.MAX_SAFE_INTEGER, NaN, Infinity, -Infinity, 404.5),
  fc.constantFrom('404', '500', 'abc', '', null, true, 404n, [404], { valueOf: () => 404 })
)
const codeLike = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(...CATALOG_CODES, 'CONFLICT', 'Resource_Not_Found', 'FST_ERR_VALIDATION', 'FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_NOT_FOUND', 'ECONNREFUSED', 'P2025', 'ERR_X', '__proto__', 'constructor', 'toString', ''),
  fc.string({ maxLength: 12 }),
  fc.constantFrom(42, null, 404n, { toString: () => 'conflict' })
)
const headerRecipe: fc.Arbitrary<HeaderRecipe> = fc.record({
  // names of the error header policy (kept with some statuses) and others (never kept from a thrown error)
  safe: fc.dictionary(fc.oneof(fc.stringMatching(/^x-[a-z]{1,8}$/), fc.constantFrom('server', 'www-authenticate', 'WWW-Authenticate', 'allow', 'retry-after', 'x-ratelimit-remaining', 'accept-post', 'content-language', 'location', 'link')), fc.oneof(fc.stringMatching(/^[ -~]{0,20}$/), fc.integer({ min: 0, max: 1e6 })), { maxKeys: 3 }),
  poisoned: fc.array(fc.constantFrom('crlf', 'nul', 'unicode', 'forbidden-name', 'bad-name', 'object', 'array-crlf', 'retry-after'), { maxLength: 4 })
})
const errorRecipe: fc.Arbitrary<ErrorRecipe> = fc.record({
  kind: fc.constant('error' as const),
  ctor: fc.constantFrom('Error', 'TypeError', 'RangeError', 'Custom', 'plain'),
  message: text,
  code: codeLike,
  statusCode: statusLike,
  status: statusLike,
  headers: fc.option(headerRecipe, { nil: undefined }),
  validation: fc.boolean(),
  response: fc.boolean(),
  cause: fc.constantFrom('none', 'chain', 'cycle', 'self'),
  throwingGetter: fc.constantFrom('none', 'none', 'statusCode', 'status', 'message', 'code', 'headers', 'name', 'stack', 'cause', 'validation'),
  wrap: fc.constantFrom('none', 'none', 'frozen', 'proxy', 'hostile-proxy', 'revoked-proxy')
})

// members valid for their schema, and values that are not (wrong types, bad URIs and links a
// client must not open, numbers JSON cannot carry, BigInts, cycles)
const anyMemberValue = fc.oneof(fc.string({ maxLength: 20 }), fc.webUrl(), fc.integer(), fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }), fc.constantFrom(null, true, 'not a uri', 10n, [1, 2], { nested: 'x' }, 'hostile-array', 'javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', NaN, Infinity, -Infinity, [1, NaN]))

/** An array whose items cannot be read: validation and serialization both trip on it. */
function hostileArray (canary: string): unknown {
  return new Proxy(['a'], { get (target, key, receiver) { if (key === '0' || key === 'length') throw new Error(`trap ${canary}`); return Reflect.get(target, key, receiver) } })
}
const problemRecipe: fc.Arbitrary<ProblemRecipe> = fc.record({
  kind: fc.constant('problem' as const),
  // codes with extension members are drawn more often: their members are where hostile values go
  code: fc.oneof(fc.constantFrom(...CATALOG_CODES, 'no_such_code'), fc.constantFrom('external_authentication_required', 'integration_not_configured', 'quota_exceeded')),
  detail: fc.option(text, { nil: undefined }),
  members: fc.record({
    provider: anyMemberValue,
    auth_url: anyMemberValue,
    inaccessible_repos: fc.oneof(anyMemberValue, fc.constant('hostile-array')),
    integration_name: anyMemberValue,
    setup_url: anyMemberValue,
    limit: fc.oneof(fc.integer({ min: 0, max: 1e6 }), anyMemberValue)
  }, { requiredKeys: [] }),
  undeclared: fc.boolean(),
  headers: fc.option(headerRecipe, { nil: undefined }),
  retryAfter: fc.oneof(fc.constant(undefined), fc.integer({ min: -5, max: 1e6 }), fc.constantFrom(NaN, 1.5, 2 ** 40, '60', 'Fri, 07 Nov 2025 10:00:00 GMT\r\nx: y')),
  cause: fc.boolean()
})
const leaf: fc.Arbitrary<Recipe> = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom<Recipe>({ kind: 'string' }, { kind: 'symbol' }, { kind: 'bigint' }, { kind: 'null' }, { kind: 'undefined' }, { kind: 'true' }) },
  { weight: 1, arbitrary: fc.double().map((value): Recipe => ({ kind: 'number', value })) },
  { weight: 6, arbitrary: errorRecipe },
  { weight: 4, arbitrary: problemRecipe }
)
const recipe: fc.Arbitrary<Recipe> = fc.oneof(
  { weight: 9, arbitrary: leaf },
  { weight: 1, arbitrary: fc.array(leaf, { maxLength: 3 }).map((items): Recipe => ({ kind: 'array', items })) }
)

function isError (value: unknown): value is Error {
  try {
    return value instanceof Error
  } catch {
    return false
  }
}

/** Lone surrogates replaced by U+FFFD, as a UTF-8 encoder does. */
function wellFormed (text: string): string {
  // and, for the XML form, the characters XML 1.0 cannot carry replaced by U+FFFD too
  // eslint-disable-next-line no-control-regex
  return Buffer.from(text, 'utf8').toString('utf8').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd')
}

/** The sent detail is the client text, possibly cut (with `…`) and with lone surrogates replaced on the wire. */
function fromClientText (clientText: string, detail: string): boolean {
  const sent = detail.replace(/…$/, '')
  return clientText.startsWith(sent) || wellFormed(clientText).startsWith(wellFormed(sent))
}

class CustomFailure extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'CustomFailure'
  }
}

function throwing (canary: string) {
  return { get () { throw new Error(`getter ${canary}`) }, configurable: true, enumerable: true }
}

function buildHeaders (h: HeaderRecipe, canary: string): Record<string, unknown> {
  const headers: Record<string, unknown> = { ...h.safe }
  for (const kind of h.poisoned) {
    if (kind === 'crlf') headers['x-crlf'] = `a\r\nx-injected: ${canary}`
    if (kind === 'nul') headers['x-nul'] = `a\u0000${canary}`
    if (kind === 'unicode') headers['x-uni'] = `\u2028${canary}`
    if (kind === 'forbidden-name') headers['set-cookie'] = `session=${canary}`
    if (kind === 'bad-name') headers[`x bad\r\n${canary}`] = 'v'
    if (kind === 'object') headers['x-obj'] = { toString: () => canary }
    if (kind === 'array-crlf') headers['x-arr'] = ['ok', `\n${canary}`]
    if (kind === 'retry-after') headers['retry-after'] = `1\r\n${canary}`
  }
  return headers
}

/**
 * What a built case may legitimately show: a client error's own message, a ProblemError's detail.
 * `thrownHeaders`: the headers of a thrown error other than a ProblemError, which go through the
 * header policy (`upstream`: an HTTP client's error, none of whose headers may be sent).
 */
interface Built { value: unknown, clientText: string | undefined, thrownHeaders?: Record<string, unknown>, upstream?: boolean }

function buildValue (r: Recipe, canary: string): Built {
  switch (r.kind) {
    case 'string': return { value: `secret ${canary}`, clientText: undefined }
    case 'symbol': return { value: Symbol(canary), clientText: undefined }
    case 'bigint': return { value: 123456789012345678901234567890n, clientText: undefined }
    case 'null': return { value: null, clientText: undefined }
    case 'undefined': return { value: undefined, clientText: undefined }
    case 'true': return { value: true, clientText: undefined }
    case 'number': return { value: r.value, clientText: undefined }
    case 'array': return { value: r.items.map((item) => buildValue(item, canary).value).concat([canary]), clientText: undefined }
    case 'problem': return buildProblemError(r, canary)
    case 'error': return buildError(r, canary)
  }
}

function buildProblemError (r: ProblemRecipe, canary: string): Built {
  const init: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(r.members)) init[name] = value === 'hostile-array' ? hostileArray(canary) : value
  if (r.detail !== undefined) init.detail = r.detail
  if (r.undeclared) init.internal_note = `note ${canary}`
  if (r.headers !== undefined) init.headers = buildHeaders(r.headers, canary)
  if (r.retryAfter !== undefined) init.retryAfter = r.retryAfter
  if (r.cause) init.cause = new Error(`cause ${canary}`)
  return { value: new ProblemError(r.code as ProblemCode, init as never), clientText: r.detail }
}

function buildError (r: ErrorRecipe, canary: string): Built {
  const message = `${r.message} ${canary}`
  let error: Record<string, unknown>
  if (r.ctor === 'plain') error = { message, stack: `Error: ${message}\n    at secret (/srv/app/${canary}.js:1:1)` }
  else if (r.ctor === 'Custom') error = new CustomFailure(message) as unknown as Record<string, unknown>
  else error = new globalThis[r.ctor](message) as unknown as Record<string, unknown>
  if (r.code !== undefined) error.code = r.code
  if (r.statusCode !== undefined) error.statusCode = r.statusCode
  if (r.status !== undefined) error.status = r.status
  const thrownHeaders = r.headers === undefined ? undefined : buildHeaders(r.headers, canary)
  if (thrownHeaders !== undefined) error.headers = thrownHeaders
  if (r.response) error.response = { status: typeof r.statusCode === 'number' ? r.statusCode : 502, headers: thrownHeaders }
  if (r.validation) error.validation = [{ message: `must be ${canary}`, instancePath: `/${canary}`, params: {} }]
  error.secret = `password=${canary}`
  error.detail = `detail ${canary}`
  error.members = { provider: canary }
  if (r.cause === 'chain') error.cause = new Error(`inner ${canary}`, { cause: new Error(`innermost ${canary}`) })
  if (r.cause === 'self') error.cause = error
  if (r.cause === 'cycle') {
    const inner: Record<string, unknown> = { message: `inner ${canary}`, cause: error }
    error.cause = inner
  }
  if (r.throwingGetter !== 'none') Object.defineProperty(error, r.throwingGetter, throwing(canary))
  let value: unknown = error
  if (r.wrap === 'frozen') value = Object.freeze(error)
  if (r.wrap === 'proxy') value = new Proxy(error, {})
  if (r.wrap === 'hostile-proxy') {
    value = new Proxy(error, {
      get (target, key, receiver) { if (key === 'statusCode' || key === 'code' || key === 'message') throw new Error(`trap ${canary}`); return Reflect.get(target, key, receiver) },
      ownKeys () { throw new Error(`trap ${canary}`) },
      getPrototypeOf () { throw new Error(`trap ${canary}`) },
      has () { throw new Error(`trap ${canary}`) }
    })
  }
  if (r.wrap === 'revoked-proxy') {
    const { proxy, revoke } = Proxy.revocable(error, {})
    revoke()
    value = proxy
  }
  return { value, clientText: message, thrownHeaders, upstream: r.response }
}

/** One media range of a generated Accept header, and its weight as written (`undefined`: none; `bad`: malformed, so the range is ignored). */
interface AcceptRange { range: string, q: string | undefined, parameter: boolean }

const MEDIA_RANGES = ['*/*', 'application/*', 'application/json', 'application/problem+json', 'application/problem+xml', 'application/xml', 'text/html', 'text/*', 'image/png', 'application/vnd.x+json', 'APPLICATION/PROBLEM+XML']
const acceptRange: fc.Arbitrary<AcceptRange> = fc.record({
  range: fc.constantFrom(...MEDIA_RANGES),
  q: fc.option(fc.constantFrom('0', '0.001', '0.1', '0.5', '0.9', '1', '1.000', 'bad'), { nil: undefined }),
  parameter: fc.boolean()
})
/** Accept headers: none, the common ones, generated lists of weighted ranges, and random text. */
const acceptHeader = fc.oneof(
  { weight: 2, arbitrary: fc.constant<{ header: string | undefined, ranges: AcceptRange[] | undefined }>({ header: undefined, ranges: undefined }) },
  { weight: 2, arbitrary: fc.constantFrom('*/*', 'application/json, text/plain, */*', 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8').map((header) => ({ header, ranges: undefined })) },
  { weight: 5, arbitrary: fc.array(acceptRange, { minLength: 1, maxLength: 4 }).map((ranges) => ({ header: ranges.map(writeRange).join(', '), ranges })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).filter((text) => /^[\t -~]*$/.test(text)).map((header) => ({ header, ranges: undefined })) }
)

function writeRange (r: AcceptRange): string {
  const q = r.q === undefined ? '' : r.q === 'bad' ? ';q=high' : `;q=${r.q}`
  return `${r.range}${r.parameter ? ';version="1,2"' : ''}${q}`
}

/**
 * What RFC 9110 says the generated ranges choose, worked out from the ranges as generated (not by
 * parsing the header): for each form, the weight of the most specific range that matches it; the
 * highest weight wins, ties in the plugin's order, and nothing accepted gives problem+json.
 */
function expectedContentType (ranges: AcceptRange[]): string {
  const forms = ['application/problem+json', 'application/json', 'application/problem+xml']
  const weights = forms.map((form) => {
    let best = { specificity: -1, q: 0 }
    for (const r of ranges) {
      if (r.q === 'bad') continue
      const [type, subtype] = r.range.toLowerCase().split('/')
      const matches = type === '*' || (form.startsWith(`${type}/`) && (subtype === '*' || form === `${type}/${subtype}`))
      const specificity = type === '*' ? 0 : subtype === '*' ? 1 : r.parameter ? 3 : 2
      if (matches && specificity > best.specificity) best = { specificity, q: r.q === undefined ? 1 : Number(r.q) }
    }
    return best.q
  })
  let chosen = 0
  for (let i = 1; i < forms.length; i++) if (weights[i] > weights[chosen]) chosen = i
  return forms[chosen]
}

/** A recipe as JSON (BigInts written as `123n`). */
function describeRecipe (r: Recipe): string {
  return JSON.stringify(r, (_key, value) => typeof value === 'bigint' ? `${value}n` : value)
}

/**
 * `default`: the plugin's defaults. `exposed`: 5xx messages exposed, no `error` member, a short
 * detail bound, and a `mapError` that maps TypeErrors and throws (with the value's message) on RangeErrors.
 */
export type PropertyVariant = 'default' | 'exposed'

const EXPOSED_OPTIONS: ProblemDetailsOptions = {
  exposeServerErrors: true,
  errorMember: false,
  maxDetailLength: 16,
  mapError: function throwingMapper (error) {
    if (!isError(error)) return undefined
    if (error.name === 'TypeError') return new ProblemError('conflict')
    if (error.name === 'RangeError') throw new Error(`mapper saw ${String(safeMessage(error))}`)
    return undefined
  }
}

function safeMessage (error: unknown): unknown {
  try {
    return (error as Error).message
  } catch {
    return 'nothing'
  }
}

/** One app answering every stage: `/case/:stage/:id` throws the value registered under `id`. */
async function caseApp (t: Test, variant: PropertyVariant) {
  const values = new Map<string, unknown>()
  const take = (id: string) => values.get(id)
  const stageOf = (request: { params: unknown }) => (request.params as { stage: Stage, id: string })
  const { app, logs } = await build(t, {
    plugin: { catalog: { quota_exceeded: { status: 429, title: 'The quota is used up.', retryable: true, category: 'user', retryAfter: 30, members: { limit: { type: 'integer', minimum: 0 } }, required: ['limit'] } }, ...(variant === 'exposed' ? EXPOSED_OPTIONS : {}) },
    routes: (app: FastifyInstance) => {
      app.route({
        method: ['GET', 'POST'],
        url: '/case/:stage/:id',
        onRequest: async (request) => { const p = stageOf(request); if (p.stage === 'onRequest') throw take(p.id) },
        preParsing: async (request) => { const p = stageOf(request); if (p.stage === 'preParsing') throw take(p.id) },
        preValidation: async (request) => { const p = stageOf(request); if (p.stage === 'preValidation') throw take(p.id) },
        preHandler: async (request) => { const p = stageOf(request); if (p.stage === 'preHandler') throw take(p.id) },
        preSerialization: async (request, _reply, payload) => { const p = stageOf(request); if (p.stage === 'preSerialization') throw take(p.id); return payload },
        handler: function caseHandler (request, reply) {
          const p = stageOf(request)
          const value = take(p.id)
          if (p.stage === 'handler-sync') throw value
          if (p.stage === 'reply-problem') {
            // the same occurrence sent without an Error: reply.problem(code, init)
            if (!isProblemError(value)) return reply.problem('internal_error', { cause: value })
            return reply.problem(value.code, { ...value.members, detail: value.detail, headers: value.headers, retryAfter: value.retryAfter, cause: value.cause } as never)
          }
          if (p.stage === 'reply-send') return reply.send(isError(value) ? value : Object.assign(new Error('wrapped'), { cause: value }))
          if (p.stage === 'stream') {
            return reply.send(new Readable({ read () { this.destroy(isError(value) ? value : Object.assign(new Error('stream failed'), { cause: value })) } }))
          }
          if (p.stage === 'handler-async') return Promise.reject(value)
          return reply.send({ ok: true })
        }
      })
    }
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, logs, values, port: (app.server.address() as AddressInfo).port }
}

/**
 * Throws generated values from every stage over real HTTP and checks every invariant of each
 * response. Seeded: a failure prints its seed and path.
 */
export async function runProperty (t: Test, { seed, runsPerStage, variant = 'default' }: { seed: number, runsPerStage: number, variant?: PropertyVariant }): Promise<number> {
  const { app, logs, values, port } = await caseApp(t, variant)
  const check = problemChecker(app, { errorMember: variant !== 'exposed' })
  const exposed = variant === 'exposed'
  const agent = keepAliveAgent()
  t.teardown(() => agent.destroy())
  let n = 0
  let cases = 0
  const contentTypes = new Set<string>()
  for (const stage of STAGES) {
    const failures: string[] = []
    await fc.assert(fc.asyncProperty(recipe, fc.boolean(), acceptHeader, async (r, post, accept) => {
      const id = String(n++)
      const canary = `CANARY${id}Z${Math.random().toString(36).slice(2, 8)}`
      const built = buildValue(r, canary)
      values.set(id, built.value)
      const before = logs.problems().length
      const path = `/case/${stage}/${id}?token=${canary}q`
      const res = await send(agent, port, post ? 'POST' : 'GET', path, post ? '{"a":1}' : undefined, accept.header === undefined ? {} : { accept: accept.header })
      values.delete(id)
      cases++
      const contentType = accept.header === undefined ? 'application/problem+json' : accept.ranges === undefined ? undefined : expectedContentType(accept.ranges)
      const { broken, body } = check(res, { instance: `/case/${stage}/${id}`, contentType })
      contentTypes.add(String(res.headers['content-type']))
      // a client error's own message (4xx) and a ProblemError's detail are meant for the client;
      // everything else carrying the canary (5xx messages, causes, stacks, undeclared members, bad headers) is not
      const visible = (res.status < 500 || exposed) && built.clientText !== undefined && typeof body?.detail === 'string'
      if (visible && !fromClientText(built.clientText ?? '', body.detail as string)) broken.push(`detail ${JSON.stringify(body.detail)} is not the client text`)
      const rest = body === undefined ? res.body.toString('utf8') : JSON.stringify(res.status < 500 ? { ...body, detail: visible ? undefined : body.detail, error: visible ? undefined : body.error, errors: undefined } : body)
      if (rest.includes(canary) || res.rawHeaders.join('\n').includes(canary)) broken.push(`canary reached the response outside a client detail: ${res.rawHeaders.join('|')} ${res.body.toString('utf8').slice(0, 300)}`)
      const logged = logs.problems().length - before
      if (logged !== 1) broken.push(`${logged} problem log lines`)
      for (const line of logs.problems().slice(before)) broken.push(...logLineBroken(line))
      broken.push(...headerPolicyBroken(res, built.thrownHeaders, built.upstream === true ? () => false : errorHeaderAllowed))
      if (broken.length > 0) failures.push(`${stage} ${describeRecipe(r)} Accept ${JSON.stringify(accept.header)}: ${broken.join('; ')}`)
      return broken.length === 0
    }), { seed: seed + STAGES.indexOf(stage), numRuns: runsPerStage, endOnFailure: true }).catch((error: Error) => { failures.push(error.message.slice(0, 3000)) })
    t.strictSame(failures, [], `every generated case thrown at ${stage} keeps every promise`)
  }
  t.strictSame([...contentTypes].sort(), [...PROBLEM_CONTENT_TYPES].sort(), 'the generated Accept headers drew every form of the problem')
  return cases
}
