'use strict'

const importX = require('eslint-plugin-import-x')

module.exports = [
  ...require('neostandard')({
    ts: true,
    ignores: ['dist/**', 'coverage/**', '.tap/**', 'bench/results/**', 'docs/**']
  }),
  {
    // The library's architecture, enforced: no import cycle anywhere in lib/; the request path
    // never reaches into the reference tooling (lib/docs/), and nothing imports the package entry.
    files: ['lib/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.js'] })]
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', {
        zones: [
          { target: './lib', from: './lib/index.ts', message: 'lib/index.ts only wires the plugin: import the module that defines the name instead.' },
          { target: './lib/!(docs)/**', from: './lib/docs', message: 'the request path must not depend on the reference tooling (lib/docs/).' },
          { target: './lib/!(index).ts', from: './lib/docs', message: 'the request path must not depend on the reference tooling (lib/docs/); only lib/index.ts may load it, lazily, when serveDocs is on.' }
        ]
      }]
    }
  }
]
