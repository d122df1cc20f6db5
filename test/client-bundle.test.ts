import t from 'tap'
import { builtinModules } from 'node:module'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'

// The test command builds dist/ first. The client entry point must run in a browser: its built
// module graph (ES modules and CommonJS) may reach nothing but its own files, the built-in
// catalog's data, and @opentelemetry/api.
const root = join(__dirname, '..')
const ALLOWED_PACKAGES = new Set(['@opentelemetry/api'])
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\brequire\(\s*['"]([^'"]+)['"]\s*\)/g

/** Every module the entry reaches, and every specifier outside the package it names. */
function graph (entry: string): { files: string[], external: string[] } {
  const files = new Set<string>()
  const external = new Set<string>()
  const pending = [entry]
  for (let i = 0; i < pending.length && i < 1000; i++) {
    const file = pending[i]
    if (files.has(file)) continue
    files.add(file)
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? match[3]
      if (specifier.startsWith('.')) pending.push(join(dirname(file), specifier))
      else external.add(specifier)
    }
  }
  return { files: [...files].map((file) => relative(join(root, 'dist'), file)).sort(), external: [...external].sort() }
}

for (const format of ['esm', 'cjs']) {
  t.test(`the ${format} client bundle imports no Node.js module and no server module`, async (t) => {
    const entry = join(root, 'dist', format, 'client', 'index.js')
    t.ok(existsSync(entry), 'built')
    const { files, external } = graph(entry)
    t.strictSame(external, ['@opentelemetry/api'], 'the only package it imports')
    t.notOk(external.some((name) => name.startsWith('node:') || builtinModules.includes(name)), 'no Node.js module')
    t.ok(external.every((name) => ALLOWED_PACKAGES.has(name)))
    t.strictSame(files.filter((file) => !file.startsWith(`${format}/client/`)), [`${format}/builtin-catalog.js`], 'outside lib/client/, only the built-in catalog (plain data)')
  })
}

t.test('the graph walker sees every form of import', async (t) => {
  const forms = 'import { a } from "./a.js"\nexport { b } from \'node:fs\'\nconst c = require("fastify")\nawait import(\'ajv\')\n'
  t.strictSame([...forms.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]), ['./a.js', 'node:fs', 'fastify', 'ajv'])
})
