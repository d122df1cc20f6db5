import t from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { DOMParser } from '@xmldom/xmldom'
import { build, logCollector } from './helper.ts'
import { keepAliveAgent, problemChecker, send, XML_NAMESPACE, type WireResponse } from './property-invariants.ts'
import problemDetails, { builtinCatalog, PROBLEM_CONTENT_TYPE, PROBLEM_MEDIA_TYPE, PROBLEM_XML_MEDIA_TYPE, PROBLEM_XML_NAMESPACE, ProblemError, type ProblemDetailsOptions } from '../lib/index.ts'

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7'
const REPOS = { provider: 'github', auth_url: 'https://auth.example.com/connect/github', inaccessible_repos: ['acme/payments', 'acme/<ledger> & co'] }

/** The plugin on a listening server; `url(path)` for fetch. */
async function serve (t: Parameters<typeof build>[0], routes: (app: FastifyInstance) => void, plugin: ProblemDetailsOptions = {}) {
  const built = await build(t, { plugin, routes })
  await built.app.listen({ port: 0, host: '127.0.0.1' })
  const port = (built.app.server.address() as AddressInfo).port
  return { ...built, port, url: (path: string) => `http://127.0.0.1:${port}${path}`, check: problemChecker(built.app) }
}

/** A fetch response as the shared checker reads it. */
async function wire (res: Response): Promise<WireResponse> {
  const rawHeaders: string[] = []
  const headers: Record<string, string> = {}
  res.headers.forEach((value, name) => { rawHeaders.push(name, value); headers[name] = value })
  return { status: res.status, headers, rawHeaders, body: Buffer.from(await res.arrayBuffer()) }
}

function parseXml (text: string) {
  return new DOMParser({ onError: (level, message) => { if (level !== 'warning') throw new Error(message) } }).parseFromString(text, 'application/xml')
}

function failingRoutes (app: FastifyInstance) {
  app.get('/repos', async () => { throw new ProblemError('external_authentication_required', { detail: 'Connect GitHub first.', ...REPOS }) })
  app.get('/boom', async () => { throw new Error('database connection lost') })
}

t.test('problems are sent as exactly application/problem+json, with no charset', async (t) => {
  const { url } = await serve(t, failingRoutes)
  t.equal(PROBLEM_CONTENT_TYPE, 'application/problem+json')
  t.equal(PROBLEM_MEDIA_TYPE, 'application/problem+json')
  for (const path of ['/repos', '/boom', '/nowhere']) {
    const res = await fetch(url(path))
    t.equal(res.headers.get('content-type'), 'application/problem+json', path)
    t.equal(res.headers.get('vary'), 'Accept', `${path}: the form depends on Accept`)
    t.equal(res.headers.get('cache-control'), 'no-store', `${path}: never cached`)
    t.equal(Number(res.headers.get('content-length')), Buffer.byteLength(await res.text()), `${path}: content-length of the problem itself`)
  }
})

t.test('every Accept gets a problem in a form it declares and that validates, never a 406', async (t) => {
  const { url, port, check } = await serve(t, failingRoutes)
  const variants: Array<[string, string]> = [
    ['*/*', 'application/problem+json'],
    ['application/*', 'application/problem+json'],
    [BROWSER, 'application/problem+json'],
    ['application/json', 'application/json'],
    ['application/json, text/plain, */*', 'application/problem+json'],
    ['application/problem+json', 'application/problem+json'],
    ['application/problem+xml', 'application/problem+xml'],
    ['application/problem+xml;q=0.9, application/json;q=0.5', 'application/problem+xml'],
    ['image/png', 'application/problem+json'],
    ['application/vnd.x+json', 'application/problem+json'],
    ['text/html', 'application/problem+json']
  ]
  for (const path of ['/repos', '/boom', '/nowhere']) {
    // 1. no Accept at all (fetch always sends one, so plain node:http)
    const agent = keepAliveAgent()
    const none = await send(agent, port, 'GET', path)
    agent.destroy()
    t.strictSame(check(none, { contentType: 'application/problem+json', instance: path }).broken, [], `${path} without Accept`)
    // 2. each Accept, over fetch
    const documents = new Map<string, unknown>()
    for (const [accept, expected] of variants) {
      const res = await wire(await fetch(url(path), { headers: { accept } }))
      const { broken, body } = check(res, { contentType: expected, instance: path })
      t.strictSame(broken, [], `${path} with Accept ${accept}`)
      documents.set(expected, body)
    }
    // 3. the three forms carry the same document
    t.strictSame(documents.get('application/json'), documents.get('application/problem+json'), `${path}: application/json is the same document`)
    t.strictSame(documents.get('application/problem+xml'), documents.get('application/problem+json'), `${path}: the XML form reads back as the same document`)
  }
})

