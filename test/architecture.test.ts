import t, { type Test } from 'tap'
import { ESLint } from 'eslint'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

// The lint step enforces the layout: no import cycle in lib/, the request path never imports the
// reference tooling (lib/docs/), and nothing imports lib/index.ts. These tests lint small trees
// that break each rule with the project's own configuration, so a rule that stops working fails here.
const root = join(__dirname, '..')

async function lintTree (t: Test, files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'fpd-architecture-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  // the restricted zones are paths from the working directory, as when `npm run lint` runs at the root
  process.chdir(dir)
  t.teardown(() => process.chdir(root))
  const eslint = new ESLint({ cwd: dir, overrideConfigFile: join(root, 'eslint.config.js') })
  const results = await eslint.lintFiles(['lib/**/*.ts'])
  return results.flatMap((result) => result.messages.map((message) => `${result.filePath.slice(dir.length + 1)} ${message.ruleId}`)).sort()
}

t.test('an import cycle fails the lint step', async (t) => {
  const found = await lintTree(t, {
    'lib/catalog.ts': "import { classify } from './classify.ts'\n\nexport const catalog = () => classify\n",
    'lib/classify.ts': "import { catalog } from './catalog.ts'\n\nexport const classify = () => catalog\n"
  })
  t.strictSame(found, ['lib/catalog.ts import-x/no-cycle', 'lib/classify.ts import-x/no-cycle'])
})

t.test('a cycle through type-only imports fails the cycle check of the lint step', async (t) => {
  const tree = {
    'lib/types.ts': "import type { Entry } from './catalog.ts'\n\nexport interface Registry { entry: Entry }\n",
    'lib/catalog.ts': "import type { Registry } from './types.ts'\n\nexport interface Entry { registry: Registry }\n"
  }
  t.strictSame(await lintTree(t, tree), [], 'import-x/no-cycle does not follow type-only imports')
  const dpdm = spawnSync(process.execPath, [require.resolve('dpdm/lib/bin/dpdm.js'), '--no-tree', '--no-warning', '--exit-code', 'circular:1', 'lib/**/*.ts'], { cwd: process.cwd(), encoding: 'utf8' })
  t.equal(dpdm.status, 1, 'dpdm does')
  t.match(dpdm.stdout, /lib\/(types|catalog)\.ts -> lib\/(types|catalog)\.ts/)
})

t.test('the request path importing the reference tooling fails the lint step; the reverse is the design', async (t) => {
  const found = await lintTree(t, {
    'lib/responder.ts': "import { page } from './docs/model.ts'\n\nexport const respond = () => page\n",
    'lib/docs/model.ts': "import { bound } from '../guards.ts'\n\nexport const page = () => bound\n",
    'lib/guards.ts': 'export const bound = 1\n'
  })
  t.strictSame(found, ['lib/responder.ts import-x/no-restricted-paths'])
})

t.test('importing the package entry from inside lib/ fails the lint step', async (t) => {
  const found = await lintTree(t, {
    'lib/index.ts': "import { ProblemError } from './problem-error.ts'\n\nexport { ProblemError }\nexport const plugin = 1\n",
    'lib/problem-error.ts': 'export class ProblemError extends Error {}\n',
    'lib/docs/cli.ts': "import { plugin } from '../index.ts'\n\nexport const cli = plugin\n"
  })
  t.strictSame(found, ['lib/docs/cli.ts import-x/no-restricted-paths'])
})

t.test('lib/ itself passes every architecture rule', async (t) => {
  const eslint = new ESLint({ cwd: root })
  const results = await eslint.lintFiles(['lib/**/*.ts'])
  const found = results.flatMap((result) => result.messages.filter((message) => message.ruleId?.startsWith('import-x/')).map((message) => `${result.filePath} ${message.ruleId} ${message.message}`))
  t.strictSame(found, [])
})
