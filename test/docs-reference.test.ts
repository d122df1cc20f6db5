import t from 'tap'
import Fastify from 'fastify'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import problemDetails, { builtinCatalog } from '../lib/index.ts'
import { buildReference, renderMarkdownFiles } from '../lib/docs/index.ts'
import { renderCodeHtml, renderIndexHtml } from '../lib/docs/html.ts'
import { compareFiles } from '../lib/docs/files.ts'
import { describeType } from '../lib/docs/model.ts'
import { mdText, renderCodeMarkdown } from '../lib/docs/markdown.ts'

const docsDir = join(__dirname, '..', 'docs', 'errors')
const userCatalog = require('./fixtures/docs-catalog.js')
const incomplete = require('./fixtures/docs-incomplete-catalog.js')

/** The JSON of the first ```json block after a heading. */
function jsonAfter (markdown: string, heading: string): Record<string, unknown> {
  const rest = markdown.slice(markdown.indexOf(heading))
  const match = /```json\n([\s\S]*?)\n```/.exec(rest)
  return JSON.parse(match?.[1] ?? 'null')
}

t.test('docs/errors holds the index and one page per built-in code, as the command writes them now', async (t) => {
  const files = renderMarkdownFiles(await buildReference())
  t.equal(files.size, 17)
  t.strictSame(readdirSync(docsDir).filter((name) => name.endsWith('.md')).sort(), [...files.keys()].sort())
  t.strictSame(await compareFiles(docsDir, files), [], 'regenerate with: npx fastify-problem-details docs')
})

t.test('a hand-written file where a generated page belongs is reported as foreign', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'problem-docs-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'index.md'), '# Our own index\n')
  const files = new Map([['index.md', '<!-- generated -->\n'], ['conflict.md', '<!-- generated -->\n']])
  t.strictSame(await compareFiles(dir, files), [{ file: 'index.md', kind: 'foreign', reason: 'not written by the docs command (its first line is not the generated mark)' }, { file: 'conflict.md', kind: 'missing' }])
})

t.test('the drift check fails when a catalog title changes without regenerating', async (t) => {
  const changed = { conflict: { ...builtinCatalog.conflict, title: 'Someone else changed it first.' } }
  const files = renderMarkdownFiles(await buildReference({ catalog: changed }))
  t.strictSame(await compareFiles(docsDir, files), [{ file: 'index.md', kind: 'changed' }, { file: 'conflict.md', kind: 'changed' }])
  t.match(files.get('conflict.md'), '**Someone else changed it first.**')
})

t.test('the example on every page is the body the plugin sends for that code', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(problemDetails)
  app.get('/api/v1/tasks', async (request, reply) => {
    const code = (request.query as { code: keyof typeof builtinCatalog }).code
    const example = (builtinCatalog[code] as { example?: { detail?: string, members?: object } }).example
    return (reply.problem as any)(code, { detail: example?.detail, ...example?.members })
  })
  for (const code of Object.keys(builtinCatalog)) {
    const page = readFileSync(join(docsDir, `${code.replaceAll('_', '-')}.md`), 'utf8')
    const shown = jsonAfter(page, '## Example response')
    const res = await app.inject({ url: '/api/v1/tasks', query: { code } })
    t.equal(res.statusCode, shown.status, `${code}: status`)
    t.match(page, `Sent with status \`${res.statusCode} `)
    // the docs show a traced request; here no trace is active
    t.match(shown.trace_id, /^[0-9a-f]{32}$/)
    const { trace_id: _traceId, ...body } = shown
    t.strictSame(body, res.json(), `${code}: body`)
    t.same(Object.keys(body), Object.keys(res.json()), `${code}: member order`)
  }
})

t.test('a code page follows the reference layout, section by section', async (t) => {
  const page = readFileSync(join(docsDir, 'internal-error.md'), 'utf8')
  const headings = page.split('\n').filter((line) => line.startsWith('#'))
  t.strictSame(headings, ['# internal_error', '## Details', '## Extension members', '## When does this occur?', '## Example response', '## How to resolve', '## Related'])
  t.match(page, `**${builtinCatalog.internal_error.title}**`)
  t.match(page, '* **HTTP status:** `500 Internal Server Error`')
  t.match(page, '* **Retryable:** Yes (automatic)')
  t.match(page, '* **Category:** platform error')
  t.match(page, '1. Usually nothing: the request is retried automatically.')
  t.match(page, '* [All error codes](index.md)')
  t.match(readFileSync(join(docsDir, 'conflict.md'), 'utf8'), '* **Retryable:** Yes (the caller retries)')
})

