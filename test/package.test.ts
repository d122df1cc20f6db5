import t from 'tap'
import { execFileSync } from 'node:child_process'

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
  t.match(JSON.parse(out), { status: 409, type: 'application/problem+json; charset=utf-8', body: { type: '/problems/conflict', detail: 'd' }, isInstance: true })
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
