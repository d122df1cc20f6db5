import t, { type Test } from 'tap'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { FST_PROBLEM_INVALID_CATALOG_MODULE } from '../lib/index.ts'
import { jsonErrorOffset, loadCatalogOptions, loadModule, optionsFromModule } from '../lib/docs/catalog-module.ts'

const entry = { status: 429, title: 'The quota is used up.', retryable: true, category: 'user' }

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'problem-catalog-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

t.test('a catalog module may be CommonJS, JSON, or an ES module with or without top-level await', async (t) => {
  const dir = tempDir(t)
  const files: Record<string, string> = {
    'commonjs.js': `module.exports = { quota_exceeded: ${JSON.stringify(entry)} }`,
    'commonjs.cjs': `exports.catalog = { quota_exceeded: ${JSON.stringify(entry)} }; exports.typeBase = '/e/'`,
    'catalog.json': JSON.stringify({ quota_exceeded: entry }),
    'default.mjs': `export default { quota_exceeded: ${JSON.stringify(entry)} }`,
    'named.mjs': `export const catalog = { quota_exceeded: ${JSON.stringify(entry)} }\nexport const typeBase = '/e/'`,
    'awaits.mjs': `export const catalog = await Promise.resolve({ quota_exceeded: ${JSON.stringify(entry)} })\nexport const typeBase = '/e/'`
  }
  for (const [name, source] of Object.entries(files)) {
    writeFileSync(join(dir, name), source)
    const options = await loadCatalogOptions(name, dir)
    t.strictSame(options.catalog?.quota_exceeded, entry, name)
    t.equal(options.typeBase, name.includes('named') || name.includes('awaits') || name.endsWith('.cjs') ? '/e/' : undefined, `${name}: options or catalog`)
  }
  t.strictSame(Object.keys(await loadModule(join(dir, 'awaits.mjs')) as object).sort(), ['catalog', 'typeBase'], 'import() for top-level await')
})

t.test('a catalog module that cannot be used gives a coded error naming the file and the fix', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'throws.js'), 'throw new Error("the database is not configured")\n')
  writeFileSync(join(dir, 'throws-string.js'), 'throw "not an error"\n')
  writeFileSync(join(dir, 'syntax.js'), 'module.exports = {\n')
  writeFileSync(join(dir, 'number.js'), 'module.exports = 42\n')
  writeFileSync(join(dir, 'broken.json'), '{ "quota_exceeded": ')
  writeFileSync(join(dir, 'errors.ts'), 'export const catalog: Record<string, unknown> = {}\n')
  const cases: Array<[string, RegExp]> = [
    ['missing.js', new RegExp(`catalog module "missing.js" was not found: there is no file ${join(dir, 'missing.js').replaceAll('/', '\\/')} \\(nor with .js, .cjs, .mjs, .json\\); give --catalog the path of the catalog module, relative to the current folder`)],
    ['throws.js', /catalog module "throws.js" failed to load: the database is not configured at throws.js:1:7; fix the module there \(node throws.js shows the same error\)/],
    ['throws-string.js', /catalog module "throws-string.js" failed to load: it threw "not an error" \(in throws-string.js; Node.js gives no line for a thrown value that is not an Error\); fix the module there/],
    ['syntax.js', /catalog module "syntax.js" failed to load: Unexpected end of input at syntax.js:2:1; fix the syntax there/],
    ['broken.json', /catalog module "broken.json" failed to load: Unexpected end of JSON input at broken.json:1:21; fix the JSON there/],
    ['number.js', /catalog module "number.js" must export an object: a catalog \(code -> entry\) or the plugin options \{ catalog, ... \}; it exports number 42/]
  ]
  for (const [name, message] of cases) {
    await t.rejects(loadCatalogOptions(name, dir), { code: 'FST_PROBLEM_INVALID_CATALOG_MODULE', message }, name)
  }
  // Node.js 20 cannot run TypeScript: the message says what to give instead
  const failing = async () => { throw new SyntaxError('Unexpected token \':\'\n  at line 1') }
  await t.rejects(loadCatalogOptions('errors.ts', dir, failing), {
    message: /catalog module "errors.ts" failed to load: Unexpected token ':' at errors.ts:1:14; Node.js v[\d.]+ does not run TypeScript here: compile the catalog and give --catalog the compiled .js file, or run the command with a TypeScript loader/
  })
  // a loader of one's own, synchronous or not
  t.strictSame(await loadCatalogOptions('errors.ts', dir, () => ({ default: { catalog: {}, typeBase: '/x/' } })), { catalog: {}, typeBase: '/x/' })
  t.strictSame(await loadCatalogOptions('errors.ts', dir, async () => ({ quota_exceeded: entry })), { catalog: { quota_exceeded: entry } })
  t.throws(() => optionsFromModule('text'), new FST_PROBLEM_INVALID_CATALOG_MODULE('(given value)', 'must export an object: a catalog (code -> entry) or the plugin options { catalog, ... }; it exports "text"'))
})