t.test('the index explains the format, every member, the categories and links every code', async (t) => {
  const index = readFileSync(join(docsDir, 'index.md'), 'utf8')
  for (const member of ['type', 'title', 'status', 'detail', 'instance', 'error', 'retryable', 'trace_id', 'errors']) t.match(index, `| \`${member}\``)
  t.match(index, '### User errors')
  t.match(index, '### Platform errors')
  for (const [code, entry] of Object.entries(builtinCatalog)) {
    t.match(index, `| [\`${code}\`](${code.replaceAll('_', '-')}.md) | ${entry.status} | ${entry.retryable ? 'yes' : 'no'} | ${entry.category} |`)
  }
  t.match(jsonAfter(index, '## Response format'), { type: '/problems/invalid-request', detail: 'schedule_id is required' })
})

t.test('a user catalog with a custom code gets its page, members, details and links', async (t) => {
  const reference = await buildReference({ catalog: userCatalog, typeBase: 'https://docs.example.com/errors/' }, { instance: '/v2/orders' })
  t.strictSame(reference.gaps, [])
  const files = renderMarkdownFiles(reference)
  t.equal(files.size, 18)
  const page = files.get('quota-exceeded.md') as string
  t.match(page, '* **HTTP status:** `429 Too Many Requests`')
  t.match(page, '* **Retryable:** Yes (the caller retries)')
  t.match(page, '* **Type URI:** `https://docs.example.com/errors/quota-exceeded`')
  t.match(page, '* **Retry-After:** 60 seconds')
  t.match(page, '* **Counted per:** account')
  t.match(page, '| `limit` (always present) | integer | Requests allowed per hour. |')
  t.match(page, '| `window` | "hour" or "day" | The period the limit applies to. |')
  t.match(page, '`retry-after: 60`')
  t.match(page, '* [Plans and limits](<https://docs.example.com/plans>)')
  t.match(jsonAfter(page, '## Example response'), { type: 'https://docs.example.com/errors/quota-exceeded', instance: '/v2/orders', limit: 1000, window: 'hour' })
  t.match(files.get('index.md'), '| [`quota_exceeded`](quota-exceeded.md) | 429 | yes | user |')
})

t.test('missing docs text is listed and shown as not documented, never left empty', async (t) => {
  const reference = await buildReference(incomplete)
  t.strictSame(reference.gaps.map((gap) => `${gap.code} ${gap.field}`), [
    'legacy_failure summary',
    'legacy_failure occurs',
    'legacy_failure resolve',
    'legacy_failure members.upstream.description',
    'needs_members example'
  ])
  t.match(reference.gaps[4].message, 'catalog entry "needs_members" has no example the plugin can send')
  // never the body of another code: the page says there is no example
  const needs = renderMarkdownFiles(reference).get('needs-members.md') as string
  t.match(needs, '## Example response\n\n_No example: give this code an "example" in the catalog whose members match their schemas._')
  t.notMatch(needs, 'internal-error')
  t.equal(reference.pages.find((page) => page.code === 'needs_members')?.example, undefined)
  const links = { index: '/errors/', page: (slug: string) => `/errors/${slug}` }
  const needsHtml = renderCodeHtml(reference.pages.find((page) => page.code === 'needs_members') as never, links)
  t.match(needsHtml, '<p class="missing" id="example">No example: give this code an &#34;example&#34; in the catalog')
  t.notMatch(needsHtml, 'internal-error')
  const page = renderMarkdownFiles(reference).get('legacy-failure.md') as string
  t.equal(page.split('_Not documented yet._').length - 1, 4, 'summary, member meaning, occurs and resolve')
  t.notMatch(page, 'retry-after', 'no delay is known, so none is sent')
})

