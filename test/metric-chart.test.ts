import t from 'tap'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { metrics } from '@opentelemetry/api'
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import { DOMParser, type Element } from '@xmldom/xmldom'

// scripts/metric-chart.js (`npm run chart:metrics`): its pure parts, on figures given here, the
// chart it wrote to docs/, and a short run of the demo under its planned load (two slices), whose
// counter must hold, per code, exactly the problems sent.

interface Series { codes: string[], slices: Array<{ label: string, atMs?: number, counts: Record<string, number> }> }
const chart = createRequire(__filename)('../scripts/metric-chart.js') as {
  ROUTES: Array<{ name: string, code: string, status: number }>
  SLICES: number
  planSlice: (slice: number) => Record<string, number>
  codesOf: () => string[]
  expectedCounts: (plan: Record<string, number>) => Record<string, number>
  collect: (resourceMetrics: unknown) => Record<string, number>
  toSeries: (snapshots: Array<{ atMs: number, counts: Record<string, number> }>, codes: string[]) => Series
  renderProblemsChart: (series: Series, meta?: Record<string, string>) => string
  niceMax: (max: number) => { top: number, step: number }
  run: (options: { slices?: number, scale?: number, concurrency?: number }) => Promise<{ series: Series, expected: Record<string, number>, wrong: string[], requests: number }>
}

/** Parses an SVG document; any XML error fails the parse. */
function parseSvg (text: string): Element {
  const doc = new DOMParser({ onError: (level, message) => { if (level !== 'warning') throw new Error(message) } }).parseFromString(text, 'image/svg+xml')
  return doc.documentElement as unknown as Element
}

function elements (root: Element, name: string): Element[] {
  return Array.from(root.getElementsByTagName(name)) as unknown as Element[]
}

function seriesOf (root: Element): Map<string, { total: number, values: number[], heights: number[] }> {
  const out = new Map<string, { total: number, values: number[], heights: number[] }>()
  for (const g of elements(root, 'g').filter((g) => g.getAttribute('class') === 'series')) {
    const rects = elements(g, 'rect')
    out.set(g.getAttribute('data-code') ?? '', {
      total: Number(g.getAttribute('data-total')),
      values: rects.map((r) => Number(r.getAttribute('data-value'))),
      heights: rects.map((r) => Number(r.getAttribute('height')))
    })
  }
  return out
}

t.test('collect() sums problem_details.problems by code from a real SDK collection, over routes and methods', async (t) => {
  class OnDemandReader extends MetricReader {
    constructor () { super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE }) }
    protected async onForceFlush (): Promise<void> {}
    protected async onShutdown (): Promise<void> {}
  }
  const reader = new OnDemandReader()
  const provider = new MeterProvider({ readers: [reader] })
  t.teardown(() => provider.shutdown())
  const meter = provider.getMeter('fastify-problem-details')
  const problems = meter.createCounter('problem_details.problems')
  const other = meter.createCounter('http.server.other')
  problems.add(3, { 'problem_details.code': 'resource_not_found', 'http.route': '/tasks/:id', 'http.request.method': 'GET' })
  problems.add(2, { 'problem_details.code': 'resource_not_found', 'http.request.method': 'GET' })
  problems.add(4, { 'problem_details.code': 'invalid_request', 'http.route': '/tasks', 'http.request.method': 'POST' })
  other.add(100, { 'problem_details.code': 'invalid_request' })
  const { resourceMetrics } = await reader.collect()
  t.strictSame(chart.collect(resourceMetrics), { resource_not_found: 5, invalid_request: 4 }, 'per code, other metrics left out')
  problems.add(1, { 'problem_details.code': 'invalid_request', 'http.route': '/tasks', 'http.request.method': 'POST' })
  t.strictSame(chart.collect((await reader.collect()).resourceMetrics), { resource_not_found: 5, invalid_request: 5 }, 'cumulative, as the reader is')
  t.equal(metrics.getMeterProvider() === provider, false, 'nothing registered globally')
})

t.test('toSeries() turns cumulative collections into the problems of each slice', async (t) => {
  const series = chart.toSeries([
    { atMs: 100, counts: { a: 2 } },
    { atMs: 200, counts: { a: 5, b: 1 } },
    { atMs: 300, counts: { a: 5, b: 4 } }
  ], ['b', 'a'])
  t.strictSame(series.codes, ['b', 'a'])
  t.strictSame(series.slices.map((s) => s.counts), [{ b: 0, a: 2 }, { b: 1, a: 3 }, { b: 3, a: 0 }])
  t.strictSame(series.slices.map((s) => s.label), ['1', '2', '3'])
})

