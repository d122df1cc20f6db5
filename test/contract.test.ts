import t, { type Test } from 'tap'
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { builtinCatalog, FST_PROBLEM_INVALID_LOCKFILE, type ProblemDetailsOptions } from '../lib/index.ts'
import { contractOf, diffContracts, formatChange, renderLockfile, type ContractChange } from '../lib/docs/index.ts'
import { CHANGE_KINDS, checkContract, LOCKFILE_VERSION } from '../lib/docs/contract.ts'
import { canonicalJson } from '../lib/docs/canonical-json.ts'
import { runCli } from '../lib/docs/cli.ts'

const root = join(__dirname, '..')

/** A small catalog on its own: every change kind below is one edit of it. */
function baseOptions (): ProblemDetailsOptions & { catalog: Record<string, any> } {
  return {
    replaceCatalog: true,
    traceId: false,
    catalog: {
      internal_error: { status: 500, title: 'Something failed.', retryable: true, category: 'platform' },
      quota_exceeded: {
        status: 429,
        title: 'The quota is used up.',
        retryable: true,
        category: 'user',
        retryAfter: 60,
        members: {
          limit: { type: 'integer', minimum: 1, maximum: 1000, description: 'Requests per window.' },
          window: { type: 'string', enum: ['hour', 'day'] },
          plan: { type: 'string' },
          note: { type: 'string', maxLength: 100 }
        },
        required: ['limit'],
        summary: 'The account sent more requests than its plan allows.'
      },
      legacy_limit: { status: 429, title: 'An old limit.', retryable: true, category: 'user', deprecated: 'Use quota_exceeded.' },
      not_found: { status: 404, title: 'Nothing here.', retryable: false, category: 'user' }
    }
  }
}

type Edit = (options: ReturnType<typeof baseOptions>) => void
const quota = (options: ReturnType<typeof baseOptions>) => options.catalog.quota_exceeded

/** Each change kind: the edit, the code named, and words of the message. */
const CASES: Array<[kind: keyof typeof CHANGE_KINDS, edit: Edit, code: string | null, words: string]> = [
  ['code-removed', (o) => { delete o.catalog.not_found }, 'not_found', 'code removed (status 404, type "/problems/not-found")'],
  ['deprecated-code-removed', (o) => { delete o.catalog.legacy_limit }, 'legacy_limit', 'deprecated code removed'],
  ['status-changed', (o) => { o.catalog.not_found.status = 500 }, 'not_found', 'status changed from 404 to 500 (4xx -> 5xx: a client error became a server error)'],
  ['type-changed', (o) => { o.catalog.not_found.type = 'https://errors.example.com/not-found' }, 'not_found', 'type URI changed from "/problems/not-found" to "https://errors.example.com/not-found"'],
  ['retryable-changed', (o) => { o.catalog.not_found.retryable = true }, 'not_found', 'retryable changed from false to true: clients now retry it'],
  ['category-changed', (o) => { o.catalog.not_found.category = 'platform' }, 'not_found', 'category changed from user to platform'],
  ['member-removed', (o) => { delete quota(o).members.plan }, 'quota_exceeded', 'member "plan" removed'],
  ['required-member-added', (o) => { quota(o).members.region = { type: 'string' }; quota(o).required = ['limit', 'region'] }, 'quota_exceeded', 'required member "region" added'],
  ['member-made-required', (o) => { quota(o).required = ['limit', 'window'] }, 'quota_exceeded', 'member "window" made required'],
  ['member-made-optional', (o) => { quota(o).required = [] }, 'quota_exceeded', 'member "limit" no longer required'],
  ['schema-narrowed', (o) => { quota(o).members.limit.maximum = 100 }, 'quota_exceeded', 'schema of member "limit" narrowed: maximum lowered from 1000 to 100'],
  ['schema-changed', (o) => { quota(o).members.plan = { type: 'string', anyOf: [{ minLength: 2 }, { const: '' }] } }, 'quota_exceeded', 'schema of member "plan" changed in a way that cannot be proven compatible: anyOf added'],
  ['standard-member-removed', (o) => { o.errorMember = false }, null, 'standard member "error" removed: problems no longer carry it'],
  ['standard-member-added', (o) => { o.traceId = true }, null, 'standard member "trace_id" added'],
  ['code-added', (o) => { o.catalog.gone = { status: 410, title: 'Gone for good.', retryable: false, category: 'user' } }, 'gone', 'code added (status 410, type "/problems/gone")'],
  ['member-added', (o) => { quota(o).members.region = { type: 'string' } }, 'quota_exceeded', 'optional member "region" added'],
  ['schema-widened', (o) => { quota(o).members.window.enum = ['hour', 'day', 'week'] }, 'quota_exceeded', 'schema of member "window" widened: enum values added: "week"'],
  ['docs-changed', (o) => { quota(o).summary = 'Too many requests in this window.' }, 'quota_exceeded', 'docs text changed'],
  ['title-changed', (o) => { o.catalog.not_found.title = 'Nothing is here.' }, 'not_found', 'title changed from "Nothing here." to "Nothing is here."'],
  ['code-deprecated', (o) => { o.catalog.not_found.deprecated = true }, 'not_found', 'code deprecated'],
  ['deprecation-changed', (o) => { o.catalog.legacy_limit.deprecated = true }, 'legacy_limit', 'deprecation changed (no message now)'],
  ['retry-after-changed', (o) => { quota(o).retryAfter = 30 }, 'quota_exceeded', 'retryAfter changed from 60 seconds to 30 seconds']
]

