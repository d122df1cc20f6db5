import t from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import type { AddressInfo } from 'node:net'
import { ConflictError, handleErrorResponse, NotFoundError, UnauthorizedError } from '@inrupt/solid-client-errors'
import { build } from './helper.ts'
import { builtinCatalog, ProblemError } from '../lib/index.ts'

// @eccenca/superagent: superagent 3 with RFC 7807 problem support, as published (CommonJS, no types;
// it requires `rx` without declaring it, so `rx` is a dev dependency beside it)
const eccencaRequest = require('@eccenca/superagent')

// Published RFC 9457 clients read our responses over real HTTP, each used as its README shows,
// with no adapter: whatever they read is what any client of the service reads.

function routes (app: FastifyInstance) {
  app.put('/tasks/:id', async () => { throw new ProblemError('conflict', { detail: 'Task 7 was changed by someone else.' }) })
  app.get('/repos', async (_request, reply) => reply.problem('external_authentication_required', { detail: 'Connect GitHub first.', provider: 'github', auth_url: 'https://auth.example.com/connect/github' }))
}

async function listening (t: Parameters<typeof build>[0]) {
  const { app } = await build(t, { routes })
  await app.listen({ port: 0, host: '127.0.0.1' })
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}

t.test('@inrupt/solid-client-errors reads type, status, title, detail and instance of our problems', async (t) => {
  const base = await listening(t)
  // 1. a thrown ProblemError, 2. reply.problem(), 3. the not-found handler
  const cases: Array<[string, string, Function, string, string, number, string | undefined]> = [
    ['PUT', '/tasks/7?token=secret', ConflictError, '/problems/conflict', builtinCatalog.conflict.title, 409, 'Task 7 was changed by someone else.'],
    ['GET', '/repos', UnauthorizedError, '/problems/external-authentication-required', builtinCatalog.external_authentication_required.title, 401, 'Connect GitHub first.'],
    ['GET', '/nowhere', NotFoundError, '/problems/resource-not-found', builtinCatalog.resource_not_found.title, 404, 'No route matches GET /nowhere']
  ]
  for (const [method, path, ErrorClass, type, title, status, detail] of cases) {
    const response = await fetch(`${base}${path}`, { method })
    const responseBody = await response.text()
    const error = handleErrorResponse(response, responseBody, 'the request failed')
    t.ok(error instanceof ErrorClass, `${path}: ${ErrorClass.name}`)
    t.strictSame({ ...error.problemDetails, type: error.problemDetails.type.href, instance: error.problemDetails.instance?.href }, {
      type: `${base}${type}`,
      title,
      status,
      detail,
      instance: `${base}${path.split('?')[0]}`
    }, `${path}: every member read`)
  }
})

t.test('regression: a client that compares the media type exactly read none of our problems with "; charset=utf-8"', async (t) => {
  // the same document with the old header, sent by a plain Fastify route: the client falls back to about:blank
  const app = Fastify()
  t.teardown(() => app.close())
  app.get('/old', async (_request, reply) => reply.code(409).header('content-type', 'application/problem+json; charset=utf-8').send(JSON.stringify({ type: '/problems/conflict', title: 'Conflict', status: 409, detail: 'old' })))
  await app.listen({ port: 0, host: '127.0.0.1' })
  const oldResponse = await fetch(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/old`)
  t.equal(handleErrorResponse(oldResponse, await oldResponse.text(), 'x').problemDetails.type.href, 'about:blank', 'the old header is not recognised')

  const base = await listening(t)
  const response = await fetch(`${base}/tasks/7`, { method: 'PUT' })
  t.equal(handleErrorResponse(response, await response.text(), 'x').problemDetails.type.href, `${base}/problems/conflict`, 'ours is')
})

/** A request with @eccenca/superagent, resolved with the error its problem handler produced. */
function eccencaError (method: 'get' | 'put', url: string): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    eccencaRequest[method](url).end((error: Record<string, any> | null) => {
      if (error === null) reject(new Error(`${url} succeeded`))
      else resolve(error)
    })
  })
}

t.test('@eccenca/superagent recognises our problems and reads title, detail, status, type and instance', async (t) => {
  const base = await listening(t)
  const conflict = await eccencaError('put', `${base}/tasks/7?token=secret`)
  t.equal(conflict.isHTTPProblem, true)
  t.equal(conflict.response.type, 'application/problem+json')
  t.equal(conflict.statusCode, 409)
  t.equal(conflict.title, builtinCatalog.conflict.title, 'title read from the problem, not the client default')
  t.equal(conflict.detail, 'Task 7 was changed by someone else.', 'detail read from the problem, not the status message')
  t.match(conflict.response.body, { type: '/problems/conflict', status: 409, instance: '/tasks/7' })

  const repos = await eccencaError('get', `${base}/repos`)
  t.equal(repos.statusCode, 401)
  t.equal(repos.title, builtinCatalog.external_authentication_required.title)
  t.equal(repos.detail, 'Connect GitHub first.')
  t.match(repos.response.body, { type: '/problems/external-authentication-required', instance: '/repos', provider: 'github' })
})