t.test('a module with a named catalog export beside other exports is read through that export (regression: its exports were read as codes)', async (t) => {
  const dir = tempDir(t)
  const catalog = `{ quota_exceeded: ${JSON.stringify(entry)} }`
  const files: Record<string, string> = {
    'named.mjs': `export const catalog = ${catalog}\nexport const typeBase = '/e/'\nexport function helper () { return 1 }\nexport const version = 3`,
    'named-esm.js': `export const catalog = ${catalog}\nexport const typeBase = '/e/'\nexport const helper = () => 1`,
    'named.cjs': `exports.catalog = ${catalog}\nexports.typeBase = '/e/'\nexports.helper = () => 1`,
    'named-and-default.mjs': `export const catalog = ${catalog}\nexport const typeBase = '/e/'\nexport default { other_code: ${JSON.stringify(entry)} }`
  }
  for (const [name, source] of Object.entries(files)) {
    writeFileSync(join(dir, name), source)
    t.strictSame(await loadCatalogOptions(name, dir), { catalog: { quota_exceeded: entry }, typeBase: '/e/' }, name)
  }
  // a catalog whose code is named "catalog" is still a catalog: that entry has a status
  t.strictSame(optionsFromModule({ catalog: entry, other_code: entry }), { catalog: { catalog: entry, other_code: entry } })
  // a default export with a catalog is the plugin options as they are (the plugin names an unknown one)
  t.strictSame(optionsFromModule({ default: { catalog: { quota_exceeded: entry }, typeBase: '/e/', helper: 1 } }), { catalog: { quota_exceeded: entry }, typeBase: '/e/', helper: 1 })
})

t.test('every load failure names the file, the line and column, and the fix (regression: "Unexpected identifier" alone)', async (t) => {
  const dir = tempDir(t)
  const outside = tempDir(t)
  const cases: Record<string, [string, RegExp]> = {
    'syntax.cjs': ['module.exports = {\n  a: 1\n  b: 2\n}\n', /"syntax.cjs" failed to load: Unexpected identifier 'b'? at syntax.cjs:3:3; fix the syntax there/],
    'syntax.mjs': ['export default {\n  a: 1\n  b: 2\n}\n', /"syntax.mjs" failed to load: Unexpected identifier 'b'? at syntax.mjs:3:3; fix the syntax there/],
    'syntax-esm.js': ['export const a = 1\nexport const b = {\n  c: 1\n  d: 2\n}\n', /"syntax-esm.js" failed to load: Unexpected identifier 'd'? at syntax-esm.js:4:3; fix the syntax there/],
    'throws.mjs': ['const a = 1\nthrow new Error("broken " + a)\n', /"throws.mjs" failed to load: broken 1 at throws.mjs:2:7; fix the module there \(node throws.mjs shows the same error\)/],
    'throws-syntax.js': ['const a = 1\nJSON.parse("{")\n', /"throws-syntax.js" failed to load: .*JSON.* at throws-syntax.js:2:6; fix the syntax there/],
    // on Node.js 22 and later the test runner's module hooks resolve require() themselves, and the
    // stack no longer passes through the file: then no line rather than the hook's
    'needs.js': ['const a = 1\nrequire("./not-there")\n', process.versions.node.startsWith('20.') ? /"needs.js" failed to load: Cannot find module '.\/not-there' at needs.js:2:1; fix the module there/ : /"needs.js" failed to load: Cannot find module '.\/not-there' (?:at needs.js:2:1|\(in needs.js; Node.js gives no line for this error\)); fix the module there/],
    'token.json': ['{\n  "quota_exceeded": {\n    "status": 429,\n    "title": x\n  }\n}\n', /"token.json" failed to load: Unexpected token 'x' at token.json:4:14; fix the JSON there/],
    'number.json': ['{ "a": 1, "b" 2 }', /"number.json" failed to load: .* at number.json:1:15; fix the JSON there/]
  }
  for (const [name, [source, message]] of Object.entries(cases)) {
    writeFileSync(join(dir, name), source)
    await t.rejects(loadCatalogOptions(name, dir), { code: 'FST_PROBLEM_INVALID_CATALOG_MODULE', message }, name)
  }
  // a file outside the folder is named by its absolute path
  writeFileSync(join(outside, 'syntax.js'), 'module.exports = {\n  a: 1\n  b: 2\n}\n')
  await t.rejects(loadCatalogOptions(join(outside, 'syntax.js'), dir), { message: new RegExp(`at ${join(outside, 'syntax.js')}:3:3; fix the syntax there`) })
  // an error with no frame in a file, and a syntax error whose source parses (the error came from elsewhere)
  const noFrame = Object.assign(new Error('lost'), { stack: 'Error: lost' })
  await t.rejects(loadCatalogOptions('throws.mjs', dir, () => { throw noFrame }), { message: /failed to load: lost \(in throws.mjs; Node.js gives no line for this error\); fix the module there/ })
  writeFileSync(join(dir, 'fine.js'), 'module.exports = {}\n')
  const elsewhere = Object.assign(new SyntaxError('Unexpected token'), { stack: 'SyntaxError: Unexpected token' })
  await t.rejects(loadCatalogOptions('fine.js', dir, () => { throw elsewhere }), { message: /failed to load: Unexpected token \(in fine.js; Node.js gives no line for this error\); fix the syntax there/ })
  // import() of a TypeScript file without a loader
  const unknown = Object.assign(new TypeError('Unknown file extension ".ts"'), { code: 'ERR_UNKNOWN_FILE_EXTENSION', stack: 'TypeError: Unknown file extension ".ts"' })
  writeFileSync(join(dir, 'errors.mts'), 'export const catalog = {}\n')
  await t.rejects(loadCatalogOptions('errors.mts', dir, () => { throw unknown }), { message: /failed to load: Unknown file extension ".ts" \(in errors.mts; .*\); Node.js v[\d.]+ does not run TypeScript here/ })
})

