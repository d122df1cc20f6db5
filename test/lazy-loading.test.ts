import t from 'tap'
import { execFileSync } from 'node:child_process'
import { join, relative, sep } from 'node:path'
import { deferredModules, loadDeferredModules, useDeferredModules } from '../lib/deferred.ts'

// Requiring the package must not load what only registration, member validation or the docs need
// (Ajv, fast-json-stringify, OpenTelemetry, the responder, lib/docs/), and registering it without
// serveDocs must not load the docs. Proved by the modules loaded, not by time: a fresh process
// requires the built package (the test command builds dist/ first) and lists require.cache.
const root = join(__dirname, '..')

interface Loaded {
  /** Modules that requiring the package added to those `require('fastify')` loads. */
  required: string[]
  /** Modules loaded once the plugin is registered and the app ready. */
  ready: string[]
}

function loadedModules (pluginOptions: Record<string, unknown>): Loaded {
  const script = `
const list = () => Object.keys(require.cache)
const Fastify = require('fastify')
const withFastify = new Set(list())
const problemDetails = require(${JSON.stringify(root)})
const required = list().filter((file) => !withFastify.has(file))
const app = Fastify()
app.register(problemDetails, ${JSON.stringify(pluginOptions)})
app.ready().then(() => {
  console.log(JSON.stringify({ required, ready: list() }))
  return app.close()
})`
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' })) as Loaded
  const named = (files: string[]) => files.map((file) => relative(root, file).split(sep).join('/'))
  return { required: named(out.required), ready: named(out.ready) }
}

const DEFERRED_PACKAGES = /^node_modules\/(ajv|ajv-formats|fast-uri|@opentelemetry\/api|@opentelemetry\/api-logs)\//
// Fastify itself loads a part of fast-json-stringify (its serializer), never the compiler
const FJS_COMPILER = 'node_modules/fast-json-stringify/index.js'
const REGISTRATION_ONLY = ['plugin', 'deferred-modules', 'responder', 'openapi', 'example', 'classify', 'exception-logs', 'metrics', 'trace', 'registration'].map((name) => `dist/cjs/${name}.js`)
const isDocs = (file: string) => file.startsWith('dist/cjs/docs/')

t.test('requiring the package loads none of the deferred modules', async (t) => {
  const { required } = loadedModules({})
  t.ok(required.includes('dist/cjs/index.js'), 'the package was required')
  t.same(required.filter((file) => DEFERRED_PACKAGES.test(file)), [], 'no Ajv, ajv-formats or OpenTelemetry')
  t.notOk(required.includes(FJS_COMPILER), 'no fast-json-stringify compiler')
  t.same(required.filter((file) => REGISTRATION_ONLY.includes(file)), [], 'no registration or request-path module')
  t.same(required.filter(isDocs), [], 'no reference tooling')
})

t.test('registering with the default options loads what requests need, and still not the docs', async (t) => {
  const { ready } = loadedModules({})
  for (const file of ['dist/cjs/plugin.js', 'dist/cjs/deferred-modules.js', 'dist/cjs/responder.js', FJS_COMPILER]) t.ok(ready.includes(file), `${file} is loaded at registration`)
  t.ok(ready.some((file) => file.startsWith('node_modules/ajv/')), 'Ajv is loaded at registration')
  t.same(ready.filter(isDocs), [], 'no reference tooling')
})

t.test('serveDocs loads the reference tooling at registration (the check above can see it)', async (t) => {
  const { ready } = loadedModules({ serveDocs: true })
  t.ok(ready.includes('dist/cjs/docs/serve.js'))
})

t.test('the deferred modules: used before loading is an internal error; loaded once', async (t) => {
  t.throws(() => deferredModules(), /used before loadDeferredModules\(\) resolved/)
  const loaded = await loadDeferredModules()
  t.equal(deferredModules(), loaded)
  t.equal(await loadDeferredModules(), loaded, 'a second load resolves to the same modules')
  useDeferredModules({ ...loaded })
  t.equal(deferredModules(), loaded, 'modules given later do not replace those loaded')
  t.type(loaded.Ajv, 'function')
  t.type(loaded.addFormats, 'function')
  t.type(loaded.fastJsonStringify, 'function')
})
