import t, { type Test } from 'tap'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FST_PROBLEM_INVALID_CATALOG_MODULE } from '../lib/index.ts'
import { loadCatalogOptions, loadModule, optionsFromModule } from '../lib/docs/catalog-module.ts'

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
    ['missing.js', new RegExp(`catalog module "missing.js" was not found \\(no file at ${join(dir, 'missing.js').replaceAll('/', '\\/')}\\); give --catalog the path of the module, relative to the current folder`)],
    ['throws.js', /catalog module "throws.js" failed to load: the database is not configured; fix the module \(node throws.js shows where it fails\)/],
    ['throws-string.js', /catalog module "throws-string.js" failed to load: "not an error"; fix the module/],
    ['syntax.js', /catalog module "syntax.js" failed to load: Unexpected end of input; fix the module/],
    ['broken.json', /catalog module "broken.json" failed to load: .*broken.json: Unexpected end of JSON input; fix the JSON of the file/],
    ['number.js', /catalog module "number.js" must export an object: a catalog \(code -> entry\) or the plugin options \{ catalog, ... \}; it exports number 42/]
  ]
  for (const [name, message] of cases) {
    await t.rejects(loadCatalogOptions(name, dir), { code: 'FST_PROBLEM_INVALID_CATALOG_MODULE', message }, name)
  }
  // Node.js 20 cannot run TypeScript: the message says what to give instead
  const failing = async () => { throw new SyntaxError('Unexpected token \':\'\n  at line 1') }
  await t.rejects(loadCatalogOptions('errors.ts', dir, failing), {
    message: /catalog module "errors.ts" failed to load: Unexpected token ':'; Node.js loads JavaScript here: build the catalog first and give --catalog the compiled .js file/
  })
  // a loader of one's own, synchronous or not
  t.strictSame(await loadCatalogOptions('errors.ts', dir, () => ({ default: { catalog: {}, typeBase: '/x/' } })), { catalog: {}, typeBase: '/x/' })
  t.strictSame(await loadCatalogOptions('errors.ts', dir, async () => ({ quota_exceeded: entry })), { catalog: { quota_exceeded: entry } })
  t.throws(() => optionsFromModule('text'), new FST_PROBLEM_INVALID_CATALOG_MODULE('(given value)', 'must export an object: a catalog (code -> entry) or the plugin options { catalog, ... }; it exports "text"'))
})
