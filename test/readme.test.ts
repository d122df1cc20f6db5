import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as api from '../lib/index.ts'
import * as docsApi from '../lib/docs/index.ts'
import * as clientApi from '../lib/client/index.ts'
import { FETCH_OPTION_NAMES } from '../lib/client/fetch.ts'
import { PARSE_OPTION_NAMES } from '../lib/client/parse.ts'
import * as errors from '../lib/errors.ts'
import { OPTION_NAMES } from '../lib/options.ts'
import { CHANGE_KINDS } from '../lib/docs/contract.ts'

const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8')

/** The first Markdown table after a heading, without its header and separator rows. */
function tableRows (heading: string): string[][] {
  const lines = readme.slice(readme.indexOf(heading)).split('\n')
  const start = lines.findIndex((line) => line.startsWith('|'))
  const end = lines.findIndex((line, i) => i > start && !line.startsWith('|'))
  return lines.slice(start + 2, end).map((line) => line.slice(2, -2).split(/ (?<!\\)\| /).map((cell) => cell.trim()))
}

t.test('the README catalog table is the built-in catalog', async (t) => {
  const rows = tableRows('## The built-in catalog')
  const expected = Object.entries(api.builtinCatalog).map(([code, entry]) => [
    `\`${code}\``,
    String(entry.status),
    entry.retryable ? 'yes' : 'no',
    entry.category,
    'members' in entry ? Object.keys(entry.members).map((m) => `\`${m}\``).join(', ') : 'none',
    entry.title
  ])
  t.strictSame(rows, expected)
})

t.test('the README documents every option with its default', async (t) => {
  const rows = tableRows('## Options')
  t.strictSame(rows.map((row) => row[0]), OPTION_NAMES.map((name) => `\`${name}\``))
  t.ok(rows.every((row) => row[1] !== '' && row[2] !== ''), 'each has a default and a meaning')
})

t.test('the README quick start is the two commands of the contract', async (t) => {
  t.match(readme, '\nnpm ci && npm run demo ')
  t.match(readme, '\nnpm ci && npm test ')
})

/** The names in the first column of a table: `name` cells, several per cell allowed. */
function namesIn (rows: string[][]): string[] {
  return rows.flatMap((row) => [...row[0].matchAll(/`([^`(]+)[`(]/g)].map((match) => match[1]))
}

t.test('the README lists every export of the root entry point, and nothing else', async (t) => {
  const documented = namesIn(tableRows('### `fastify-problem-details`\n'))
  const exported = Object.keys(api).filter((name) => name !== 'default' && !name.startsWith('FST_PROBLEM_'))
  t.strictSame([...documented].sort(), [...exported, 'FST_PROBLEM_*'].sort())
  for (const name of Object.keys(api)) t.not((api as Record<string, unknown>)[name], undefined, name)
  t.equal(api.default, api.problemDetails)
})

t.test('the README lists every export of the docs entry point, and nothing else', async (t) => {
  t.strictSame(namesIn(tableRows('### `fastify-problem-details/docs`')).sort(), Object.keys(docsApi).sort())
  for (const [name, value] of Object.entries(docsApi)) t.type(value, 'function', name)
})

t.test('the README lists every export of the client entry point, and nothing else', async (t) => {
  t.strictSame(namesIn(tableRows('### `fastify-problem-details/client`')).sort(), Object.keys(clientApi).sort())
  for (const [name, value] of Object.entries(clientApi)) t.not(value, undefined, name)
})

t.test('the README documents every option of the client and of problemFromResponse with its default', async (t) => {
  const documented = (heading: string) => {
    const rows = tableRows(heading)
    t.ok(rows.every((row) => row[1] !== '' && row[2] !== ''), `${heading}: each has a default and a meaning`)
    return rows.map((row) => row[0])
  }
  t.strictSame(documented('`parseProblem` options:'), PARSE_OPTION_NAMES.map((name) => `\`${name}\``))
  t.strictSame(documented('`createProblemFetch` options:'), FETCH_OPTION_NAMES.map((name) => `\`${name}\``))
  t.strictSame(documented('### Problems from upstream services'), ['catalog', 'statusCodes', 'exposeServerErrors', 'maxBodyBytes', 'timeout', 'signal'].map((name) => `\`${name}\``))
})

t.test('the README lists every coded error, and each is exported from the root', async (t) => {
  const documented = namesIn(tableRows('### Errors for the developer'))
  t.strictSame([...documented].sort(), Object.keys(errors).sort())
  for (const name of documented) t.equal((api as Record<string, unknown>)[name], (errors as Record<string, unknown>)[name], name)
})

t.test('the README lists every change kind of the contract check with its severity', async (t) => {
  const rows = tableRows('### Change kinds')
  t.strictSame(rows.map((row) => [row[0], row[1]]), Object.entries(CHANGE_KINDS).map(([kind, severity]) => [`\`${kind}\``, severity]))
  t.ok(rows.every((row) => row[2] !== ''), 'each says when')
})

t.test('the lines shown in the README are the lines lock --check prints', async (t) => {
  const shown = /```text\n([\s\S]*?)\n```/.exec(readme.slice(readme.indexOf('## The error contract')))?.[1]
  const quota = (title: string, status: number, members: Record<string, api.MemberSchema>) => ({
    catalog: { quota_exceeded: { status, title, retryable: true, category: 'user' as const, members } }
  })
  const before = docsApi.contractOf(quota('The quota is used up.', 429, { window: { type: 'string', enum: ['hour', 'day'] } }))
  const after = docsApi.contractOf(quota('The quota for this period is used up.', 500, { window: { type: 'string', enum: ['hour'] }, plan: { type: 'string' } }))
  t.equal(docsApi.diffContracts(before, after).map(docsApi.formatChange).join('\n'), shown)
})
