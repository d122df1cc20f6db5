'use strict'
// The server variants of the benchmark. Each one answers the same kind of request in its own
// child process (bench/server.js); the parent (bench/run.js) loads them with autocannon.
// Nothing here requires fastify at load time: the OpenTelemetry variants must start the SDK
// before `http` and fastify are loaded.

/** The message every failing route uses, so response sizes stay comparable. */
const DETAIL = 'The request is missing the "name" field.'

/** The body the `limit` variant sends: byte for byte the document ours sends for `invalid_request`. */
function preSerialized (title) {
  return JSON.stringify({
    type: '/problems/invalid-request',
    title,
    status: 400,
    detail: DETAIL,
    instance: '/fail',
    error: `${title} (${DETAIL})`,
    retryable: false
  })
}

const FAIL = { method: 'GET', path: '/fail' }
/** Chrome's Accept for a page load: no fast path matches it, so the plugin parses it (once, then remembers it). */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7'
const FAIL_WITH_ACCEPT = { method: 'GET', path: '/fail', headers: { accept: BROWSER_ACCEPT } }
const VALIDATION = { method: 'POST', path: '/items', body: '{}', headers: { 'content-type': 'application/json' } }
const HAPPY = { method: 'GET', path: '/ok' }

/** A catalog of `size` extra codes, all 4xx, for the scaling variants. */
function largeCatalog (size) {
  const catalog = {}
  for (let i = 0; i < size; i++) {
    catalog[`bench_code_${i}`] = { status: 400 + (i % 30), title: `Benchmark problem number ${i}.`, retryable: false, category: 'user' }
  }
  return catalog
}

function httpError (status, message) {
  const error = new Error(message)
  error.statusCode = status
  return error
}

const itemsSchema = { body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } }

/** Registers the plugin and measures how long `register` takes (normalizing the options and the catalog). */
async function registerOurs (app, deps, options) {
  const started = process.hrtime.bigint()
  await app.register(deps.ours.default, options)
  return Number(process.hrtime.bigint() - started) / 1e6
}

/**
 * Every variant: `group` orders the table, `status` is what each response must carry,
 * `compare` names the variant its paired ratio is taken against (the baseline when absent).
 * A variant builds a Fastify app (`build(app, deps)`) or, for a server without Fastify, returns a
 * `node:http` server (`createServer(deps)`).
 */