function edited (edit: Edit): ProblemDetailsOptions {
  const options = structuredClone(baseOptions())
  edit(options)
  return options
}

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'problem-lock-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Writes plugin options as a CommonJS catalog module, as a service keeps its errors.js. */
function writeModule (dir: string, name: string, options: unknown): string {
  const file = join(dir, name)
  writeFileSync(file, `'use strict'\nmodule.exports = ${JSON.stringify(options, null, 2)}\n`)
  return file
}

/** Runs the command in-process with `cwd`, collecting what it prints. */
async function run (argv: string[], cwd = root) {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(argv, { cwd, out: (line) => out.push(line), err: (line) => err.push(line) })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

t.test('the repository locks its own built-in catalog, and lock --check passes on it', async (t) => {
  const locked = readFileSync(join(root, 'errors.lock.json'), 'utf8')
  t.equal(locked, renderLockfile(contractOf()), 'rewrite it with: npm run lock')
  t.strictSame(Object.keys(JSON.parse(locked).codes), Object.keys(builtinCatalog).sort())
  const checked = await run(['lock', '--check'])
  t.equal(checked.code, 0, checked.err)
  t.equal(checked.out, 'errors.lock.json: the contract is unchanged (16 codes)')
})

t.test('every change kind is classified, named and printed on its own line by lock --check', async (t) => {
  const before = contractOf(baseOptions())
  t.strictSame(diffContracts(before, contractOf(baseOptions())), [], 'no change, nothing listed')
  t.strictSame(CASES.map(([kind]) => kind).sort(), Object.keys(CHANGE_KINDS).sort(), 'every kind has a case')

  const dir = tempDir(t)
  const lockfile = join(dir, 'errors.lock.json')
  writeModule(dir, 'errors.js', baseOptions())
  t.equal((await run(['lock', '--catalog', 'errors.js'], dir)).code, 0)

  for (const [i, [kind, edit, code, words]] of CASES.entries()) {
    const severity = CHANGE_KINDS[kind]
    // 1. programmatic: the change is in the list, classified
    const changes = diffContracts(before, contractOf(edited(edit)))
    const found = changes.find((change) => change.kind === kind)
    t.ok(found, `${kind}: reported`)
    t.equal(found?.severity, severity, `${kind}: ${severity}`)
    t.equal(found?.code, code, `${kind}: names the code`)
    t.match(found?.message, words, `${kind}: message`)
    // 2. the command, on a catalog module: its exit status and the printed line
    const file = writeModule(dir, `errors-${i}.js`, edited(edit))
    const checked = await run(['lock', '--check', '--catalog', file], dir)
    t.equal(checked.code, severity === 'breaking' ? 1 : 0, `${kind}: exit status`)
    t.ok(checked.out.split('\n').includes(formatChange(found as ContractChange)), `${kind}: its line is printed`)
    t.match(checked.out, `${severity} ${kind} ${code ?? '(every code)'}: ${words}`)
    if (severity === 'breaking') t.match(checked.err, 'errors.lock.json: the catalog breaks the locked contract')
    else t.match(checked.out, 'errors.lock.json: no breaking change')
  }
  t.equal(readFileSync(lockfile, 'utf8'), renderLockfile(before), '--check writes nothing')
})

t.test('messages of the other directions', async (t) => {
  const before = contractOf(baseOptions())
  const messages = (edit: Edit) => diffContracts(before, contractOf(edited(edit))).map(formatChange)
  t.match(messages((o) => { o.catalog.not_found.status = 410 }), ['breaking status-changed not_found: status changed from 404 to 410'])
  t.notMatch(messages((o) => { o.catalog.not_found.status = 410 })[0], '->')
  t.match(diffContracts(contractOf(edited((o) => { o.catalog.not_found.status = 500 })), before).map(formatChange), ['breaking status-changed not_found: status changed from 500 to 404 (5xx -> 4xx: a server error became a client error)'])
  t.match(messages((o) => { quota(o).retryable = false }), [/retryable changed from true to false: clients stop retrying it/])
  t.match(messages((o) => { o.catalog.legacy_limit.deprecated = 'Use quota_exceeded with a plan.' }), ['notice deprecation-changed legacy_limit: deprecation changed: "Use quota_exceeded with a plan."'])
  t.match(messages((o) => { delete o.catalog.legacy_limit.deprecated }), ['notice deprecation-changed legacy_limit: deprecation withdrawn'])
  t.match(messages((o) => { o.catalog.not_found.deprecated = 'Use gone.' }), ['notice code-deprecated not_found: code deprecated: "Use gone."'])
  t.match(messages((o) => { delete quota(o).retryAfter }), ['notice retry-after-changed quota_exceeded: retryAfter changed from 60 seconds to none'])
  t.match(messages((o) => { quota(o).members.limit.description = 'Requests per hour.' }), ['compatible docs-changed quota_exceeded: docs text of member "limit" changed'])
  t.match(diffContracts(contractOf(), contractOf({ traceId: false })).map(formatChange), ['breaking standard-member-removed (every code): standard member "trace_id" removed'])
  t.match(messages((o) => { quota(o).members.plan.type = ['string'] }), ['compatible docs-changed quota_exceeded: schema of member "plan" written another way, accepting the same values'])
  t.match(messages((o) => { quota(o).members.plan.format = 'email' }), ['breaking schema-narrowed quota_exceeded: schema of member "plan" narrowed: format "email" added'])
  t.match(messages((o) => { delete quota(o).members.note.maxLength }), ['compatible schema-widened quota_exceeded: schema of member "note" widened: maxLength 100 removed'])
  // the standard members with the plugin options of another service: added when they appear
  const lean = contractOf({ ...baseOptions(), errorMember: false })
  t.strictSame(diffContracts(lean, contractOf({ ...baseOptions(), traceId: true })).map((change) => [change.kind, change.code, change.member]), [['standard-member-added', null, 'error'], ['standard-member-added', null, 'trace_id']])
})

t.test('a standard member made required or optional is breaking, and its schema is compared like any member', async (t) => {
  const before = contractOf(baseOptions())
  const after = structuredClone(before) as any
  after.standardMembers.required = after.standardMembers.required.filter((name: string) => name !== 'instance').concat('detail')
  after.standardMembers.members.status = { type: 'integer', minimum: 400, maximum: 499 }
  t.strictSame(diffContracts(before, after).map(formatChange), [
    'breaking member-made-required (every code): standard member "detail" made required: every place that creates this problem must give it',
    'breaking member-made-optional (every code): standard member "instance" no longer required: clients that expect it may not find it',
    'breaking schema-narrowed (every code): schema of standard member "status" narrowed: maximum lowered from 599 to 499'
  ])
})

t.test('the lockfile is byte-stable whatever order the catalog was written in', async (t) => {
  /** The same value with the keys of every object in reverse order. */
  function reversed (value: unknown): unknown {
    if (Array.isArray(value)) return value.map(reversed)
    if (value === null || typeof value !== 'object') return value
    return Object.fromEntries(Object.entries(value).reverse().map(([key, item]) => [key, reversed(item)]))
  }
  const options = baseOptions()
  options.catalog.quota_exceeded.members.where = { type: 'object', properties: { zip: { type: 'string' }, city: { type: 'string' } }, required: ['zip'] }
  const text = renderLockfile(contractOf(options))
  t.equal(renderLockfile(contractOf(reversed(options) as ProblemDetailsOptions)), text)
  t.equal(renderLockfile(contractOf(options)), text, 'and the same on every run')
  t.ok(text.endsWith('}\n'), 'ends with a newline')
  t.equal(JSON.stringify(JSON.parse(text), null, 2) + '\n', text, 'two-space indent, as JSON.stringify writes it')
  t.match(text, `"lockfileVersion": ${LOCKFILE_VERSION}`)
  // written from reversed modules by the command: the same bytes
  const dir = tempDir(t)
  writeModule(dir, 'a.js', options)
  writeModule(dir, 'b.js', reversed(options))
  await run(['lock', '--catalog', 'a.js', '--out', 'a.lock.json'], dir)
  await run(['lock', '--catalog', 'b.js', '--out', 'b.lock.json'], dir)
  t.equal(readFileSync(join(dir, 'a.lock.json'), 'utf8'), text)
  t.equal(readFileSync(join(dir, 'b.lock.json'), 'utf8'), text)
})

t.test('canonical JSON sorts keys by code unit, integer-like keys included, and writes what JSON writes', async (t) => {
  t.equal(canonicalJson({ b: 1, 2: 'two', 10: 'ten', a: [{ y: 1, x: undefined, z: () => 1 }, undefined, []], e: {} }), '{"10":"ten","2":"two","a":[{"y":1},null,[]],"b":1,"e":{}}')
  t.equal(canonicalJson({ a: [1, { b: null }] }, '  '), '{\n  "a": [\n    1,\n    {\n      "b": null\n    }\n  ]\n}')
  t.equal(canonicalJson(undefined), 'null')
  t.equal(canonicalJson(Number.NaN), 'null')
  t.equal(canonicalJson('é\u2028'), JSON.stringify('é\u2028'))
})

t.test('the lockfile records the contract clients see, deprecation included', async (t) => {
  const contract = contractOf(baseOptions())
  t.strictSame(contract.codes.legacy_limit, {
    category: 'user',
    deprecated: 'Use quota_exceeded.',
    docs: contract.codes.legacy_limit.docs,
    members: {},
    required: [],
    retryAfter: null,
    retryable: true,
    status: 429,
    title: 'An old limit.',
    type: '/problems/legacy-limit'
  })
  t.match(contract.codes.legacy_limit.docs, /^sha256:[0-9a-f]{64}$/)
  t.equal(contractOf({ catalog: { x: { status: 400, title: 'x', retryable: false, category: 'user', deprecated: true } } }).codes.x.deprecated, true)
  t.equal(contract.codes.not_found.deprecated, false)
  t.strictSame(contractOf().standardMembers.required, ['error', 'instance', 'retryable', 'status', 'title', 'type'])
  t.strictSame(Object.keys(contractOf().standardMembers.members).sort(), ['detail', 'error', 'errors', 'instance', 'retryable', 'status', 'title', 'trace_id', 'type'])
  t.notOk('trace_id' in contract.standardMembers.members, 'traceId: false')
  t.notOk('error' in contractOf({ errorMember: false }).standardMembers.members)
  t.match(renderLockfile(contract), '"deprecated": "Use quota_exceeded."')
})

t.test('diffContracts refuses values that are not contracts, naming what is wrong', async (t) => {
  const good = contractOf(baseOptions())
  const broken = (edit: (contract: any) => void) => {
    const contract = structuredClone(good) as any
    edit(contract)
    return contract
  }
  const cases: Array<[unknown, RegExp]> = [
    [null, /expected a lockfile object, got null/],
    [[], /expected a lockfile object, got an array/],
    [broken((c) => { delete c.lockfileVersion }), /has no "lockfileVersion": 1; write it with "fastify-problem-details lock"/],
    [broken((c) => { c.lockfileVersion = 2 }), /lockfileVersion 2, written by a newer fastify-problem-details; upgrade the package/],
    [broken((c) => { c.lockfileVersion = '1' }), /has no "lockfileVersion": 1/],
    [broken((c) => { c.standardMembers = [] }), /"standardMembers" must be \{ members, required \}/],
    [broken((c) => { c.standardMembers.members = null }), /"standardMembers" must be/],
    [broken((c) => { c.standardMembers.required = [1] }), /"standardMembers" must be/],
    [broken((c) => { c.codes = 'none' }), /"codes" must be an object/],
    [broken((c) => { c.codes.not_found = 7 }), /code "not_found" must be an object/],
    [broken((c) => { c.codes.not_found.status = '404' }), /"status" of code "not_found" must be an integer, got "404"/],
    [broken((c) => { c.codes.not_found.type = 1 }), /"type" of code "not_found" must be a string/],
    [broken((c) => { c.codes.not_found.title = null }), /"title" of code "not_found" must be a string/],
    [broken((c) => { c.codes.not_found.retryable = 'no' }), /"retryable" of code "not_found" must be true or false/],
    [broken((c) => { c.codes.not_found.category = 'client' }), /"category" of code "not_found" must be "user" or "platform"/],
    [broken((c) => { c.codes.not_found.retryAfter = 1.5 }), /"retryAfter" of code "not_found" must be a whole number of seconds or null/],
    [broken((c) => { c.codes.not_found.deprecated = 0 }), /"deprecated" of code "not_found" must be true, false or a message/],
    [broken((c) => { c.codes.not_found.members = [] }), /"members" of code "not_found" must be an object of JSON Schemas/],
    [broken((c) => { c.codes.not_found.required = 'limit' }), /"required" of code "not_found" must be a list of member names/],
    [broken((c) => { delete c.codes.not_found.docs }), /"docs" of code "not_found" must be a string, got undefined/]
  ]
  for (const [value, message] of cases) {
    t.throws(() => diffContracts(value as any, good), { code: 'FST_PROBLEM_INVALID_LOCKFILE', message }, String(message))
  }
  t.throws(() => diffContracts(good, {} as any), { message: /the contract after is not an error contract this version can read/ })
  t.ok(checkContract(good, 'x') === good)
  t.type(new FST_PROBLEM_INVALID_LOCKFILE('x', 'y'), TypeError)
  const retryAfter = broken((c) => { c.codes.quota_exceeded.retryAfter = 5 })
  t.strictSame(diffContracts(retryAfter, good).map((change) => change.kind), ['retry-after-changed'], 'a hand-edited but valid lockfile is compared')
})

t.test('lock writes the lockfile, says when nothing changed, and summarizes changes when rewriting', async (t) => {
  const dir = tempDir(t)
  writeModule(dir, 'errors.js', baseOptions())
  const first = await run(['lock', '--catalog', './errors.js', '--out', 'contracts/errors.lock.json'], dir)
  t.equal(first.code, 0)
  t.equal(first.out, 'wrote contracts/errors.lock.json (4 codes)', 'a new lockfile, in a folder made for it')
  const again = await run(['lock', '--catalog', './errors.js', '--out', 'contracts/errors.lock.json'], dir)
  t.equal(again.out, 'contracts/errors.lock.json is up to date (4 codes)')

  writeModule(dir, 'errors-2.js', edited((o) => { delete o.catalog.not_found; o.catalog.not_found_at_all = { status: 404, title: 'x', retryable: false, category: 'user' } }))
  const rewritten = await run(['lock', '--catalog', './errors-2.js', '--out', 'contracts/errors.lock.json'], dir)
  t.equal(rewritten.code, 0, 'lock records breaking changes: the check is --check')
  t.strictSame(rewritten.out.split('\n'), [
    'breaking code-removed not_found: code removed (status 404, type "/problems/not-found"): deprecate it first, remove it in a major version',
    'compatible code-added not_found_at_all: code added (status 404, type "/problems/not-found-at-all")',
    'wrote contracts/errors.lock.json (4 codes): 1 breaking, 1 compatible, 0 notice since the previous lockfile'
  ])
  t.equal((await run(['lock', '--check', '--catalog', './errors-2.js', '--out', 'contracts/errors.lock.json'], dir)).code, 0)
})

t.test('lock --check says how to record compatible changes and how to fix a lockfile that is not canonical', async (t) => {
  const dir = tempDir(t)
  writeModule(dir, 'errors.js', baseOptions())
  await run(['lock', '--catalog', 'errors.js', '--type-base', 'https://errors.example.com/'], dir)
  t.match(readFileSync(join(dir, 'errors.lock.json'), 'utf8'), '"type": "https://errors.example.com/quota-exceeded"')
  writeModule(dir, 'errors-2.js', edited((o) => { o.catalog.gone = { status: 410, title: 'Gone.', retryable: false, category: 'user' } }))
  const compatible = await run(['lock', '--check', '--catalog', 'errors-2.js', '--type-base', 'https://errors.example.com/'], dir)
  t.equal(compatible.code, 0)
  t.match(compatible.out, 'errors.lock.json: no breaking change (0 breaking, 1 compatible, 0 notice); record the changes with "fastify-problem-details lock --catalog errors-2.js --type-base https://errors.example.com/"')

  // the same contract, written by hand in another layout
  const file = join(dir, 'errors.lock.json')
  writeFileSync(file, JSON.stringify(JSON.parse(readFileSync(file, 'utf8'))))
  const reformatted = await run(['lock', '--check', '--catalog', 'errors.js', '--type-base', 'https://errors.example.com/'], dir)
  t.equal(reformatted.code, 0)
  t.match(reformatted.out, 'errors.lock.json: the contract is unchanged (4 codes), but the file is not as "lock" writes it; rewrite it with')
})

t.test('lock --check fails with exit 2 when the lockfile is missing, unreadable or not a contract', async (t) => {
  const dir = tempDir(t)
  const missing = await run(['lock', '--check'], dir)
  t.equal(missing.code, 2)
  t.equal(missing.err, 'errors.lock.json does not exist: write it with "fastify-problem-details lock" and commit it')

  writeFileSync(join(dir, 'errors.lock.json'), '<<<<<<< HEAD\n{}\n')
  const conflicted = await run(['lock', '--check'], dir)
  t.equal(conflicted.code, 2)
  t.match(conflicted.err, /^cannot check against errors.lock.json: fastify-problem-details: errors.lock.json is not an error contract this version can read: it is not JSON \(Unexpected token .* is not valid JSON\); fix the file, or rewrite it with "fastify-problem-details lock"$/)
  writeFileSync(join(dir, 'errors.lock.json'), '{"lockfileVersion": 9}')
  t.match((await run(['lock', '--check'], dir)).err, 'errors.lock.json is not an error contract this version can read: it has lockfileVersion 9, written by a newer fastify-problem-details; upgrade the package')

  // lock itself rewrites a lockfile it cannot read (a merge conflict, say), and says so
  const rewritten = await run(['lock'], dir)
  t.equal(rewritten.code, 0)
  t.match(rewritten.err, 'errors.lock.json could not be read (')
  t.equal(rewritten.out, 'wrote errors.lock.json (16 codes)')

  mkdirSync(join(dir, 'folder.json'))
  for (const argv of [['lock', '--out', 'folder.json'], ['lock', '--check', '--out', 'folder.json']]) {
    const unreadable = await run(argv, dir)
    t.equal(unreadable.code, 2)
    t.match(unreadable.err, 'cannot read folder.json: EISDIR')
  }
})

t.test('lock reports catalogs it cannot load, and options of the other command', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'bad.js'), 'module.exports = { x: { status: 200, title: "x", retryable: false, category: "user" } }\n')
  const bad = await run(['lock', '--catalog', 'bad.js'], dir)
  t.equal(bad.code, 2)
  t.match(bad.err, 'cannot lock the contract: fastify-problem-details: catalog entry "x" has status 200')
  t.match((await run(['lock', '--check', '--catalog', 'bad.js'], dir)).err, 'cannot check the contract: fastify-problem-details: catalog entry "x" has status 200')
  const missing = await run(['lock', '--catalog', 'nope.js'], dir)
  t.match(missing.err, `cannot lock the contract: fastify-problem-details: catalog module "nope.js" was not found: there is no file ${join(dir, 'nope.js')} `)
  const foreign = await run(['lock', '--instance', '/x'], dir)
  t.equal(foreign.code, 2)
  t.match(foreign.err, '--instance is not an option of "lock"')
})

