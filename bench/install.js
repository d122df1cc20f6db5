'use strict'
// The benchmark's own dependencies (bench/package.json: the libraries compared against that
// declare a newer Node than the test suite supports) live in bench/node_modules, so the main
// `npm ci` stays free of engine warnings. They are installed here, with `npm ci`, the first time
// the benchmark runs, and again whenever bench/package-lock.json changes.
const { spawnSync } = require('node:child_process')
const { existsSync, readFileSync, writeFileSync } = require('node:fs')
const { join } = require('node:path')

const LOCK = join(__dirname, 'package-lock.json')
const STAMP = join(__dirname, 'node_modules', '.installed-lock')

function ensureBenchDependencies () {
  const lock = readFileSync(LOCK, 'utf8')
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === lock) return
  process.stderr.write('installing the benchmark\'s own dependencies (npm ci --prefix bench)\n')
  // inside `npm run`, npm_execpath is npm's own script: use the npm that runs us
  const npm = process.env.npm_execpath
  const [cmd, args] = npm !== undefined && npm.endsWith('.js')
    ? [process.execPath, [npm]]
    : [process.platform === 'win32' ? 'npm.cmd' : 'npm', []]
  const result = spawnSync(cmd, [...args, 'ci', '--prefix', __dirname, '--no-audit', '--no-fund'], { stdio: ['ignore', 2, 2], shell: process.platform === 'win32' })
  if (result.status !== 0) throw new Error(`npm ci --prefix bench failed (exit ${result.status})`)
  writeFileSync(STAMP, lock)
}

module.exports = { ensureBenchDependencies }

if (require.main === module) ensureBenchDependencies()
