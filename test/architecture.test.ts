import t, { type Test } from 'tap'
import { ESLint } from 'eslint'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

// The lint step enforces the layout: no import cycle in lib/ (dpdm, type-only imports included),
// the request path never imports the reference tooling (lib/docs/), and nothing imports
// lib/index.ts (eslint). These tests break each rule in a small tree checked with the project's
// own configuration and command line, so a rule that stops working fails here.
const root = join(__dirname, '..')
const CYCLE_CHECK = [require.resolve('dpdm/lib/bin/dpdm.js'), '--no-tree', '--no-warning', '--exit-code', 'circular:1', 'lib/**/*.ts']

function tree (t: Test, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fpd-architecture-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  return dir
}

async function lint (dir: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: dir, overrideConfigFile: join(root, 'eslint.config.js') })
  const results = await eslint.lintFiles(['lib/**/*.ts'])
  return results.flatMap((result) => result.messages.map((message) => `${result.filePath.slice(dir.length + 1)} ${message.ruleId}`)).sort()
}

function cycles (dir: string) {
  return spawnSync(process.execPath, CYCLE_CHECK, { cwd: dir, encoding: 'utf8' })
}

t.test('an import cycle fails the cycle check of the lint step', async (t) => {
  const dir = tree(t, {
    'lib/catalog.ts': "import { classify } from './classify.ts'\n\nexport const catalog = () => classify\n",
    'lib/classify.ts': "import { catalog } from './catalog.ts'\n\nexport const classify = () => catalog\n"
  })
  const result = cycles(dir)
  t.equal(result.status, 1)
  t.match(result.stdout, /lib\/(catalog|classify)\.ts -> lib\/(catalog|classify)\.ts/)
})

t.test('a cycle through type-only imports fails it too', async (t) => {
  const dir = tree(t, {
    'lib/types.ts': "import type { Entry } from './catalog.ts'\n\nexport interface Registry { entry: Entry }\n",
    'lib/catalog.ts': "import type { Registry } from './types.ts'\n\nexport interface Entry { registry: Registry }\n"
  })
  const result = cycles(dir)
  t.equal(result.status, 1)
  t.match(result.stdout, /lib\/(types|catalog)\.ts -> lib\/(types|catalog)\.ts/)
})

t.test('the request path importing the reference tooling fails the lint step; the reverse is the design', async (t) => {
  const dir = tree(t, {
    'lib/responder.ts': "import { page } from './docs/model.ts'\n\nexport const respond = () => page\n",
    'lib/docs/model.ts': "import { bound } from '../guards.ts'\n\nexport const page = () => bound\n",
    'lib/guards.ts': 'export const bound = 1\n'
  })
  t.strictSame(await lint(dir), ['lib/responder.ts no-restricted-imports'])
})

t.test('importing the package entry from inside lib/ fails the lint step, types included', async (t) => {
  const dir = tree(t, {
    'lib/index.ts': "import { ProblemError } from './problem-error.ts'\n\nexport { ProblemError }\nexport type Code = string\nexport const plugin = 1\n",
    'lib/problem-error.ts': "import type { Code } from './index.ts'\n\nexport class ProblemError extends Error { code?: Code }\n",
    'lib/docs/cli.ts': "import { plugin } from '../index.ts'\n\nexport const cli = plugin\n"
  })
  t.strictSame(await lint(dir), ['lib/docs/cli.ts no-restricted-imports', 'lib/problem-error.ts no-restricted-imports'])
})

t.test('the client importing a Node.js module, a server module or fastify fails the lint step; types and the catalog data are allowed', async (t) => {
  const dir = tree(t, {
    'lib/client/parse.ts': "import { readFileSync } from 'node:fs'\n\nexport const parse = readFileSync\n",
    'lib/client/stream.ts': "import { Readable } from 'stream'\n\nexport const stream = Readable\n",
    'lib/client/fetch.ts': "import { classify } from '../classify.ts'\n\nexport const fetch = classify\n",
    'lib/client/plugin.ts': "import fastify from 'fastify'\n\nexport const plugin = fastify\n",
    'lib/client/error.ts': "import type { ProblemCode } from '../types.ts'\nimport type { Classification } from '../classify.ts'\nimport { builtinCatalog } from '../builtin-catalog.ts'\n\nexport type Code = ProblemCode | Classification\nexport const catalog = builtinCatalog\n",
    'lib/classify.ts': 'export interface Classification { status: number }\nexport const classify = 1\n',
    'lib/types.ts': 'export type ProblemCode = string\n',
    'lib/builtin-catalog.ts': 'export const builtinCatalog = {}\n'
  })
  t.strictSame(await lint(dir), ['lib/client/fetch.ts @typescript-eslint/no-restricted-imports', 'lib/client/parse.ts @typescript-eslint/no-restricted-imports', 'lib/client/plugin.ts @typescript-eslint/no-restricted-imports', 'lib/client/stream.ts @typescript-eslint/no-restricted-imports'])
})

t.test('lib/ itself passes every architecture rule', async (t) => {
  const eslint = new ESLint({ cwd: root })
  const results = await eslint.lintFiles(['lib/**/*.ts'])
  t.strictSame(results.flatMap((result) => result.messages.map((message) => `${result.filePath} ${message.ruleId} ${message.message}`)), [])
  const result = spawnSync(process.execPath, CYCLE_CHECK, { cwd: root, encoding: 'utf8' })
  t.equal(result.status, 0, result.stdout)
})
