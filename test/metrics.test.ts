import { metrics } from '@opentelemetry/api'
import { AggregationTemporality, MeterProvider, MetricReader, type DataPoint } from '@opentelemetry/sdk-metrics'
import Fastify, { type FastifyInstance } from 'fastify'
import { test, type Test } from 'tap'
import problemDetails, { problemFrameworkErrors } from '../lib/index.ts'

/** A reader of the real SDK that the test reads on demand with collect(): no timer. */
class OnDemandReader extends MetricReader {
  constructor (temporality = AggregationTemporality.CUMULATIVE) {
    super({ aggregationTemporalitySelector: () => temporality })
  }

  protected async onForceFlush (): Promise<void> {}
  protected async onShutdown (): Promise<void> {}
}

interface Point { attributes: Record<string, unknown>, value: number }

async function problemPoints (reader: MetricReader): Promise<Point[]> {
  const { resourceMetrics } = await reader.collect()
  const points: Point[] = []
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== 'problem_details.problems') continue
      for (const p of metric.dataPoints as Array<DataPoint<number>>) points.push({ attributes: { ...p.attributes }, value: p.value })
    }
  }
  return points.sort((a, b) => JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes)))
}

/** Starts the metrics SDK as a service does: a global MeterProvider with a reader. */
function startSdk (t: Test, temporality?: AggregationTemporality): MetricReader {
  const reader = new OnDemandReader(temporality)
  const provider = new MeterProvider({ readers: [reader] })
  metrics.setGlobalMeterProvider(provider)
  t.teardown(async () => {
    metrics.disable()
    await provider.shutdown()
  })
  return reader
}

async function serve (t: Test, plugin: Record<string, unknown> = {}): Promise<{ app: FastifyInstance, base: string }> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(problemDetails, plugin)
  app.get('/users/:id', async function missingUser (_request, reply) {
    return reply.problem('resource_not_found', { detail: 'no such user' })
  })
  app.get('/reports', async function failingReport () {
    throw new Error('database down')
  })
  app.post('/orders', async function unavailableOrders (_request, reply) {
    return reply.problem('resource_unavailable')
  })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, base: address }
}

test('each problem sent is counted once, by code and route template, with the catalog attributes', async t => {
  const reader = startSdk(t)
  const { base } = await serve(t)
  // 1. two 404s on one route, different raw paths: one series, the template
  t.equal((await fetch(`${base}/users/1`)).status, 404)
  t.equal((await fetch(`${base}/users/2`)).status, 404)
  // 2. a thrown Error: internal_error, 5xx with error.type
  t.equal((await fetch(`${base}/reports`)).status, 500)
  // 3. reply.problem with a 503
  t.equal((await fetch(`${base}/orders`, { method: 'POST' })).status, 503)
  t.strictSame(await problemPoints(reader), [
    {
      attributes: { 'problem_details.code': 'internal_error', 'problem_details.category': 'platform', 'problem_details.retryable': true, 'http.response.status_code': 500, 'http.request.method': 'GET', 'http.route': '/reports', 'error.type': 'internal_error' },
      value: 1
    },
    {
      attributes: { 'problem_details.code': 'resource_not_found', 'problem_details.category': 'user', 'problem_details.retryable': false, 'http.response.status_code': 404, 'http.request.method': 'GET', 'http.route': '/users/:id' },
      value: 2
    },
    {
      attributes: { 'problem_details.code': 'resource_unavailable', 'problem_details.category': 'platform', 'problem_details.retryable': true, 'http.response.status_code': 503, 'http.request.method': 'POST', 'http.route': '/orders', 'error.type': 'resource_unavailable' },
      value: 1
    }
  ])
})

test('an unknown route is counted without http.route, never with the raw path', async t => {
  const reader = startSdk(t)
  const { base } = await serve(t)
  t.equal((await fetch(`${base}/no/such/path?secret=1`)).status, 404)
  t.strictSame(await problemPoints(reader), [{
    attributes: { 'problem_details.code': 'resource_not_found', 'problem_details.category': 'user', 'problem_details.retryable': false, 'http.response.status_code': 404, 'http.request.method': 'GET' },
    value: 1
  }])
})

test('a method the HTTP conventions do not know is counted as _OTHER', async t => {
  const reader = startSdk(t)
  const app = Fastify()
  t.teardown(() => app.close())
  app.addHttpMethod('PROPFIND')
  await app.register(problemDetails)
  app.route({ method: 'PROPFIND', url: '/dav', handler: async function davFails () { throw new Error('no dav') } })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  t.equal((await fetch(`${base}/dav`, { method: 'PROPFIND' })).status, 500)
  const points = await problemPoints(reader)
  t.equal(points.length, 1)
  t.equal(points[0]?.attributes['http.request.method'], '_OTHER')
  t.equal(points[0]?.attributes['http.route'], '/dav')
})

