import t from 'tap'
import Fastify from 'fastify'
import { build, problemOf } from './helper.ts'
import problemDetails, { builtinCatalog, type ProblemCode, type ProblemDetailsOptions } from '../lib/index.ts'
import { slugOf } from '../lib/catalog.ts'

async function registerError (options: unknown) {
  const app = Fastify()
  app.register(problemDetails, options as ProblemDetailsOptions)
  try {
    await app.ready()
    return undefined
  } catch (error) {
    return error as Error & { code: string }
  } finally {
    await app.close().catch(() => {})
  }
}

t.test('slugs turn underscores into hyphens', async (t) => {
  t.equal(slugOf('external_authentication_required'), 'external-authentication-required')
})

t.test('a user catalog is merged over the built-in one', async (t) => {
  const { app } = await build(t, { plugin: { catalog: { teapot: { status: 418, title: 'Short and stout.', retryable: false, category: 'user' } } } })
  t.equal(app.problemDetails.catalog.size, 17)
  t.strictSame([...app.problemDetails.catalog.keys()].slice(0, 16), Object.keys(builtinCatalog), 'built-in codes keep their order')
  t.match(app.problemDetails.catalog.get('teapot'), { code: 'teapot', slug: 'teapot', type: '/problems/teapot', status: 418 })
})

t.test('replaceCatalog keeps only the user catalog', async (t) => {
  const ok = await build(t, {
    plugin: {
      replaceCatalog: true,
      catalog: { internal_error: { status: 500, title: 'Oops.', retryable: true, category: 'platform' }, bad_input: { status: 400, title: 'Bad input.', retryable: false, category: 'user' } },
      statusCodes: { 400: 'bad_input' }
    },
    routes: (app) => { app.get('/x', async () => { throw Object.assign(new Error('no'), { statusCode: 400 }) }) }
  })
  t.strictSame([...ok.app.problemDetails.catalog.keys()], ['internal_error', 'bad_input'])
  t.match(problemOf(t, await ok.app.inject('/x'), 400), { type: '/problems/bad-input', title: 'Bad input.', detail: 'no' })
})

t.test('an entry may set its own absolute or relative type', async (t) => {
  const { app } = await build(t, {
    plugin: {
      typeBase: 'https://docs.example.com/errors/',
      catalog: {
        conflict: { ...builtinCatalog.conflict, type: 'https://errors.example.org/conflict' },
        gone: { status: 410, title: 'Gone for good.', retryable: false, category: 'user', type: '/reference/errors/gone/' }
      }
    },
    routes: (app) => {
      app.get('/conflict', async (_req, reply) => reply.problem('conflict'))
      app.get('/gone', async (_req, reply) => reply.problem('gone' as ProblemCode))
    }
  })
  t.equal(problemOf(t, await app.inject('/conflict'), 409).type, 'https://errors.example.org/conflict')
  t.equal(problemOf(t, await app.inject('/gone'), 410).type, '/reference/errors/gone/')
})

