'use strict'
// Makes sure Debian's chromium is present for the browser test. When /usr/bin/chromium is
// missing and this runs as root on a machine with apt-get, it installs the package and says so.
// Otherwise it prints why it cannot, and the browser test fails loudly (it never skips).
const { existsSync } = require('node:fs')
const { spawnSync } = require('node:child_process')

const CHROMIUM = '/usr/bin/chromium'

function ensureChromium () {
  if (existsSync(CHROMIUM)) return true
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0
  if (!isRoot || !hasApt) {
    process.stdout.write(`${CHROMIUM} is missing and cannot be installed here (${isRoot ? 'no apt-get' : 'not root'}); install the Debian "chromium" package, or the browser test will fail\n`)
    return false
  }
  process.stdout.write(`${CHROMIUM} is missing: installing the Debian "chromium" package with apt-get (once)\n`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  for (const args of [['update'], ['install', '-y', 'chromium']]) {
    process.stdout.write(`> apt-get ${args.join(' ')}\n`)
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env })
    if (result.status !== 0) {
      process.stdout.write(`apt-get ${args[0]} failed (exit ${result.status}); the browser test will fail\n`)
      return false
    }
  }
  return existsSync(CHROMIUM)
}

module.exports = { ensureChromium, CHROMIUM }

if (require.main === module) process.exitCode = ensureChromium() ? 0 : 1
