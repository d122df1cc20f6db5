import t, { type Test } from 'tap'
import Fastify from 'fastify'
import swagger from '@fastify/swagger'
import { Validator } from '@seriousme/openapi-schema-validator'
import problemDetails, { ProblemError, type ProblemCatalog } from '../lib/index.ts'
import { buildReference, contractOf, renderCodeHtml, renderIndexHtml, renderLockfile, renderMarkdownFiles } from '../lib/docs/index.ts'
import { build, problemOf } from './helper.ts'

const catalog = {
  old_quota: { status: 429, title: 'The old quota is used up.', retryable: true, category: 'user', deprecated: 'Use quota_exceeded instead.' },
  older_quota: { status: 429, title: 'The oldest quota is used up.', retryable: true, category: 'user', deprecated: true },
  quota_exceeded: { status: 429, title: 'The quota is used up.', retryable: true, category: 'user' }
} as const satisfies ProblemCatalog

t.test('deprecated is true or a message; anything else fails registration with a coded error', async (t) => {
  for (const deprecated of [false, '', '  ', 3, null, ['x']]) {
    const app = Fastify()
    t.teardown(() => app.close())
    app.register(problemDetails, { catalog: { gone: { status: 410, title: 'Gone.', retryable: false, category: 'user', deprecated: deprecated as true } } })
    await t.rejects(Promise.resolve(app.ready()), {
      code: 'FST_PROBLEM_INVALID_CATALOG_ENTRY',
      message: /catalog entry "gone" has "deprecated" .*: use true, or a message such as "Use quota_exceeded instead."/
    }, JSON.stringify(deprecated))
  }
})

t.test('a deprecated code is still sent as before', async (t) => {
  const { app } = await build(t, {
    plugin: { catalog },
    routes: (app) => { app.get('/old', async () => { throw new ProblemError('old_quota' as 'conflict') }) }
  })
  const body = problemOf(t, await app.inject('/old'), 429)
  t.match(body, { type: '/problems/old-quota', title: 'The old quota is used up.', status: 429 })
  t.notOk('deprecated' in body, 'deprecation is documentation, not a member of the problem')
})

t.test('the Markdown pages show the deprecation, with its message', async (t) => {
  const files = renderMarkdownFiles(buildReference({ catalog }))
  const old = files.get('old-quota.md') as string
  t.match(old, '# old_quota\n\n**The old quota is used up.**\n\n> **Deprecated.** This code is deprecated and may be removed in a future version. Use quota_exceeded instead.\n\n')
  t.match(files.get('older-quota.md'), '> **Deprecated.** This code is deprecated and may be removed in a future version.\n\n')
  t.notMatch(files.get('quota-exceeded.md'), 'Deprecated')
  const index = files.get('index.md') as string
  t.match(index, '| [`old_quota`](old-quota.md) (deprecated) | 429 |')
  t.match(index, '* [`older_quota`](older-quota.md) (deprecated): The oldest quota is used up.')
  t.match(index, '| [`quota_exceeded`](quota-exceeded.md) | 429 |')
})

t.test('the HTML pages and the served JSON show the deprecation', async (t) => {
  const reference = buildReference({ catalog })
  const links = { index: '/problems/', page: (slug: string) => `/problems/${slug}` }
  const page = renderCodeHtml(reference.pages.find((p) => p.code === 'old_quota') as (typeof reference.pages)[number], links)
  t.match(page, '<li>Deprecated</li>')
  t.match(page, '<p class="deprecated" id="deprecated"><strong>Deprecated.</strong> This code is deprecated and may be removed in a future version. Use quota_exceeded instead.</p>')
  t.notMatch(renderCodeHtml(reference.pages.find((p) => p.code === 'quota_exceeded') as (typeof reference.pages)[number], links), 'id="deprecated"')
  t.match(renderIndexHtml(reference.index, links), '<code>old_quota</code></a> <span class="muted">(deprecated)</span>')

  const { app } = await build(t, { plugin: { catalog, serveDocs: true } })
  t.equal((await app.inject({ url: '/problems/old-quota', headers: { accept: 'application/json' } })).json().deprecated, 'Use quota_exceeded instead.')
  t.equal((await app.inject({ url: '/problems/older-quota', headers: { accept: 'application/json' } })).json().deprecated, true)
  t.equal((await app.inject({ url: '/problems/quota-exceeded', headers: { accept: 'application/json' } })).json().deprecated, false)
  const listed = (await app.inject({ url: '/problems/', headers: { accept: 'application/json' } })).json().codes
  t.strictSame(listed.filter((code: { deprecated: unknown }) => code.deprecated !== false).map((code: { code: string }) => code.code), ['old_quota', 'older_quota'])
  const html = await app.inject({ url: '/problems/old-quota', headers: { accept: 'text/html' } })
  t.match(html.body, 'id="deprecated"')
})

async function openapiOf (t: Test, version: '3.0.3' | '3.1.0') {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(swagger, { openapi: { openapi: version, info: { title: 'test', version: '1.0.0' } } })
  await app.register(problemDetails, { catalog })
  app.get('/one', { config: { problems: ['old_quota' as 'conflict'] } }, async () => 'ok')
  app.get('/three', { config: { problems: ['quota_exceeded', 'old_quota', 'older_quota'] as unknown as Array<'conflict'> } }, async () => 'ok')
  await app.ready()
  return app.swagger() as any
}

for (const version of ['3.0.3', '3.1.0'] as const) {
  t.test(`OpenAPI ${version} responses mark deprecated codes, and the document stays valid`, async (t) => {
    const doc = await openapiOf(t, version)
    const result = await new Validator().validate(doc)
    t.ok(result.valid, JSON.stringify(result.errors ?? ''))
    const one = doc.paths['/one'].get.responses['429']
    t.equal(one.description, 'Too Many Requests: old_quota (The old quota is used up.; deprecated: Use quota_exceeded instead.)')
    t.equal(one.content['application/problem+json'].schema.allOf[1].deprecated, true)
    const three = doc.paths['/three'].get.responses['429']
    t.equal(three.description, 'Too Many Requests: quota_exceeded (The quota is used up.); or old_quota (The old quota is used up.; deprecated: Use quota_exceeded instead.); or older_quota (The oldest quota is used up.; deprecated)')
    t.strictSame(three.content['application/problem+json'].schema.oneOf.map((schema: any) => schema.allOf[1].deprecated), [undefined, true, true])
  })
}

t.test('the lockfile records the deprecation', async (t) => {
  const lockfile = renderLockfile(contractOf({ catalog }))
  t.match(lockfile, '"old_quota": {\n      "category": "user",\n      "deprecated": "Use quota_exceeded instead.",')
  t.match(lockfile, '"older_quota": {\n      "category": "user",\n      "deprecated": true,')
  t.match(lockfile, '"quota_exceeded": {\n      "category": "user",\n      "deprecated": false,')
})