test('error.type is set on 5xx problems only', async t => {
  const reader = startSdk(t)
  const { base } = await serve(t)
  await fetch(`${base}/users/1`)
  await fetch(`${base}/reports`)
  const points = await problemPoints(reader)
  t.strictSame(points.map(p => [p.attributes['http.response.status_code'], p.attributes['error.type']]), [[500, 'internal_error'], [404, undefined]])
})

test('metrics: false records no data point', async t => {
  const reader = startSdk(t)
  const { base } = await serve(t, { metrics: false })
  t.equal((await fetch(`${base}/reports`)).status, 500)
  t.strictSame(await problemPoints(reader), [])
})

test('a metrics SDK started after the plugin registered still receives the problems', async t => {
  const { base } = await serve(t)
  // 1. a problem before any SDK: a no-op, the response is intact
  t.equal((await fetch(`${base}/reports`)).status, 500)
  // 2. the SDK starts later: the next problems reach it
  const reader = startSdk(t)
  t.equal((await fetch(`${base}/reports`)).status, 500)
  const points = await problemPoints(reader)
  t.equal(points.length, 1)
  t.equal(points[0]?.value, 1)
})

test('without a metrics SDK the problem is sent and nothing throws', async t => {
  const { base } = await serve(t)
  const res = await fetch(`${base}/users/7`)
  t.equal(res.status, 404)
  t.equal(res.headers.get('content-type'), 'application/problem+json')
  t.equal((await res.json() as { status: number }).status, 404)
})

test('a meter provider that throws does not break the response', async t => {
  const throwing = {
    getMeter () {
      throw new Error('broken SDK')
    }
  }
  metrics.setGlobalMeterProvider(throwing)
  t.teardown(() => metrics.disable())
  const { base } = await serve(t)
  const res = await fetch(`${base}/reports`)
  t.equal(res.status, 500)
  t.equal((await res.json() as { status: number }).status, 500)
})

test('the metrics option is validated', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(async () => {
    await app.register(problemDetails, { metrics: 'yes' as unknown as boolean })
  }, { code: 'FST_PROBLEM_INVALID_OPTION' })
})

test('a 4xx status without a catalog entry is counted as about:blank, category user', async t => {
  const reader = startSdk(t)
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(problemDetails)
  app.get('/teapot', async function teapot () {
    throw Object.assign(new Error('short and stout'), { statusCode: 418 })
  })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  t.equal((await fetch(`${base}/teapot`)).status, 418)
  const points = await problemPoints(reader)
  t.strictSame(points.map(p => [p.attributes['problem_details.code'], p.attributes['problem_details.category'], p.attributes['http.response.status_code'], p.attributes['error.type']]), [
    ['about:blank', 'user', 418, undefined]
  ])
})

test('a router error (bad percent-encoding) is counted without http.route', async t => {
  const reader = startSdk(t)
  const app = Fastify({ frameworkErrors: problemFrameworkErrors })
  t.teardown(() => app.close())
  await app.register(problemDetails)
  app.get('/files/:name', async function file () {
    return 'ok'
  })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  t.equal((await fetch(`${base}/files/%E0%A4%A`)).status, 400)
  const points = await problemPoints(reader)
  t.equal(points.length, 1)
  t.equal(points[0]?.attributes['http.response.status_code'], 400)
  t.notOk('http.route' in (points[0]?.attributes ?? {}))
})

test('the counts are exact across collections: cumulative keeps adding, delta reports what came since the last', async t => {
  const cumulative = startSdk(t)
  const { base } = await serve(t)
  for (let i = 0; i < 3; i++) t.equal((await fetch(`${base}/users/${i}`)).status, 404)
  t.same((await problemPoints(cumulative)).map(p => p.value), [3])
  for (let i = 0; i < 2; i++) t.equal((await fetch(`${base}/users/${i}`)).status, 404)
  t.same((await problemPoints(cumulative)).map(p => p.value), [5])
  t.same((await problemPoints(cumulative)).map(p => p.value), [5], 'a collection counts nothing by itself')

  metrics.disable()
  const delta = startSdk(t, AggregationTemporality.DELTA)
  for (let i = 0; i < 4; i++) t.equal((await fetch(`${base}/reports`)).status, 500)
  t.same((await problemPoints(delta)).map(p => p.value), [4], 'a new provider counts from zero')
  t.equal((await fetch(`${base}/reports`)).status, 500)
  t.same((await problemPoints(delta)).map(p => p.value), [1], 'delta: only the problem since the last collection')
})

test('two apps in one process, one provider: their problems of the same code, route and method are one series', async t => {
  const reader = startSdk(t)
  // each app resolves its own catalog: two entries of resource_not_found, counted by each app
  const first = await serve(t)
  const second = await serve(t)
  for (const { base } of [first, second, second]) t.equal((await fetch(`${base}/users/7`)).status, 404)
  const points = await problemPoints(reader)
  t.same(points.map((p) => [p.attributes['problem_details.code'], p.attributes['http.route'], p.value]), [['resource_not_found', '/users/:id', 3]], 'one point, the sum of both apps')
})