const VARIANTS = [
  {
    name: 'baseline',
    group: 'error path',
    label: 'Fastify default handler, thrown Error with statusCode 400',
    status: 400,
    request: FAIL,
    async build (app) {
      app.get('/fail', async function failing () { throw httpError(400, DETAIL) })
    }
  },
  {
    name: 'baseline-accept',
    group: 'error path',
    label: 'Fastify default handler, the same error requested with a browser\'s Accept header',
    status: 400,
    request: FAIL_WITH_ACCEPT,
    async build (app) {
      app.get('/fail', async function failing () { throw httpError(400, DETAIL) })
    }
  },
  {
    name: 'limit',
    group: 'error path',
    label: 'limit: reply.code(400).send(pre-serialized problem)',
    status: 400,
    request: FAIL,
    async build (app, deps) {
      const body = preSerialized(deps.ours.builtinCatalog.invalid_request.title)
      app.get('/fail', async function failing (request, reply) {
        return reply.code(400).header('content-type', 'application/problem+json').send(body)
      })
    }
  },
  {
    name: 'hand-written',
    group: 'error path',
    label: 'hand-written setErrorHandler: the same document, JSON.stringify',
    status: 400,
    request: FAIL,
    compare: 'baseline',
    // what a user would write instead of the plugin: the same members, built per error
    async build (app, deps) {
      const problems = { 400: { type: '/problems/invalid-request', title: deps.ours.builtinCatalog.invalid_request.title } }
      const fallback = { type: '/problems/internal-error', title: 'Internal Server Error' }
      app.setErrorHandler(function handWritten (error, request, reply) {
        const status = error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500
        const { type, title } = problems[status] ?? fallback
        const detail = error.message
        const body = JSON.stringify({ type, title, status, detail, instance: request.url, error: `${title} (${detail})`, retryable: false })
        return reply.code(status).header('content-type', 'application/problem+json').send(body)
      })
      app.get('/fail', async function failing () { throw httpError(400, DETAIL) })
    }
  },
  {
    name: 'raw-node',
    group: 'error path',
    label: 'raw node:http server, no Fastify: the same pre-serialized document',
    status: 400,
    request: FAIL,
    compare: 'baseline',
    // no Fastify at all: what any error response costs in Node's HTTP stack alone
    createServer (deps) {
      const http = require('node:http')
      const body = Buffer.from(preSerialized(deps.ours.builtinCatalog.invalid_request.title))
      const headers = { 'content-type': 'application/problem+json', 'content-length': body.length }
      return http.createServer(function failing (request, response) {
        request.resume()
        response.writeHead(400, headers)
        response.end(body)
      })
    }
  },
  {
    name: 'sensible',
    group: 'error path',
    label: '@fastify/sensible, httpErrors.badRequest()',
    status: 400,
    request: FAIL,
    async build (app, deps) {
      await app.register(deps.sensible)
      app.get('/fail', async function failing () { throw app.httpErrors.badRequest(DETAIL) })
    }
  },
  {
    name: 'errors-enhanced',
    group: 'error path',
    label: 'fastify-http-errors-enhanced, BadRequestError',
    status: 400,
    request: FAIL,
    async build (app, deps) {
      const enhanced = await import('fastify-http-errors-enhanced')
      const { BadRequestError } = await import('http-errors-enhanced')
      await app.register(enhanced.default)
      app.get('/fail', async function failing () { throw new BadRequestError(DETAIL) })
    }
  },
  {
    name: 'ours-throw',
    group: 'error path',
    label: 'ours: thrown ProblemError (invalid_request, 400)',
    status: 400,
    problem: true,
    request: FAIL,
    compare: 'baseline',
    async build (app, deps) {
      const registerMs = await registerOurs(app, deps, {})
      app.get('/fail', async function failing () { throw new deps.ours.ProblemError('invalid_request', { detail: DETAIL }) })
      return { registerMs, catalogSize: deps.ours.builtinCatalog === undefined ? 0 : Object.keys(deps.ours.builtinCatalog).length }
    }
  },
  {
    name: 'ours-throw-accept',
    group: 'error path',
    label: 'ours: thrown ProblemError, with a browser\'s Accept header (negotiated)',
    status: 400,
    problem: true,
    request: FAIL_WITH_ACCEPT,
    compare: 'baseline-accept',
    async build (app, deps) {
      await registerOurs(app, deps, {})
      app.get('/fail', async function failing () { throw new deps.ours.ProblemError('invalid_request', { detail: DETAIL }) })
    }
  },
  {
    name: 'ours-throw-stack-all',
    group: 'error path',
    label: 'ours: thrown ProblemError, problemErrorStacks: \'all\' (a stack captured for every ProblemError)',
    status: 400,
    problem: true,
    request: FAIL,
    compare: 'ours-throw',
    async build (app, deps) {
      await registerOurs(app, deps, { problemErrorStacks: 'all' })
      app.get('/fail', async function failing () { throw new deps.ours.ProblemError('invalid_request', { detail: DETAIL }) })
    }
  },
  {
    name: 'ours-status-error',
    group: 'error path',
    label: 'ours: the baseline\'s Error with statusCode 400 -> invalid_request',
    status: 400,
    problem: true,
    request: FAIL,
    compare: 'baseline',
    async build (app, deps) {
      await registerOurs(app, deps, {})
      app.get('/fail', async function failing () { throw httpError(400, DETAIL) })
    }
  },
  {
    name: 'ours-reply',
    group: 'error path',
    label: 'ours: reply.problem(invalid_request)',
    status: 400,
    problem: true,
    request: FAIL,
    compare: 'limit',
    async build (app, deps) {
      await registerOurs(app, deps, {})
      app.get('/fail', async function failing (request, reply) { return reply.problem('invalid_request', { detail: DETAIL }) })
    }
  },
  {
    name: 'default-unknown',
    group: 'unknown error (500)',
    label: 'Fastify default handler, plain Error (500)',
    status: 500,
    request: FAIL,
    async build (app) {
      app.get('/fail', async function failing () { throw new Error('database connection lost') })
    }
  },
  {
    name: 'ours-unknown',
    group: 'unknown error (500)',
    label: 'ours: plain Error -> internal_error (500)',
    status: 500,
    problem: true,
    request: FAIL,
    compare: 'default-unknown',
    async build (app, deps) {
      await registerOurs(app, deps, {})
      app.get('/fail', async function failing () { throw new Error('database connection lost') })
    }
  },
  {
    name: 'default-validation',
    group: 'schema validation (400)',
    label: 'Fastify default handler, body schema failure',
    status: 400,
    request: VALIDATION,
    async build (app) {
      app.post('/items', { schema: itemsSchema }, async function create () { return { ok: true } })
    }
  },
  {
    name: 'ours-validation',
    group: 'schema validation (400)',
    label: 'ours: body schema failure -> invalid_request with errors',
    status: 400,
    problem: true,
    request: VALIDATION,
    compare: 'default-validation',
    async build (app, deps) {
      await registerOurs(app, deps, {})
      app.post('/items', { schema: itemsSchema }, async function create () { return { ok: true } })
    }
  },
  {
    name: 'happy-without',
    group: 'happy path (200)',
    label: '200 route, plugin not registered',
    status: 200,
    request: HAPPY,
    async build (app) {
      app.get('/ok', async function ok () { return { ok: true } })
    }
  },
  {
    name: 'happy-with',
    group: 'happy path (200)',
    label: '200 route, plugin registered',
    status: 200,
    request: HAPPY,
    compare: 'happy-without',
    async build (app, deps) {
      await registerOurs(app, deps, {})
      app.get('/ok', async function ok () { return { ok: true } })
    }
  },
  {
    name: 'happy-with-problems',
    group: 'happy path (200)',
    label: '200 route declaring config.problems, plugin registered',
    status: 200,
    request: HAPPY,
    async build (app, deps) {
      await registerOurs(app, deps, {})
      app.get('/ok', { config: { problems: ['invalid_request', 'resource_not_found'] } }, async function ok () { return { ok: true } })
    }
  },
  {
    name: 'otel-default',
    group: 'OpenTelemetry SDK + HTTP instrumentation',
    label: 'OTel on: Fastify default handler, Error with statusCode 400',
    status: 400,
    otel: true,
    request: FAIL,
    async build (app) {
      app.get('/fail', async function failing () { throw httpError(400, DETAIL) })
    }
  },
  {
    name: 'otel-ours',
    group: 'OpenTelemetry SDK + HTTP instrumentation',
    label: 'OTel on: ours, thrown ProblemError (with trace_id)',
    status: 400,
    otel: true,
    problem: true,
    request: FAIL,
    compare: 'otel-default',
    async build (app, deps) {
      await registerOurs(app, deps, {})
      app.get('/fail', async function failing () { throw new deps.ours.ProblemError('invalid_request', { detail: DETAIL }) })
    }
  },
  // the problem counter (option `metrics`): the same thrown ProblemError, a real metrics SDK in both
  // servers, counted in one and not in the other
  {
    name: 'metrics-off',
    group: 'problem counter (metrics SDK + periodic reader)',
    label: 'metrics SDK, ours: thrown ProblemError, metrics: false',
    status: 400,
    meter: true,
    problem: true,
    request: FAIL,
    async build (app, deps) {
      await registerOurs(app, deps, { metrics: false })
      app.get('/fail', async function failing () { throw new deps.ours.ProblemError('invalid_request', { detail: DETAIL }) })
    }
  },
  {
    name: 'metrics-on',
    group: 'problem counter (metrics SDK + periodic reader)',
    label: 'metrics SDK, ours: thrown ProblemError, metrics: true (counted)',
    status: 400,
    meter: true,
    problem: true,
    request: FAIL,
    compare: 'metrics-off',
    async build (app, deps) {
      await registerOurs(app, deps, { metrics: true })
      app.get('/fail', async function failing () { throw new deps.ours.ProblemError('invalid_request', { detail: DETAIL }) })
    }
  },
  ...[1000, 10000].map((size) => ({
    name: `ours-catalog-${size}`,
    group: 'catalog size',
    label: `ours: thrown ProblemError, ${size.toLocaleString('en-US')} catalog entries`,
    status: 400,
    problem: true,
    request: FAIL,
    catalogSize: size,
    compare: 'ours-throw',
    async build (app, deps) {
      const catalog = largeCatalog(size - Object.keys(deps.ours.builtinCatalog).length)
      const registerMs = await registerOurs(app, deps, { catalog })
      app.get('/fail', async function failing () { throw new deps.ours.ProblemError('invalid_request', { detail: DETAIL }) })
      return { registerMs, catalogSize: size }
    }
  }))
]