t.test('the XML form follows RFC 9457 appendix B', async (t) => {
  const { url } = await serve(t, failingRoutes)
  const res = await fetch(url('/repos?token=secret'), { headers: { accept: PROBLEM_XML_MEDIA_TYPE } })
  t.equal(res.status, 401)
  t.equal(res.headers.get('content-type'), 'application/problem+xml')
  const text = await res.text()
  t.ok(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<problem xmlns="urn:ietf:rfc:7807">'), 'declaration, then the root in the namespace')
  t.equal(PROBLEM_XML_NAMESPACE, XML_NAMESPACE)
  const root = parseXml(text).documentElement
  t.equal(root?.localName, 'problem')
  t.equal(root?.namespaceURI, 'urn:ietf:rfc:7807')
  const members = (name: string) => root?.getElementsByTagNameNS(XML_NAMESPACE, name)[0]
  t.equal(members('type')?.textContent, '/problems/external-authentication-required')
  t.equal(members('status')?.textContent, '401')
  t.equal(members('detail')?.textContent, 'Connect GitHub first.')
  t.equal(members('instance')?.textContent, '/repos', 'no query string')
  t.equal(members('retryable')?.textContent, 'false')
  const repos = members('inaccessible_repos')
  t.strictSame(Array.from(repos?.getElementsByTagNameNS(XML_NAMESPACE, 'i') ?? [], (i) => i.textContent), REPOS.inaccessible_repos, 'arrays as <i> elements, escaped')
  t.match(text, '<i>acme/&lt;ledger&gt; &amp; co</i>')
})

t.test('the XML form writes member names that are not XML names safely, and nested objects as elements', async (t) => {
  const catalog = {
    odd_members: {
      status: 422,
      title: 'Odd members.',
      retryable: false,
      category: 'user',
      members: {
        $limit: { type: 'integer' },
        xmlns: { type: 'string' },
        _x20: { type: 'string' },
        window: { type: 'object', properties: { '<from>': { type: 'string' }, '1st:to': { type: 'string' } } },
        tags: { type: 'array', items: { type: 'array', items: { type: 'string' } } }
      }
    }
  } as const
  const members = { $limit: 3, xmlns: 'http://evil.example/', _x20: 'a & b', window: { '<from>': 'mon', '1st:to': 'fri' }, tags: [['x', 'y'], []] }
  const { url, check } = await serve(t, (app) => {
    // a code of this test's own catalog, which the type registry does not know
    app.get('/odd', async (_request, reply) => reply.problem('odd_members' as never, members as never))
  }, { catalog })
  const json = await wire(await fetch(url('/odd')))
  const xml = await wire(await fetch(url('/odd'), { headers: { accept: 'application/problem+xml' } }))
  const fromJson = check(json, { status: 422 })
  const fromXml = check(xml, { status: 422, contentType: 'application/problem+xml' })
  t.strictSame([fromJson.broken, fromXml.broken], [[], []])
  t.match(fromJson.body, members)
  t.strictSame(fromXml.body, fromJson.body, 'the XML form reads back as the JSON document')
  const text = xml.body.toString()
  t.match(text, '<_x0024_limit>3</_x0024_limit><_x0078_mlns>http://evil.example/</_x0078_mlns><_x005F_x20>a &amp; b</_x005F_x20>')
  t.match(text, '<window><_x003C_from_x003E_>mon</_x003C_from_x003E_><_x0031_st_x003A_to>fri</_x0031_st_x003A_to></window><tags><i><i>x</i><i>y</i></i><i></i></tags>')
  t.equal(parseXml(text).documentElement?.getAttribute('xmlns'), 'urn:ietf:rfc:7807', 'a member named xmlns cannot change the namespace')
})

t.test('an instance-wide reply serializer never touches a problem either', async (t) => {
  const { url, check } = await serve(t, (app) => {
    app.register(async function enveloped (scope) {
      scope.setReplySerializer((payload) => JSON.stringify({ data: payload }))
      scope.get('/wrapped', async () => { throw new ProblemError('conflict') })
    })
  })
  const res = await wire(await fetch(url('/wrapped')))
  const { broken, body } = check(res, { status: 409 })
  t.strictSame(broken, [])
  t.equal(body?.type, '/problems/conflict')
})

t.test('with problemXml off, a client that prefers XML gets problem+json', async (t) => {
  const { url, check } = await serve(t, failingRoutes, { problemXml: false })
  const res = await wire(await fetch(url('/repos'), { headers: { accept: 'application/problem+xml' } }))
  t.strictSame(check(res, { contentType: 'application/problem+json', status: 401 }).broken, [])
})

t.test('a Vary the route set is kept, with Accept appended once', async (t) => {
  const { url } = await serve(t, (app) => {
    app.get('/origin', async (_request, reply) => { reply.header('vary', 'Origin'); throw new Error('x') })
    app.get('/accept', async (_request, reply) => { reply.header('vary', 'accept-encoding, Accept'); throw new Error('x') })
    app.get('/star', async (_request, reply) => { reply.header('vary', '*'); throw new Error('x') })
    app.get('/raw', async (_request, reply) => { reply.raw.setHeader('vary', ['Origin', 'Cookie']); throw new Error('x') })
    app.get('/own', async () => { throw new ProblemError('conflict', { headers: { vary: 'Accept-Language' } }) })
    app.get('/both', async (_request, reply) => { reply.header('vary', 'Origin'); throw new ProblemError('conflict', { headers: { vary: 'Accept-Language' } }) })
    app.get('/same', async (_request, reply) => { reply.header('vary', 'Origin'); throw new ProblemError('conflict', { headers: { vary: 'Origin' } }) })
    app.get('/blank', async (_request, reply) => { reply.header('vary', ' '); throw new ProblemError('conflict', { headers: { vary: '' } }) })
  })
  const expected: Record<string, string> = {
    '/origin': 'Origin, Accept',
    '/accept': 'accept-encoding, Accept',
    '/star': '*',
    '/raw': 'Origin, Cookie, Accept',
    '/own': 'Accept-Language, Accept',
    '/both': 'Origin, Accept-Language, Accept',
    '/same': 'Origin, Accept',
    '/blank': 'Accept'
  }
  for (const [path, vary] of Object.entries(expected)) t.equal((await fetch(url(path))).headers.get('vary'), vary, path)
})

t.test('a route serializer (CSV, an envelope) and response schemas never touch a problem', async (t) => {
  const { url, check } = await serve(t, (app) => {
    const schema = { response: { 200: { type: 'array' }, '4xx': { type: 'object', properties: { message: { type: 'string' } } }, 500: { type: 'object', properties: { ok: { type: 'boolean' } } } } }
    app.get('/report.csv', { schema }, async (request, reply) => {
      reply.type('text/csv').serializer(function toCsv (rows: unknown) {
        if (!Array.isArray(rows)) throw new TypeError('rows must be an array')
        return rows.join('\n')
      })
      const how = (request.query as { how?: string }).how
      if (how === 'throw') throw new ProblemError('conflict', { detail: 'The report is being rebuilt.' })
      if (how === 'crash') throw new Error('disk full')
      return reply.problem('conflict', { detail: 'The report is being rebuilt.' })
    })
    app.get('/envelope', async (_request, reply) => {
      reply.serializer((payload: unknown) => JSON.stringify({ data: payload }))
      throw new ProblemError('conflict', { detail: 'The report is being rebuilt.' })
    })
  })
  const title = builtinCatalog.conflict.title
  const conflict = { type: '/problems/conflict', title, status: 409, detail: 'The report is being rebuilt.', error: `${title} (The report is being rebuilt.)`, retryable: builtinCatalog.conflict.retryable }
  for (const [path, accept] of [['/report.csv', 'text/csv'], ['/report.csv?how=throw', 'text/csv'], ['/report.csv?how=throw', 'application/problem+xml'], ['/envelope', '*/*']]) {
    const res = await wire(await fetch(url(path), { headers: { accept } }))
    const { broken, body } = check(res, { status: 409 })
    t.strictSame(broken, [], `${path} (${accept})`)
    t.match(body, { ...conflict, instance: path.split('?')[0] }, `${path}: the whole document, not the serializer's or the schema's`)
  }
  const crash = await wire(await fetch(url('/report.csv?how=crash')))
  t.strictSame(check(crash, { status: 500 }).broken, [], 'a 500 with a 500 response schema is still the problem')
  t.notMatch(crash.body.toString(), /rows must be an array|disk full/)
})

t.test('representation and caching headers of the failed response never reach the problem', async (t) => {
  const { url, check } = await serve(t, (app) => {
    app.get('/report', async (_request, reply) => {
      // 1. the route prepares its success, 2. then fails
      reply.header('etag', '"v42"').header('last-modified', 'Wed, 01 Jan 2025 00:00:00 GMT').header('cache-control', 'public, max-age=31536000, immutable')
        .header('expires', 'Thu, 01 Jan 2099 00:00:00 GMT').header('cdn-cache-control', 'max-age=600').header('surrogate-control', 'max-age=600')
        .header('content-disposition', 'attachment; filename="report.pdf"').header('content-language', 'de').header('content-location', '/report.pdf')
        .header('content-range', 'bytes 0-99/1000').header('content-digest', 'sha-256=:x:').header('x-request-id', 'req-1').header('set-cookie', 'seen=1')
      reply.raw.setHeader('content-encoding', 'br')
      throw new Error('renderer crashed')
    })
    app.get('/problem', async (_request, reply) => {
      reply.header('etag', '"v1"').header('cache-control', 'max-age=60').header('content-encoding', 'gzip')
      return reply.problem('resource_not_found', { detail: 'No such report.' })
    })
  })
  for (const path of ['/report', '/problem']) {
    const res = await wire(await fetch(url(path)))
    t.strictSame(check(res).broken, [], path)
    for (const name of ['etag', 'last-modified', 'expires', 'cdn-cache-control', 'surrogate-control', 'content-disposition', 'content-language', 'content-location', 'content-range', 'content-digest', 'content-encoding']) {
      t.equal(res.headers[name], undefined, `${path}: no ${name}`)
    }
    t.equal(res.headers['cache-control'], 'no-store', `${path}: never cached`)
  }
  const report = await fetch(url('/report'))
  t.equal(report.headers.get('x-request-id'), 'req-1', 'headers that are not about the payload stay')
  t.equal(report.headers.get('set-cookie'), 'seen=1')
})

t.test('an error carrying content-encoding in its headers gets a plain, readable problem; its other headers are not sent either', async (t) => {
  const { url, check } = await serve(t, (app) => {
    app.get('/gone', async () => {
      throw Object.assign(new Error('Der Bericht ist weg.'), {
        statusCode: 410,
        headers: { 'content-encoding': 'gzip', etag: '"e"', 'content-range': 'bytes */10', 'last-modified': 'Wed, 01 Jan 2025 00:00:00 GMT', 'content-language': 'de', 'cache-control': 'max-age=300', 'x-reason': 'purged' }
      })
    })
  })
  const res = await wire(await fetch(url('/gone')))
  const { broken, body } = check(res, { status: 410 })
  t.strictSame(broken, [], 'fetch could read the body: it is not announced as gzip')
  t.match(body, { type: 'about:blank', title: 'Gone', detail: 'Der Bericht ist weg.' })
  t.equal(res.headers['content-encoding'], undefined)
  t.equal(res.headers.etag, undefined)
  t.equal(res.headers['content-range'], undefined)
  t.equal(res.headers['last-modified'], undefined)
  // a thrown error's headers go through the policy: none of these is one a problem may take from it
  t.equal(res.headers['content-language'], undefined)
  t.equal(res.headers['cache-control'], 'no-store')
  t.equal(res.headers['x-reason'], undefined)
})

t.test('a compressed static file that fails before its first byte is answered with a plain problem', async (t) => {
  const { url, check } = await serve(t, (app) => {
    app.get('/app.js', async (_request, reply) => {
      reply.header('content-encoding', 'gzip').header('etag', '"f1"').header('cache-control', 'public, max-age=86400').type('text/javascript')
      return reply.send(new Readable({ read () { this.destroy(Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT', statusCode: 404 })) } }))
    })
  })
  const res = await wire(await fetch(url('/app.js')))
  t.strictSame(check(res, { status: 404 }).broken, [])
  t.equal(res.headers.etag, undefined)
  t.equal(res.headers['cache-control'], 'no-store')
})

/**
 * Whether a GET completed or failed at the client. A response cut short fails either at its
 * headers (the connection closed before they were flushed) or while its body is read.
 */
async function outcome (url: string): Promise<'complete' | 'failed'> {
  try {
    await (await fetch(url)).arrayBuffer()
    return 'complete'
  } catch {
    return 'failed'
  }
}

/** A listening app whose `/half.js` starts a gzip response and fails midway; resolves `closed` when the response is closed. */
async function halfSent (t: Parameters<typeof build>[0], how: 'stream' | 'raw', logger?: object) {
  const logs = logCollector()
  const app = Fastify({ logger: logger ?? { level: 'info', stream: logs.stream } })
  t.teardown(() => app.close())
  await app.register(problemDetails)
  let closed: Promise<void> = Promise.resolve()
  const part = gzipSync(Buffer.from('console.log("hello");\n'.repeat(2000))).subarray(0, 64)
  app.get('/half.js', async (_request, reply) => {
    closed = new Promise((resolve) => reply.raw.once('close', resolve))
    if (how === 'stream') {
      let sent = false
      reply.header('content-encoding', 'gzip').type('text/javascript')
      return reply.send(new Readable({
        read () {
          if (sent) this.destroy(new Error('EIO: read failed'))
          else this.push(part)
          sent = true
        }
      }))
    }
    reply.raw.writeHead(200, { 'content-type': 'text/javascript', 'content-encoding': 'gzip' })
    reply.raw.write(part)
    throw new Error('EIO: read failed')
  })
  app.get('/after', async () => { throw new ProblemError('conflict') })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = (path: string) => `http://127.0.0.1:${(app.server.address() as AddressInfo).port}${path}`
  return { logs, url, closed: () => closed }
}

t.test('a half-sent compressed file that fails (stream): nothing crashes, the client sees the failure, one log line', async (t) => {
  const { logs, url, closed } = await halfSent(t, 'stream')
  // 1. headers and the first bytes went out, 2. the stream fails: Fastify closes the response and logs it
  t.equal(await outcome(url('/half.js')), 'failed', 'the response is cut short: the client knows it failed')
  await closed()
  const failures = logs.lines.filter((line) => line.level >= 40)
  t.equal(failures.length, 1, 'one log line')
  t.match(failures[0], { err: { message: 'EIO: read failed' } })
  t.equal(logs.problems().length, 0, 'the error handler never ran: nothing could be replaced')
  t.equal((await fetch(url('/after'))).status, 409, 'the service still answers')
})

t.test('a half-sent compressed file that fails (raw write, then throw): nothing crashes, the client sees the failure, one log line', async (t) => {
  const { logs, url, closed } = await halfSent(t, 'raw')
  t.equal(await outcome(url('/half.js')), 'failed', 'the response is cut short: the client knows it failed')
  await closed()
  const failures = logs.lines.filter((line) => line.level >= 40)
  t.equal(failures.length, 1, 'one log line')
  t.match(failures[0], { problem: 'internal_error', status: 500, response_started: true, err: { message: 'EIO: read failed' }, msg: /not sent: the response had already started/ })
  t.equal((await fetch(url('/after'))).status, 409, 'the service still answers')
})

t.test('a half-sent response whose problem line cannot be logged is still closed, and nothing crashes', async (t) => {
  const logs = logCollector()
  const logger = {
    level: 'info',
    stream: logs.stream,
    hooks: {
      logMethod (this: unknown, args: unknown[], method: (...a: unknown[]) => void) {
        const fields = args[0] as Record<string, unknown> | undefined
        if (fields?.response_started === true) throw new Error('logger refused')
        return method.apply(this, args)
      }
    }
  }
  const { url, closed } = await halfSent(t, 'raw', logger)
  t.equal(await outcome(url('/half.js')), 'failed')
  await closed()
  t.match(logs.problems(), [{ problem: 'internal_error', err: { code: 'FST_PROBLEM_SEND_FAILED' }, msg: 'problem could not be sent as classified' }], 'the last resort logs once')
  t.equal((await fetch(url('/after'))).status, 409, 'the service still answers')
})
