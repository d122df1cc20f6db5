import t, { type Test } from 'tap'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import createHttpError from 'http-errors'
import problemDetails, { DEFAULT_WWW_AUTHENTICATE, PROBLEM_CONTENT_TYPE, ProblemError, problemFromResponse, type ProblemDetailsOptions } from '../lib/index.ts'
import { reasonPhrase } from '../lib/status-phrases.ts'

/** The app listening on 127.0.0.1, with the given plugin options and routes; its base URL. */
async function serve (t: Test, plugin: ProblemDetailsOptions, routes: (app: FastifyInstance) => void, fastify: FastifyServerOptions = {}) {
  const app = Fastify(fastify)
  t.teardown(() => app.close())
  await app.register(problemDetails, plugin)
  routes(app)
  return await app.listen({ port: 0, host: '127.0.0.1' })
}

const catalog = {
  token_expired: { status: 401, title: 'The access token has expired.', retryable: false, category: 'user', wwwAuthenticate: 'Bearer realm="api", error="invalid_token"' },
  scope_missing: { status: 403, title: 'The token lacks a scope.', retryable: false, category: 'user', wwwAuthenticate: 'Bearer error="insufficient_scope", scope="tasks:write"' }
} as const

t.test('a 401 problem carries a WWW-Authenticate challenge: the default, the option, the entry, the error', async (t) => {
  // 1. default challenge
  const base = await serve(t, { catalog }, (app) => {
    app.get('/login', async () => { throw new ProblemError('authentication_required') })
    app.get('/http-errors', async () => { throw createHttpError(401, 'token missing') })
    app.get('/own', async () => { throw new ProblemError('authentication_required', { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } }) })
    app.get('/expired', async (_request, reply) => reply.problem('token_expired' as 'conflict'))
    app.get('/scope', async () => { throw new ProblemError('scope_missing' as 'conflict') })
    app.get('/forbidden', async () => { throw new ProblemError('not_authorized') })
  })
  t.equal(DEFAULT_WWW_AUTHENTICATE, 'Bearer')
  const login = await fetch(`${base}/login`)
  t.equal(login.status, 401)
  t.equal(login.headers.get('content-type'), PROBLEM_CONTENT_TYPE)
  t.equal(login.headers.get('www-authenticate'), 'Bearer')
  t.match(await login.json(), { type: '/problems/authentication-required', status: 401 })
  // 2. an error that only carries the status gets it too
  const status = await fetch(`${base}/http-errors`)
  t.equal(status.status, 401)
  t.equal(status.headers.get('www-authenticate'), 'Bearer')
  // 3. the service's own error header wins
  t.equal((await fetch(`${base}/own`)).headers.get('www-authenticate'), 'Bearer error="invalid_token"')
  // 4. the entry's challenge, on a 401 and on a 403 (RFC 6750 insufficient_scope)
  t.equal((await fetch(`${base}/expired`)).headers.get('www-authenticate'), 'Bearer realm="api", error="invalid_token"')
  const scope = await fetch(`${base}/scope`)
  t.equal(scope.status, 403)
  t.equal(scope.headers.get('www-authenticate'), 'Bearer error="insufficient_scope", scope="tasks:write"')
  // 5. other problems carry none
  t.equal((await fetch(`${base}/forbidden`)).headers.get('www-authenticate'), null)
})

t.test('the wwwAuthenticate option sets the challenge of every 401 problem', async (t) => {
  const base = await serve(t, { wwwAuthenticate: 'Basic realm="tasks", charset="UTF-8"' }, (app) => {
    app.get('/x', async () => { throw new ProblemError('external_authentication_required', { provider: 'github', auth_url: 'https://auth.example.com/github' }) })
  })
  const res = await fetch(`${base}/x`)
  t.equal(res.status, 401)
  t.equal(res.headers.get('www-authenticate'), 'Basic realm="tasks", charset="UTF-8"')
})

t.test('a challenge that cannot be sent fails at registration with a coded error', async (t) => {
  for (const [value, why] of [[42, /must be a string/], ['', /auth-scheme/], ['Bearer\r\nx: y', /printable/], ['"quoted"', /auth-scheme/], ['B'.repeat(1025), /at most 1024/]] as const) {
    const app = Fastify()
    t.teardown(() => app.close())
    await t.rejects(async () => { await app.register(problemDetails, { wwwAuthenticate: value as string }) }, { code: 'FST_PROBLEM_INVALID_OPTION', message: why })
    const other = Fastify()
    t.teardown(() => other.close())
    await t.rejects(async () => { await other.register(problemDetails, { catalog: { login: { ...catalog.token_expired, wwwAuthenticate: value as string } } }) }, { code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY', message: /"login" has an invalid "wwwAuthenticate"/ })
  }
})

t.test('about:blank titles are RFC 9110 reason phrases: 413 is Content Too Large', async (t) => {
  const base = await serve(t, {}, (app) => {
    app.post('/upload', async () => 'stored')
    app.get('/teapot', async () => { throw createHttpError(422, 'cannot process') })
  }, { bodyLimit: 10 })
  const res = await fetch(`${base}/upload`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'more than ten bytes' }) })
  t.equal(res.status, 413)
  t.equal(res.headers.get('content-type'), PROBLEM_CONTENT_TYPE)
  t.match(await res.json(), { type: 'about:blank', title: 'Content Too Large', status: 413 })
  t.equal(reasonPhrase(422), 'Unprocessable Content')
  t.equal(reasonPhrase(499), 'Unknown Status', 'an unregistered status has no phrase of its own')
})

t.test("an upstream's challenge is never forwarded: the gateway sends its own", async (t) => {
  // 1. an upstream answering 401 with its own challenge
  const upstream = await serve(t, { wwwAuthenticate: 'Basic realm="upstream"' }, (app) => {
    app.get('/data', async () => { throw new ProblemError('authentication_required') })
  })
  // 2. a gateway turning the upstream answer into its own problem, and an HTTP client error shaped like axios'
  const gateway = await serve(t, {}, (app) => {
    app.get('/via-problem', async () => {
      const res = await fetch(`${upstream}/data`)
      throw await problemFromResponse(res)
    })
    app.get('/via-client-error', async () => {
      throw Object.assign(new Error('Request failed with status code 401'), { status: 401, response: { status: 401, headers: { 'www-authenticate': 'Basic realm="upstream"' } } })
    })
  })
  t.equal((await fetch(`${upstream}/data`)).headers.get('www-authenticate'), 'Basic realm="upstream"')
  const viaProblem = await fetch(`${gateway}/via-problem`)
  t.equal(viaProblem.status, 401)
  t.equal(viaProblem.headers.get('www-authenticate'), 'Bearer', "the gateway's own challenge")
  // 3. an HTTP client's error is the gateway's failure to call the upstream, not the client's missing credentials
  const viaClientError = await fetch(`${gateway}/via-client-error`)
  t.equal(viaClientError.status, 500)
  t.equal(viaClientError.headers.get('www-authenticate'), null, 'no challenge: the client is not the one who failed to authenticate')
  t.match(await viaClientError.json(), { type: '/problems/internal-error' })
})
