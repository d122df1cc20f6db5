import t from 'tap'
import Fastify from 'fastify'
import problemDetails, { ProblemError } from '../lib/index.ts'

t.test('serveDocs under a route prefix puts the prefix in every type, and each type resolves', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(async function api (child) {
    await child.register(problemDetails, { serveDocs: true })
    child.get('/tasks/:id', async () => { throw new ProblemError('resource_not_found') })
  }, { prefix: '/api/v1' })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })

  // 1. the problem's type carries the prefix
  const problem = await (await fetch(`${base}/api/v1/tasks/7`)).json() as { type: string }
  t.equal(problem.type, '/api/v1/problems/resource-not-found')
  // 2. the type URI, resolved against the request, is the page
  const page = await fetch(new URL(problem.type, `${base}/api/v1/tasks/7`))
  t.equal(page.status, 200)
  t.match(await page.json(), { code: 'resource_not_found', type: '/api/v1/problems/resource-not-found', links: { index: '/api/v1/problems/', page: '/api/v1/problems/resource-not-found' } })
  // 3. the index links to the same URIs, and HTML pages too
  const index = await (await fetch(`${base}/api/v1/problems/`)).json() as { codes: Array<{ type: string, href: string }> }
  t.ok(index.codes.every((code) => code.href === code.type && code.type.startsWith('/api/v1/problems/')))
  const html = await (await fetch(`${base}/api/v1/problems/`, { headers: { accept: 'text/html' } })).text()
  t.match(html, 'href="/api/v1/problems/resource-not-found"')
  t.equal((await fetch(`${base}/problems/resource-not-found`)).status, 404, 'nothing is served outside the prefix')
})

t.test('a typeBase that already holds the prefix is used as it is', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(async function api (child) {
    await child.register(problemDetails, { serveDocs: true, typeBase: '/api/errors/' })
    child.get('/x', async () => { throw new ProblemError('conflict') })
  }, { prefix: '/api/' })
  await app.ready()
  t.equal((await app.inject('/api/x')).json().type, '/api/errors/conflict')
  t.equal((await app.inject('/api/errors/conflict')).statusCode, 200)
  t.equal((await app.inject('/api/errors/')).json().codes.length, 16)
})
