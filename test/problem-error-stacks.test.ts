// The stack policy of ProblemError (option `problemErrorStacks`): no stack by default, stacks for
// 5xx codes or for every problem on request, and what the log line of a problem shows in each mode.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import Fastify from 'fastify'
import problemDetails, { PROBLEM_ERROR_STACKS, ProblemError } from '../lib/index.ts'
import { problemErrorStacks, setProblemErrorStacks } from '../lib/problem-error.ts'
import { build } from './helper.ts'

/** Frames of a stack: its lines after the first (`ProblemError: code: detail`). */
function framesOf (error: Error): string[] {
  return String(error.stack).split('\n').slice(1).filter((line) => line.trim().startsWith('at '))
}

// the policy is the process's: each test sets it, and it is set back to the default after each
t.afterEach(() => { setProblemErrorStacks('none') })

t.test("by default a ProblemError captures no stack: one line, and its cause keeps the cause's own", async (t) => {
  t.equal(problemErrorStacks(), 'none')
  const limit = Error.stackTraceLimit
  const cause = new Error('connection reset')
  const error = new ProblemError('resource_unavailable', { detail: 'the ledger is down', cause })
  t.equal(error.stack, 'ProblemError: resource_unavailable: the ledger is down', 'the message line alone')
  t.same(framesOf(error), [])
  t.equal(Error.stackTraceLimit, limit, "Error.stackTraceLimit is the process's again")
  t.ok(framesOf(error.cause as Error).length > 0, 'the cause was captured with its frames')
  t.match(String((error.cause as Error).stack), /problem-error-stacks\.test\.ts/)
  // an Error created after it is untouched by the policy
  t.ok(framesOf(new Error('plain')).length > 0)
})

t.test("'all' captures every ProblemError's stack, starting at the code that constructs it", async (t) => {
  await build(t, { plugin: { problemErrorStacks: 'all' } })
  t.equal(problemErrorStacks(), 'all')
  const error = new ProblemError('invalid_request', { detail: 'name is required' })
  const frames = framesOf(error)
  t.ok(frames.length > 0)
  t.match(frames[0], /problem-error-stacks\.test\.ts/, 'the first frame is where it was constructed')
})

t.test("'server-errors' captures the stacks of 5xx codes (built-in and the catalog's) only", async (t) => {
  await build(t, {
    plugin: {
      problemErrorStacks: 'server-errors',
      catalog: {
        ledger_down: { status: 503, title: 'The ledger is down.', retryable: true, category: 'platform' },
        quota_exceeded: { status: 429, title: 'The quota is used up.', retryable: true, category: 'user' }
      }
    }
  })
  t.ok(framesOf(new ProblemError('internal_error')).length > 0, 'a built-in 5xx code')
  t.ok(framesOf(new ProblemError('ledger_down' as 'internal_error')).length > 0, "a 5xx code of the service's catalog")
  t.same(framesOf(new ProblemError('invalid_request')), [], 'a built-in 4xx code')
  t.same(framesOf(new ProblemError('quota_exceeded' as 'invalid_request')), [], "a 4xx code of the service's catalog")
})

t.test('a registration without the option leaves the policy as it is; a bad value fails register with a coded error', async (t) => {
  await build(t, { plugin: { problemErrorStacks: 'all' } })
  await build(t, {})
  t.equal(problemErrorStacks(), 'all', 'the second app did not reset it')
  for (const value of ['full', true, 1, null]) {
    const app = Fastify()
    t.teardown(() => app.close())
    await t.rejects(async () => { await app.register(problemDetails, { problemErrorStacks: value as never }) }, {
      code: 'FST_PROBLEM_INVALID_OPTION',
      message: /problemErrorStacks.*'none', 'server-errors', 'all'/
    }, `problemErrorStacks: ${String(value)}`)
  }
  t.same(PROBLEM_ERROR_STACKS, ['none', 'server-errors', 'all'])
  t.equal(problemErrorStacks(), 'all', 'a refused registration changed nothing')
})

t.test('what the log line of a thrown 5xx problem shows in each mode', async (t) => {
  for (const stacks of PROBLEM_ERROR_STACKS) {
    const { app, logs } = await build(t, {
      plugin: { problemErrorStacks: stacks },
      routes: (app) => {
        app.get('/ledger', async function readLedger () {
          throw new ProblemError('resource_unavailable', { detail: 'the ledger is down', cause: new Error('connection reset') })
        })
      }
    })
    const res = await app.inject('/ledger')
    t.equal(res.statusCode, 503)
    t.notMatch(res.body, /stack|connection reset|\bat /, `${stacks}: nothing of the stack or the cause is sent`)
    const [line] = logs.problems()
    const err = line.err as { type: string, stack: string }
    t.equal(err.type, 'ProblemError')
    // pino's err serializer writes the error's stack followed by its causes'
    const [own, cause] = err.stack.split('\ncaused by: ')
    t.match(cause, /^Error: connection reset\n\s+at /, `${stacks}: the cause's stack is logged`)
    if (stacks === 'none') t.equal(own, 'ProblemError: resource_unavailable: the ledger is down', 'none: the message line alone')
    else t.match(own, /^ProblemError: resource_unavailable: the ledger is down\n\s+at (?:Object\.)?readLedger /, `${stacks}: the frames from the handler that threw it`)
  }
})

t.test('the CommonJS and ESM builds share one policy, as they share ProblemError instances', async (t) => {
  // a module script, as an ESM service would load the package (this test file is compiled to CommonJS)
  const script = `
    import { createRequire } from 'node:module'
    const esm = await import('./dist/esm/problem-error.js')
    const commonjs = createRequire(import.meta.url)('./dist/cjs/problem-error.js')
    const frames = (error) => error.stack.split('\\n').length - 1
    commonjs.setProblemErrorStacks('all')
    const seen = [esm.problemErrorStacks(), frames(new esm.ProblemError('invalid_request')) > 0]
    esm.setProblemErrorStacks('none')
    seen.push(commonjs.problemErrorStacks(), frames(new commonjs.ProblemError('invalid_request')))
    console.log(JSON.stringify(seen))
  `
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: join(__dirname, '..'), encoding: 'utf8' })
  t.equal(run.stderr, '')
  t.same(JSON.parse(run.stdout), ['all', true, 'none', 0])
})