t.test('a missing module or a folder is named by its resolved path, never by a package.json (regression: a missing file blamed an unrelated package.json)', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', main: 'server.js' }))
  writeFileSync(join(dir, 'errors.js'), `module.exports = { quota_exceeded: ${JSON.stringify(entry)} }`)
  await t.rejects(loadCatalogOptions('.', dir), { code: 'FST_PROBLEM_INVALID_CATALOG_MODULE', message: new RegExp(`catalog module "." is a folder \\(${dir}\\), not a module; give --catalog the path of the catalog file, such as ./errors.js`) })
  await t.rejects(loadCatalogOptions('package.json/errors.js', dir), { message: /was not found: there is no file .*package.json\/errors.js/ })
  await t.rejects(loadCatalogOptions('errors.mjs', dir), { message: new RegExp(`was not found: there is no file ${join(dir, 'errors.mjs')} `) })
  t.strictSame(await loadCatalogOptions('errors', dir), { catalog: { quota_exceeded: entry } }, 'the extension may be left out, as with require()')
})

t.test('a TypeScript catalog gives the fix when Node.js cannot run it, through the package bin', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'errors.ts'), `export const catalog: Record<string, object> = { quota_exceeded: ${JSON.stringify(entry)} }\n`)
  const bin = join(__dirname, '..', 'bin', 'fastify-problem-details.js')
  const result = await promisify(execFile)(process.execPath, [bin, 'lock', '--catalog', 'errors.ts', '--out', join(dir, 'errors.lock.json')], { cwd: dir, env: { PATH: process.env.PATH ?? '' } }).then(() => ({ code: 0, stderr: '' }), (error) => error)
  if ((process.features as { typescript?: unknown }).typescript) {
    // a Node.js that can strip types runs it, or (where stripping is off for it) still gives the fix
    t.ok(result.code === 0 || /does not run TypeScript here: compile the catalog/.test(String(result.stderr)), `ran it or gave the fix: ${String(result.stderr)}`)
  } else {
    t.equal(result.code, 2)
    t.match(result.stderr, /catalog module "errors.ts" failed to load: .* at errors.ts:1:\d+; Node.js v[\d.]+ does not run TypeScript here: compile the catalog and give --catalog the compiled .js file, or run the command with a TypeScript loader/)
  }
})

t.test('the place where a JSON file stops being JSON, for every kind of mistake', async (t) => {
  const cases: Array<[string, number]> = [
    ['', 0],
    ['   ', 3],
    ['{"a": 1', 7],
    ['{"a" 1}', 5],
    ['{a: 1}', 1],
    ['{"a": 1,}', 8],
    ['{"a": [1, 2,]}', 12],
    ['[1 2]', 3],
    ['{"a": tru}', 6],
    ['{"a": "b\u0001"}', 8],
    ['{"a": "b', 8],
    ['{"a": "\\x"}', 8],
    ['{"a": "\\u12G4"}', 8],
    ['{"a": "\\', 8],
    ['{"a": -}', 6],
    ['{"a": 1} x', 9],
    ['{"a": [true, false, null, -1.5e3, "\\u00e9\\n"], "b": {}, "c": []} ]', 65]
  ]
  for (const [text, offset] of cases) {
    t.equal(jsonErrorOffset(text), offset, JSON.stringify(text))
    t.throws(() => JSON.parse(text), JSON.stringify(text))
  }
  t.equal(jsonErrorOffset('{ "valid": [1] }'), 16, 'valid JSON ends at its end')
})
