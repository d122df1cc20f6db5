'use strict'
// Builds the package twice from lib/: CommonJS (require) and ES modules (import).
// Runs on `npm ci` through the `prepare` script, so a fresh clone is usable at once.
const { execFileSync } = require('node:child_process')
const { appendFileSync, rmSync, writeFileSync } = require('node:fs')
const { join } = require('node:path')

const root = join(__dirname, '..')
const tsc = require.resolve('typescript/bin/tsc')

rmSync(join(root, 'dist'), { recursive: true, force: true })
for (const [project, type] of [['tsconfig.build.json', 'commonjs'], ['tsconfig.esm.json', 'module']]) {
  execFileSync(process.execPath, [tsc, '-p', join(root, project)], { stdio: 'inherit', cwd: root })
  const out = type === 'commonjs' ? 'cjs' : 'esm'
  writeFileSync(join(root, 'dist', out, 'package.json'), JSON.stringify({ type }) + '\n')
}

// Fastify plugin convention: require() returns the plugin itself, with every named export on it
// (require('fastify-problem-details').ProblemError, .default and .problemDetails keep working).
appendFileSync(join(root, 'dist', 'cjs', 'index.js'), '\nmodule.exports = Object.assign(exports.default, exports);\n')
