// `instance` is the request path alone, whatever form the request target took on the wire.
import t from 'tap'
import Fastify from 'fastify'
import type { AddressInfo } from 'node:net'
import problemDetails, { problemFrameworkErrors } from '../lib/index.ts'
import { logCollector } from './helper.ts'
import { rawRequest } from './raw-http.ts'

const SECRET = 'hunter2'

t.test('instance of an absolute-form request target is the path alone: no scheme, credentials, host, query or fragment', async (t) => {
  const logs = logCollector()
  const app = Fastify({ logger: { level: 'info', stream: logs.stream }, frameworkErrors: problemFrameworkErrors })
  t.teardown(() => app.close())
  await app.register(problemDetails)
  app.get('/path', async () => { throw Object.assign(new Error('no such thing'), { statusCode: 404 }) })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  const cases: Array<[target: string, instance: string]> = [
    // 1. credentials in the authority (Fastify's router refuses it: a framework error through the plugin)
    [`http://user:${SECRET}@internal.example:8080/path?token=${SECRET}#${SECRET}`, '/path'],
    // 2. absolute form the router accepts and routes
    [`http://internal.example/path?token=${SECRET}`, '/path'],
    [`HTTP://user:${SECRET}@internal.example:80/path`, '/path'],
    // 3. a slash a client wrote in its password: never a byte of it
    [`http://user:pa/${SECRET}@internal.example/path`, '/path'],
    // 4. no path at all
    [`http://user:${SECRET}@internal.example`, '/'],
    // 5. origin form with a fragment, a query, both (in either order)
    [`/path#${SECRET}`, '/path'],
    [`/path?token=${SECRET}#${SECRET}`, '/path'],
    [`/path#${SECRET}?token=${SECRET}`, '/path']
  ]
  for (const [target, instance] of cases) {
    logs.lines.length = 0
    const res = await rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: internal.example\r\nConnection: close\r\n\r\n`)
    const body = JSON.parse(res.body)
    t.equal(body.instance, instance, target)
    t.notOk(res.raw.includes(SECRET), `${target}: nothing of the credentials, query or fragment in the response`)
    t.notOk(res.raw.includes('internal.example'), `${target}: not the host`)
    const line = logs.problems()[0]
    t.notOk(String(line?.msg).includes(SECRET), `${target}: nor in the log message`)
  }
})
