import t from 'tap'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { build, problemOf } from './helper.ts'
import { keepAliveAgent, problemChecker, send, type WireResponse } from './property-invariants.ts'
import { ProblemError } from '../lib/index.ts'
import { MAX_MEMBERS_LENGTH } from '../lib/members.ts'
import { MAX_ISSUE_LENGTH } from '../lib/classify.ts'

/**
 * Writes raw bytes, half-closes, and reads until the server closes the connection. No timer: a
 * server that never closes leaves the test hanging, which tap reports for the file.
 */
function rawExchange (port: number, ...parts: Array<string | Buffer>): Promise<{ raw: Buffer }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', () => {})
    socket.on('close', () => { resolve({ raw: Buffer.concat(chunks) }) })
    for (const part of parts) socket.write(part)
    // half-close: the server sees the end of what the client will ever send
    socket.end()
  })
}

/** Splits the raw bytes into responses (content-length framed, as Fastify sends problems). */
function responsesOf (raw: Buffer): WireResponse[] {
  const out: WireResponse[] = []
  let rest = raw
  for (let i = 0; i < 10 && rest.length > 0; i++) {
    const end = rest.indexOf('\r\n\r\n')
    if (end === -1) break
    const [statusLine, ...lines] = rest.subarray(0, end).toString('latin1').split('\r\n')
    const headers: Record<string, string> = {}
    const rawHeaders: string[] = []
    for (const line of lines) {
      const colon = line.indexOf(':')
      const name = line.slice(0, colon).toLowerCase()
      const value = line.slice(colon + 1).trim()
      headers[name] = value
      rawHeaders.push(line.slice(0, colon), value)
    }
    const length = Number(headers['content-length'] ?? 0)
    out.push({ status: Number(statusLine.split(' ')[1]), headers, rawHeaders, body: rest.subarray(end + 4, end + 4 + length) })
    rest = rest.subarray(end + 4 + length)
  }
  return out
}

async function listening (t: Parameters<typeof build>[0], routes: (app: FastifyInstance) => void, plugin = {}) {
  const built = await build(t, { plugin, routes })
  await built.app.listen({ port: 0, host: '127.0.0.1' })
  return { ...built, port: (built.app.server.address() as AddressInfo).port, check: problemChecker(built.app) }
}

t.test('a very long detail is cut to maxDetailLength characters, ending with an ellipsis', async (t) => {
  const { app } = await build(t, {
    plugin: { maxDetailLength: 64 },
    routes: (app) => {
      app.get('/problem', async () => { throw new ProblemError('invalid_request', { detail: 'x'.repeat(1_000_000) }) })
      app.get('/http', async () => { throw Object.assign(new Error('y'.repeat(1_000_000)), { statusCode: 409 }) })
    }
  })
  for (const url of ['/problem', '/http']) {
    const res = await app.inject(url)
    const body = problemOf(t, res, url === '/problem' ? 400 : 409)
    t.equal((body.detail as string).length, 64, url)
    t.match(body.detail, /…$/)
    t.ok(res.body.length < 1000, `${url}: the whole document stays small`)
  }
})

t.test('the default detail bound is 1024 characters', async (t) => {
  const { app } = await build(t, { routes: (app) => { app.get('/x', async () => { throw new ProblemError('conflict', { detail: 'z'.repeat(5000) }) }) } })
  t.equal((problemOf(t, await app.inject('/x'), 409).detail as string).length, 1024)
})

t.test('extension members longer than the bound are refused: internal_error, and the log says why', async (t) => {
  const { app, logs } = await build(t, {
    routes: (app) => {
      app.get('/long', async (_req, reply) => reply.problem('external_authentication_required', { provider: 'p'.repeat(MAX_MEMBERS_LENGTH) }))
      app.get('/many', async (_req, reply) => reply.problem('external_authentication_required', { inaccessible_repos: Array.from({ length: 5000 }, (_, i) => `acme/repo-${i}`) }))
      app.get('/fits', async (_req, reply) => reply.problem('external_authentication_required', { provider: 'p'.repeat(MAX_MEMBERS_LENGTH - 100) }))
    }
  })
  for (const url of ['/long', '/many']) {
    const res = await app.inject(url)
    t.equal(problemOf(t, res, 500).type, '/problems/internal-error', url)
    t.ok(res.body.length < 1000, `${url}: nothing of the value is sent`)
  }
  t.equal(problemOf(t, await app.inject('/fits'), 401).type, '/problems/external-authentication-required')
  const refused = logs.problems().filter((l) => l.problem === 'internal_error')
  t.equal(refused.length, 2)
  t.match(refused[0], { err: { code: 'FST_PROBLEM_INVALID_MEMBER', message: new RegExp(`over the limit of ${MAX_MEMBERS_LENGTH}`) } })
})

