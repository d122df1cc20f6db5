import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as api from '../lib/index.ts'
import { OPTION_NAMES } from '../lib/options.ts'

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

t.test('the public API exports these names', async (t) => {
  const names = Object.keys(api).sort()
  t.strictSame(names, [
    'DEFAULT_CODES', 'DEFAULT_MAX_DETAIL_LENGTH', 'DEFAULT_STATUS_CODES', 'DEFAULT_TYPE_BASE',
    'FST_PROBLEM_DUPLICATE_SLUG', 'FST_PROBLEM_INVALID_ROUTE_PROBLEMS', 'buildReference', 'renderMarkdownFiles', 'FST_PROBLEM_INVALID_CATALOG_ENTRY', 'FST_PROBLEM_INVALID_MEMBER', 'FST_PROBLEM_INVALID_OPTION',
    'FST_PROBLEM_SEND_FAILED', 'FST_PROBLEM_UNKNOWN_CODE', 'FST_PROBLEM_UNKNOWN_MAPPED_CODE',
    'MAX_UPSTREAM_BODY_BYTES', 'UpstreamProblem', 'problemFromResponse',
    'PROBLEM_CONTENT_TYPE', 'PROBLEM_SCHEMA_ID', 'ProblemError', 'STANDARD_MEMBER_SCHEMAS',
    'builtinCatalog', 'default', 'isProblemError', 'problemDetails', 'problemSchema', 'reasonPhrase', 'slugOf'
  ].sort())
  for (const name of names) t.not((api as Record<string, unknown>)[name], undefined, name)
  t.equal(api.default, api.problemDetails)
})
