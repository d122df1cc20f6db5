'use strict'
// The whole test command: lint, type check, build, type tests, then the tap suite with its
// coverage gate. Output streams as it happens (one line per test file, see tap-reporter.js), and
// the last line is always the plain "N passed, N failed" that any CI can read.
//
//   npm test                         everything
//   npm test -- test/plugin.test.ts  the same steps, tap on the given files only
const { spawnSync } = require('node:child_process')
const { mkdtempSync, readFileSync, rmSync } = require('node:fs')
const { tmpdir } = require('node:os')
const { join } = require('node:path')

const root = join(__dirname, '..')
const bin = (name) => join(root, 'node_modules', '.bin', name)
const started = Date.now()
const elapsed = (since) => `${Math.round((Date.now() - since) / 1000)} s`

const steps = [
  ['lint', bin('eslint'), []],
  // import cycles, type-only imports included (eslint's import-x/no-cycle sees value imports only)
  ['import cycles', bin('dpdm'), ['--no-tree', '--no-warning', '--exit-code', 'circular:1', 'lib/**/*.ts']],
  ['typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']],
  ['build', process.execPath, [join(__dirname, 'build.js')]],
  ['type tests', bin('tsd'), ['--typings', 'dist/cjs/index.d.ts', '--files', 'test/types/*.test-d.ts']],
  // the client entry point's own program: a browser app augments ProblemRegistry through it
  ['client type tests', bin('tsd'), ['--typings', 'dist/cjs/client/index.d.ts', '--files', 'test/types/client/*.test-d.ts']]
]

for (const [name, cmd, args] of steps) {
  const stepStarted = Date.now()
  process.stdout.write(`> ${name}\n`)
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' })
  if (result.status !== 0) {
    process.stdout.write(`\n${name} failed\n0 passed, 1 failed\n`)
    process.exit(1)
  }
  process.stdout.write(`  ${name} ok (${elapsed(stepStarted)})\n`)
}

process.stdout.write('> tap\n')
const scratch = mkdtempSync(join(tmpdir(), 'problem-details-test-'))
const countsFile = join(scratch, 'counts.json')
const tap = spawnSync(bin('tap'), process.argv.slice(2), { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, TAP_COUNTS_FILE: countsFile } })
let counts
try {
  counts = JSON.parse(readFileSync(countsFile, 'utf8'))
} catch {
  counts = undefined
}
rmSync(scratch, { recursive: true, force: true })

const passed = counts?.passed ?? 0
let failed = counts?.failed ?? 0
if (tap.status !== 0 && failed === 0) {
  // tap exits 1 on a coverage shortfall with no failed test (it printed the coverage table above)
  process.stdout.write(counts === undefined ? '\ntap failed before reporting any result\n' : '\ntap failed: coverage of lib/ is below 100% (see the table above)\n')
  failed = 1
}
process.stdout.write(`\nnpm test took ${elapsed(started)}\n${passed} passed, ${failed} failed\n`)
process.exit(tap.status === 0 && failed === 0 ? 0 : 1)
