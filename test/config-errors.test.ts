import t from 'tap'
import Fastify from 'fastify'
import problemDetails, { type ProblemDetailsOptions } from '../lib/index.ts'

/** A valid entry to start each bad one from. */
const ok = { status: 429, title: 'The quota is used up.', retryable: true, category: 'user' } as const
/** An entry that cannot be sent without its members. */
const needsLimit = { ...ok, members: { limit: { type: 'integer' } }, required: ['limit'] } as const

/** A member schema that contains itself. */
function cyclicSchema (): Record<string, unknown> {
  const schema: Record<string, unknown> = { type: 'object', properties: {} }
  ;(schema.properties as Record<string, unknown>).self = schema
  return schema
}

/** A member schema nested `depth` objects deep. */
function deepSchema (depth: number): Record<string, unknown> {
  let schema: Record<string, unknown> = { type: 'string' }
  for (let i = 0; i < depth; i++) schema = { type: 'array', items: schema }
  return schema
}

interface BadConfig {
  /** What is wrong, as a sentence. */
  name: string
  options: unknown
  code: string
  /** The message names the entry (or option) at fault... */
  names: RegExp
  /** ...and says how to fix it. */
  fix: RegExp
}

const cases: BadConfig[] = [
  // options
  { name: 'options that are not an object', options: 'strict', code: 'FST_PROBLEM_INVALID_OPTION', names: /option "options"/, fix: /must be an object/ },
  { name: 'a misspelt option', options: { typbase: '/p/' }, code: 'FST_PROBLEM_INVALID_OPTION', names: /"typbase"/, fix: /known options are .*typeBase/ },
  { name: 'a non-string typeBase', options: { typeBase: 42 }, code: 'FST_PROBLEM_INVALID_OPTION', names: /"typeBase"/, fix: /must be a string such as/ },
  { name: 'an empty typeBase', options: { typeBase: '' }, code: 'FST_PROBLEM_INVALID_OPTION', names: /"typeBase"/, fix: /URI without spaces/ },
  { name: 'a typeBase with a space', options: { typeBase: '/my problems/' }, code: 'FST_PROBLEM_INVALID_OPTION', names: /"typeBase"/, fix: /URI without spaces/ },
  { name: 'a typeBase without a trailing slash', options: { typeBase: 'https://docs.example.com/errors' }, code: 'FST_PROBLEM_INVALID_OPTION', names: /"typeBase"/, fix: /try "https:\/\/docs\.example\.com\/errors\/"/ },
  { name: 'an absolute typeBase that is not a URI', options: { typeBase: 'https://[::1/errors/' }, code: 'FST_PROBLEM_INVALID_OPTION', names: /"typeBase"/, fix: /not a valid absolute URI/ },
  { name: 'a non-boolean replaceCatalog', options: { replaceCatalog: 'yes' }, code: 'FST_PROBLEM_INVALID_OPTION', names: /"replaceCatalog"/, fix: /true or false/ },
  { name: 'a catalog that is an array', options: { catalog: [] }, code: 'FST_PROBLEM_INVALID_OPTION', names: /"catalog"/, fix: /must be an object/ },
  { name: 'a non-boolean errorMember', options: { errorMember: 1 }, code: 'FST_PROBLEM_INVALID_OPTION', names: /"errorMember"/, fix: /true or false/ },
  { name: 'a non-boolean problemXml', options: { problemXml: 'yes' }, code: 'FST_PROBLEM_INVALID_OPTION', names: /"problemXml"/, fix: /true or false/ },
  { name: 'a non-boolean traceId', options: { traceId: 'on' }, code: 'FST_PROBLEM_INVALID_OPTION', names: /"traceId"/, fix: /true or false/ },
  { name: 'a null notFound', options: { notFound: null }, code: 'FST_PROBLEM_INVALID_OPTION', names: /"notFound"/, fix: /true or false/ },
  { name: 'a string exposeServerErrors', options: { exposeServerErrors: 'true' }, code: 'FST_PROBLEM_INVALID_OPTION', names: /"exposeServerErrors"/, fix: /true or false/ },
  { name: 'a maxDetailLength under 16', options: { maxDetailLength: 10 }, code: 'FST_PROBLEM_INVALID_OPTION', names: /"maxDetailLength"/, fix: /16 or more/ },
  { name: 'a fractional maxDetailLength', options: { maxDetailLength: 100.5 }, code: 'FST_PROBLEM_INVALID_OPTION', names: /"maxDetailLength"/, fix: /whole number/ },
  { name: 'a string maxDetailLength', options: { maxDetailLength: '100' }, code: 'FST_PROBLEM_INVALID_OPTION', names: /"maxDetailLength"/, fix: /whole number/ },
  { name: 'an unknown client log level', options: { clientErrorLogLevel: 'verbose' }, code: 'FST_PROBLEM_INVALID_OPTION', names: /"clientErrorLogLevel"/, fix: /one of fatal, error, warn, info, debug, trace, silent/ },
  { name: 'a numeric server log level', options: { serverErrorLogLevel: 50 }, code: 'FST_PROBLEM_INVALID_OPTION', names: /"serverErrorLogLevel"/, fix: /one of fatal/ },
  { name: 'a mapError that is not a function', options: { mapError: 'toProblem' }, code: 'FST_PROBLEM_INVALID_OPTION', names: /"mapError"/, fix: /must be a function/ },
  // mappings
  { name: 'a codes entry naming an unknown code', options: { codes: { P2025: 'not_found' } }, code: 'FST_PROBLEM_UNKNOWN_MAPPED_CODE', names: /codes\["P2025"\] maps to "not_found"/, fix: /add it to the catalog option or map to one of: .*resource_not_found/ },
  { name: 'a codes entry that is not a string', options: { codes: { P2025: 404 } }, code: 'FST_PROBLEM_UNKNOWN_MAPPED_CODE', names: /codes\["P2025"\] maps to "404"/, fix: /map to one of/ },
  { name: 'codes that are not an object', options: { codes: 'P2025' }, code: 'FST_PROBLEM_INVALID_OPTION', names: /"codes"/, fix: /must be an object/ },
  { name: 'a statusCodes key that is not an error status', options: { statusCodes: { 200: 'conflict' } }, code: 'FST_PROBLEM_INVALID_OPTION', names: /"statusCodes" has the key "200"/, fix: /from 400 to 599/ },
  { name: 'a statusCodes entry that is not a string', options: { statusCodes: { 410: 42 } }, code: 'FST_PROBLEM_UNKNOWN_MAPPED_CODE', names: /statusCodes\[410\] maps to "42"/, fix: /map to one of/ },
  { name: 'a statusCodes entry naming an unknown code', options: { statusCodes: { 410: 'gone' } }, code: 'FST_PROBLEM_UNKNOWN_MAPPED_CODE', names: /statusCodes\[410\] maps to "gone"/, fix: /map to one of/ },
  { name: 'a statusCodes entry naming a code with required members', options: { catalog: { quota_exceeded: needsLimit }, statusCodes: { 429: 'quota_exceeded' } }, code: 'FST_PROBLEM_UNSENDABLE_MAPPED_CODE', names: /option statusCodes\[429\] maps to "quota_exceeded", whose catalog entry requires the members "limit"/, fix: /Map it to a code without required members, or throw a ProblemError with the members/ },
  { name: 'a codes entry naming a code with required members', options: { catalog: { quota_exceeded: needsLimit }, codes: { P2025: 'quota_exceeded' } }, code: 'FST_PROBLEM_UNSENDABLE_MAPPED_CODE', names: /option codes\["P2025"\] maps to "quota_exceeded"/, fix: /Map it to a code without required members/ },
  { name: 'a catalog giving a default status code required members', options: { catalog: { conflict: { ...needsLimit, status: 409 } } }, code: 'FST_PROBLEM_UNSENDABLE_MAPPED_CODE', names: /option statusCodes\[409\] \(a default; override it in the option\) maps to "conflict"/, fix: /Map it to a code without required members/ },
  { name: 'a catalog giving a default error code required members', options: { catalog: { invalid_request: { ...needsLimit, status: 400 } }, statusCodes: { 400: 'conflict' } }, code: 'FST_PROBLEM_UNSENDABLE_MAPPED_CODE', names: /option codes\["FST_ERR_VALIDATION"\] \(a default; override it in the option\) maps to "invalid_request"/, fix: /Map it to a code without required members/ },
  // catalog entries
  { name: 'an entry with status 200', options: { catalog: { quota_exceeded: { ...ok, status: 200 } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has status 200/, fix: /integer from 400 to 599/ },
  { name: 'an entry with status 700', options: { catalog: { quota_exceeded: { ...ok, status: 700 } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has status 700/, fix: /integer from 400 to 599/ },
  { name: 'an entry with a string status', options: { catalog: { quota_exceeded: { ...ok, status: '429' } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has status 429/, fix: /integer from 400 to 599/ },
  { name: 'an entry with an empty title', options: { catalog: { quota_exceeded: { ...ok, title: ' ' } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded"/, fix: /non-empty string "title"/ },
  { name: 'an entry without retryable', options: { catalog: { quota_exceeded: { ...ok, retryable: undefined } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded"/, fix: /"retryable": true or false/ },
  { name: 'an entry with an unknown category', options: { catalog: { quota_exceeded: { ...ok, category: 'admin' } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has category "admin"/, fix: /use "user" or "platform"/ },
  { name: 'an entry with a misspelt field', options: { catalog: { quota_exceeded: { ...ok, titel: 'x' } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has an unknown field "titel"/, fix: /known fields are status, title/ },
  { name: 'an entry that is not an object', options: { catalog: { quota_exceeded: 429 } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded"/, fix: /must be an object with status, title, retryable and category/ },
  { name: 'a code with a space', options: { catalog: { 'quota exceeded': ok } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota exceeded" has an invalid code/, fix: /use letters, digits/ },
  { name: 'an entry type with a space', options: { catalog: { quota_exceeded: { ...ok, type: '/a b' } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has an invalid "type"/, fix: /absolute URI or a relative reference/ },
  { name: 'a negative retryAfter', options: { catalog: { quota_exceeded: { ...ok, retryAfter: -1 } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has an invalid "retryAfter"/, fix: /whole number of seconds/ },
  { name: 'a retryAfter over 2^31', options: { catalog: { quota_exceeded: { ...ok, retryAfter: 2 ** 31 + 1 } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has an invalid "retryAfter" number 2147483649/, fix: /from 0 to 2147483648 \(2\^31\)/ },
  { name: 'a member named like an inherited property', options: { catalog: { quota_exceeded: { ...ok, members: { toString: { type: 'string' } } } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" declares the member "toString"/, fix: /every JavaScript object inherits .*rename it/ },
  { name: 'a member property named like an inherited property', options: { catalog: { quota_exceeded: { ...ok, members: { info: { type: 'object', properties: { constructor: { type: 'string' } } } } } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has a schema for member "info" with the property "constructor"/, fix: /every JavaScript object inherits .*rename it/ },
  { name: 'a member schema that contains itself', options: { catalog: { quota_exceeded: { ...ok, members: { usage: cyclicSchema() } } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has a schema for member "usage" that refers to itself/, fix: /write each nested schema out/ },
  { name: 'a member schema holding a BigInt', options: { catalog: { quota_exceeded: { ...ok, members: { limit: { type: 'integer', maximum: 10n } } } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has a schema for member "limit" that holds a bigint/, fix: /a schema is plain JSON data/ },
  { name: 'a member schema nested too deep', options: { catalog: { quota_exceeded: { ...ok, members: { usage: deepSchema(100) } } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has a schema for member "usage" that nests deeper than 64 levels/, fix: /flatten it/ },
  { name: 'a non-string summary', options: { catalog: { quota_exceeded: { ...ok, summary: 5 } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has a non-string "summary"/, fix: /non-string/ },
  { name: 'occurs that is not a list', options: { catalog: { quota_exceeded: { ...ok, occurs: 'often' } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has "occurs"/, fix: /not a list of strings/ },
  { name: 'details that are not strings', options: { catalog: { quota_exceeded: { ...ok, details: { Limit: 5 } } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has "details"/, fix: /object of strings/ },
  { name: 'related links without url', options: { catalog: { quota_exceeded: { ...ok, related: [{ title: 'x' }] } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has "related"/, fix: /list of \{ title, url \}/ },
  { name: 'members that are an array', options: { catalog: { quota_exceeded: { ...ok, members: [] } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has "members"/, fix: /object of JSON Schemas/ },
  { name: 'a member name that is not an identifier', options: { catalog: { quota_exceeded: { ...ok, members: { 'the-limit': { type: 'integer' } } } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has a member "the-limit"/, fix: /plain identifier/ },
  { name: 'a member named like a standard member', options: { catalog: { quota_exceeded: { ...ok, members: { status: { type: 'integer' } } } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" declares the member "status"/, fix: /reserved by the problem format; rename it/ },
  { name: 'a member schema with $ref', options: { catalog: { quota_exceeded: { ...ok, members: { limit: { $ref: 'Limit#' } } } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" uses "\$ref" in the schema of member "limit"/, fix: /self-contained/ },
  { name: 'an invalid JSON schema', options: { catalog: { quota_exceeded: { ...ok, members: { limit: { type: 'integr' } } } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has an invalid JSON Schema for member "limit"/, fix: /schema\/type must be equal to one of the allowed values/ },
  { name: 'a member schema that is not an object', options: { catalog: { quota_exceeded: { ...ok, members: { limit: 'integer' } } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /member "limit"/, fix: /is not a JSON Schema object/ },
  { name: 'a member schema whose pattern is not a regular expression', options: { catalog: { quota_exceeded: { ...ok, members: { plan: { type: 'string', pattern: '[' } } } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has an invalid JSON Schema for member "plan"/, fix: /regular expression|pattern/i },
  { name: 'a nested pattern that is not a regular expression', options: { catalog: { quota_exceeded: { ...ok, members: { plans: { type: 'array', items: { type: 'string', pattern: '(' } } } } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /member "plans"/, fix: /pattern "\(", which is not a regular expression/ },
  { name: 'a patternProperties key that is not a regular expression', options: { catalog: { quota_exceeded: { ...ok, members: { usage: { type: 'object', patternProperties: { '[a-': { type: 'integer' } } } } } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /member "usage"/, fix: /pattern "\[a-", which is not a regular expression/ },
  { name: 'an example detail that is not a string', options: { catalog: { quota_exceeded: { ...ok, example: { detail: 42 } } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has an "example.detail"/, fix: /not a string/ },
  { name: 'a member schema with an unknown format', options: { catalog: { quota_exceeded: { ...ok, members: { url: { type: 'string', format: 'website' } } } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has an invalid JSON Schema for member "url"/, fix: /unknown format "website"; use one of .*\buri\b/ },
  { name: 'a required member that is not declared', options: { catalog: { quota_exceeded: { ...ok, required: ['limit'] } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" requires the member "limit"/, fix: /declare it in "members"/ },
  { name: 'an example whose members fail their schema', options: { catalog: { quota_exceeded: { ...ok, members: { limit: { type: 'integer' } }, example: { members: { limit: 'ten' } } } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has an example whose members do not match their schemas/, fix: /member\/limit must be integer/ },
  { name: 'an example that is not an object', options: { catalog: { quota_exceeded: { ...ok, example: 'see docs' } } }, code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', names: /"quota_exceeded" has "example"/, fix: /\{ detail\?, members\? \}/ },
  // the catalog as a whole
  { name: 'two codes with the same slug', options: { catalog: { quota_exceeded: ok, 'quota-exceeded': ok } }, code: 'FST_PROBLEM_DUPLICATE_SLUG', names: /"quota_exceeded" and "quota-exceeded" would share the type identifier "quota-exceeded"/, fix: /rename one of them or give one its own "type"/ },
  { name: 'two codes with the same type', options: { catalog: { quota_exceeded: { ...ok, type: '/q' }, rate_limited: { ...ok, type: '/q' } } }, code: 'FST_PROBLEM_DUPLICATE_SLUG', names: /"quota_exceeded" and "rate_limited" would share the type identifier "\/q"/, fix: /give one its own "type"/ },
  { name: 'a replaced catalog without internal_error', options: { replaceCatalog: true, catalog: { quota_exceeded: ok } }, code: 'FST_PROBLEM_INVALID_OPTION', names: /"catalog" replaces the catalog without an "internal_error" entry/, fix: /add one \(status 500\)/ },
  { name: 'an internal_error with a 4xx status', options: { catalog: { internal_error: { ...ok, status: 400 } } }, code: 'FST_PROBLEM_INVALID_OPTION', names: /"catalog" gives "internal_error" status 400/, fix: /must be a 5xx status/ }
]

t.test('every bad registration config fails register with a coded error naming the entry and the fix', async (t) => {
  for (const bad of cases) {
    const app = Fastify()
    const error = await app.register(problemDetails, bad.options as ProblemDetailsOptions).then(() => undefined, (e: unknown) => e as Error & { code?: string })
    await app.close().catch(() => {})
    t.ok(error instanceof Error, `${bad.name}: register fails`)
    t.equal(error?.code, bad.code, `${bad.name}: coded ${bad.code}`)
    t.match(error?.message, bad.names, `${bad.name}: the message names the entry`)
    t.match(error?.message, bad.fix, `${bad.name}: the message says how to fix it`)
    t.match(error?.message, /^fastify-problem-details: /, `${bad.name}: the message says which plugin failed`)
  }
})

t.test('a member schema with an unknown format is rejected without a console warning', async (t) => {
  // regression: Ajv only warned on the console and ignored the format, so the member went unchecked
  const warnings: unknown[] = []
  const warn = console.warn
  console.warn = (...args: unknown[]) => { warnings.push(args) }
  t.teardown(() => { console.warn = warn })
  const app = Fastify()
  await t.rejects(async () => { await app.register(problemDetails, { catalog: { quota_exceeded: { ...ok, members: { url: { type: 'object', properties: { home: { type: 'string', format: 'website' } } } } } } }) }, { code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', message: /unknown format "website"/ })
  t.strictSame(warnings, [])
})

t.test('a member schema whose pattern does not compile fails at registration, not on the first request', async (t) => {
  // regression: the schema passed the meta-schema, registered, and every request sending the problem failed
  const app = Fastify()
  await t.rejects(async () => { await app.register(problemDetails, { catalog: { quota_exceeded: { ...ok, members: { plan: { type: 'string', pattern: '(' } } } } }) }, { code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', message: /member "plan"/ })
})

t.test('pattern and format keys inside data keywords are values, not schema', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  const data = { pattern: '(', format: 'website' }
  await app.register(problemDetails, { catalog: { quota_exceeded: { ...ok, members: { rule: { type: 'object', enum: [data], default: data, examples: [data], const: data } } } } })
  t.ok(app.problemDetails.catalog.has('quota_exceeded'))
})

t.test('regression: a cyclic or very deep member schema, or a huge retryAfter, is a coded error, not a TypeError, a RangeError or a header never sent', async (t) => {
  // a cyclic schema (or one holding a BigInt) made register reject with a bare TypeError (JSON.stringify), a very deep one with
  // a RangeError (stack overflow); a retryAfter over 2^31 registered and was never sent
  for (const [name, entry] of [['cyclic', { ...ok, members: { usage: cyclicSchema() } }], ['deep', { ...ok, members: { usage: deepSchema(20_000) } }], ['BigInt', { ...ok, members: { limit: { type: 'integer', maximum: 10n } } }], ['retryAfter', { ...ok, retryAfter: 2 ** 40 }]] as const) {
    const app = Fastify()
    await t.rejects(async () => { await app.register(problemDetails, { catalog: { quota_exceeded: entry as never } }) }, { code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', message: /^fastify-problem-details: catalog entry "quota_exceeded" / }, name)
    await app.close()
  }
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(problemDetails, { catalog: { quota_exceeded: { ...ok, retryAfter: 2 ** 31, members: { usage: deepSchema(31) } } } })
  const res = await app.inject({ url: '/', method: 'GET' })
  t.equal(res.statusCode, 404)
})

t.test('regression: statusCodes mapping 429 to a code with required members is refused at registration', async (t) => {
  // every rate-limited request became a 500: the mapped error carries no members
  const app = Fastify()
  await t.rejects(async () => { await app.register(problemDetails, { catalog: { quota_exceeded: needsLimit }, statusCodes: { 429: 'quota_exceeded' } }) }, { code: 'FST_PROBLEM_UNSENDABLE_MAPPED_CODE' })
  await app.close()
})

t.test('the same options are accepted once corrected', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(problemDetails, {
    typeBase: 'https://docs.example.com/errors/',
    catalog: { quota_exceeded: { ...ok, members: { limit: { type: 'integer' }, home: { type: 'string', format: 'uri', pattern: '^https://' } }, example: { members: { limit: 10 } } } },
    codes: { P2025: 'resource_not_found' },
    statusCodes: { 410: 'resource_not_found' },
    maxDetailLength: 16
  })
  await app.ready()
  t.equal(app.problemDetails.catalog.get('quota_exceeded')?.type, 'https://docs.example.com/errors/quota-exceeded')
})
