import t, { type Test } from 'tap'
import { execFile } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { optionsFromModule, runCli, USAGE } from '../lib/docs/cli.ts'

const root = join(__dirname, '..')
const fixtures = join(__dirname, 'fixtures')

/** Runs the command in-process with `cwd`, collecting what it prints. */
async function run (argv: string[], cwd = root) {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(argv, { cwd, out: (line) => out.push(line), err: (line) => err.push(line) })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'problem-docs-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

t.test('docs writes the index and a page per code, and --check then passes', async (t) => {
  const dir = tempDir(t)
  const written = await run(['docs', '--catalog', join(fixtures, 'docs-catalog.js'), '--out', dir])
  t.equal(written.code, 0)
  t.match(written.out, `wrote 18 pages to ${dir}`)
  t.equal(written.err, '')
  t.ok(existsSync(join(dir, 'quota-exceeded.md')))
  const checked = await run(['docs', '--catalog', join(fixtures, 'docs-catalog.js'), '--out', dir, '--check'])
  t.equal(checked.code, 0)
  t.match(checked.out, '18 pages up to date, every code documented')
})

t.test('--check fails and names each file when the folder is out of date', async (t) => {
  const dir = tempDir(t)
  t.equal((await run(['docs', '--out', dir])).code, 0)
  writeFileSync(join(dir, 'conflict.md'), readFileSync(join(dir, 'conflict.md'), 'utf8').replace('**The request', '**An edited'))
  rmSync(join(dir, 'internal-error.md'))
  writeFileSync(join(dir, 'notes.md'), '# hand-written notes stay\n')
  // a generated page for a code the catalog no longer has
  writeFileSync(join(dir, 'gone.md'), readFileSync(join(dir, 'conflict.md'), 'utf8'))
  const checked = await run(['docs', '--out', dir, '--check'])
  t.equal(checked.code, 1)
  t.match(checked.err, `changed: ${dir}/conflict.md`)
  t.match(checked.err, `missing: ${dir}/internal-error.md`)
  t.match(checked.err, `stale: ${dir}/gone.md`)
  t.notMatch(checked.err, 'notes.md')
  t.match(checked.err, `is out of date: run "fastify-problem-details docs --out ${dir}"`)
  t.match(checked.out, 'check failed: 3 file(s) out of date, 0 missing docs text')

  // regenerating repairs it, removes the stale page and keeps the hand-written one
  const rewritten = await run(['docs', '--out', dir])
  t.match(rewritten.out, `removed ${dir}/gone.md`)
  t.ok(existsSync(join(dir, 'notes.md')))
  t.equal((await run(['docs', '--out', dir, '--check'])).code, 0)
})

t.test('the command reports missing docs text, and --check fails on it', async (t) => {
  const dir = tempDir(t)
  const catalog = join(fixtures, 'docs-incomplete-catalog.js')
  const written = await run(['docs', '--catalog', catalog, '--out', dir])
  t.equal(written.code, 0, 'pages are still written, with the gaps visible')
  t.match(written.err, 'missing docs text: catalog entry "legacy_failure" has no "summary"')
  t.match(written.err, 'missing docs text: catalog entry "legacy_failure" has no "description" for its member "upstream"')
  t.match(written.out, '(5 missing docs text, shown as "Not documented yet.")')
  const checked = await run(['docs', '--catalog', catalog, '--out', dir, '--check'])
  t.equal(checked.code, 1)
  t.match(checked.err, 'catalog entry "legacy_failure" has no "resolve"')
  t.match(checked.out, 'check failed: 0 file(s) out of date, 5 missing docs text')
})

t.test('a catalog module may export plugin options, also as an ES module default export', async (t) => {
  const dir = tempDir(t)
  const written = await run(['docs', '--catalog', 'test/fixtures/docs-esm-catalog.mjs', '--out', dir, '--instance', '/v1/things'])
  t.equal(written.code, 0, written.err)
  const page = readFileSync(join(dir, 'maintenance.md'), 'utf8')
  t.match(page, '"instance": "/v1/things"')
  t.notMatch(page, '"trace_id"')
  t.notMatch(page, '"error"')
  t.strictSame(optionsFromModule({ default: { a: 1 } }), { catalog: { a: 1 } })
  t.strictSame(optionsFromModule({ catalog: {}, typeBase: '/e/' }), { catalog: {}, typeBase: '/e/' })
  t.strictSame(optionsFromModule({ catalog: { status: 400 }, other: {} }), { catalog: { catalog: { status: 400 }, other: {} } }, 'a code named catalog beside codes is a catalog')
})

t.test('--type-base sets the type URIs unless the module sets them', async (t) => {
  const dir = tempDir(t)
  t.equal((await run(['docs', '--out', dir, '--type-base', 'https://docs.example.com/errors/'])).code, 0)
  t.match(readFileSync(join(dir, 'conflict.md'), 'utf8'), '"type": "https://docs.example.com/errors/conflict"')
  t.equal((await run(['docs', '--catalog', join(fixtures, 'docs-incomplete-catalog.js'), '--out', dir, '--type-base', '/ignored/'])).code, 0)
  t.match(readFileSync(join(dir, 'conflict.md'), 'utf8'), '"type": "https://docs.example.com/errors/conflict"')
})

t.test('usage mistakes and broken catalogs exit 2 with a message', async (t) => {
  const help = await run(['--help'])
  t.equal(help.code, 0)
  t.equal(help.out, USAGE)
  const cases: Array<[string[], RegExp]> = [
    [[], /missing command: the commands are "docs" and "lock"/],
    [['build'], /unknown command "build"/],
    [['docs', '--nope'], /Unknown option '--nope'/],
    [['docs', '--instance', 'no-slash'], /--instance must be a plain path/],
    [['docs', '--catalog', 'test/fixtures/does-not-exist.js'], /cannot render the reference: .*catalog module "test\/fixtures\/does-not-exist.js" was not found/],
    [['docs', '--catalog', 'package.json', '--out', '/dev/null/x'], /cannot render the reference: .*catalog entry "name" must be an object/],
    [['docs', '--type-base', 'no slash'], /cannot render the reference: .*option "typeBase"/]
  ]
  for (const [argv, message] of cases) {
    const result = await run(argv)
    t.equal(result.code, 2, argv.join(' '))
    t.match(result.err, message)
  }
  t.throws(() => optionsFromModule(null), /must export an object/)
  t.throws(() => optionsFromModule([]), /must export an object/)
})

t.test('the command shows relative paths as given', async (t) => {
  const dir = tempDir(t)
  const result = await run(['docs', '--out', 'out/errors'], dir)
  t.equal(result.code, 0)
  t.match(result.out, 'wrote 17 pages to out/errors')
  t.equal(readdirSync(join(dir, 'out', 'errors')).length, 17)
  t.match((await run(['docs', '--out', '.', '--check'], join(dir, 'out', 'errors'))).out, '.: 17 pages up to date')
})

t.test('the package bin runs the built command', async (t) => {
  const dir = tempDir(t)
  const bin = join(root, 'bin', 'fastify-problem-details.js')
  const { stdout } = await promisify(execFile)(process.execPath, [bin, 'docs', '--catalog', join(fixtures, 'docs-catalog.js'), '--out', dir])
  t.match(stdout, `wrote 18 pages to ${dir}`)
  const failed = await promisify(execFile)(process.execPath, [bin, 'docs', '--catalog', join(fixtures, 'docs-incomplete-catalog.js'), '--out', dir, '--check']).catch((error) => error)
  t.equal(failed.code, 1)
  t.match(failed.stderr, 'missing docs text')
  const usage = await promisify(execFile)(process.execPath, [bin]).catch((error) => error)
  t.equal(usage.code, 2)
})

t.test('--check of a folder that does not exist lists every page as missing', async (t) => {
  const dir = join(tempDir(t), 'never-written')
  const checked = await run(['docs', '--catalog', 'test/fixtures/docs-catalog.js', '--out', dir, '--check'])
  t.equal(checked.code, 1)
  t.equal(checked.err.split('\n').filter((line) => line.startsWith('missing: ')).length, 18)
  t.match(checked.err, `run "fastify-problem-details docs --catalog test/fixtures/docs-catalog.js --out ${dir}"`)
})

t.test('without --out, docs checks docs/errors: this repository\'s own reference', async (t) => {
  const checked = await run(['docs', '--check'])
  t.equal(checked.code, 0, checked.err)
  t.equal(checked.out, 'docs/errors: 17 pages up to date, every code documented')
})

t.test('docs never overwrites a hand-written index.md or page, names each one, and --force overwrites them (regression: it overwrote them without warning)', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'index.md'), '# Our own index\n')
  writeFileSync(join(dir, 'conflict.md'), '# Notes on conflicts\n')
  // 1. writing is refused as a whole, and nothing is written
  const refused = await run(['docs', '--out', dir])
  t.equal(refused.code, 2)
  t.match(refused.err, `cannot write ${dir}: fastify-problem-details: the docs command writes no file: ${dir}/index.md is not written by the docs command (its first line is not the generated mark); ${dir}/conflict.md is not written`)
  t.match(refused.err, 'move them out of the folder, or rerun with --force to overwrite them')
  t.strictSame(readdirSync(dir).sort(), ['conflict.md', 'index.md'])
  t.equal(readFileSync(join(dir, 'index.md'), 'utf8'), '# Our own index\n')
  // 2. --check names them as foreign
  const checked = await run(['docs', '--out', dir, '--check'])
  t.equal(checked.code, 1)
  t.match(checked.err, `foreign: ${dir}/index.md (not written by the docs command (its first line is not the generated mark))`)
  t.match(checked.err, `foreign: ${dir}/conflict.md`)
  t.match(checked.err, `2 file(s) in ${dir} were not written by docs, which will not replace them: move them away, or overwrite hand-written ones with --force`)
  t.match(checked.out, 'check failed: 17 file(s) out of date (2 not written by docs), 0 missing docs text')
  // 3. --force overwrites them; the pages are then the generator's
  const forced = await run(['docs', '--out', dir, '--force'])
  t.equal(forced.code, 0, forced.err)
  t.equal((await run(['docs', '--out', dir, '--check'])).code, 0)
  t.equal((await run(['docs', '--out', dir])).code, 0, 'a rerun replaces its own files without --force')
  const both = await run(['docs', '--out', dir, '--check', '--force'])
  t.equal(both.code, 2)
  t.match(both.err, '--force is for writing; --check writes nothing')
  t.match((await run(['lock', '--force'])).err, '--force is not an option of "lock"')
})

