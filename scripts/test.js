'use strict'
// The whole test command: lint, type check, build, type tests, then the tap suite with its
// coverage gate. Ends with one plain line "N passed, N failed" that any CI can read.
const { spawnSync } = require('node:child_process')
const { join } = require('node:path')

const root = join(__dirname, '..')
const bin = (name) => join(root, 'node_modules', '.bin', name)

const steps = [
  ['lint', bin('eslint'), []],
  // import cycles, type-only imports included (eslint's import-x/no-cycle sees value imports only)
  ['import cycles', bin('dpdm'), ['--no-tree', '--no-warning', '--exit-code', 'circular:1', 'lib/**/*.ts']],
  ['typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']],
  ['build', process.execPath, [join(__dirname, 'build.js')]],
  ['type tests', bin('tsd'), ['--typings', 'dist/cjs/index.d.ts', '--files', 'test/types/*.test-d.ts']]
]

for (const [name, cmd, args] of steps) {
  process.stdout.write(`\n> ${name}\n`)
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' })
  if (result.status !== 0) {
    process.stdout.write(`\n${name} failed\n0 passed, 1 failed\n`)
    process.exit(1)
  }
}

// the browser test needs Debian's chromium: install it when missing (as root, with apt-get)
process.stdout.write('\n> chromium\n')
require('./ensure-chromium.js').ensureChromium()

process.stdout.write('\n> tap\n')
const tap = spawnSync(bin('tap'), process.argv.slice(2), { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 * 1024 * 1024 })
process.stdout.write(tap.stdout)
const summary = /# \{ total: (\d+), pass: (\d+)(?:, fail: (\d+))?/.exec(tap.stdout)
const passed = summary ? Number(summary[2]) : 0
const failed = summary ? Number(summary[3] ?? 0) : 1
// tap exits 1 on a coverage shortfall with no failed test: count it as a failure too
const total = tap.status !== 0 && failed === 0 ? 1 : failed
if (tap.status !== 0 && failed === 0) process.stdout.write('\ntap failed (coverage below the gate, or a file crashed)\n')
process.stdout.write(`\n${passed} passed, ${total} failed\n`)
process.exit(tap.status === 0 ? 0 : 1)
