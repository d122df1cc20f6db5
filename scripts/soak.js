'use strict'
// Soak: mixed error and success traffic over real HTTP at full speed, then a report of every
// status seen, any unintended one, the heap before and after, and the event loop delay.
//
//   node scripts/soak.js [seconds=60] [connections=20]
//
// Uses the built package (dist/cjs, built first when missing). test/soak.test.ts runs the same
// load for a few seconds against the sources.
const Fastify = require('fastify')
const autocannon = require('autocannon')
const { monitorEventLoopDelay } = require('node:perf_hooks')
const { spawnSync } = require('node:child_process')

/** Each request of the mix, with the only statuses it may answer with. */
const MIX = [
  { method: 'GET', path: '/ok', expect: [200] },
  { method: 'GET', path: '/problem?token=secret', expect: [409] },
  { method: 'GET', path: '/throw', expect: [500] },
  { method: 'GET', path: '/http', expect: [404] },
  { method: 'GET', path: '/retry', expect: [503] },
  { method: 'GET', path: '/hostile', expect: [500] },
  { method: 'GET', path: '/members', expect: [401] },
  { method: 'POST', path: '/validate', body: '{"count":"many"}', headers: { 'content-type': 'application/json' }, expect: [400] },
  { method: 'POST', path: '/validate', body: '{"count":', headers: { 'content-type': 'application/json' }, expect: [400] },
  { method: 'GET', path: '/no/such/route', expect: [404] },
  { method: 'POST', path: '/validate', body: '{"count":3}', headers: { 'content-type': 'application/json' }, expect: [200] }
]

/** The app under load: one route per kind of failure. */
async function soakApp (plugin, ProblemError) {
  const app = Fastify({ logger: false })
  await app.register(plugin)
  app.get('/ok', async () => ({ ok: true }))
  app.get('/problem', async () => { throw new ProblemError('conflict', { detail: 'Version 3 is stale.' }) })
  app.get('/throw', async () => { throw new Error('database password=hunter2') })
  app.get('/http', async () => { throw Object.assign(new Error('No such item.'), { statusCode: 404 }) })
  app.get('/retry', async () => { throw new ProblemError('resource_unavailable', { retryAfter: 5 }) })
  app.get('/hostile', async () => {
    const { proxy, revoke } = Proxy.revocable(new Error('x'), {})
    revoke()
    throw proxy
  })
  app.get('/members', async (_request, reply) => reply.problem('external_authentication_required', { provider: 'github', auth_url: 'https://auth.example.com/connect', inaccessible_repos: ['acme/a'] }))
  app.post('/validate', { schema: { body: { type: 'object', properties: { count: { type: 'integer' } }, required: ['count'] } } }, async () => ({ ok: true }))
  await app.listen({ port: 0, host: '127.0.0.1' })
  return app
}

const SAMPLE_MS = 10

/** The histogram holds whole sampling intervals: the delay is what exceeds the interval. */
function lagMs (nanoseconds) {
  return Math.round(Math.max(0, nanoseconds / 1e6 - SAMPLE_MS) * 100) / 100
}

/** Keeps the first few examples of a failure, and counts them all. */
function note (list, example) {
  list.count = (list.count ?? 0) + 1
  if (list.length < 20) list.push(example)
}

function heapMiB () {
  if (typeof global.gc === 'function') global.gc()
  return Math.round(process.memoryUsage().heapUsed / 1024 / 1024 * 10) / 10
}

/**
 * Runs the load and returns its report. `plugin` and `ProblemError` come from the package (the
 * script) or from the sources (the test). The load lasts `seconds`, or is `amount` requests
 * (the test: bounded by count, so a slow machine sends as many). `timeoutSeconds` is
 * autocannon's per-request timeout (10 s by default).
 */