t.test('docs never writes through a symbolic link, even with --force, nor removes what a link points to (regression: it wrote through a link to a file outside --out)', async (t) => {
  const dir = tempDir(t)
  const outside = tempDir(t)
  const out = join(dir, 'errors')
  t.equal((await run(['docs', '--out', out])).code, 0)
  const generated = readFileSync(join(out, 'conflict.md'), 'utf8')
  // a link where a page belongs, to a file outside --out; and a link that looks like a stale generated page
  writeFileSync(join(outside, 'target.md'), 'outside, untouched\n')
  writeFileSync(join(outside, 'generated.md'), generated)
  rmSync(join(out, 'conflict.md'))
  symlinkSync(join(outside, 'target.md'), join(out, 'conflict.md'))
  symlinkSync(join(outside, 'generated.md'), join(out, 'gone.md'))
  rmSync(join(out, 'internal-error.md'))
  mkdirSync(join(out, 'internal-error.md'))
  for (const argv of [['docs', '--out', out], ['docs', '--out', out, '--force']]) {
    const refused = await run(argv)
    t.equal(refused.code, 2, argv.join(' '))
    t.match(refused.err, `${out}/conflict.md is a symbolic link, which the docs command never follows nor replaces`)
    t.match(refused.err, `${out}/internal-error.md is not a regular file`)
    t.match(refused.err, 'links and folders are never written through nor replaced, even with --force')
  }
  t.equal(readFileSync(join(outside, 'target.md'), 'utf8'), 'outside, untouched\n')
  t.equal(readFileSync(join(outside, 'generated.md'), 'utf8'), generated)
  t.ok(lstatSync(join(out, 'gone.md')).isSymbolicLink(), 'a link is never taken for a stale generated page')
  const checked = await run(['docs', '--out', out, '--check'])
  t.equal(checked.code, 1)
  t.match(checked.err, `foreign: ${out}/conflict.md (a symbolic link, which the docs command never follows nor replaces)`)
  t.match(checked.err, `foreign: ${out}/internal-error.md (not a regular file)`)
  t.notMatch(checked.err, 'gone.md')
})

t.test('an --out that is a file, not a folder, exits 2 naming it', async (t) => {
  const file = join(tempDir(t), 'errors')
  writeFileSync(file, 'a file\n')
  const written = await run(['docs', '--out', file])
  t.equal(written.code, 2)
  t.match(written.err, `cannot write ${file}: `)
  const checked = await run(['docs', '--out', file, '--check'])
  t.equal(checked.code, 2)
  t.match(checked.err, `cannot check ${file}: ENOTDIR`)
})
