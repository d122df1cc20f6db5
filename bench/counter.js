'use strict'
// What counting one problem costs, measured on the plugin's own counting function in this process:
// nanoseconds per call with the metrics SDK registered (a global MeterProvider of
// @opentelemetry/sdk-metrics with a reader, as a service runs it) and without one (the API's no-op).
// Beside the HTTP figure of `metrics-on` / `metrics-off` (the one the target is read from), this
// isolates the counter's own code, as a lower bound: in a tight loop it stays in the CPU's caches
// and its garbage is collected in bulk, so it reads lower than in a server answering requests.
// `node bench/counter.js` prints the figures; bench/run.js runs it as part of `npm run bench`.
const { existsSync } = require('node:fs')
const { dirname, join } = require('node:path')
const { sumProblems } = require('../scripts/problems-metric.js')

/** The counting function of the build under test, or undefined for a build without the counter. */
function loadCountProblem (packagePath) {
  const file = join(dirname(require.resolve(packagePath)), 'metrics.js')
  return existsSync(file) ? require(file).countProblem : undefined
}

/** A request as the counter reads it: the method, whether it matched a route, the route template. */
const REQUEST = { method: 'GET', is404: false, routeOptions: { url: '/fail' } }
/** The classification of the benchmark's thrown ProblemError (invalid_request, 400). */
const CLASSIFICATION = { entry: { code: 'invalid_request', category: 'user', retryable: false }, status: 400 }

function timeCalls (countProblem, calls, rounds) {
  for (let i = 0; i < calls; i++) countProblem(REQUEST, CLASSIFICATION) // warm-up
  const samples = []
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < calls; i++) countProblem(REQUEST, CLASSIFICATION)
    samples.push(Number(process.hrtime.bigint() - start) / calls)
  }
  samples.sort((a, b) => a - b)
  return { nsPerCall: samples[samples.length >> 1], spread: (samples.at(-1) - samples[0]) / samples[samples.length >> 1] }
}

/**
 * Nanoseconds per counted problem without an SDK and with one; undefined when the build has no
 * counter. The SDK's reader is collected at the end, to check it saw every call.
 */
async function measureCounter ({ packagePath = join(__dirname, '..'), calls = 100_000, rounds = 9 } = {}) {
  const countProblem = loadCountProblem(packagePath)
  if (countProblem === undefined) return undefined
  const { metrics } = require('@opentelemetry/api')
  const { MeterProvider, MetricReader, AggregationTemporality } = require('@opentelemetry/sdk-metrics')
  metrics.disable()
  const noop = timeCalls(countProblem, calls, rounds)

  class OnDemandReader extends MetricReader {
    constructor () { super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE }) }
    async onForceFlush () {}
    async onShutdown () {}
  }
  const reader = new OnDemandReader()
  const provider = new MeterProvider({ readers: [reader] })
  metrics.setGlobalMeterProvider(provider)
  try {
    const sdk = timeCalls(countProblem, calls, rounds)
    const counted = sumProblems((await reader.collect()).resourceMetrics)
    return { calls, rounds, noopNs: noop.nsPerCall, noopSpread: noop.spread, sdkNs: sdk.nsPerCall, sdkSpread: sdk.spread, counted, expected: calls * (rounds + 1) }
  } finally {
    metrics.disable()
    await provider.shutdown()
  }
}

module.exports = { measureCounter }

if (require.main === module) {
  measureCounter().then((c) => {
    if (c === undefined) return console.log('this build has no problem counter')
    console.log(`without a metrics SDK: ${c.noopNs.toFixed(1)} ns per problem (spread ${(c.noopSpread * 100).toFixed(1)}%)`)
    console.log(`with the SDK and a reader: ${c.sdkNs.toFixed(1)} ns per problem (spread ${(c.sdkSpread * 100).toFixed(1)}%), ${c.counted} of ${c.expected} calls counted`)
  })
}
