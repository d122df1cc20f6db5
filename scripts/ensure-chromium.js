'use strict'
// Where the browser test finds Chromium, and how CI installs it.
//
// findChromium(): the path in CHROMIUM_PATH when set, else Debian's /usr/bin/chromium (or
// /usr/bin/chromium-browser). `npm test` never installs anything: without a browser the browser
// test skips itself with one line saying how to enable it, unless REQUIRE_BROWSER=1, which makes
// a missing browser a failure (.ci/run sets it).
//
// `node scripts/ensure-chromium.js` (run by .ci/run): when no Chromium is found, installs
// Debian's "chromium" package with apt-get (as root, where apt-get exists); exits 1 when it
// cannot.
const { existsSync } = require('node:fs')
const { spawnSync } = require('node:child_process')

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser']
const HOW_TO_ENABLE = 'install Debian\'s "chromium" package (apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary'

/** `{ path }` of the browser to use, or `{ missing }` saying why there is none. */
function findChromium (env = process.env) {
  if (env.CHROMIUM_PATH) {
    return existsSync(env.CHROMIUM_PATH) ? { path: env.CHROMIUM_PATH } : { missing: `CHROMIUM_PATH is ${env.CHROMIUM_PATH}, which does not exist` }
  }
  const path = CANDIDATES.find((candidate) => existsSync(candidate))
  return path === undefined ? { missing: `no Chromium at ${CANDIDATES.join(' or ')} and CHROMIUM_PATH is not set` } : { path }
}

function ensureChromium () {
  const found = findChromium()
  if (found.path !== undefined) {
    process.stdout.write(`chromium: ${found.path}\n`)
    return true
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0
  if (process.env.CHROMIUM_PATH || !isRoot || !hasApt) {
    process.stdout.write(`chromium: ${found.missing}; cannot install it here (${process.env.CHROMIUM_PATH ? 'CHROMIUM_PATH is set' : isRoot ? 'no apt-get' : 'not root'}): ${HOW_TO_ENABLE}\n`)
    return false
  }
  process.stdout.write(`chromium: ${found.missing}: installing the Debian "chromium" package with apt-get\n`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  for (const args of [['update'], ['install', '-y', 'chromium']]) {
    process.stdout.write(`> apt-get ${args.join(' ')}\n`)
    const result = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env })
    if (result.status !== 0) {
      process.stdout.write(`apt-get ${args[0]} failed (exit ${result.status})\n`)
      return false
    }
  }
  const after = findChromium()
  process.stdout.write(after.path === undefined ? `chromium: still missing after apt-get (${after.missing})\n` : `chromium: ${after.path}\n`)
  return after.path !== undefined
}

module.exports = { findChromium, ensureChromium, HOW_TO_ENABLE }

if (require.main === module) process.exitCode = ensureChromium() ? 0 : 1