t.test('users run the bin in CI: lock, then lock --check fails on a breaking change', async (t) => {
  const dir = tempDir(t)
  const bin = join(root, 'bin', 'fastify-problem-details.js')
  const exec = promisify(execFile)
  writeModule(dir, 'errors.js', baseOptions())
  const locked = await exec(process.execPath, [bin, 'lock', '--catalog', './errors.js'], { cwd: dir })
  t.equal(locked.stdout, 'wrote errors.lock.json (4 codes)\n')
  t.equal((await exec(process.execPath, [bin, 'lock', '--catalog', './errors.js', '--check'], { cwd: dir })).stdout, 'errors.lock.json: the contract is unchanged (4 codes)\n')
  writeModule(dir, 'errors.js', edited((o) => { o.catalog.not_found.status = 500 }))
  const failed = await exec(process.execPath, [bin, 'lock', '--catalog', './errors.js', '--check'], { cwd: dir }).catch((error) => error)
  t.equal(failed.code, 1)
  t.equal(failed.stdout, 'breaking status-changed not_found: status changed from 404 to 500 (4xx -> 5xx: a client error became a server error)\n')
  t.match(failed.stderr, 'errors.lock.json: the catalog breaks the locked contract (1 breaking, 0 compatible, 0 notice)')
})

