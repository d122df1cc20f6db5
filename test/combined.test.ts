// The wire features as a user combines them in one service: router errors through
// `problemFrameworkErrors`, Accept negotiation (JSON and XML), the 401 challenge, a route with its own
// serializer and caching headers, and type URIs served by the service, all over real HTTP.
import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { DOMParser } from '@xmldom/xmldom'
import problemDetails, { PROBLEM_XML_NAMESPACE, ProblemError, problemClientErrorHandler, problemFrameworkErrors } from '../lib/index.ts'
import { rawRequest } from './raw-http.ts'

const SECRET = 'hunter2'
const XML = 'application/problem+xml'

async function service (t: Test) {
  const app = Fastify({ frameworkErrors: problemFrameworkErrors, clientErrorHandler: problemClientErrorHandler, routerOptions: { maxParamLength: 30 } })
  t.teardown(() => app.close())
  await app.register(problemDetails, { serveDocs: true, wwwAuthenticate: 'Bearer realm="reports"' })
  app.get('/reports/:id', async (_request, reply) => {
    // the route prepares a cached CSV answer, then finds the caller is not signed in
    reply.serializer((rows: string[][]) => rows.map((row) => row.join(',')).join('\n'))
    reply.header('content-type', 'text/csv').header('etag', '"v1"').header('cache-control', 'public, max-age=3600')
    throw new ProblemError('authentication_required', { detail: 'Sign in to read reports.' })
  })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  return { base, port: typeof address === 'object' && address !== null ? address.port : 0 }
}

/** The problem element of an appendix B document, its children by local name. */
function readXml (text: string) {
  const doc = new DOMParser({ onError: (level, message) => { if (level !== 'warning') throw new Error(message) } }).parseFromString(text, 'application/xml')
  const root = doc.documentElement
  const members: Record<string, string> = {}
  for (let node = root?.firstChild; node != null; node = node.nextSibling) {
    if (node.nodeType === 1) members[(node as unknown as { localName: string }).localName] = node.textContent ?? ''
  }
  return { name: root?.localName, namespace: root?.namespaceURI, members }
}

t.test('a route with its own serializer and cache headers fails with a 401: XML for the client that prefers it, the challenge, nothing of the route', async (t) => {
  const { base } = await service(t)
  const res = await fetch(`${base}/reports/7`, { headers: { accept: `${XML}, application/problem+json;q=0.5` } })
  t.equal(res.status, 401)
  t.equal(res.headers.get('content-type'), XML)
  t.equal(res.headers.get('www-authenticate'), 'Bearer realm="reports"')
  t.equal(res.headers.get('vary'), 'Accept')
  t.equal(res.headers.get('cache-control'), 'no-store')
  t.equal(res.headers.get('etag'), null, 'the etag of the CSV answer is not on the problem')
  const xml = readXml(await res.text())
  t.equal(xml.name, 'problem')
  t.equal(xml.namespace, PROBLEM_XML_NAMESPACE)
  t.match(xml.members, { type: '/problems/authentication-required', status: '401', detail: 'Sign in to read reports.', instance: '/reports/7', retryable: 'false' })

  // the type URI resolves on the service, as a page for a browser
  const page = await fetch(new URL(xml.members.type, res.url), { headers: { accept: 'text/html' } })
  t.equal(page.status, 200)
  t.match(page.headers.get('content-type'), /^text\/html/)
})

t.test('router errors are negotiated like every other problem, and echo no byte of the query string', async (t) => {
  const { base, port } = await service(t)
  // 1. bad percent-encoding, for a client that accepts JSON but not problem+json
  const bad = await rawRequest(port, `GET /reports/%E0%A4%A?token=${SECRET} HTTP/1.1\r\nhost: 127.0.0.1\r\naccept: application/json\r\nconnection: close\r\n\r\n`)
  t.equal(bad.statusLine, 'HTTP/1.1 400 Bad Request')
  t.equal(bad.headers['content-type'], 'application/json')
  t.match(JSON.parse(bad.body), { type: '/problems/invalid-request', status: 400, instance: '/reports/%E0%A4%A' })
  t.notOk(bad.raw.includes(SECRET))

  // 2. a path parameter over maxParamLength, for a client that prefers XML
  const long = await fetch(`${base}/reports/${'r'.repeat(40)}?token=${SECRET}`, { headers: { accept: XML } })
  t.equal(long.status, 414)
  t.equal(long.headers.get('content-type'), XML)
  const text = await long.text()
  t.notOk(text.includes(SECRET))
  t.match(readXml(text).members, { type: 'about:blank', title: 'URI Too Long', status: '414', instance: `/reports/${'r'.repeat(40)}` })

  // 3. a request Node cannot parse: the fixed document on the socket, and the service keeps answering
  const malformed = await rawRequest(port, 'GET /reports/7 HTTP/1.1\r\nbad header line\r\n\r\n')
  t.equal(malformed.statusLine, 'HTTP/1.1 400 Bad Request')
  t.equal(malformed.headers['content-type'], 'application/problem+json')
  t.match(JSON.parse(malformed.body), { type: 'about:blank', status: 400 })
  t.equal((await fetch(`${base}/reports/7`)).status, 401)
})
