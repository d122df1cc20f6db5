import t from 'tap'
import { createRequire } from 'node:module'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import problemDetails, { ProblemError } from '../lib/index.ts'

interface SoakReport {
  requests: number
  responses: number
  errors: number
  timeouts: number
  statuses: Record<string, number>
  unintended: { count: number, examples: string[] }
  brokenBodies: { count: number, examples: string[] }
  heapBeforeMiB: number
  heapAfterMiB: number
  eventLoopDelayMs: { mean: number, p99: number, max: number }
}

// the same load as `node scripts/soak.js` (60 s by default; `npm run test:long` runs it), as a
// fixed number of requests against the sources: a slow machine sends just as many. The
// per-request timeout only catches a hung connection.
const REQUESTS = Number(process.env.SOAK_REQUESTS ?? 5000)
const { runSoak } = createRequire(__filename)('../scripts/soak.js') as {
  runSoak: (options: { plugin: unknown, ProblemError: unknown, amount: number, connections?: number, timeoutSeconds?: number }) => Promise<SoakReport>
}

// the heap figures come after a full collection, as `node --expose-gc scripts/soak.js` takes them:
// without it, uncollected garbage of a long run (test:long) would read as growth
setFlagsFromString('--expose-gc')
globalThis.gc ??= runInNewContext('gc')

t.test('a short soak of mixed error and success traffic: only the intended statuses, every problem valid, nothing leaked', async (t) => {
  const report = await runSoak({ plugin: problemDetails, ProblemError, amount: REQUESTS, connections: 8, timeoutSeconds: 3600 })
  t.comment(`${report.requests} requests, heap ${report.heapBeforeMiB} -> ${report.heapAfterMiB} MiB, event loop delay mean ${report.eventLoopDelayMs.mean} ms, p99 ${report.eventLoopDelayMs.p99} ms`)
  t.ok(report.requests > 0, 'requests were sent')
  t.equal(report.errors, 0, 'no connection error')
  t.equal(report.timeouts, 0, 'no timeout')
  t.strictSame(report.unintended, { count: 0, examples: [] }, 'every status is the intended one')
  t.strictSame(report.brokenBodies, { count: 0, examples: [] }, 'every error is a valid problem without secrets')
  t.strictSame(Object.keys(report.statuses).sort(), ['200', '400', '401', '404', '409', '500', '503'])
  // a leak of even a few hundred bytes per request would add tens of MiB over this many requests
  t.ok(report.heapAfterMiB - report.heapBeforeMiB < 64, `heap stays bounded (${report.heapBeforeMiB} -> ${report.heapAfterMiB} MiB)`)
})
