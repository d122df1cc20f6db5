import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { createServer, connect, type Socket } from 'node:net'
import problemDetails, { PROBLEM_CONTENT_TYPE, problemClientErrorHandler, problemFrameworkErrors } from '../lib/index.ts'
import { logCollector } from './helper.ts'
import { rawRequest } from './raw-http.ts'

const SECRET = 'hunter2'

/** An app answering router errors through the plugin, listening on 127.0.0.1. */
async function listening (t: Test, options: { plugin?: boolean, maxParamLength?: number } = {}) {
  const logs = logCollector()
  const app = Fastify({ logger: { level: 'info', stream: logs.stream }, frameworkErrors: problemFrameworkErrors, clientErrorHandler: problemClientErrorHandler, routerOptions: { maxParamLength: options.maxParamLength ?? 100 } })
  t.teardown(() => app.close())
  if (options.plugin !== false) await app.register(problemDetails, { typeBase: 'https://docs.example.com/errors/' })
  app.get('/files/:name', async () => 'file')
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return { app, logs, port }
}

t.test('a bad percent-encoding in the path is answered by the plugin with invalid_request, without a byte of the query string', async (t) => {
  const { port, logs } = await listening(t)
  // 1. the router cannot decode the path: Fastify calls frameworkErrors before any route runs
  const res = await rawRequest(port, `GET /files/%E0%A4%A?token=${SECRET}&next=%2Fadmin HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`)
  t.equal(res.statusLine, 'HTTP/1.1 400 Bad Request')
  t.equal(res.headers['content-type'], PROBLEM_CONTENT_TYPE)
  // 2. the plugin's own document: its typeBase, its catalog entry, the path alone as instance
  t.strictSame(JSON.parse(res.body), {
    type: 'https://docs.example.com/errors/invalid-request',
    title: 'The request contains invalid or missing parameters.',
    status: 400,
    detail: 'The request path is not a valid URL: it holds an invalid percent-encoded sequence.',
    instance: '/files/%E0%A4%A',
    error: 'The request contains invalid or missing parameters. (The request path is not a valid URL: it holds an invalid percent-encoded sequence.)',
    retryable: false
  })
  // 3. nothing of the query string anywhere in the response, headers included
  t.notOk(res.raw.includes(SECRET), 'the query value is not sent back')
  t.notOk(res.raw.includes('token'), 'the query name is not sent back')
  t.notOk(res.raw.includes('?'), 'no query string at all')
  // 4. logged once, as the error handler logs every problem
  t.match(logs.problems(), [{ problem: 'invalid_request', status: 400, error: { code: 'FST_ERR_BAD_URL' } }])
})

t.test('a path parameter over maxParamLength is answered with a 414 problem, read with fetch', async (t) => {
  const { port } = await listening(t, { maxParamLength: 20 })
  const res = await fetch(`http://127.0.0.1:${port}/files/${'a'.repeat(30)}?token=${SECRET}`)
  t.equal(res.status, 414)
  t.equal(res.headers.get('content-type'), PROBLEM_CONTENT_TYPE)
  const text = await res.text()
  t.strictSame(JSON.parse(text), {
    type: 'about:blank',
    title: 'URI Too Long',
    status: 414,
    detail: 'A path parameter is longer than the 20 characters allowed.',
    instance: `/files/${'a'.repeat(30)}`,
    error: 'URI Too Long (A path parameter is longer than the 20 characters allowed.)',
    retryable: false
  })
  t.notOk(text.includes(SECRET))
  const raw = await rawRequest(port, `GET /files/${'b'.repeat(30)}?token=${SECRET} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`)
  t.equal(raw.statusLine, 'HTTP/1.1 414 URI Too Long')
  t.notOk(raw.raw.includes(SECRET) || raw.raw.includes('?'), 'no query string byte in the raw response')
})