t.test('renderProblemsChart() writes well-formed SVG with one series per code and one bar per slice, with their values', async (t) => {
  const series = chart.toSeries([
    { atMs: 250, counts: { invalid_request: 30, resource_not_found: 50, internal_error: 1 } },
    { atMs: 500, counts: { invalid_request: 60, resource_not_found: 104, internal_error: 1, 'a&b<c>': 7 } }
  ], ['invalid_request', 'resource_not_found', 'internal_error'])
  const svg = parseSvg(chart.renderProblemsChart(series, { title: 'A <title> & more', footer: 'footer' }))
  t.equal(svg.tagName, 'svg')
  const found = seriesOf(svg)
  t.strictSame([...found.keys()], ['invalid_request', 'resource_not_found', 'internal_error', 'a&b<c>'], 'one series per code, in order, names escaped')
  t.strictSame(found.get('invalid_request'), { total: 60, values: [30, 30], heights: found.get('invalid_request')?.heights }, 'its values per slice and its total')
  t.strictSame(found.get('resource_not_found')?.values, [50, 54])
  t.strictSame(found.get('internal_error')?.values, [1, 0])
  t.strictSame(found.get('a&b<c>')?.values, [0, 7])
  // the bars are proportional to the values: one scale for every series
  const perUnit = (found.get('resource_not_found')?.heights[0] ?? 0) / 50
  for (const [code, s] of found) {
    s.values.forEach((v, i) => t.ok(Math.abs(s.heights[i] - v * perUnit) < 0.2, `${code}, slice ${i + 1}: height for ${v}`))
  }
  const text = elements(svg, 'text').map((e) => e.textContent ?? '')
  t.ok(text.includes('A <title> & more'), 'the title')
  t.ok(text.includes('invalid_request: 60') && text.includes('resource_not_found: 104'), 'a legend entry per code with its total')
  t.ok(text.includes('problems per slice'), 'the y axis is labelled')
  t.ok(text.includes('0.3 s') && text.includes('0.5 s'), 'each slice with when it was collected')
})

t.test('the axis maximum is round and holds the largest bar', async (t) => {
  for (const max of [0, 1, 7, 99, 100, 161, 1234]) {
    const { top, step } = chart.niceMax(max)
    t.ok(top >= max && step > 0 && Number.isInteger(Math.round(top / step)), `${max} -> ${top} by ${step}`)
  }
})

t.test('the planned load: every route of the demo in every slice, a code per route', async (t) => {
  t.strictSame(chart.codesOf(), ['invalid_request', 'resource_not_found', 'external_authentication_required', 'resource_unavailable', 'internal_error'])
  for (let slice = 1; slice <= chart.SLICES; slice++) {
    const plan = chart.planSlice(slice)
    t.strictSame(Object.keys(plan), chart.ROUTES.map((r) => r.name), `slice ${slice}: every route`)
    t.ok(Object.values(plan).every((n) => Number.isInteger(n) && n > 0), `slice ${slice}: a request or more per route`)
  }
  t.strictSame(chart.expectedCounts({ 'missing task': 2, 'unknown route': 3, 'invalid task body': 1 }),
    { invalid_request: 1, resource_not_found: 5, external_authentication_required: 0, resource_unavailable: 0, internal_error: 0 })
})

t.test('the committed docs/problems-per-code.svg is well-formed and shows every code of the demo\'s load', async (t) => {
  const text = readFileSync(join(__dirname, '..', 'docs', 'problems-per-code.svg'), 'utf8')
  const svg = parseSvg(text)
  const found = seriesOf(svg)
  t.strictSame([...found.keys()], chart.codesOf(), 'a series per code')
  for (const [code, s] of found) {
    t.equal(s.values.length, chart.SLICES, `${code}: a bar per slice`)
    t.equal(s.values.reduce((a, b) => a + b, 0), s.total, `${code}: the total is the sum of its bars`)
    t.ok(s.total > 0, `${code}: counted`)
    t.match(text, `${code}: `, `${code} in the legend`)
  }
  // the load is planned: the chart holds what the plan sends, code by code
  const planned: Record<string, number> = {}
  for (let slice = 1; slice <= chart.SLICES; slice++) {
    for (const [code, n] of Object.entries(chart.expectedCounts(chart.planSlice(slice)))) planned[code] = (planned[code] ?? 0) + n
  }
  t.strictSame(Object.fromEntries([...found].map(([code, s]) => [code, s.total])), planned, 'the totals of the planned load')
})

t.test('a short run of the demo with the metrics SDK: every problem sent is counted once, under its code, slice by slice', async (t) => {
  const { series, expected, wrong, requests } = await chart.run({ slices: 2, concurrency: 4 })
  t.strictSame(wrong, [], 'every answer is the route\'s problem')
  t.equal(series.slices.length, 2, 'a collection per slice')
  for (const [i, slice] of series.slices.entries()) {
    t.strictSame(slice.counts, chart.expectedCounts(chart.planSlice(i + 1)), `slice ${i + 1}: the planned problems, by code`)
  }
  const counted = Object.fromEntries(series.codes.map((code) => [code, series.slices.reduce((sum, s) => sum + (s.counts[code] ?? 0), 0)]))
  t.strictSame(counted, expected, 'the totals')
  t.equal(Object.values(counted).reduce((a, b) => a + b, 0), requests, 'as many problems as requests')
  parseSvg(chart.renderProblemsChart(series))
})