t.test('validation issues built from long body keys are bounded', async (t) => {
  const { app } = await build(t, {
    routes: (app) => {
      app.post('/strict', { schema: { body: { type: 'object', additionalProperties: { type: 'integer' } } } }, async () => ({ ok: true }))
    }
  })
  const key = 'k'.repeat(100_000)
  const res = await app.inject({ method: 'POST', url: '/strict', payload: { [key]: 'not an integer' } })
  const body = problemOf(t, res, 400)
  const [issue] = body.errors as Array<{ pointer: string }>
  t.equal(issue.pointer.length, MAX_ISSUE_LENGTH)
  t.match(issue.pointer, /^#\/kkk.*…$/)
})

t.test('control characters and invalid UTF-16 come out as valid JSON', async (t) => {
  const nasty = 'a\u0000b\u0001\u001f\u007f\n\r\t"\\\u2028\u2029\ud800x\udfff\ud83d\ude00</script>'
  const { port, check } = await listening(t, (app) => {
    app.get('/detail', async () => { throw new ProblemError('invalid_request', { detail: nasty }) })
    app.get('/member', async (_req, reply) => reply.problem('integration_not_configured', { integration_name: nasty }))
    app.get('/http', async () => { throw Object.assign(new Error(nasty), { statusCode: 422 }) })
    app.get(`/p${encodeURIComponent('\u0000\ud83d\ude00')}`, async () => { throw new ProblemError('conflict') })
  })
  const agent = keepAliveAgent()
  t.teardown(() => agent.destroy())
  for (const path of ['/detail', '/member', '/http', '/p%00%F0%9F%98%80', '/nowhere%00%E2%80%A8']) {
    const res = await send(agent, port, 'GET', path)
    const { broken, body } = check(res)
    t.strictSame(broken, [], path)
    t.ok(body !== undefined, `${path}: the body parses`)
    t.ok(Buffer.from(res.body.toString('utf8'), 'utf8').equals(res.body), `${path}: the body is well-formed UTF-8`)
  }
  const member = check(await send(agent, port, 'GET', '/member')).body
  t.equal(member?.integration_name, nasty, 'every character round-trips: lone surrogates are escaped as \\uXXXX, never written raw')
  // a URL that is not valid UTF-8 percent-encoding is answered by Fastify itself, before routing (see docs/security.md)
  for (const path of ['/p%ED%A0%80', '/%C0%AF', '/%FF%FE']) {
    const res = await send(agent, port, 'GET', path)
    t.equal(res.status, 400, path)
    t.doesNotThrow(() => JSON.parse(res.body.toString('utf8')), `${path}: valid JSON`)
  }
})

t.test('header values the plugin sets can never carry injected characters', async (t) => {
  const { port } = await listening(t, (app) => {
    app.get('/retry/:n', async (request) => {
      const values: unknown[] = [NaN, -1, 1.5, 2 ** 40, '60\r\nx-injected: 1', 'Fri, 07 Nov 2025 10:00:00 GMT\r\nx-injected: 1', 60]
      throw new ProblemError('resource_unavailable', { retryAfter: values[Number((request.params as { n: string }).n)] as number })
    })
    app.get('/headers', async () => {
      throw new ProblemError('conflict', {
        headers: {
          'retry-after': '1\r\nx-injected: 1',
          'x-ok': 'fine',
          'x-crlf': 'a\r\nx-injected: 1',
          'x-lf': 'a\nx-injected: 1',
          'x-nul': 'a\u0000b',
          'x-del': 'a\u007fb',
          'x-unicode': 'caf\u00e9\u2028',
          'x injected': 'v',
          'x-injected:': 'v',
          'set-cookie': 'session=1',
          'content-type': 'text/html',
          'content-length': '0',
          'transfer-encoding': 'chunked',
          connection: 'upgrade',
          'x-array': ['ok', 'b\r\nx-injected: 1'],
          'x-long': 'l'.repeat(10_000),
          'x-number': 7
        } as never
      })
    })
    app.get('/http', async () => {
      throw Object.assign(new Error('x'), { statusCode: 429, headers: { 'retry-after': '5\r\nx-injected: 1', 'x-rate': '0\r\nx-injected: 1', location: '/ok' } })
    })
  })
  for (let n = 0; n < 7; n++) {
    const { raw } = await rawExchange(port, `GET /retry/${n} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
    const [res] = responsesOf(raw)
    t.equal(res.status, 503)
    t.notMatch(raw.toString('latin1'), /x-injected/i, `retryAfter case ${n}`)
    t.match(res.headers['retry-after'] ?? '', /^\d*$/, `retryAfter case ${n}: digits only, or absent`)
  }
  t.equal(responsesOf((await rawExchange(port, 'GET /retry/6 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).raw)[0].headers['retry-after'], '60')

  const { raw } = await rawExchange(port, 'GET /headers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  const text = raw.toString('latin1')
  const [res] = responsesOf(raw)
  t.notMatch(text, /x-injected/i)
  t.equal(res.headers['x-ok'], 'fine')
  t.equal(res.headers['x-number'], '7')
  t.equal(res.headers['content-type'], 'application/problem+json')
  for (const name of ['retry-after', 'x-crlf', 'x-lf', 'x-nul', 'x-del', 'x-unicode', 'set-cookie', 'transfer-encoding', 'x-array', 'x-long']) t.notOk(name in res.headers, `${name} is dropped`)
  t.not(res.headers.connection, 'upgrade')
  t.equal(JSON.parse(res.body.toString()).type, '/problems/conflict')

  const http = responsesOf((await rawExchange(port, 'GET /http HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).raw)[0]
  t.equal(http.status, 429)
  t.notMatch(http.rawHeaders.join('\n'), /x-injected/i)
  t.equal(http.headers.location, undefined, 'a thrown error may not send location (the header policy)')
})

t.test('instance never includes the query string', async (t) => {
  const { port, check, logs } = await listening(t, (app) => {
    app.get('/items/:id', async () => { throw new ProblemError('resource_not_found', { detail: 'no such item' }) })
  })
  const cases: Array<[string, string]> = [
    ['/items/1?token=SECRET', '/items/1'],
    ['/items/1?', '/items/1'],
    ['/items/1?a=1?b=SECRET', '/items/1'],
    ['/items/%3F?x=SECRET', '/items/%3F'],
    ['/nowhere?api_key=SECRET', '/nowhere'],
    ['/nowhere/?a=SECRET#frag', '/nowhere/'],
    ['/' + 'a'.repeat(5000) + '?k=SECRET', '/' + 'a'.repeat(2046) + '…']
  ]
  const agent = keepAliveAgent()
  t.teardown(() => agent.destroy())
  for (const [path, instance] of cases) {
    const res = await send(agent, port, 'GET', path)
    t.strictSame(check(res, { instance, forbidden: ['SECRET'] }).broken, [], path)
  }
  // absolute-form request target
  const [absolute] = responsesOf((await rawExchange(port, 'GET http://x/items/2?token=SECRET HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).raw)
  t.strictSame(check(absolute, { forbidden: ['SECRET'] }).broken, [])
  t.notOk(logs.problems().some((l) => JSON.stringify(l.msg).includes('SECRET')), 'the log message does not repeat the query either')
})

t.test('malformed requests from a raw socket end as problems or clean closes', async (t) => {
  const { port, check, app } = await listening(t, (app) => {
    app.post('/json', { bodyLimit: 1024 }, async (request) => ({ got: request.body }))
    app.get('/ok', async () => ({ ok: true }))
  })
  const head = (extra: string) => `POST /json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${extra}\r\n`
  const exchanges: Array<{ name: string, parts: string[], status?: number }> = [
    { name: 'bad JSON', parts: [head('Content-Type: application/json\r\nContent-Length: 9\r\n'), '{"a":1,,}'], status: 400 },
    { name: 'empty JSON body', parts: [head('Content-Type: application/json\r\nContent-Length: 0\r\n')], status: 400 },
    { name: 'content length shorter than the body', parts: [head('Content-Type: application/json\r\nContent-Length: 4\r\n'), '{"a":12345}'] },
    { name: 'content length longer than the body, then the client half-closes', parts: [head('Content-Type: application/json\r\nContent-Length: 400\r\n'), '{"a":1}'] },
    { name: 'a content length that is not a number', parts: [head('Content-Type: application/json\r\nContent-Length: ten\r\n'), '{}'] },
    { name: 'two different content lengths', parts: [head('Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n'), '{}'] },
    { name: 'unsupported media type', parts: [head('Content-Type: application/xml\r\nContent-Length: 7\r\n'), '<a></a>'], status: 415 },
    { name: 'a body over the limit', parts: [head('Content-Type: application/json\r\nContent-Length: 2000\r\n'), '"' + 'x'.repeat(1998) + '"'], status: 413 },
    { name: 'a bad content type header', parts: [head('Content-Type: ;;;\r\nContent-Length: 2\r\n'), '{}'] },
    { name: 'a percent-encoding that is not UTF-8', parts: ['GET /%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'] },
    { name: 'many headers within the limits', parts: [`GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${Array.from({ length: 500 }, (_, i) => `x-h${i}: ${i}\r\n`).join('')}\r\n`], status: 404 },
    { name: 'headers over Node\'s size limit', parts: [`GET /ok HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 2000 }, (_, i) => `x-h${i}: ${'v'.repeat(20)}\r\n`).join('')}\r\n`] },
    { name: 'a request line that is not HTTP', parts: ['HELLO\r\n\r\n'] },
    { name: 'a bare LF in a header', parts: ['GET /ok HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n'] }
  ]
  const summary: string[] = []
  for (const exchange of exchanges) {
    const parts = [...exchange.parts]
    const { raw } = await rawExchange(port, ...parts)
    t.pass(`${exchange.name}: the connection ends`)
    const responses = responsesOf(raw)
    if (exchange.status !== undefined) {
      t.ok(responses.length >= 1, `${exchange.name}: answered`)
      t.strictSame(check(responses[0], { status: exchange.status }).broken, [], `${exchange.name}: a valid problem`)
    }
    for (const res of responses) {
      // a request Node cannot parse never reaches Fastify's routing: Fastify answers it on the socket and closes
      const problem = res.headers['content-type'] === 'application/problem+json'
      if (problem) t.strictSame(check(res).broken, [], `${exchange.name}: every problem is valid`)
      else t.ok(res.status === 400 || res.status === 431 || res.status === 200, `${exchange.name}: ${res.status} from the HTTP parser, then a close`)
      t.notMatch(res.body.toString('utf8'), /\n\s+at |node:internal/, `${exchange.name}: no stack frame`)
      summary.push(`${exchange.name}: ${res.status} ${problem ? 'problem' : String(res.headers['content-type'])}`)
    }
    if (responses.length === 0) summary.push(`${exchange.name}: clean close`)
  }
  t.comment(summary.join('\n'))
  const agent = keepAliveAgent()
  t.teardown(() => agent.destroy())
  t.equal((await send(agent, port, 'GET', '/ok')).status, 200, 'the server keeps serving')
  t.ok(app.server.listening)
})

t.test('odd validation items and hostile header objects are read defensively', async (t) => {
  const hostileHeaders = new Proxy({}, { ownKeys () { throw new Error('trap') } })
  const { app } = await build(t, {
    routes: (app) => {
      app.get('/odd', async () => {
        throw Object.assign(new Error('bad query'), { statusCode: 400, validationContext: 'querystring', validation: [{ message: 5, instancePath: 7 }, null] })
      })
      app.get('/headers', async () => { throw Object.assign(new Error('x'), { statusCode: 409, headers: hostileHeaders }) })
    }
  })
  const body = problemOf(t, await app.inject('/odd'), 400)
  t.strictSame(body.errors, [{ detail: 'is invalid', parameter: '' }, { detail: 'is invalid', parameter: '' }])
  t.equal(problemOf(t, await app.inject('/headers'), 409).type, '/problems/conflict')
})
