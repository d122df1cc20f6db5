'use strict'
// Long property run: the generated cases of test/property.test.ts, many more of them, with a
// fresh seed each time (printed, so a failure can be replayed).
//
//   node scripts/fuzz.js [casesPerStage=5000] [seed=random]
//   PROPERTY_SEED=<seed> PROPERTY_RUNS=<n> npx tap --disable-coverage test/property.test.ts   (replay)
const { spawnSync } = require('node:child_process')
const { join } = require('node:path')

const root = join(__dirname, '..')
const runs = Number(process.argv[2] ?? 5000)
const seed = Number(process.argv[3] ?? Math.floor(Math.random() * 2 ** 31))
process.stdout.write(`fuzz: ${runs} cases per stage, seed ${seed}\n`)
const started = Date.now()
const result = spawnSync(join(root, 'node_modules', '.bin', 'tap'), ['--disable-coverage', '--timeout', '0', 'test/property.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PROPERTY_RUNS: String(runs), PROPERTY_SEED: String(seed) }
})
const seconds = Math.round((Date.now() - started) / 1000)
process.stdout.write(`\nfuzz: ${result.status === 0 ? 'passed' : 'FAILED'} in ${seconds} s; replay with PROPERTY_SEED=${seed} PROPERTY_RUNS=${runs}\n`)
process.exit(result.status ?? 1)