/**
 * The targets, judged on paired medians: for each round, the variant's CPU µs per response divided
 * by that of `against` in the same round, then the median of those ratios (and likewise for the
 * instruction windows). `measure` says which figure judges the target: 'cpu', 'instructions'
 * (not judged when valgrind is missing), or 'instructions-else-cpu'. A target whose variant is not
 * in the run (`--only`, or a variant not defined on this branch) is left out.
 */
const TARGETS = [
  { variant: 'ours-throw', against: 'baseline', max: 0.90, measure: 'cpu', text: 'thrown ProblemError <= 0.90x Fastify default handler' },
  { variant: 'ours-throw', against: 'hand-written', max: 1.00, strict: true, measure: 'cpu', text: 'thrown ProblemError < 1.00x a hand-written setErrorHandler' },
  { variant: 'ours-reply', against: 'limit', max: 1.10, measure: 'cpu', text: 'reply.problem() <= 1.10x the pre-serialized limit' },
  { variant: 'otel-ours', against: 'otel-default', max: 1.05, measure: 'cpu', text: 'with OpenTelemetry: ours <= 1.05x default handler' },
  { variant: 'happy-with-problems', against: 'happy-with', max: 1.005, measure: 'instructions', text: 'happy path with config.problems <= 1.005x without, in instructions' },
  { variant: 'metrics-on', against: 'metrics-off', max: 1.02, strict: true, measure: 'instructions-else-cpu', text: 'metrics on vs off < 1.02x (the problem counter, with an SDK and a reader)' },
  ...[1000, 10000].map((size) => ({ variant: `ours-catalog-${size}`, against: 'ours-throw', max: 1.05, measure: 'cpu', text: `cost per error with ${size.toLocaleString('en-US')} entries <= 1.05x with the 16 built-in ones` }))
]

/**
 * The variants whose instructions per response are counted under valgrind (`npm run bench`, when
 * valgrind is installed): the ones the targets and the headline figures rest on. Absent ones are skipped.
 */
const HEADLINE = ['baseline', 'hand-written', 'limit', 'raw-node', 'ours-throw', 'ours-reply', 'otel-default', 'otel-ours', 'metrics-off', 'metrics-on', 'happy-without', 'happy-with', 'happy-with-problems']

/** The variant a variant's paired ratio is taken against: its own `compare`, else the baseline. */
function comparisonOf (variant) {
  return variant.compare ?? (variant.name === 'baseline' ? undefined : 'baseline')
}

module.exports = { VARIANTS, TARGETS, HEADLINE, comparisonOf, BROWSER_ACCEPT, DETAIL, preSerialized, largeCatalog, registerOurs, itemsSchema }
