'use strict'

// The library's layout, enforced (import cycles, type-only ones included, are the cycle check's:
// dpdm, run beside eslint by `npm run lint` and the test command).
const entryImports = {
  group: ['./index.ts', '../index.ts', './index.js', '../index.js'],
  message: 'lib/index.ts only wires the plugin: import the module that defines the name instead.'
}

module.exports = [
  ...require('neostandard')({
    ts: true,
    ignores: ['dist/**', 'coverage/**', '.tap/**', 'bench/results/**', 'docs/**', '.compat/**']
  }),
  {
    // the reference tooling may use the runtime, never the package entry
    files: ['lib/docs/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [entryImports] }] }
  },
  {
    // the request path never reaches into the reference tooling; only lib/index.ts may load it, lazily
    files: ['lib/*.ts'],
    ignores: ['lib/index.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [entryImports, {
          group: ['./docs', './docs/*'],
          message: 'the request path must not depend on the reference tooling (lib/docs/); only lib/index.ts may load it, lazily, when serveDocs is on.'
        }]
      }]
    }
  }
]