t.test('without the plugin on the root instance, router errors still get a minimal problem document', async (t) => {
  const { port } = await listening(t, { plugin: false })
  const res = await rawRequest(port, `GET /files/%E0%A4%A?token=${SECRET} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`)
  t.equal(res.statusLine, 'HTTP/1.1 400 Bad Request')
  t.equal(res.headers['content-type'], PROBLEM_CONTENT_TYPE)
  t.strictSame(JSON.parse(res.body), {
    type: 'about:blank',
    title: 'Bad Request',
    status: 400,
    detail: 'The request path is not a valid URL: it holds an invalid percent-encoded sequence.',
    instance: '/files/%E0%A4%A',
    retryable: false
  })
  t.notOk(res.raw.includes(SECRET))
})

t.test('a failing async route constraint goes through the error handler as internal_error, or a minimal 500 without the plugin', async (t) => {
  for (const plugin of [true, false]) {
    const app = Fastify({
      frameworkErrors: problemFrameworkErrors,
      routerOptions: {
        constraints: {
          tenant: {
            name: 'tenant',
            storage () { const map = new Map<string, unknown>(); return { get: (k: string) => map.get(k) ?? null, set: (k: string, v: unknown) => { map.set(k, v) } } },
            deriveConstraint (_req: unknown, _ctx: unknown, done: (error: Error | null, value?: string) => void) { done(new Error('tenant lookup failed')) },
            mustMatchWhenDerived: true,
            validate () {}
          }
        }
      } as never
    })
    t.teardown(() => app.close())
    if (plugin) await app.register(problemDetails)
    app.get('/t', { constraints: { tenant: 'a' } }, async () => 'ok')
    const res = await app.inject('/t')
    t.equal(res.statusCode, 500)
    t.equal(res.headers['content-type'], PROBLEM_CONTENT_TYPE)
    t.match(res.json(), plugin ? { type: '/problems/internal-error', status: 500, instance: '/t' } : { type: 'about:blank', title: 'Internal Server Error', status: 500, instance: '/t' })
    t.notOk('detail' in res.json(), 'a 5xx message is not sent')
  }
})

t.test('problemFrameworkErrors never throws, whatever reply it is given', async (t) => {
  // 1. a reply that cannot be used: the raw response gets a fixed 500 problem
  const written: unknown[] = []
  const raw = { headersSent: false, writableEnded: false, writeHead: (...args: unknown[]) => written.push(args), end: (body: string) => written.push(body) }
  const broken = { code () { throw new Error('reply is gone') }, raw }
  t.doesNotThrow(() => problemFrameworkErrors(new Error('x'), { url: '/x', server: {} } as never, broken as never))
  t.strictSame(JSON.parse(written[1] as string), { type: 'about:blank', title: 'Internal Server Error', status: 500, retryable: true })
  t.equal((written[0] as [number, Record<string, unknown>])[0], 500)
  // 2. no raw response, or one already sent: nothing written, nothing thrown
  t.doesNotThrow(() => problemFrameworkErrors(new Error('x'), { url: '/x' } as never, { code () { throw new Error('gone') } } as never))
  t.doesNotThrow(() => problemFrameworkErrors(new Error('x'), { url: '/x' } as never, { code () { throw new Error('gone') }, raw: { headersSent: true } } as never))
  t.doesNotThrow(() => problemFrameworkErrors(new Error('x'), { url: '/x' } as never, { code () { throw new Error('gone') }, raw: { ...raw, writeHead () { throw new Error('closed') } } } as never))
  // 3. a server whose state cannot be read, a request without maxParamLength: the minimal document
  const sent: string[] = []
  const reply = { code () { return reply }, header () { return reply }, serializer () { return reply }, send (body: string) { sent.push(body) } }
  const hostile = new Proxy({}, { get () { throw new Error('trap') } })
  problemFrameworkErrors({ code: 'FST_ERR_MAX_PARAM_LENGTH' }, { url: '/p/long?q=1', server: hostile } as never, reply as never)
  t.strictSame(JSON.parse(sent[0]), { type: 'about:blank', title: 'URI Too Long', status: 414, detail: 'A path parameter is longer than the server allows.', instance: '/p/long', retryable: false })
  problemFrameworkErrors('not an error', { url: '/s', server: null } as never, reply as never)
  t.strictSame(JSON.parse(sent[1]), { type: 'about:blank', title: 'Internal Server Error', status: 500, instance: '/s', retryable: false })
})