t.test('bad catalogs fail registration with a coded error naming the entry and the fix', async (t) => {
  const base = { title: 'T.', retryable: false, category: 'user' }
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['status 200', { catalog: { ok_code: { ...base, status: 200 } } }, 'FST_PROBLEM_INVALID_CATALOG_ENTRY', /"ok_code" has status 200: a problem status must be an integer from 400 to 599/],
    ['status 700', { catalog: { big: { ...base, status: 700 } } }, 'FST_PROBLEM_INVALID_CATALOG_ENTRY', /"big" has status 700/],
    ['duplicate slug', { catalog: { 'invalid-request': { ...base, status: 400 } } }, 'FST_PROBLEM_DUPLICATE_SLUG', /"invalid_request" and "invalid-request" would share the type identifier "invalid-request"/],
    ['duplicate type', { catalog: { a: { ...base, status: 400, type: '/x' }, b: { ...base, status: 400, type: '/x' } } }, 'FST_PROBLEM_DUPLICATE_SLUG', /"a" and "b" would share the type identifier "\/x"/],
    ['invalid schema', { catalog: { a: { ...base, status: 400, members: { n: { type: 'integr' } } } } }, 'FST_PROBLEM_INVALID_CATALOG_ENTRY', /"a" has an invalid JSON Schema for member "n"/],
    ['$ref in a member', { catalog: { a: { ...base, status: 400, members: { n: { $ref: '#/x' } } } } }, 'FST_PROBLEM_INVALID_CATALOG_ENTRY', /must be self-contained/],
    ['reserved member', { catalog: { a: { ...base, status: 400, members: { status: { type: 'string' } } } } }, 'FST_PROBLEM_INVALID_CATALOG_ENTRY', /reserved by the problem format/],
    ['bad member name', { catalog: { a: { ...base, status: 400, members: { 'a b': { type: 'string' } } } } }, 'FST_PROBLEM_INVALID_CATALOG_ENTRY', /not a plain identifier/],
    ['schema not an object', { catalog: { a: { ...base, status: 400, members: { n: 'string' } } } }, 'FST_PROBLEM_INVALID_CATALOG_ENTRY', /is not a JSON Schema object/],
    ['required not declared', { catalog: { a: { ...base, status: 400, required: ['n'] } } }, 'FST_PROBLEM_INVALID_CATALOG_ENTRY', /requires the member "n" but does not declare it/],
    ['example fails its schema', { catalog: { a: { ...base, status: 400, members: { n: { type: 'integer' } }, example: { members: { n: 'x' } } } } }, 'FST_PROBLEM_INVALID_CATALOG_ENTRY', /example whose members do not match/],
    ['example not an object', { catalog: { a: { ...base, status: 400, example: 'x' } } }, 'FST_PROBLEM_INVALID_CATALOG_ENTRY', /"example" that is not an object/],
    ['unknown field', { catalog: { a: { ...base, status: 400, titel: 'x' } } }, 'FST_PROBLEM_INVALID_CATALOG_ENTRY', /unknown field "titel"/],
    ['bad code', { catalog: { 'no spaces': { ...base, status: 400 } } }, 'FST_PROBLEM_INVALID_CATALOG_ENTRY', /invalid code/],
    ['entry not an object', { catalog: { a: null } }, 'FST_PROBLEM_INVALID_CATALOG_ENTRY', /must be an object/],
    ['empty title', { catalog: { a: { ...base, status: 400, title: ' ' } } }, 'FST_PROBLEM_INVALID_CATALOG_ENTRY', /non-empty string "title"/],
    ['retryable not boolean', { catalog: { a: { ...base, status: 400, retryable: 'yes' } } }, 'FST_PROBLEM_INVALID_CATALOG_ENTRY', /"retryable": true or false/],
    ['bad category', { catalog: { a: { ...base, status: 400, category: 'client' } } }, 'FST_PROBLEM_INVALID_CATALOG_ENTRY', /category "client": use "user" or "platform"/],
    ['bad type', { catalog: { a: { ...base, status: 400, type: 'has space' } } }, 'FST_PROBLEM_INVALID_CATALOG_ENTRY', /invalid "type"/],
    ['bad retryAfter', { catalog: { a: { ...base, status: 400, retryAfter: -1 } } }, 'FST_PROBLEM_INVALID_CATALOG_ENTRY', /invalid "retryAfter"/],
    ['bad summary', { catalog: { a: { ...base, status: 400, summary: 3 } } }, 'FST_PROBLEM_INVALID_CATALOG_ENTRY', /non-string "summary"/],
    ['bad occurs', { catalog: { a: { ...base, status: 400, occurs: 'x' } } }, 'FST_PROBLEM_INVALID_CATALOG_ENTRY', /"occurs" that is not a list of strings/],
    ['bad details', { catalog: { a: { ...base, status: 400, details: { x: 1 } } } }, 'FST_PROBLEM_INVALID_CATALOG_ENTRY', /"details" that is not an object of strings/],
    ['bad related', { catalog: { a: { ...base, status: 400, related: [{ title: 'x' }] } } }, 'FST_PROBLEM_INVALID_CATALOG_ENTRY', /"related" that is not a list of \{ title, url \}/],
    ['members not an object', { catalog: { a: { ...base, status: 400, members: [] } } }, 'FST_PROBLEM_INVALID_CATALOG_ENTRY', /"members" that is not an object/],
    ['replace without internal_error', { replaceCatalog: true, catalog: {} }, 'FST_PROBLEM_INVALID_OPTION', /without an "internal_error" entry/],
    ['internal_error as 4xx', { catalog: { internal_error: { ...base, status: 400 } } }, 'FST_PROBLEM_INVALID_OPTION', /it must be a 5xx status/],
    ['codes to an unknown code', { codes: { P2025: 'missing_code' } }, 'FST_PROBLEM_UNKNOWN_MAPPED_CODE', /codes\["P2025"\] maps to "missing_code", which is not in the catalog/],
    ['statusCodes to an unknown code', { statusCodes: { 410: 'gone' } }, 'FST_PROBLEM_UNKNOWN_MAPPED_CODE', /statusCodes\[410\] maps to "gone"/],
    ['statusCodes with a bad status', { statusCodes: { 200: 'conflict' } }, 'FST_PROBLEM_INVALID_OPTION', /keys must be HTTP statuses/],
    ['typeBase not a string', { typeBase: 42 }, 'FST_PROBLEM_INVALID_OPTION', /"typeBase" must be a string/],
    ['typeBase without trailing slash', { typeBase: 'https://docs.example.com/errors' }, 'FST_PROBLEM_INVALID_OPTION', /try "https:\/\/docs.example.com\/errors\/"/],
    ['typeBase with spaces', { typeBase: '/my errors/' }, 'FST_PROBLEM_INVALID_OPTION', /without spaces/],
    ['typeBase not a URI', { typeBase: 'http://[bad/' }, 'FST_PROBLEM_INVALID_OPTION', /not a valid absolute URI/],
    ['catalog not an object', { catalog: [] }, 'FST_PROBLEM_INVALID_OPTION', /"catalog" must be an object, got an array/],
    ['boolean option', { errorMember: 'no' }, 'FST_PROBLEM_INVALID_OPTION', /"errorMember" must be true or false/],
    ['log level', { clientErrorLogLevel: 'loud' }, 'FST_PROBLEM_INVALID_OPTION', /"clientErrorLogLevel" must be one of/],
    ['maxDetailLength', { maxDetailLength: 3 }, 'FST_PROBLEM_INVALID_OPTION', /"maxDetailLength" must be a whole number/],
    ['mapError', { mapError: 'x' }, 'FST_PROBLEM_INVALID_OPTION', /"mapError" must be a function/],
    ['unknown option', { typebase: '/x/' }, 'FST_PROBLEM_INVALID_OPTION', /"typebase" is not an option of this plugin/]
  ]
  for (const [name, options, code, message] of cases) {
    const error = await registerError(options)
    t.equal(error?.code, code, `${name}: code`)
    t.match(error?.message, message, `${name}: message`)
  }
})

t.test('a urn typeBase and a fragment typeBase are accepted', async (t) => {
  t.equal(await registerError({ typeBase: 'urn:problem:' }), undefined)
  t.equal(await registerError({ typeBase: 'https://docs.example.com/errors#' }), undefined)
})
