import t from 'tap'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = join(__dirname, '..')

// The test command builds dist/ first; these run the built package by its name, as users do.
function run (args: string[]): string {
  return execFileSync(process.execPath, args, { encoding: 'utf8', cwd: __dirname })
}

const script = `
const app = Fastify()
await app.register(problemDetails)
app.get('/', async () => { throw new ProblemError('conflict', { detail: 'd' }) })
const res = await app.inject('/')
console.log(JSON.stringify({ status: res.statusCode, type: res.headers['content-type'], body: res.json(), isInstance: (await errorOf(app)) }))
async function errorOf () { return new ProblemError('conflict') instanceof ProblemError && new ProblemError('conflict') instanceof Error }
`

t.test('import works from an ES module', async (t) => {
  const out = run(['--input-type=module', '-e', `import Fastify from 'fastify'\nimport problemDetails, { ProblemError } from 'fastify-problem-details'\n${script}`])
  t.match(JSON.parse(out), { status: 409, type: 'application/problem+json', body: { type: '/problems/conflict', detail: 'd' }, isInstance: true })
})

t.test('require works from CommonJS, returning the plugin itself', async (t) => {
  const out = run(['-e', `(async () => {
    const Fastify = require('fastify')
    const problemDetails = require('fastify-problem-details')
    const { ProblemError } = problemDetails
    if (problemDetails.default !== problemDetails || problemDetails.problemDetails !== problemDetails) throw new Error('default export')
    ${script}
  })().catch((e) => { console.error(e); process.exit(1) })`])
  t.match(JSON.parse(out), { status: 409, body: { type: '/problems/conflict' }, isInstance: true })
})

t.test('a ProblemError from the CommonJS build is recognised by the ES module build', async (t) => {
  const out = run(['--input-type=module', '-e', `
    import { createRequire } from 'node:module'
    import Fastify from 'fastify'
    import problemDetails, { ProblemError } from 'fastify-problem-details'
    const cjs = createRequire(import.meta.url)('fastify-problem-details')
    const app = Fastify()
    await app.register(problemDetails)
    app.get('/', async () => { throw new cjs.ProblemError('not_authorized') })
    const res = await app.inject('/')
    console.log(JSON.stringify({ status: res.statusCode, same: cjs.ProblemError === ProblemError, instance: new cjs.ProblemError('conflict') instanceof ProblemError }))
  `])
  t.strictSame(JSON.parse(out), { status: 403, same: false, instance: true })
})

t.test('the docs entry point works with import and require', async (t) => {
  const esm = run(['--input-type=module', '-e', `
    import { buildReference, renderMarkdownFiles } from 'fastify-problem-details/docs'
    const files = renderMarkdownFiles(buildReference({ typeBase: '/errors/' }))
    console.log(JSON.stringify({ files: files.size, conflict: files.get('conflict.md').includes('"type": "/errors/conflict"') }))
  `])
  t.strictSame(JSON.parse(esm), { files: 17, conflict: true })
  const cjs = run(['-e', `
    const { buildReference, renderCodeHtml } = require('fastify-problem-details/docs')
    const page = buildReference().pages.find((p) => p.code === 'conflict')
    console.log(JSON.stringify({ html: renderCodeHtml(page, { index: '/p/', page: (s) => '/p/' + s }).startsWith('<!doctype html>') }))
  `])
  t.strictSame(JSON.parse(cjs), { html: true })
})

t.test('the client entry point works with import and require', async (t) => {
  const use = `
    const res = new Response(JSON.stringify({ type: '/problems/conflict', status: 409, retryable: true }), { status: 409, headers: { 'content-type': 'application/problem+json; charset=utf-8' } })
    const problem = await parseProblem(res, { timeout: 1000 })
    const error = new ProblemResponseError({ status: 409, url: '/x', problem, code: 'conflict', retryAfter: undefined })
    console.log(JSON.stringify({ type: problem.type, fetch: typeof createProblemFetch(), recognised: isProblemResponseError(error), retryable: error.retryable }))
  `
  const expected = { type: '/problems/conflict', fetch: 'function', recognised: true, retryable: true }
  t.strictSame(JSON.parse(run(['--input-type=module', '-e', `import { parseProblem, createProblemFetch, ProblemResponseError, isProblemResponseError } from 'fastify-problem-details/client'\n${use}`])), expected)
  t.strictSame(JSON.parse(run(['-e', `(async () => {
    const { parseProblem, createProblemFetch, ProblemResponseError, isProblemResponseError } = require('fastify-problem-details/client')
    ${use}
  })().catch((e) => { console.error(e); process.exit(1) })`])), expected)
})

t.test('the client entry point loads neither the server runtime nor fastify', async (t) => {
  const out = run(['-e', `
    const before = new Set(Object.keys(require.cache))
    require('fastify-problem-details/client')
    const loaded = Object.keys(require.cache).filter((path) => !before.has(path))
    console.log(JSON.stringify({
      server: loaded.filter((path) => /[\\/]dist[\\/]cjs[\\/](index|responder|upstream|classify)\\.js$/.test(path)).length,
      packages: [...new Set(loaded.filter((path) => path.includes('node_modules')).map((path) => path.split(/[\\/]node_modules[\\/]/).pop().split(/[\\/]/).slice(0, 2).join('/')))]
    }))
  `])
  t.strictSame(JSON.parse(out), { server: 0, packages: ['@opentelemetry/api'] })
})

