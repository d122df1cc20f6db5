'use strict'
// The long runs of the suites that `npm test` keeps short (`npm run test:long`): the property
// tests with ten times the cases, the traced property test with more, and the soak test with
// ten times the requests. Same files, same checks, no coverage gate and no time limit.
//
//   npm run test:long                   the defaults below
//   PROPERTY_RUNS=5000 npm run test:long   any of the variables, to go further
// (node scripts/fuzz.js runs the property test with a fresh seed; node scripts/soak.js a timed soak.)
const { spawnSync } = require('node:child_process')
const { mkdtempSync, readFileSync, rmSync } = require('node:fs')
const { tmpdir } = require('node:os')
const { join } = require('node:path')

const root = join(__dirname, '..')
const LONG = { PROPERTY_RUNS: '1000', PROPERTY_TRACED_RUNS: '300', SOAK_REQUESTS: '50000' }
const FILES = ['test/property.test.ts', 'test/property-traced.test.ts', 'test/soak.test.ts']

const env = { ...process.env }
for (const [name, value] of Object.entries(LONG)) env[name] ??= value
const scratch = mkdtempSync(join(tmpdir(), 'problem-details-long-'))
env.TAP_COUNTS_FILE = join(scratch, 'counts.json')
const started = Date.now()
process.stdout.write(`long runs: ${Object.keys(LONG).map((name) => `${name}=${env[name]}`).join(' ')}\n`)
const tap = spawnSync(join(root, 'node_modules', '.bin', 'tap'), ['--disable-coverage', '--timeout', '0', ...FILES], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] })
let counts
try {
  counts = JSON.parse(readFileSync(env.TAP_COUNTS_FILE, 'utf8'))
} catch {}
rmSync(scratch, { recursive: true, force: true })
const failed = counts === undefined || (tap.status !== 0 && counts.failed === 0) ? Math.max(1, counts?.failed ?? 0) : counts.failed
process.stdout.write(`\nlong runs took ${Math.round((Date.now() - started) / 1000)} s\n${counts?.passed ?? 0} passed, ${failed} failed\n`)
process.exit(tap.status === 0 && failed === 0 ? 0 : 1)
