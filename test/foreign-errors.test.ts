// Errors the plugin did not make: an HTTP client's error about another service's answer, the
// headers a thrown error carries, and http-errors' `expose`. Regression tests of the hardening review.
import t, { type Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import type { AddressInfo } from 'node:net'
import createHttpError from 'http-errors'
import { request } from 'undici'
import { build, problemOf } from './helper.ts'
import { ProblemError, type ProblemDetailsOptions } from '../lib/index.ts'
import { ERROR_HEADER_POLICY, errorHeaderAllowed } from '../lib/headers.ts'
import { upstreamFailureOf } from '../lib/classify.ts'

/** The upstream's debugging and infrastructure headers: none may reach our client. */
const UPSTREAM_HEADERS = {
  server: 'nginx/1.25 (10.20.30.40)',
  'x-debug-token': 'dbg-SECRET-TOKEN',
  'www-authenticate': 'Basic realm="internal-billing"',
  'cache-control': 'private, max-age=600',
  'content-language': 'fr',
  'retry-after': '120'
}

/** An internal service (no plugin) answering `status` with the upstream headers, on 127.0.0.1. */
async function internalService (t: Test, status: number): Promise<string> {
  const upstream = Fastify()
  t.teardown(() => upstream.close())
  upstream.get('/accounts', async (_request, reply) => reply.code(status).headers(UPSTREAM_HEADERS).send({ message: 'internal detail SECRET-BODY' }))
  await upstream.listen({ port: 0, host: '127.0.0.1' })
  return `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}`
}

/** A gateway with the plugin whose route calls the internal service with undici's `request(url, { throwOnError: true })`. */
async function gateway (t: Test, upstream: string, plugin: ProblemDetailsOptions = {}) {
  const { app, logs } = await build(t, {
    plugin,
    routes: (app: FastifyInstance) => {
      app.get('/me', async () => {
        const res = await request(`${upstream}/accounts`, { throwOnError: true })
        return res.body.json()
      })
    }
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { logs, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/me` }
}

function assertNothingOfTheUpstream (t: Test, res: Response, text: string): void {
  for (const [name, value] of Object.entries(UPSTREAM_HEADERS)) t.not(res.headers.get(name), value, `the upstream's ${name} is not sent`)
  t.equal(res.headers.get('x-debug-token'), null)
  t.equal(res.headers.get('content-language'), null)
  t.equal(res.headers.get('cache-control'), 'no-store')
  t.notMatch(text, /SECRET|Response status code|internal-billing|10\.20\.30\.40/, 'neither the upstream message nor its body')
}

t.test("an internal service's 401 seen through undici's ResponseStatusCodeError is our failure: internal_error, none of its headers, not its message", async (t) => {
  // 1. the internal service answers 401 with its debugging headers and its own realm
  const upstream = await internalService(t, 401)
  // 2. the gateway's route calls it with undici and lets the error go
  const { url, logs } = await gateway(t, upstream)
  const res = await fetch(url)
  const text = await res.text()
  // 3. the client is not the one who failed to authenticate: a 500, no challenge
  t.equal(res.status, 500)
  t.equal(res.headers.get('www-authenticate'), null, 'no challenge: our client is authenticated')
  t.match(JSON.parse(text), { type: '/problems/internal-error', status: 500 })
  t.notOk('detail' in JSON.parse(text))
  assertNothingOfTheUpstream(t, res, text)
  // 4. the upstream error is the log's err, at the server level
  t.match(logs.problems(), [{ level: 50, problem: 'internal_error', status: 500, err: { type: 'ResponseStatusCodeError', code: 'UND_ERR_RESPONSE_STATUS_CODE', statusCode: 401 } }])
})

t.test("an internal service's 503 seen through undici is a retryable resource_unavailable, without the upstream's Retry-After", async (t) => {
  const upstream = await internalService(t, 503)
  const { url } = await gateway(t, upstream)
  const res = await fetch(url)
  const text = await res.text()
  t.equal(res.status, 503)
  t.match(JSON.parse(text), { type: '/problems/resource-unavailable', status: 503, retryable: true })
  t.notOk('detail' in JSON.parse(text), 'not its message, even with a 5xx status')
  assertNothingOfTheUpstream(t, res, text)
})

t.test('exposeServerErrors does not expose an HTTP client error: its message describes the upstream answer', async (t) => {
  const upstream = await internalService(t, 502)
  const { url } = await gateway(t, upstream, { exposeServerErrors: true })
  const res = await fetch(url)
  const text = await res.text()
  t.equal(res.status, 503)
  t.notOk('detail' in JSON.parse(text))
  assertNothingOfTheUpstream(t, res, text)
})

t.test('errors of other HTTP clients carrying the response they received are upstream failures too', async (t) => {
  const headers = { server: 'internal-10.0.0.7', 'www-authenticate': 'Basic realm="x"', 'x-debug': 'SECRET' }
  const { app } = await build(t, {
    routes: (app) => {
      // the shapes got, axios, ky and ofetch throw (their own classes are not needed to tell them)
      app.get('/got', async () => { throw Object.assign(new Error('Response code 401 (Unauthorized) SECRET'), { name: 'HTTPError', code: 'ERR_NON_2XX_3XX_RESPONSE', response: { statusCode: 401, headers } }) })
      app.get('/axios', async () => { throw Object.assign(new Error('Request failed with status code 502 SECRET'), { name: 'AxiosError', isAxiosError: true, code: 'ERR_BAD_RESPONSE', status: 502, response: { status: 502, headers } }) })
      app.get('/ky', async () => { throw Object.assign(new Error('Request failed with status code 404 Not Found SECRET'), { name: 'HTTPError', response: new Response('x', { status: 404, headers }) }) })
      app.get('/ofetch', async () => { throw Object.assign(new Error('[GET] "/x": 429 Too Many Requests SECRET'), { name: 'FetchError', status: 429, statusCode: 429, headers, response: new Response('x', { status: 429, headers }) }) })
    }
  })
  for (const [path, status, type] of [['/got', 500, '/problems/internal-error'], ['/axios', 503, '/problems/resource-unavailable'], ['/ky', 500, '/problems/internal-error'], ['/ofetch', 503, '/problems/resource-unavailable']] as const) {
    const res = await app.inject(path)
    t.match(problemOf(t, res, status), { type }, path)
    t.notMatch(res.body, /SECRET/, `${path}: not its message`)
    for (const name of Object.keys(headers)) t.notOk(name in res.headers, `${path}: not its ${name}`)
  }
})

t.test('an HTTP client error is told by its code or by the response it carries, nothing else', async (t) => {
  t.strictSame(upstreamFailureOf({ code: 'UND_ERR_RESPONSE_STATUS_CODE', statusCode: 418 }), { status: 418 })
  t.strictSame(upstreamFailureOf({ code: 'UND_ERR_RESPONSE', statusCode: 'bad' }), { status: undefined }, "undici's responseError interceptor, status unreadable")
  t.strictSame(upstreamFailureOf({ response: { statusCode: 500 } }), { status: 500 })
  t.equal(upstreamFailureOf({ response: { status: '500' } }), undefined, 'a response without a numeric status is not one')
  t.equal(upstreamFailureOf(createHttpError(401)), undefined, 'http-errors are the service\'s own')
  t.equal(upstreamFailureOf({ isAxiosError: true, code: 'ECONNREFUSED' }), undefined, 'no response: the codes map decides (ECONNREFUSED...)')
})

t.test('an HTTP client error without a readable status, or mapped by codes, or with no 503 entry to map to', async (t) => {
  const routes = (app: FastifyInstance) => {
    app.get('/no-status', async () => { throw Object.assign(new Error('x'), { code: 'UND_ERR_RESPONSE' }) })
    app.get('/mapped', async () => { throw Object.assign(new Error('x'), { code: 'ERR_NON_2XX_3XX_RESPONSE', response: { statusCode: 404 }, headers: { allow: 'GET' } }) })
    app.get('/busy', async () => { throw Object.assign(new Error('x'), { code: 'UND_ERR_RESPONSE_STATUS_CODE', statusCode: 503 }) })
  }
  const { app } = await build(t, { plugin: { codes: { ERR_NON_2XX_3XX_RESPONSE: 'conflict' } }, routes })
  t.match(problemOf(t, await app.inject('/no-status'), 500), { type: '/problems/internal-error' })
  const mapped = await app.inject('/mapped')
  t.match(problemOf(t, mapped, 409), { type: '/problems/conflict' }, 'the codes map chooses the problem')
  t.notOk('detail' in mapped.json(), 'still not its message')
  t.notOk('allow' in mapped.headers, 'still none of its headers')

  const minimal = await build(t, { plugin: { replaceCatalog: true, catalog: { internal_error: { status: 500, title: 'Failed.', retryable: false, category: 'platform' } } }, routes })
  t.match(problemOf(t, await minimal.app.inject('/busy'), 500), { type: '/problems/internal-error' }, 'no code for 503: internal_error')
})

t.test("a thrown error's headers go through the documented policy: only the allowed ones, with their statuses", async (t) => {
  const noise = { server: 'app-7 (10.1.2.3)', 'x-debug-token': 'SECRET', 'cache-control': 'max-age=600', 'content-language': 'de', location: '/elsewhere', link: '</x>; rel="next"', 'access-control-allow-origin': '*' }
  const { app } = await build(t, {
    routes: (app) => {
      app.get('/401', async () => { throw createHttpError(401, 'token expired', { headers: { ...noise, 'WWW-Authenticate': 'Bearer realm="api", error="invalid_token"' } }) })
      app.get('/403', async () => { throw createHttpError(403, 'scope', { headers: { ...noise, 'www-authenticate': 'Bearer error="insufficient_scope"' } }) })
      app.get('/404', async () => { throw createHttpError(404, 'gone', { headers: { ...noise, 'www-authenticate': 'Basic', allow: 'GET' } }) })
      app.get('/405', async () => { throw createHttpError(405, 'no', { headers: { ...noise, allow: 'GET, HEAD' } }) })
      app.get('/415', async () => { throw createHttpError(415, 'json only', { headers: { ...noise, 'accept-post': 'application/json', accept: 'application/json' } }) })
      app.get('/429', async () => { throw createHttpError(429, 'slow', { headers: { ...noise, 'retry-after': '30', 'x-ratelimit-remaining': '0', ratelimit: 'limit=10, remaining=0, reset=30' } }) })
      app.get('/503', async () => { throw createHttpError(503, 'busy', { headers: { ...noise, 'retry-after': '5', 'x-ratelimit-remaining': '0' } }) })
      app.get('/own', async () => { throw new ProblemError('conflict', { headers: { 'x-debug-token': 'chosen', 'content-language': 'de' } }) })
      app.get('/own-hostile', async () => { throw new ProblemError('conflict', { headers: new Proxy({}, { ownKeys () { throw new Error('trap SECRET') } }) as never }) })
      app.get('/hostile', async () => {
        throw Object.assign(new Error('x'), { statusCode: 409, headers: new Proxy({}, { ownKeys () { throw new Error('trap SECRET') } }) })
      })
    }
  })
  const sent = async (path: string, status: number) => {
    const res = await app.inject(path)
    t.equal(res.statusCode, status, path)
    for (const name of Object.keys(noise)) if (name !== 'cache-control') t.notOk(name in res.headers, `${path}: ${name} is dropped`)
    t.equal(res.headers['cache-control'], 'no-store', `${path}: the problem's own caching`)
    return res.headers
  }
  t.equal((await sent('/401', 401))['www-authenticate'], 'Bearer realm="api", error="invalid_token"', "a 401's own challenge is kept")
  t.equal((await sent('/403', 403))['www-authenticate'], 'Bearer error="insufficient_scope"')
  const notFound = await sent('/404', 404)
  t.notOk('www-authenticate' in notFound, 'a challenge goes with 401 and 403 only')
  t.notOk('allow' in notFound, 'allow goes with 405 only')
  t.equal((await sent('/405', 405)).allow, 'GET, HEAD')
  t.match(await sent('/415', 415), { 'accept-post': 'application/json', accept: 'application/json' })
  t.match(await sent('/429', 429), { 'retry-after': '30', 'x-ratelimit-remaining': '0', ratelimit: 'limit=10, remaining=0, reset=30' })
  const busy = await sent('/503', 503)
  t.equal(busy['retry-after'], '5')
  t.notOk('x-ratelimit-remaining' in busy, 'rate-limit headers go with 429 only')
  t.match((await app.inject('/own')).headers, { 'x-debug-token': 'chosen', 'content-language': 'de' }, "a ProblemError's headers are the service's own choice")
  t.equal((await sent('/hostile', 409))['x-debug-token'], undefined, 'headers that cannot be listed are dropped')
  const ownHostile = await app.inject('/own-hostile')
  t.equal(ownHostile.statusCode, 409, "a ProblemError's headers that cannot be listed are dropped, the problem still sent")
  t.notMatch(ownHostile.body, /SECRET/)
})

t.test('the header policy names each header it keeps, with its statuses', async (t) => {
  t.strictSame(Object.keys(ERROR_HEADER_POLICY).sort(), ['accept', 'accept-encoding', 'accept-patch', 'accept-post', 'allow', 'ratelimit', 'ratelimit-limit', 'ratelimit-policy', 'ratelimit-remaining', 'ratelimit-reset', 'retry-after', 'www-authenticate', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'])
  t.ok(errorHeaderAllowed('retry-after', 500))
  t.notOk(errorHeaderAllowed('constructor', 500), 'only its own names')
  t.notOk(errorHeaderAllowed('server', 401))
})

t.test("http-errors' expose is honoured: false keeps even a 4xx message private, true exposes a 4xx one", async (t) => {
  const { app } = await build(t, {
    routes: (app) => {
      app.get('/private', async () => { throw createHttpError(400, 'user 42 lookup failed in shard SECRET', { expose: false }) })
      app.get('/private-blank', async () => { throw createHttpError(410, 'archived by job SECRET', { expose: false }) })
      app.get('/public', async () => { throw createHttpError(404, 'no task 9') })
      app.get('/server-public', async () => { throw createHttpError(503, 'db SECRET down', { expose: true }) })
    }
  })
  const hidden = await app.inject('/private')
  t.strictSame(problemOf(t, hidden, 400), { type: '/problems/invalid-request', title: 'The request contains invalid or missing parameters.', status: 400, instance: '/private', error: 'The request contains invalid or missing parameters.', retryable: false })
  t.notMatch(hidden.body, /SECRET/)
  const blank = await app.inject('/private-blank')
  t.match(problemOf(t, blank, 410), { type: 'about:blank', error: 'Gone' })
  t.notMatch(blank.body, /SECRET/)
  t.match(problemOf(t, await app.inject('/public'), 404), { detail: 'no task 9' })
  t.notMatch((await app.inject('/server-public')).body, /SECRET/, 'a 5xx message needs exposeServerErrors, whatever the error says')
})