t.test('the root entry point loads no reference tooling, unless serveDocs is on', async (t) => {
  const out = run(['-e', `(async () => {
    const docsLoaded = () => Object.keys(require.cache).filter((path) => /[\\\\/]dist[\\\\/]cjs[\\\\/]docs[\\\\/]/.test(path)).length
    const Fastify = require('fastify')
    const problemDetails = require('fastify-problem-details')
    const plain = Fastify()
    await plain.register(problemDetails)
    plain.get('/x', { config: { problems: ['conflict'] } }, async () => 'ok')
    await plain.ready()
    const before = docsLoaded()
    const served = Fastify()
    await served.register(problemDetails, { serveDocs: true })
    const page = await served.inject({ url: '/problems/conflict', headers: { accept: 'text/html' } })
    console.log(JSON.stringify({ before, after: docsLoaded() > 0, page: page.statusCode }))
  })().catch((e) => { console.error(e); process.exit(1) })`])
  t.strictSame(JSON.parse(out), { before: 0, after: true, page: 200 })
})

t.test('TypeScript consumers resolve the types of every entry point, in every module mode', async (t) => {
  // a consumer project outside this package, which installs it (a link, as npm does for a local path)
  const dir = mkdtempSync(join(tmpdir(), 'fpd-consumer-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(root, join(dir, 'node_modules', 'fastify-problem-details'), 'dir')
  symlinkSync(join(root, 'node_modules', 'fastify'), join(dir, 'node_modules', 'fastify'), 'dir')
  const uses = `
const app = Fastify()
app.register(problemDetails, { typeBase: '/errors/' })
const error: ProblemError<'conflict'> = new ProblemError('conflict', { detail: 'd' })
const pages: number = buildReference({ typeBase: '/errors/' }).pages.length
const call: (input: string) => Promise<Response> = createProblemFetch({ retries: 1 })
export async function read (res: Response): Promise<string | undefined> {
  const failure: unknown = await parseProblem(res)
  return isProblemResponseError(failure) && failure.code === 'conflict' ? failure.problem.title : undefined
}
export const used = [app, error, pages, call]
`
  writeFileSync(join(dir, 'esm.mts'), `import Fastify from 'fastify'\nimport problemDetails, { ProblemError } from 'fastify-problem-details'\nimport { buildReference } from 'fastify-problem-details/docs'\nimport { createProblemFetch, isProblemResponseError, parseProblem } from 'fastify-problem-details/client'\n${uses}`)
  writeFileSync(join(dir, 'cjs.cts'), `import Fastify = require('fastify')\nimport { problemDetails, ProblemError } from 'fastify-problem-details'\nimport { buildReference } from 'fastify-problem-details/docs'\nimport { createProblemFetch, isProblemResponseError, parseProblem } from 'fastify-problem-details/client'\n${uses}`)
  writeFileSync(join(dir, 'legacy.ts'), `import Fastify from 'fastify'\nimport problemDetails, { ProblemError } from 'fastify-problem-details'\nimport { buildReference } from 'fastify-problem-details/docs'\nimport { createProblemFetch, isProblemResponseError, parseProblem } from 'fastify-problem-details/client'\n${uses}`)
  const tsc = require.resolve('typescript/bin/tsc')
  const common = ['--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--types', 'node', '--typeRoots', join(root, 'node_modules', '@types')]
  const modes: Array<[string, string[]]> = [
    ['esm.mts', ['--module', 'node16', '--moduleResolution', 'node16']],
    ['cjs.cts', ['--module', 'node16', '--moduleResolution', 'node16']],
    ['legacy.ts', ['--module', 'commonjs', '--moduleResolution', 'node10', '--esModuleInterop']],
    ['legacy.ts', ['--module', 'es2022', '--moduleResolution', 'bundler']]
  ]
  for (const [file, flags] of modes) {
    const result = spawnSync(process.execPath, [tsc, ...common, ...flags, file], { cwd: dir, encoding: 'utf8' })
    t.equal(result.status, 0, `${file} with ${flags.join(' ')}\n${result.stdout}${result.stderr}`)
  }
})

t.test('the router error handler of one build finds the plugin registered from the other, and a second registration across builds is refused', async (t) => {
  const out = run(['--input-type=module', '-e', `
    import { createRequire } from 'node:module'
    import Fastify from 'fastify'
    import { problemFrameworkErrors } from 'fastify-problem-details'
    const problemDetails = createRequire(import.meta.url)('fastify-problem-details')
    const app = Fastify({ frameworkErrors: problemFrameworkErrors })
    await app.register(problemDetails, { typeBase: '/errors/' })
    const res = await app.inject('/x/%E0%A4%A?token=secret')
    const { default: esmPlugin } = await import('fastify-problem-details')
    const twice = Fastify()
    await twice.register(problemDetails)
    let again = 'accepted'
    try {
      await twice.register(esmPlugin)
    } catch (error) {
      again = error.code
    }
    console.log(JSON.stringify({ status: res.statusCode, type: res.json().type, again }))
  `])
  t.strictSame(JSON.parse(out), { status: 400, type: '/errors/invalid-request', again: 'FST_PROBLEM_ALREADY_REGISTERED' })
})
