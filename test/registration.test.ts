import t from 'tap'
import Fastify from 'fastify'
import problemDetails, { FST_PROBLEM_ALREADY_REGISTERED, PROBLEM_CONTENT_TYPE, ProblemError } from '../lib/index.ts'
import { routesWithDefaultErrorHandler } from '../lib/registration.ts'
import { logCollector } from './helper.ts'

t.test('registering the plugin twice in one scope is a coded error that explains the scoping', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(problemDetails)
  await t.rejects(async () => { await app.register(problemDetails, { typeBase: '/errors/' }) }, {
    code: 'FST_PROBLEM_ALREADY_REGISTERED',
    message: /already registered in this scope\. .*one registration covers the scope that registers it and every child scope/
  })
  t.equal(new FST_PROBLEM_ALREADY_REGISTERED('x').code, 'FST_PROBLEM_ALREADY_REGISTERED')
})

t.test('registering the plugin again in a child of a registered scope is refused too', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(problemDetails)
  await t.rejects(async () => {
    await app.register(async function api (child) { await child.register(problemDetails) }, { prefix: '/api' })
  }, { code: 'FST_PROBLEM_ALREADY_REGISTERED', message: /in a parent scope/ })
})

t.test('sibling scopes with their own prefixes may each register the plugin', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  for (const prefix of ['/a', '/b']) {
    await app.register(async function part (child) {
      await child.register(problemDetails, { typeBase: `https://docs.example.com${prefix}/` })
      child.get('/x', async () => { throw new ProblemError('conflict') })
    }, { prefix })
  }
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  t.equal(((await (await fetch(`${base}/a/x`)).json()) as { type: string }).type, 'https://docs.example.com/a/conflict')
  t.equal(((await (await fetch(`${base}/b/x`)).json()) as { type: string }).type, 'https://docs.example.com/b/conflict')
})

t.test('at ready(), routes declared before the plugin are named in one warning with the fix', async (t) => {
  const logs = logCollector()
  const app = Fastify({ logger: { level: 'info', stream: logs.stream } })
  t.teardown(() => app.close())
  // 1. declared before the plugin: in the root scope, and in a plugin loaded before it
  app.get('/early', async () => { throw new ProblemError('conflict') })
  app.post('/early/:id', async () => 'x')
  app.register(async function legacy (child) { child.put('/legacy/*', async () => 'x') })
  // 2. a route with its own error handler chose it: not listed
  app.get('/own', { errorHandler: function ownHandler (_e, _r, reply) { reply.code(500).send('own') } }, async () => 'x')
  await app.register(problemDetails)
  app.get('/late', async () => { throw new ProblemError('conflict') })
  app.delete('/early', async () => { throw new ProblemError('conflict') })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })

  // 3. one warning line, naming each uncovered route and the fix
  const warnings = logs.lines.filter((line) => line.level === 40)
  t.equal(warnings.length, 1)
  t.strictSame([...(warnings[0].routes as string[])].sort(), ['GET /early', 'POST /early/:id', 'PUT /legacy/*'])
  t.match(warnings[0].msg, /^fastify-problem-details: 3 routes keep Fastify's default error handler .*: .*GET \/early.*register the plugin first/)

  // 4. what the warning is about, over HTTP: the early route answers with Fastify's default body
  const early = await fetch(`${base}/early`)
  t.equal(early.status, 500)
  t.match(early.headers.get('content-type'), /^application\/json/)
  t.match(await early.json(), { message: 'conflict' }, 'Fastify sends the thrown message')
  const late = await fetch(`${base}/late`)
  t.equal(late.headers.get('content-type'), PROBLEM_CONTENT_TYPE)
  t.equal((await fetch(`${base}/early`, { method: 'DELETE' })).headers.get('content-type'), PROBLEM_CONTENT_TYPE, 'a later route on the same path is covered')
})

t.test('no warning when every route is covered; a plugin in a prefixed scope only looks at its prefix', async (t) => {
  const logs = logCollector()
  const app = Fastify({ logger: { level: 'info', stream: logs.stream } })
  t.teardown(() => app.close())
  app.get('/health', async () => 'ok')
  app.get('/apiary', async () => 'outside the /api prefix')
  app.get('/api', async () => 'the prefix itself, in the parent scope')
  await app.register(async function api (child) {
    child.get('/api/before', async () => 'x')
    await child.register(problemDetails)
    child.get('/after', async () => 'x')
  }, { prefix: '/api' })
  await app.ready()
  const warnings = logs.lines.filter((line) => line.level === 40)
  t.equal(warnings.length, 1)
  t.strictSame([...(warnings[0].routes as string[])].sort(), ['GET /api', 'GET /api/api/before'])

  // one route alone is named the same way
  const single = logCollector()
  const one = Fastify({ logger: { level: 'info', stream: single.stream } })
  t.teardown(() => one.close())
  one.get('/first', async () => 'x')
  await one.register(problemDetails)
  await one.ready()
  t.match(single.lines.filter((line) => line.level === 40), [{ routes: ['GET /first'], msg: /^fastify-problem-details: 1 route keeps/ }])

  const quiet = logCollector()
  const clean = Fastify({ logger: { level: 'info', stream: quiet.stream } })
  t.teardown(() => clean.close())
  await clean.register(problemDetails)
  clean.get('/a', async () => 'a')
  await clean.ready()
  t.strictSame(quiet.lines.filter((line) => line.level === 40), [])

  // a route declared right after an unawaited register is in the router before the plugin loads,
  // but gets the plugin's handler: not listed, and it answers with a problem
  const unawaited = logCollector()
  const eager = Fastify({ logger: { level: 'info', stream: unawaited.stream } })
  t.teardown(() => eager.close())
  eager.register(problemDetails)
  eager.get('/next', async () => { throw new ProblemError('conflict') })
  await eager.ready()
  t.strictSame(unawaited.lines.filter((line) => line.level === 40), [])
  const res = await eager.inject('/next')
  t.equal(res.headers['content-type'], PROBLEM_CONTENT_TYPE)
  t.equal(res.json().type, '/problems/conflict')
})

t.test('the route tree is read node by node; what it cannot read is skipped', async (t) => {
  const tree = [
    '└── / (GET, HEAD)',
    '    • (errorHandler) "defaultErrorHandler()"',
    '    ├── m (GET, HEAD)',
    '    │   • (errorHandler) "bound problemErrorHandler()"',
    '    │   m (POST)',
    '    │   • (errorHandler) "defaultErrorHandler()"',
    '    ├── v (GET) {"version":"1.0.0"}',
    '    │   • (errorHandler) "defaultErrorHandler()"',
    '    ├── x/',
    '    │   • (errorHandler) "defaultErrorHandler()"',
    '    │   something unexpected',
    '    │   • (errorHandler) "defaultErrorHandler()"',
    '    │   └── :id (PATCH)',
    '    │       • (errorHandler) "defaultErrorHandler()"',
    ''
  ].join('\n')
  t.strictSame(routesWithDefaultErrorHandler(tree), ['GET /', 'POST /m', 'GET /v', 'PATCH /x/:id'])
})