t.test('the built package loads an ES module catalog that awaits at top level', async (t) => {
  const dir = tempDir(t)
  const bin = join(root, 'bin', 'fastify-problem-details.js')
  writeFileSync(join(dir, 'errors.mjs'), `// the options arrive asynchronously, as from a file or a service\nexport default await Promise.resolve(${JSON.stringify(baseOptions())})\n`)
  const { stdout } = await promisify(execFile)(process.execPath, [bin, 'lock', '--catalog', 'errors.mjs'], { cwd: dir })
  t.equal(stdout, 'wrote errors.lock.json (4 codes)\n')
  t.equal(readFileSync(join(dir, 'errors.lock.json'), 'utf8'), renderLockfile(contractOf(baseOptions())))
})

t.test('lock and docs load the same ES module catalog that awaits at top level, in-process', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'errors.mjs'), `// the options arrive asynchronously, as from a file or a service\nexport default await Promise.resolve(${JSON.stringify(baseOptions())})\n`)
  const locked = await run(['lock', '--catalog', 'errors.mjs'], dir)
  t.equal(locked.code, 0, locked.err)
  t.equal(readFileSync(join(dir, 'errors.lock.json'), 'utf8'), renderLockfile(contractOf(baseOptions())))
  const docs = await run(['docs', '--catalog', 'errors.mjs', '--out', 'pages'], dir)
  t.equal(docs.code, 0)
  t.match(docs.out, 'wrote 5 pages to pages')
  t.match(readFileSync(join(dir, 'pages', 'legacy-limit.md'), 'utf8'), '> **Deprecated.** This code is deprecated and may be removed in a future version. Use quota_exceeded.')
})
