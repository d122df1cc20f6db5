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
    // the client entry point runs in browsers: no Node.js module, no server module (types aside)
    files: ['lib/client/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{
          group: ['node:*'],
          message: 'lib/client/ runs in browsers: use web APIs (fetch, ReadableStream, TextDecoder, AbortSignal) instead of Node.js modules.'
        }, {
          group: ['../*', '!../types.ts', '!../builtin-catalog.ts'],
          allowTypeImports: true,
          message: 'lib/client/ must not load server modules; the server may use the client, not the reverse.'
        }],
        paths: [...require('node:module').builtinModules, 'fastify', 'fastify-plugin', 'ajv', 'ajv-formats', '@fastify/error', 'fast-json-stringify'].map((name) => ({
          name,
          message: 'lib/client/ runs in browsers: it may import @opentelemetry/api and nothing else outside lib/client/.'
        }))
      }]
    }
  },
  {
    // the request path never reaches into the reference tooling; only registration (lib/plugin.ts) loads
    // it, with import() when serveDocs is on, which this rule does not look at
    files: ['lib/*.ts'],
    ignores: ['lib/index.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [entryImports, {
          group: ['./docs', './docs/*'],
          message: 'the request path must not depend on the reference tooling (lib/docs/); only registration (lib/plugin.ts) loads it, lazily, when serveDocs is on.'
        }]
      }]
    }
  }
]