async function runSoak ({ plugin, ProblemError, seconds, amount, connections = 10, timeoutSeconds = 10 }) {
  const app = await soakApp(plugin, ProblemError)
  const port = app.server.address().port
  const statuses = {}
  const unintended = []
  const brokenBodies = []
  let responses = 0
  // autocannon may report a response against the next request of the mix, so each response is
  // recognised by its own content: a problem by its `instance`, a success by its body
  const expectedByPath = new Map()
  for (const item of MIX) {
    const path = item.path.split('?')[0]
    expectedByPath.set(path, [...(expectedByPath.get(path) ?? []), ...item.expect])
  }
  function onResponse (status, body, _context, headers) {
    responses++
    statuses[status] = (statuses[status] ?? 0) + 1
    if (status < 400) {
      if (status !== 200 || body !== '{"ok":true}') note(unintended, `${status} ${String(body).slice(0, 100)}`)
      return
    }
    let problem
    try { problem = JSON.parse(body) } catch {}
    const expected = expectedByPath.get(problem?.instance)
    if (expected === undefined || !expected.includes(status)) note(unintended, `${problem?.instance} -> ${status}`)
    const valid = headers?.['content-type'] === 'application/problem+json' && problem?.status === status &&
      typeof problem.type === 'string' && typeof problem.title === 'string' && typeof problem.retryable === 'boolean' &&
      !body.includes('hunter2') && !body.includes('secret')
    if (!valid) note(brokenBodies, `${status} ${headers?.['content-type']} ${String(body).slice(0, 200)}`)
  }
  const requests = MIX.map((item) => ({ method: item.method, path: item.path, body: item.body, headers: item.headers, onResponse }))
  // warm up, then measure the heap with the serializers compiled and the pools filled
  await autocannon({ url: `http://127.0.0.1:${port}`, connections, amount: 2000, requests, timeout: timeoutSeconds })
  responses = 0
  for (const key of Object.keys(statuses)) delete statuses[key]
  const heapBefore = heapMiB()
  const loop = monitorEventLoopDelay({ resolution: SAMPLE_MS })
  loop.enable()
  const length = amount === undefined ? { duration: seconds } : { amount }
  const result = await autocannon({ url: `http://127.0.0.1:${port}`, connections, ...length, requests, timeout: timeoutSeconds })
  loop.disable()
  const heapAfter = heapMiB()
  await app.close()
  return {
    seconds: amount === undefined ? seconds : result.duration,
    connections,
    requests: result.requests.total,
    responses,
    requestsPerSecond: Math.round(result.requests.average),
    errors: result.errors,
    timeouts: result.timeouts,
    statuses,
    unintended: { count: unintended.count ?? 0, examples: unintended },
    brokenBodies: { count: brokenBodies.count ?? 0, examples: brokenBodies },
    heapBeforeMiB: heapBefore,
    heapAfterMiB: heapAfter,
    eventLoopDelayMs: {
      mean: lagMs(loop.mean),
      p99: lagMs(loop.percentile(99)),
      max: lagMs(loop.max)
    }
  }
}

/** The built package, building it first when dist/ is missing. */
function loadBuiltPackage () {
  const { existsSync } = require('node:fs')
  const { join } = require('node:path')
  const entry = join(__dirname, '..', 'dist', 'cjs', 'index.js')
  if (!existsSync(entry)) spawnSync(process.execPath, [join(__dirname, 'build.js')], { stdio: 'inherit' })
  return require(entry)
}

module.exports = { runSoak, MIX, loadBuiltPackage }

if (require.main === module) {
  // re-run with --expose-gc so the heap figures are taken after a full collection
  if (typeof global.gc !== 'function') {
    const again = spawnSync(process.execPath, ['--expose-gc', __filename, ...process.argv.slice(2)], { stdio: 'inherit' })
    process.exit(again.status ?? 1)
  }
  const seconds = Number(process.argv[2] ?? 60)
  const connections = Number(process.argv[3] ?? 20)
  const pkg = loadBuiltPackage()
  runSoak({ plugin: pkg.default, ProblemError: pkg.ProblemError, seconds, connections }).then((report) => {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n')
    const failed = report.errors + report.timeouts + report.unintended.count + report.brokenBodies.count
    process.stdout.write(`\nsoak: ${report.requests} requests in ${seconds} s (${report.requestsPerSecond}/s), ` +
      `heap ${report.heapBeforeMiB} -> ${report.heapAfterMiB} MiB, event loop delay mean ${report.eventLoopDelayMs.mean} ms / p99 ${report.eventLoopDelayMs.p99} ms, ` +
      `${failed === 0 ? 'no failure' : `${failed} failures`}\n`)
    process.exit(failed === 0 ? 0 : 1)
  }, (error) => {
    process.stderr.write(`${error.stack}\n`)
    process.exit(1)
  })
}
