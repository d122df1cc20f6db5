'use strict'
// Coverage is measured on the library itself (lib/), whichever test exercises it.
const { readdirSync } = require('node:fs')
const { join } = require('node:path')

function listTs (dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? listTs(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [])
}

const libFiles = listTs('lib')
module.exports = () => libFiles
