#!/usr/bin/env node
'use strict'
// The package's command: `fastify-problem-details docs --catalog ./errors.js --out docs/errors`, and
// `fastify-problem-details lock --catalog ./errors.js [--check]` for the error contract.
// The work is done by the built library (dist/cjs), the same code the plugin runs.
const { runCli } = require('../dist/cjs/docs/cli.js')

runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n')
}).then((code) => {
  process.exitCode = code
}, (error) => {
  process.stderr.write(`${error?.stack ?? error}\n`)
  process.exitCode = 2
})