t.test('catalog text cannot inject markup into the Markdown pages', async (t) => {
  const catalog = {
    hostile: {
      status: 400,
      title: 'Bad <script>alert(1)</script> [link](javascript:alert(1)) &amp; `<kept in code>`',
      retryable: false,
      category: 'user',
      summary: 'A | pipe',
      occurs: ['<img src=x onerror=alert(1)>'],
      resolve: ['ok'],
      related: [{ title: 'x', url: 'https://example.com/a b<c>' }]
    }
  } as const
  const reference = await buildReference({ catalog })
  const page = renderCodeMarkdown(reference.pages.find((p) => p.code === 'hostile') as never)
  // inside the fenced example the text is literal, as the service sends it; everywhere else it is escaped
  const prose = page.replace(/```json\n[\s\S]*?\n```/g, '')
  t.notMatch(prose, /(?<!\\)<script>/)
  t.notMatch(prose, /(?<!\\)<img/)
  t.match(page, '* \\<img src=x onerror=alert(1)\\>')
  t.match(page, '"title": "Bad <script>alert(1)</script>')
  t.match(page, '\\<script\\>alert(1)\\</script\\>')
  t.match(page, '\\[link\\](javascript:alert(1))')
  t.match(page, '\\&amp;')
  t.match(page, '`<kept in code>`', 'code spans stay literal')
  t.match(page, '(<https://example.com/a%20b\\<c\\>>)')
  t.match(renderMarkdownFiles(reference).get('index.md'), 'Bad \\<script\\>')
  t.equal(mdText('plain_text *stays*'), 'plain_text \\*stays\\*', 'emphasis is text, as on the HTML pages')
})

t.test('a catalog where no code has an example shows none in the index either', async (t) => {
  const catalog = {
    internal_error: { status: 500, title: 'Broke.', retryable: false, category: 'platform', members: { ref: { type: 'string', pattern: '^[0-9]{4}$' } }, required: ['ref'] }
  } as const
  const reference = buildReference({ catalog, replaceCatalog: true })
  t.equal(reference.index.formatExample, undefined)
  t.match(renderMarkdownFiles(reference).get('index.md'), '## Response format\n\nAll error responses have the same shape. This one was produced by the service itself:\n\n_No example:')
  t.match(renderIndexHtml(reference.index, { index: '/problems/', page: (slug) => `/problems/${slug}` }), '<p class="missing" id="example">No example:')
})

t.test('member types read as words', async (t) => {
  t.equal(describeType({ type: 'string', format: 'uri' }), 'string (uri)')
  t.equal(describeType({ type: 'array', items: { type: 'integer' } }), 'array of integer')
  t.equal(describeType({ type: 'array' }), 'array')
  t.equal(describeType({ type: ['string', 'null'] }), 'string or null')
  t.equal(describeType({ enum: ['a', 1] }), '"a" or 1')
  t.equal(describeType({}), 'any')
})

t.test('the index leaves trace_id out when the service does not send it', async (t) => {
  const files = renderMarkdownFiles(await buildReference({ traceId: false, errorMember: false }))
  const index = files.get('index.md') as string
  t.notMatch(index, 'trace_id')
  t.notMatch(index, '| `error`')
  t.notMatch(files.get('internal-error.md'), '"trace_id"')
})

t.test('a replaced catalog without invalid_request still gets a format example, and blank text counts as missing', async (t) => {
  const catalog = {
    internal_error: { status: 500, title: 'Something broke.', retryable: false, category: 'platform', summary: '   ', occurs: [], resolve: ['Retry later.'], members: { hint: { type: 'string' } } }
  } as const
  const reference = await buildReference({ catalog, replaceCatalog: true, traceId: false })
  t.strictSame(reference.gaps.map((gap) => gap.field), ['summary', 'occurs', 'members.hint.description'])
  t.match(JSON.parse(reference.index.formatExample as string), { type: '/problems/internal-error', title: 'Something broke.' })
  t.strictSame(reference.index.categories.map((group) => group.category), ['platform'], 'empty categories are left out')
  const html = renderCodeHtml(reference.pages[0], { index: '/problems/', page: (slug) => `/problems/${slug}` })
  t.equal(html.split('<p class="missing">Not documented yet.</p>').length - 1, 2, 'summary and occurs')
  t.match(html, '<dt>Retryable</dt><dd>No</dd>')
  t.match(html, '<td><code>hint</code></td><td>string</td><td><span class="missing">Not documented yet.</span></td>')
  const index = renderIndexHtml(reference.index, { index: '/problems/', page: (slug) => `/problems/${slug}` })
  t.notMatch(index, 'trace_id')
})
