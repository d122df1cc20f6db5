'use strict'
// One benchmark server, in its own process: `node bench/server.js <variant>`.
// It listens on 127.0.0.1 (port 0) and talks to the parent over IPC:
//   'start' -> note the CPU counter;  'stop' -> CPU time used since 'start'.
// No garbage is collected by force here: on Node 20 a forced full GC deoptimizes the server's hot
// functions, and TurboFan recompiles them during the next round, which then measures compilation
// (about 100 µs per response on every variant) instead of the error path. The garbage a round
// makes is collected by V8 as it would be in production, and counted in that round's CPU time.
// `node --expose-gc bench/server.js memory <count>` measures the heap instead (see runMemory):
// only there are collections forced, outside any timed work.
const { VARIANTS, DETAIL, itemsSchema } = require('./variants.js')

/**
 * The plugin under test: this package's build (by path: bench/ has its own package.json, so the
 * package cannot be required by its name from here), or another build given with `--package`.
 */
const PACKAGE = process.env.BENCH_PACKAGE || require('node:path').join(__dirname, '..')
const { sumProblems } = require('../scripts/problems-metric.js')

let exportedSpans = 0
let otelSdk
let meterProvider
let metricReader
let problemsCounted = 0

/**
 * The metrics SDK as a service runs it: a global MeterProvider with a periodic reader (every second,
 * more often than the SDK's default minute, so collection is part of what is measured) exporting to
 * memory. No tracing and no HTTP instrumentation: the only OpenTelemetry work is the counter's.
 */
function startMeterProvider () {
  const { metrics } = require('@opentelemetry/api')
  const { MeterProvider, PeriodicExportingMetricReader, InMemoryMetricExporter, AggregationTemporality } = require('@opentelemetry/sdk-metrics')
  const exporter = new InMemoryMetricExporter(AggregationTemporality.DELTA)
  // BENCH_METRICS_INTERVAL_MS: bench/instructions.js sets a long one, as valgrind slows the server
  // about fifty times while the interval stays in wall-clock time
  metricReader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: Number(process.env.BENCH_METRICS_INTERVAL_MS) || 1000 })
  meterProvider = new MeterProvider({ readers: [metricReader] })
  metrics.setGlobalMeterProvider(meterProvider)
  // the exporter keeps every export: drop them once exported, as a real exporter would
  const exportBatch = exporter.export.bind(exporter)
  exporter.export = (batch, done) => exportBatch(batch, (result) => {
    problemsCounted += sumProblems(batch)
    exporter.reset()
    done(result)
  })
}

/** Problems counted so far: what the periodic reader exported, plus what it has not collected yet. */
async function countedProblems () {
  if (metricReader === undefined) return undefined
  const { resourceMetrics } = await metricReader.collect()
  problemsCounted += sumProblems(resourceMetrics)
  return problemsCounted
}

/** The OpenTelemetry SDK with HTTP instrumentation and a batch processor whose exporter drops the spans. */
function startOpenTelemetry () {
  process.env.OTEL_METRICS_EXPORTER = 'none'
  process.env.OTEL_LOGS_EXPORTER = 'none'
  const { NodeSDK } = require('@opentelemetry/sdk-node')
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http')
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace')
  const droppingExporter = {
    export (spans, done) {
      exportedSpans += spans.length
      done({ code: 0 })
    },
    shutdown: async function shutdown () {},
    forceFlush: async function forceFlush () {}
  }
  otelSdk = new NodeSDK({
    instrumentations: [new HttpInstrumentation()],
    spanProcessors: [new BatchSpanProcessor({ exporter: droppingExporter })],
    autoDetectResources: false
  })
  otelSdk.start()
}

/** Two full collections, for the heap figures of runMemory only (never before timed work). */
function collectGarbage () {
  if (typeof global.gc === 'function') {
    global.gc()
    global.gc()
  }
}