t.test('malformed HTTP gets a fixed 400 problem on the socket, then the connection closes', async (t) => {
  const { port } = await listening(t)
  const res = await rawRequest(port, 'NOT-A-METHOD\x01 / HTTP/1.1\r\n\r\n')
  t.equal(res.statusLine, 'HTTP/1.1 400 Bad Request')
  t.equal(res.headers['content-type'], 'application/problem+json')
  t.equal(res.headers.connection, 'close')
  t.equal(Number(res.headers['content-length']), Buffer.byteLength(res.body))
  t.strictSame(JSON.parse(res.body), { type: 'about:blank', title: 'Bad Request', status: 400, detail: 'The request is not valid HTTP and could not be read.', retryable: false })
})

t.test('headers over the size limit get a 431 problem on the socket', async (t) => {
  const { port } = await listening(t)
  const res = await rawRequest(port, `GET /files/a HTTP/1.1\r\nhost: 127.0.0.1\r\nx-large: ${'a'.repeat(20000)}\r\n\r\n`)
  t.equal(res.statusLine, 'HTTP/1.1 431 Request Header Fields Too Large')
  t.equal(res.headers['content-type'], 'application/problem+json')
  t.equal(res.headers.connection, 'close')
  t.strictSame(JSON.parse(res.body), { type: 'about:blank', title: 'Request Header Fields Too Large', status: 431, detail: 'The request header fields are larger than the server accepts.', retryable: false })
})

t.test('a request timeout gets a retryable 408 problem on the socket', async (t) => {
  // 1. a real connection; the handler is given the error code Node uses for a request timeout
  const server = createServer((socket: Socket) => {
    problemClientErrorHandler.call({ log: { trace () {} } }, Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const res = await rawRequest(port, 'GET / HTTP/1.1\r\nhost: 127.0.0.1\r\n')
  // 2. the whole response arrived, then the close
  t.equal(res.statusLine, 'HTTP/1.1 408 Request Timeout')
  t.equal(res.headers['content-type'], 'application/problem+json')
  t.strictSame(JSON.parse(res.body), { type: 'about:blank', title: 'Request Timeout', status: 408, detail: 'The request was not received in full in the time the server allows.', retryable: true })
})

t.test('the client error handler never throws and never writes on a socket that is gone or busy', async (t) => {
  const calls: string[] = []
  const fake = (props: Record<string, unknown>) => ({ destroyed: false, writable: true, write () { calls.push('write') }, destroy () { calls.push('destroy') }, ...props })
  // 1. a reset connection, a destroyed socket: left alone
  problemClientErrorHandler({ code: 'ECONNRESET' }, fake({}) as never)
  problemClientErrorHandler(new Error('x'), fake({ destroyed: true }) as never)
  t.strictSame(calls, [])
  // 2. a response already under way on the connection: closed without writing
  problemClientErrorHandler(new Error('x'), fake({ _httpMessage: { headersSent: true } }) as never)
  t.strictSame(calls, ['destroy'])
  // 3. a socket that throws, a logger that throws: nothing escapes
  t.doesNotThrow(() => problemClientErrorHandler.call({ log: { trace () { throw new Error('log') } } }, new Error('x'), fake({ write () { throw new Error('EPIPE') } }) as never))
  // 4. a real socket closed by its peer before the handler runs
  const server = createServer((socket: Socket) => {
    socket.on('close', () => {
      t.doesNotThrow(() => problemClientErrorHandler(Object.assign(new Error('x'), { code: 'HPE_INVALID_METHOD' }), socket))
      server.close()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const client = connect({ port: typeof address === 'object' && address !== null ? address.port : 0, host: '127.0.0.1' }, () => client.destroy())
  await new Promise((resolve) => server.on('close', resolve))
})
