import t from 'tap'
import Fastify from 'fastify'
import swagger from '@fastify/swagger'
import problemDetails, { builtinCatalog, FST_PROBLEM_INVALID_OPTION } from '../lib/index.ts'
import { prefersHtml } from '../lib/docs/serve.ts'
import { build, problemOf } from './helper.ts'

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'

t.test('a type URI answers a JSON client with the machine-readable description of its code', async (t) => {
  const { app } = await build(t, { plugin: { serveDocs: true } })
  const res = await app.inject({ url: '/problems/external-authentication-required', headers: { accept: 'application/json' } })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  t.equal(res.headers.vary, 'Accept')
  const body = res.json()
  t.match(body, {
    code: 'external_authentication_required',
    type: '/problems/external-authentication-required',
    title: builtinCatalog.external_authentication_required.title,
    status: 401,
    retryable: false,
    category: 'user',
    summary: builtinCatalog.external_authentication_required.summary,
    members: { provider: { type: 'string' } },
    links: { index: '/problems/', page: '/problems/external-authentication-required' }
  })
  t.strictSame(body.occurs, builtinCatalog.external_authentication_required.occurs)
  t.strictSame(Object.keys(body.schema.properties).slice(-3), ['provider', 'auth_url', 'inaccessible_repos'])
  t.match(body.example, { type: '/problems/external-authentication-required', provider: 'github' })
  // without any Accept header, JSON too
  t.equal((await app.inject('/problems/conflict')).headers['content-type'], 'application/json; charset=utf-8')
})

t.test('a type URI answers a browser with a self-contained HTML page', async (t) => {
  const { app } = await build(t, { plugin: { serveDocs: true } })
  const res = await app.inject({ url: '/problems/internal-error', headers: { accept: BROWSER_ACCEPT } })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'text/html; charset=utf-8')
  t.match(res.headers['content-security-policy'], "default-src 'none'; style-src 'unsafe-inline'")
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.match(res.body, '<h1 id="code">internal_error</h1>')
  t.match(res.body, 'HTTP 500 Internal Server Error')
  t.match(res.body, '&#34;trace_id&#34;: &#34;4bf92f3577b34da6a3ce929d0e0e4736&#34;')
  t.notMatch(res.body, /<script|<link|@import|url\(|src=/, 'no external resources and no scripts')
})

t.test('the index lists every code, as JSON and as HTML', async (t) => {
  const { app } = await build(t, { plugin: { serveDocs: true } })
  const json = await app.inject({ url: '/problems/', headers: { accept: 'application/json' } })
  t.equal(json.statusCode, 200)
  t.strictSame(json.json().codes.map((c: { code: string }) => c.code), Object.keys(builtinCatalog))
  t.match(json.json().codes[0], { code: 'insufficient_credits', type: '/problems/insufficient-credits', status: 403, href: '/problems/insufficient-credits' })
  const html = await app.inject({ url: '/problems/', headers: { accept: BROWSER_ACCEPT } })
  t.equal(html.headers['content-type'], 'text/html; charset=utf-8')
  for (const code of Object.keys(builtinCatalog)) t.match(html.body, `<a href="/problems/${code.replaceAll('_', '-')}"><code>${code}</code></a>`)
})

t.test('an unknown slug under the type base is a resource_not_found problem', async (t) => {
  const { app } = await build(t, { plugin: { serveDocs: true } })
  const body = problemOf(t, await app.inject({ url: '/problems/no-such-code', headers: { accept: BROWSER_ACCEPT } }), 404)
  t.equal(body.type, '/problems/resource-not-found')
})

t.test('catalog text is escaped in the HTML pages', async (t) => {
  const catalog = {
    hostile: {
      status: 400,
      title: 'Bad <script>alert("t")</script> & \'quotes\'',
      retryable: false,
      category: 'user',
      summary: 'Use `<b>code</b>` here.',
      occurs: ['<img src=x onerror=alert(1)>'],
      resolve: ['fine'],
      details: { '<i>label</i>': '<u>value</u>' },
      members: { note: { type: 'string', description: '<em>meaning</em>' } },
      related: [
        { title: 'Evil', url: 'java\tscript:alert(1)' },
        { title: 'Good', url: 'https://example.com/?a=1&b="2"' },
        { title: 'Relative', url: '../guide' }
      ]
    }
  } as const
  const { app } = await build(t, { plugin: { serveDocs: true, catalog } })
  const page = (await app.inject({ url: '/problems/hostile', headers: { accept: 'text/html' } })).body
  t.notMatch(page, /<script|<img|<i>|<u>|<em>|<b>/)
  t.match(page, 'Bad &#60;script&#62;alert(&#34;t&#34;)&#60;/script&#62; &#38; &#39;quotes&#39;')
  t.match(page, 'Use <code>&#60;b&#62;code&#60;/b&#62;</code> here.')
  t.match(page, 'Evil (<code>java\tscript:alert(1)</code>)', 'a javascript: link is shown, not linked')
  t.match(page, '<a href="https://example.com/?a=1&#38;b=&#34;2&#34;">Good</a>')
  t.match(page, '<a href="../guide">Relative</a>')
  const index = (await app.inject({ url: '/problems/', headers: { accept: 'text/html' } })).body
  t.notMatch(index, '<script>')
})

t.test('serveDocs needs a relative typeBase, and says so', async (t) => {
  for (const typeBase of ['https://docs.example.com/errors/', '//cdn.example.com/errors/', 'urn:problem:', '/problems#']) {
    const app = Fastify()
    t.teardown(() => app.close())
    await t.rejects(async () => { await app.register(problemDetails, { serveDocs: true, typeBase }) }, new FST_PROBLEM_INVALID_OPTION('serveDocs', `needs a relative typeBase that starts and ends with "/" (such as "/problems/") so the service can answer its own type URIs; typeBase is ${JSON.stringify(typeBase)}`))
  }
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(async () => { await app.register(problemDetails, { serveDocs: 'yes' as unknown as boolean }) }, { code: 'FST_PROBLEM_INVALID_OPTION', message: /option "serveDocs" must be true or false/ })
})

t.test('serveDocs is off by default, and its routes stay out of the OpenAPI document', async (t) => {
  const { app } = await build(t)
  problemOf(t, await app.inject('/problems/conflict'), 404)
  const withDocs = Fastify()
  t.teardown(() => withDocs.close())
  await withDocs.register(swagger, { openapi: { info: { title: 't', version: '1' } } })
  await withDocs.register(problemDetails, { serveDocs: true, typeBase: '/errors/' })
  await withDocs.ready()
  t.strictSame(Object.keys((withDocs.swagger() as { paths?: object }).paths ?? {}), [])
  t.equal((await withDocs.inject('/errors/conflict')).json().type, '/errors/conflict')
})

t.test('content negotiation follows the quality values of Accept', async (t) => {
  t.equal(prefersHtml(undefined), false)
  t.equal(prefersHtml(''), false)
  t.equal(prefersHtml('*/*'), false)
  t.equal(prefersHtml('application/json'), false)
  t.equal(prefersHtml('text/html'), true)
  t.equal(prefersHtml(BROWSER_ACCEPT), true)
  t.equal(prefersHtml('text/*'), true)
  t.equal(prefersHtml('text/html;q=0.5, application/json'), false)
  t.equal(prefersHtml('text/html, application/json;q=0.9'), true)
  t.equal(prefersHtml('text/html;q=0'), false)
  t.equal(prefersHtml('text/html;q=oops'), false)
  t.equal(prefersHtml('application/*;q=0.9, text/html;level=1'), true)
})