async function serve (name) {
  const variant = VARIANTS.find((v) => v.name === name)
  if (variant === undefined) throw new Error(`unknown variant ${name}`)
  if (variant.otel) startOpenTelemetry()
  if (variant.meter) startMeterProvider()
  const deps = { ours: require(PACKAGE), sensible: require('@fastify/sensible') }
  let info = {}
  let app
  let address
  if (variant.createServer !== undefined) {
    // a server without Fastify (`raw-node`)
    const server = variant.createServer(deps)
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    app = { close: () => new Promise((resolve) => server.close(resolve)) }
    address = server.address()
  } else {
    const Fastify = require('fastify')
    app = Fastify({ logger: false })
    info = (await variant.build(app, deps)) ?? {}
    await app.listen({ host: '127.0.0.1', port: 0 })
    address = app.server.address()
  }

  let cpuAtStart
  process.on('message', async function onMessage (message) {
    if (message.type === 'start') {
      cpuAtStart = process.cpuUsage()
      process.send({ type: 'started' })
    } else if (message.type === 'stop') {
      const used = process.cpuUsage(cpuAtStart)
      const heapUsed = process.memoryUsage().heapUsed
      // read after the CPU time: collecting here is not part of the round
      process.send({ type: 'stopped', cpuMicros: used.user + used.system, heapUsed, exportedSpans, problemsCounted: await countedProblems() })
    } else if (message.type === 'exit') {
      await app.close()
      if (otelSdk !== undefined) await otelSdk.shutdown()
      if (meterProvider !== undefined) await meterProvider.shutdown()
      process.send({ type: 'exited', exportedSpans })
      process.disconnect()
    }
  })
  process.send({ type: 'ready', port: address.port, ...info })
}

/**
 * Heap growth over `total` error responses. The requests go through `app.inject()` in this process:
 * the whole Fastify request path (routing, validation, hooks, error handler, reply) runs, but
 * without sockets, so a million responses take seconds instead of minutes. Four failure kinds
 * take turns: thrown ProblemError, reply.problem(), an unknown Error, a schema validation failure.
 */
async function runMemory (total) {
  const Fastify = require('fastify')
  const ours = require(PACKAGE)
  const app = Fastify({ logger: false })
  await app.register(ours.default)
  app.get('/throw', async function failing () { throw new ours.ProblemError('invalid_request', { detail: DETAIL }) })
  app.get('/reply', async function failing (request, reply) { return reply.problem('invalid_request', { detail: DETAIL }) })
  app.get('/unknown', async function failing () { throw new Error('database connection lost') })
  app.post('/items', { schema: itemsSchema }, async function create () { return { ok: true } })
  await app.ready()

  const kinds = [
    { method: 'GET', url: '/throw', status: 400 },
    { method: 'GET', url: '/reply', status: 400 },
    { method: 'GET', url: '/unknown', status: 500 },
    { method: 'POST', url: '/items', payload: {}, status: 400 }
  ]
  const CONCURRENCY = 8
  async function drive (count) {
    let next = 0
    let wrong = 0
    async function worker () {
      while (next < count) {
        const kind = kinds[next++ % kinds.length]
        const res = await app.inject({ method: kind.method, url: kind.url, payload: kind.payload })
        if (res.statusCode !== kind.status || !res.headers['content-type'].startsWith('application/problem+json')) wrong++
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker))
    return wrong
  }

  // loaded at the start of the run with the other servers, measured when the parent says so
  process.send({ type: 'ready' })
  const go = await new Promise((resolve) => process.once('message', resolve))
  if (go?.type !== 'run') {
    process.disconnect()
    return
  }
  const warmup = Math.min(20000, Math.max(1000, Math.floor(total / 20)))
  await drive(warmup)
  collectGarbage()
  const afterWarmup = process.memoryUsage()
  const started = process.hrtime.bigint()
  const wrong = await drive(total)
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  collectGarbage()
  const afterAll = process.memoryUsage()
  await app.close()
  process.send({
    type: 'memory',
    responses: total,
    warmupResponses: warmup,
    wrongResponses: wrong,
    seconds,
    heapAfterWarmup: afterWarmup.heapUsed,
    heapAfterAll: afterAll.heapUsed,
    heapGrowth: afterAll.heapUsed - afterWarmup.heapUsed,
    rssAfterWarmup: afterWarmup.rss,
    rssAfterAll: afterAll.rss
  })
  process.disconnect()
}

const [mode, arg] = process.argv.slice(2)
const main = mode === 'memory' ? runMemory(Number(arg)) : serve(mode)
main.catch(function failed (error) {
  console.error(error)
  process.exit(1)
})
