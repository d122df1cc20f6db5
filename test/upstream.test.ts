import t, { type Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import problemDetails, { FST_PROBLEM_INVALID_OPTION, FST_PROBLEM_UNKNOWN_MAPPED_CODE, MAX_UPSTREAM_BODY_BYTES, problemFromResponse, ProblemError, UpstreamProblem, type ProblemCatalog } from '../lib/index.ts'
import { createProblemFetch, type ProblemResponseError } from '../lib/client/index.ts'
import { slugOfType } from '../lib/upstream.ts'
import { build, problemOf } from './helper.ts'
import { scriptedServer } from './client-servers.ts'

const catalog = {
  quota_exceeded: { status: 429, title: 'The export quota is used up.', retryable: true, category: 'user', members: { limit: { type: 'integer' }, plan: { type: 'string' } } }
} as const satisfies ProblemCatalog

/** A service that does not use the plugin: answers whatever the test asks for. */
async function rawUpstream (t: Test): Promise<{ url: (path: string) => string, answer: (path: string, status: number, headers: Record<string, string>, body: string) => void }> {
  const answers = new Map<string, { status: number, headers: Record<string, string>, body: string }>()
  const server: Server = createServer((req, res) => {
    const answer = answers.get(String(req.url).split('?')[0])
    if (answer === undefined) { res.statusCode = 500; res.end(); return }
    res.writeHead(answer.status, answer.headers).end(answer.body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const { port } = server.address() as AddressInfo
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    answer: (path, status, headers, body) => { answers.set(path, { status, headers, body }) }
  }
}

/** A backend using the plugin, with its own type base. */
async function pluginBackend (t: Test, typeBase: string): Promise<string> {
  const app: FastifyInstance = Fastify()
  t.teardown(() => app.close())
  await app.register(problemDetails, { catalog, typeBase })
  app.get('/exports', async function exportsRoute () {
    throw new ProblemError('quota_exceeded' as never, { detail: 'Five exports a month on the free plan.', limit: 5, plan: 'free', retryAfter: 30 } as never)
  })
  app.get('/integration', async function integrationRoute (_req, reply) {
    return reply.problem('integration_not_configured', { detail: 'Slack is not set up.', integration_name: 'slack', setup_url: 'https://example.com/setup/slack' })
  })
  return await app.listen({ port: 0, host: '127.0.0.1' })
}

t.test('a gateway answers the upstream problem as its own: code, status, detail, retryable, members, Retry-After, its own instance', async (t) => {
  for (const typeBase of ['/problems/', 'https://docs.example.com/errors/']) {
    const backend = await pluginBackend(t, typeBase)
    const { app } = await build(t, {
      plugin: { catalog },
      routes: (app) => {
        app.get('/api/:what', async function gatewayRoute (request) {
          const res = await fetch(backend + '/' + (request.params as { what: string }).what + '?token=secret')
          throw await problemFromResponse(res, { catalog: app.problemDetails.catalog })
        })
      }
    })
    const upstream = await fetch(backend + '/exports')
    const upstreamBody = await upstream.json() as Record<string, unknown>

    const res = await app.inject('/api/exports')
    const body = problemOf(t, res, 429)
    t.same(body, {
      type: '/problems/quota-exceeded',
      title: 'The export quota is used up.',
      status: 429,
      detail: 'Five exports a month on the free plan.',
      instance: '/api/exports',
      error: 'The export quota is used up. (Five exports a month on the free plan.)',
      retryable: true,
      limit: 5,
      plan: 'free'
    }, `typeBase ${typeBase}: the gateway's own document`)
    t.equal(upstreamBody.retryable, body.retryable, 'the retryable flag matches the upstream one')
    t.equal(upstreamBody.instance, '/exports', 'the upstream had its own instance')
    t.equal(res.headers['retry-after'], '30', 'Retry-After is kept')

    const builtin = problemOf(t, await app.inject('/api/integration'), 400)
    t.equal(builtin.type, '/problems/integration-not-configured')
    t.equal(builtin.integration_name, 'slack')
    t.equal(builtin.setup_url, 'https://example.com/setup/slack')
    t.equal(builtin.detail, 'Slack is not set up.')
  }
})

t.test('the upstream answer is the cause: logged, never sent, without the query string', async (t) => {
  const backend = await pluginBackend(t, '/problems/')
  const res = await fetch(backend + '/exports?token=secret')
  const error = await problemFromResponse(res, { statusCodes: { 429: 'conflict' } })
  t.equal(error.code, 'conflict', 'without the catalog option the built-in catalog decides: unknown code, mapped by status')
  t.ok(error.cause instanceof UpstreamProblem)
  const cause = error.cause as UpstreamProblem
  t.equal(cause.status, 429)
  t.equal(cause.url, backend + '/exports')
  t.equal(cause.document?.type, '/problems/quota-exceeded')
  t.match(cause.message, /answered 429 \/problems\/quota-exceeded \(unknown here, answered as conflict\)/)
  t.notMatch(cause.message, /secret/)
})

t.test('problems from services that do not use this plugin are understood', async (t) => {
  const up = await rawUpstream(t)
  // 1. RFC 9457's own example: unknown type, mapped by status; undeclared members dropped
  up.answer('/credit', 403, { 'content-type': 'application/problem+json' }, JSON.stringify({ type: 'https://example.net/probs/out-of-credit', title: 'You do not have enough credit.', status: 403, detail: 'Your balance is 30, but that costs 50.', balance: 30 }))
  const credit = await problemFromResponse(await fetch(up.url('/credit')))
  t.equal(credit.code, 'not_authorized')
  t.equal(credit.detail, 'Your balance is 30, but that costs 50.')
  t.same(credit.members, {})
  t.equal((credit.cause as UpstreamProblem).document?.balance, 30, 'the upstream document stays in the cause')

  // 2. a `code` member names a local code
  up.answer('/code', 409, { 'content-type': 'application/json; charset=utf-8' }, JSON.stringify({ code: 'conflict', title: 'Conflict', status: 409 }))
  t.equal((await problemFromResponse(await fetch(up.url('/code')))).code, 'conflict')

  // 3. a type whose last segment is a local slug, with a trailing slash
  up.answer('/slug', 503, { 'content-type': 'application/problem+json' }, JSON.stringify({ type: 'https://errors.example.org/v2/errors/resource-unavailable/', status: 503 }))
  t.equal((await problemFromResponse(await fetch(up.url('/slug')))).code, 'resource_unavailable')

  // 4. about:blank is looked up by status only
  up.answer('/blank', 404, { 'content-type': 'application/problem+json' }, JSON.stringify({ type: 'about:blank', title: 'Not Found' }))
  t.equal((await problemFromResponse(await fetch(up.url('/blank')))).code, 'resource_not_found')

  // 5. an unknown code whose status has no local code: internal_error, a 5xx here, so its detail
  //    is kept only when the service exposes server errors
  up.answer('/teapot', 418, { 'content-type': 'application/problem+json' }, JSON.stringify({ type: 'urn:example:teapot', title: 'Teapot', detail: 'Short and stout.' }))
  const teapot = await problemFromResponse(await fetch(up.url('/teapot')))
  t.equal(teapot.code, 'internal_error')
  t.equal(teapot.detail, undefined)
  t.equal((await problemFromResponse(await fetch(up.url('/teapot')), { exposeServerErrors: true })).detail, 'Short and stout.')
})

t.test('bodies that are not problem documents are answered by the upstream status, with a clear detail', async (t) => {
  const up = await rawUpstream(t)
  const cases: Array<[string, number, Record<string, string>, string, string]> = [
    ['/html', 502, { 'content-type': 'text/html' }, '<h1>Bad Gateway</h1>', 'resource_unavailable'],
    ['/none', 500, {}, 'oops', 'internal_error'],
    ['/invalid', 500, { 'content-type': 'application/json' }, '{"type":', 'internal_error'],
    ['/array', 500, { 'content-type': 'application/json' }, '[1,2]', 'internal_error'],
    ['/null', 500, { 'content-type': 'application/json' }, 'null', 'internal_error'],
    ['/plain-object', 500, { 'content-type': 'application/json' }, '{"message":"no"}', 'internal_error'],
    ['/huge', 500, { 'content-type': 'application/problem+json' }, JSON.stringify({ type: 'about:blank', status: 500, detail: 'x'.repeat(MAX_UPSTREAM_BODY_BYTES) }), 'internal_error'],
    ['/conflict-text', 409, { 'content-type': 'text/plain' }, 'version mismatch', 'conflict'],
    ['/timeout-html', 504, { 'content-type': 'text/html' }, '<h1>Gateway Timeout</h1>', 'resource_unavailable'],
    ['/unavailable', 503, {}, '', 'resource_unavailable'],
    ['/ok', 200, { 'content-type': 'application/problem+json' }, JSON.stringify({ type: 'about:blank', status: 409 }), 'internal_error']
  ]
  for (const [path, status, headers, body, code] of cases) {
    up.answer(path, status, headers, body)
    const error = await problemFromResponse(await fetch(up.url(path)))
    t.equal(error.code, code, path)
    t.equal(error.detail, `An upstream service answered ${status} without a problem document.`, path)
    t.equal((error.cause as UpstreamProblem).document, undefined, path)
  }

  const empty = await problemFromResponse(new Response(null, { status: 500, headers: { 'content-type': 'application/json' } }))
  t.equal(empty.code, 'internal_error', 'no body at all')
  const used = new Response('{"type":"about:blank","status":409}', { status: 409, headers: { 'content-type': 'application/json' } })
  await used.text()
  t.equal((await problemFromResponse(used)).code, 'conflict', 'a body already read: by its status')
  t.match((await problemFromResponse(used)).cause, { message: /unreadable/ })
  t.match((await problemFromResponse(new Response('<p>x</p>', { status: 500 }))).cause, { message: /content-type text\/plain/ })
})

t.test('Retry-After is read as seconds or as an HTTP date', async (t) => {
  const problem = JSON.stringify({ type: 'about:blank', status: 503 })
  const headers = (retryAfter: string) => ({ status: 503, headers: { 'content-type': 'application/problem+json', 'retry-after': retryAfter } })
  t.equal((await problemFromResponse(new Response(problem, headers('120')))).retryAfter, 120)
  // an hour ahead, so that however slowly this runs the date is still in the future
  const inAnHour = new Date(Date.now() + 3_600_000).toUTCString()
  const dated = (await problemFromResponse(new Response(problem, headers(inAnHour)))).retryAfter
  t.ok(dated !== undefined && dated > 0 && dated <= 3600, 'an HTTP date becomes the seconds left')
  t.equal((await problemFromResponse(new Response(problem, headers(new Date(0).toUTCString())))).retryAfter, 0, 'a past date is 0')
  t.equal((await problemFromResponse(new Response(problem, headers('soon')))).retryAfter, undefined)
  t.equal((await problemFromResponse(new Response(problem, headers('')))).retryAfter, undefined)
})

t.test('the catalog option decides which codes and members are kept', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(problemDetails, { catalog, typeBase: 'https://docs.example.com/errors/' })
  await app.ready()
  const local = app.problemDetails.catalog
  const exact = new Response(JSON.stringify({ type: 'https://docs.example.com/errors/quota-exceeded', status: 429, limit: 3, extra: true }), { status: 429, headers: { 'content-type': 'application/problem+json' } })
  const error = await problemFromResponse(exact, { catalog: local })
  t.equal(error.code, 'quota_exceeded', 'the exact type URI')
  t.same(error.members, { limit: 3 }, 'only the members the local catalog declares')
  const mapped = new Response(JSON.stringify({ type: 'urn:x:slow-down', status: 429 }), { status: 429, headers: { 'content-type': 'application/problem+json' } })
  t.equal((await problemFromResponse(mapped, { catalog: local, statusCodes: { 429: 'quota_exceeded' } })).code, 'quota_exceeded', 'statusCodes maps unknown codes')
  const bare = new Response(JSON.stringify({ status: 500 }), { status: 500, headers: { 'content-type': 'application/problem+json' } })
  t.equal((await problemFromResponse(bare, { catalog: new Map() })).code, 'internal_error', 'a catalog without internal_error still yields internal_error')
  const teapot = new Response(JSON.stringify({ status: 418, detail: 'short and stout' }), { status: 418, headers: { 'content-type': 'application/problem+json' } })
  const unknown = await problemFromResponse(teapot, { catalog: new Map() })
  t.same([unknown.code, unknown.detail], ['internal_error', undefined], 'internal_error is a 5xx even when the catalog does not say')
})

t.test('bad options reject with coded errors', async (t) => {
  const res = () => new Response('{}', { status: 500, headers: { 'content-type': 'application/json' } })
  await t.rejects(problemFromResponse(res(), { catalog: {} as never }), FST_PROBLEM_INVALID_OPTION)
  await t.rejects(problemFromResponse(res(), { statusCodes: 'nope' as never }), FST_PROBLEM_INVALID_OPTION)
  await t.rejects(problemFromResponse(res(), { statusCodes: null as never }), FST_PROBLEM_INVALID_OPTION)
  await t.rejects(problemFromResponse(res(), { statusCodes: { 429: 'no_such_code' } }), FST_PROBLEM_UNKNOWN_MAPPED_CODE)
  await t.rejects(problemFromResponse(res(), { statusCodes: { 200: 'conflict' } }), FST_PROBLEM_INVALID_OPTION, 'keys are HTTP error statuses, as for the plugin option')
})

t.test('regression: an upstream 5xx detail is not sent as ours unless the service exposes server errors', async (t) => {
  const leaky = { type: 'about:blank', status: 500, detail: 'ERROR: syntax error at "SELECT * FROM users" (jdbc:postgresql://db.internal:5432/prod?user=admin)' }
  const up = await rawUpstream(t)
  up.answer('/report', 500, { 'content-type': 'application/problem+json' }, JSON.stringify(leaky))
  up.answer('/unavailable', 503, { 'content-type': 'application/problem+json' }, JSON.stringify({ ...leaky, status: 503, type: '/problems/resource-unavailable' }))
  for (const exposeServerErrors of [false, true]) {
    const { app } = await build(t, {
      plugin: { exposeServerErrors },
      routes: (app) => {
        app.get('/api/:what', async function gatewayRoute (request) {
          const res = await fetch(up.url('/' + (request.params as { what: string }).what))
          throw await problemFromResponse(res, { catalog: app.problemDetails.catalog, exposeServerErrors })
        })
      }
    })
    for (const [path, status] of [['/api/report', 500], ['/api/unavailable', 503]] as const) {
      const res = await app.inject(path)
      const body = problemOf(t, res, status)
      if (exposeServerErrors) t.equal(body.detail, leaky.detail, `${path}: exposed, as the service chose`)
      else t.notMatch(res.body, /jdbc|SELECT/, `${path}: neither the SQL nor the JDBC URL leaves the gateway`)
    }
  }
})

t.test('regression: an upstream URL member with a javascript: URL is never sent as ours', async (t) => {
  const up = await rawUpstream(t)
  const auth = (authUrl: unknown) => JSON.stringify({ type: '/problems/external-authentication-required', status: 401, provider: 'github', auth_url: authUrl, inaccessible_repos: ['acme/api'] })
  const cases: Array<[string, unknown, unknown]> = [
    ['/js', 'javascript:alert(document.cookie)', undefined],
    ['/js-cased', ' JavaScript:alert(1)', undefined],
    ['/data', 'data:text/html,<script>alert(1)</script>', undefined],
    ['/relative', '/connect', undefined],
    ['/number', 42, undefined],
    ['/https', 'https://auth.example.com/connect', 'https://auth.example.com/connect']
  ]
  for (const [path, authUrl, kept] of cases) {
    up.answer(path, 401, { 'content-type': 'application/problem+json' }, auth(authUrl))
    const error = await problemFromResponse(await fetch(up.url(path)))
    t.equal(error.code, 'external_authentication_required', path)
    t.equal(error.members.auth_url, kept, path)
    t.equal(error.members.provider, 'github', `${path}: the valid members stay`)
  }
  up.answer('/bad-types', 401, { 'content-type': 'application/problem+json' }, JSON.stringify({ type: '/problems/external-authentication-required', provider: 7, inaccessible_repos: 'acme/api' }))
  t.same((await problemFromResponse(await fetch(up.url('/bad-types')))).members, {}, 'members that do not match their schemas are dropped one by one')
})

t.test('an upstream problem lacking a member the local code requires is answered by its status', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  const strict = { quota_exceeded: { ...catalog.quota_exceeded, required: ['limit'] } } as const satisfies ProblemCatalog
  await app.register(problemDetails, { catalog: strict })
  await app.ready()
  const answer = (document: Record<string, unknown>) => new Response(JSON.stringify(document), { status: 429, headers: { 'content-type': 'application/problem+json' } })
  const error = await problemFromResponse(answer({ type: '/problems/quota-exceeded', limit: 'five' }), { catalog: app.problemDetails.catalog, statusCodes: { 429: 'conflict' } })
  t.equal(error.code, 'conflict')
  t.match((error.cause as UpstreamProblem).message, /quota_exceeded lacks required members, answered as conflict/)
  const kept = await problemFromResponse(answer({ type: '/problems/quota-exceeded', limit: 5 }), { catalog: app.problemDetails.catalog })
  t.same([kept.code, kept.members], ['quota_exceeded', { limit: 5 }])
  const unmapped = await problemFromResponse(answer({ type: '/problems/quota-exceeded' }), { catalog: app.problemDetails.catalog, statusCodes: { 429: 'quota_exceeded' } })
  t.equal(unmapped.code, 'quota_exceeded', 'mapped by status to the same code: sent as it is, and the plugin reports the missing member when it sends it')
})

t.test('of the upstream headers only Retry-After is taken', async (t) => {
  const up = await rawUpstream(t)
  up.answer('/busy', 503, { 'content-type': 'application/problem+json', 'retry-after': '7', 'set-cookie': 'session=upstream', 'www-authenticate': 'Basic realm="internal"', 'x-internal-host': 'db-3' }, JSON.stringify({ type: '/problems/resource-unavailable' }))
  const { app } = await build(t, {
    routes: (app) => {
      app.get('/busy', async function gatewayRoute () { throw await problemFromResponse(await fetch(up.url('/busy'))) })
    }
  })
  const res = await app.inject('/busy')
  problemOf(t, res, 503)
  t.equal(res.headers['retry-after'], '7')
  t.same([res.headers['set-cookie'], res.headers['www-authenticate'], res.headers['x-internal-host']], [undefined, undefined, undefined])
})

t.test('regression: a trickling upstream body settles at the timeout, answered by its status', async (t) => {
  const server = await scriptedServer(t, (_seen, res) => {
    res.writeHead(503, { 'content-type': 'application/problem+json' })
    res.write('{"type":"/problems/resource-unavailable","detail":"')
  })
  const error = await problemFromResponse(await fetch(server.url + '/slow'), { timeout: 200 })
  t.equal(error.code, 'resource_unavailable')
  t.match((error.cause as UpstreamProblem).message, /without a problem document \(content-type application\/problem\+json, timeout\)/)
  t.equal(await server.openServedSockets(), 0, 'the upstream connection is closed')
})

t.test('a ProblemResponseError from createProblemFetch becomes our problem the same way', async (t) => {
  const up = await rawUpstream(t)
  up.answer('/conflict', 409, { 'content-type': 'application/problem+json', 'retry-after': '3' }, JSON.stringify({ type: '/problems/conflict', detail: 'version 3 is stale' }))
  up.answer('/down', 502, { 'content-type': 'text/html' }, '<h1>Bad Gateway</h1>')
  const call = createProblemFetch()
  const conflict = await problemFromResponse(await call(up.url('/conflict')).catch((e: ProblemResponseError) => e) as ProblemResponseError)
  t.same([conflict.code, conflict.detail, conflict.retryAfter], ['conflict', 'version 3 is stale', 3])
  const down = await problemFromResponse(await call(up.url('/down')).catch((e: ProblemResponseError) => e) as ProblemResponseError)
  t.same([down.code, down.detail], ['resource_unavailable', 'An upstream service answered 502 without a problem document.'])
  t.match((down.cause as UpstreamProblem).message, /content-type unknown, not-problem/)
})

t.test('a hostile 64 KiB type is matched in linear time, with the right answer', async (t) => {
  // the old lookup trimmed separators with /[/#=:]+$/, which backtracks quadratically on these
  const hostile = ['/'.repeat(65_000) + 'x', ':'.repeat(65_000) + 'x', '/problems/' + '#'.repeat(65_000) + 'conflict' + '='.repeat(10), 'https://x/' + '/='.repeat(32_000) + 'resource-unavailable/']
  const codes = []
  for (const type of hostile) {
    const res = new Response(JSON.stringify({ type, status: 400 }), { status: 400, headers: { 'content-type': 'application/problem+json' } })
    codes.push((await problemFromResponse(res)).code)
  }
  t.strictSame(codes, ['invalid_request', 'invalid_request', 'conflict', 'resource_unavailable'])
  t.equal(slugOfType('/a/b//'), 'b')
  t.equal(slugOfType('////'), '')
  t.equal(slugOfType('urn:x:quota-exceeded'), 'quota-exceeded')
})

t.test('bad limit options reject with coded errors', async (t) => {
  const res = () => new Response('{}', { status: 500, headers: { 'content-type': 'application/json' } })
  await t.rejects(problemFromResponse(res(), { exposeServerErrors: 'yes' as never }), FST_PROBLEM_INVALID_OPTION)
  await t.rejects(problemFromResponse(res(), { maxBodyBytes: 0 }), FST_PROBLEM_INVALID_OPTION)
  await t.rejects(problemFromResponse(res(), { timeout: '5s' as never }), FST_PROBLEM_INVALID_OPTION)
  t.equal((await problemFromResponse(res(), { timeout: 1000, maxBodyBytes: 10 })).code, 'internal_error')
})

t.test('a ProblemResponseError thrown in a route is answered as problemFromResponse would, with the plugin\'s settings', async (t) => {
  const leaky = 'deadlock detected on table orders (jdbc:postgresql://db.internal/prod)'
  const up = await rawUpstream(t)
  up.answer('/conflict', 409, { 'content-type': 'application/problem+json', 'retry-after': '2' }, JSON.stringify({ type: '/problems/conflict', detail: 'version 3 is stale' }))
  up.answer('/broken', 500, { 'content-type': 'application/problem+json' }, JSON.stringify({ type: '/problems/internal-error', detail: leaky }))
  up.answer('/teapot', 418, { 'content-type': 'text/plain' }, 'short and stout')
  up.answer('/proxy', 502, { 'content-type': 'text/html' }, '<h1>Bad Gateway</h1>')
  for (const exposeServerErrors of [false, true]) {
    const { app } = await build(t, {
      plugin: { exposeServerErrors, statusCodes: { 418: 'operation_not_supported' } },
      routes: (app) => {
        const callBackend = createProblemFetch({ retries: 0 })
        // 1. the route lets the client's error through; 2. the plugin answers it
        app.get('/api/:what', async function gatewayRoute (request) {
          return await (await callBackend(up.url('/' + (request.params as { what: string }).what))).text()
        })
      }
    })
    const conflict = await app.inject('/api/conflict')
    t.match(problemOf(t, conflict, 409), { type: '/problems/conflict', detail: 'version 3 is stale', instance: '/api/conflict' })
    t.equal(conflict.headers['retry-after'], '2')
    const broken = await app.inject('/api/broken')
    t.equal(problemOf(t, broken, 500).detail, exposeServerErrors ? leaky : undefined, `exposeServerErrors ${exposeServerErrors}`)
    t.match(problemOf(t, await app.inject('/api/teapot'), 422), { type: '/problems/operation-not-supported' }, 'the plugin\'s statusCodes apply')
    t.match(problemOf(t, await app.inject('/api/proxy'), 503), { type: '/problems/resource-unavailable' }, 'over DEFAULT_UPSTREAM_STATUS_CODES')
  }
})

t.test('regression: no upstream connection is left open after 100 answers that are not problem documents', async (t) => {
  const page = '<html>' + 'x'.repeat(256 * 1024) + '</html>'
  const server = await scriptedServer(t, [{ status: 502, headers: { 'content-type': 'text/html' }, body: page }])
  const callBackend = createProblemFetch({ retries: 0 })
  for (let i = 0; i < 50; i++) {
    t.equal((await problemFromResponse(await fetch(server.url + '/'))).code, 'resource_unavailable')
    t.equal((await callBackend(server.url + '/').catch((e: ProblemResponseError) => e) as ProblemResponseError).status, 502)
  }
  t.equal(server.seen.length, 100)
  t.equal(await server.openServedSockets(), 0, 'every unread body was cancelled and its connection closed')
})
