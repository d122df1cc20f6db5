'use strict'
// `npm run chart:metrics`: a chart of the problems the demo service sends, per problem code, from a
// real run. It starts the demo (examples/demo.js, unchanged) in a child process with the metrics SDK
// registered (scripts/metric-chart-collector.js: a global MeterProvider and a reader), drives a short
// load over the demo's failing routes on 127.0.0.1 with a fixed mix, collects the counter
// `problem_details.problems` by `problem_details.code` after each slice of the load, then writes
// docs/problems-per-code.svg and prints the figures. Every request is checked: the counter must hold,
// per code, exactly the problems the load asked for, or the script fails.
//   node scripts/metric-chart.js [--out FILE] [--no-write]
const { fork } = require('node:child_process')
const { writeFileSync } = require('node:fs')
const { join, relative } = require('node:path')
const { problemPoints } = require('./problems-metric.js')

const ROOT = join(__dirname, '..')
const DEMO = join(ROOT, 'examples', 'demo.js')
const OUT = join(ROOT, 'docs', 'problems-per-code.svg')
const METRIC = 'problem_details.problems'

/** The demo's failing routes and the code each one sends. */
const ROUTES = [
  { name: 'invalid task body', method: 'POST', path: '/api/v1/agent/tasks', body: '{"priority":"high"}', code: 'invalid_request', status: 400 },
  { name: 'missing task', method: 'GET', path: '/api/v1/agent/tasks/7', code: 'resource_not_found', status: 404 },
  { name: 'unknown route', method: 'GET', path: '/api/v1/nowhere', code: 'resource_not_found', status: 404 },
  { name: 'GitHub not connected', method: 'GET', path: '/api/v1/integrations/github/repos', code: 'external_authentication_required', status: 401 },
  { name: 'database refused (ECONNREFUSED)', method: 'GET', path: '/api/v1/reports', code: 'resource_unavailable', status: 503 },
  { name: 'unexpected TypeError', method: 'GET', path: '/api/v1/crash', code: 'internal_error', status: 500 }
]

/** Slices of the load, each collected at its end. */
const SLICES = 12
/** The outage: in these slices (1-based) the reports route's database refuses every connection it is asked for. */
const OUTAGE = [5, 6, 7, 8]

/**
 * The requests of one slice (1-based), per route name: a fixed mix, with more `resource_unavailable`
 * during the outage. Deterministic: the same plan on every run.
 */
function planSlice (slice) {
  const outage = OUTAGE.includes(slice)
  return {
    'invalid task body': 30,
    'missing task': 36 + (slice % 3) * 4,
    'unknown route': 10,
    'GitHub not connected': 14 + (slice % 2) * 2,
    'database refused (ECONNREFUSED)': outage ? 60 : 4,
    'unexpected TypeError': slice % 4 === 0 ? 3 : 1
  }
}

/** The codes, in the order of the routes (the legend's order). */
function codesOf (routes = ROUTES) {
  return [...new Set(routes.map((r) => r.code))]
}

/** What the counter must hold per code after the load of one slice, from the plan. */
function expectedCounts (plan, routes = ROUTES) {
  const counts = Object.fromEntries(codesOf(routes).map((code) => [code, 0]))
  for (const route of routes) counts[route.code] += plan[route.name] ?? 0
  return counts
}

/**
 * The counter `problem_details.problems` of one collection of the metrics SDK (a reader's
 * `collect()`: its `resourceMetrics`), summed by problem code over the other attributes
 * (route, method, status...). Cumulative when the reader is.
 */
function collect (resourceMetrics) {
  const counts = {}
  for (const point of problemPoints(resourceMetrics)) {
    const code = String(point.attributes['problem_details.code'])
    counts[code] = (counts[code] ?? 0) + point.value
  }
  return counts
}

/**
 * A series per code from cumulative collections: the problems counted in each slice (the
 * difference with the previous collection). `snapshots` are [{ atMs, counts }] in order.
 */
function toSeries (snapshots, codes) {
  const all = [...new Set([...codes, ...snapshots.flatMap((s) => Object.keys(s.counts))])]
  let previous = {}
  const slices = snapshots.map((s, i) => {
    const counts = Object.fromEntries(all.map((code) => [code, (s.counts[code] ?? 0) - (previous[code] ?? 0)]))
    previous = s.counts
    return { label: String(i + 1), atMs: s.atMs, counts }
  })
  return { codes: all, slices }
}

function escapeXml (text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

const COLORS = ['#2f81f7', '#8250df', '#1a7f37', '#bf8700', '#cf222e', '#57606a', '#e16f24', '#0e8a96']

/** A round axis maximum at or above `max`: 1, 2 or 5 times a power of ten, in 4 or 5 ticks. */
function niceMax (max) {
  if (max <= 0) return { top: 1, step: 1 }
  const rough = max / 4
  const power = 10 ** Math.floor(Math.log10(rough))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s * 4 >= max) ?? 10 * power
  return { top: Math.ceil(max / step) * step, step }
}

/**
 * The SVG chart: stacked bars, one bar per slice of the load, one coloured series per code (each
 * a <g class="series" data-code data-total> of one <rect data-slice data-value> per slice), a
 * y axis of problems per slice, and a legend with each code's total. `series` is toSeries()'s shape;
 * `meta` adds the title's context and the note line.
 */
function renderProblemsChart (series, meta = {}) {
  const { codes, slices } = series
  const left = 64
  const top = 62
  const plotWidth = 560
  const plotHeight = 300
  const legendX = left + plotWidth + 28
  const width = legendX + 290
  const height = top + plotHeight + 78
  const totals = slices.map((s) => codes.reduce((sum, code) => sum + (s.counts[code] ?? 0), 0))
  const { top: yMax, step } = niceMax(Math.max(0, ...totals))
  const y = (value) => top + plotHeight - (value / yMax) * plotHeight
  const slot = plotWidth / Math.max(1, slices.length)
  const barWidth = Math.max(4, slot * 0.7)

  const axis = []
  for (let v = 0; v <= yMax + step / 2; v += step) {
    const yy = y(v).toFixed(1)
    axis.push(`<line x1="${left}" y1="${yy}" x2="${left + plotWidth}" y2="${yy}" class="grid"/>`)
    axis.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v}</text>`)
  }
  slices.forEach((s, i) => {
    const cx = left + slot * i + slot / 2
    axis.push(`<text x="${cx.toFixed(1)}" y="${top + plotHeight + 16}" text-anchor="middle">${escapeXml(s.label)}</text>`)
    if (typeof s.atMs === 'number') axis.push(`<text x="${cx.toFixed(1)}" y="${top + plotHeight + 30}" text-anchor="middle" class="note">${(s.atMs / 1000).toFixed(1)} s</text>`)
  })

  const stacked = slices.map(() => 0)
  const groups = codes.map((code, k) => {
    const color = COLORS[k % COLORS.length]
    const total = slices.reduce((sum, s) => sum + (s.counts[code] ?? 0), 0)
    const rects = slices.map((s, i) => {
      const value = s.counts[code] ?? 0
      const y1 = y(stacked[i] + value)
      const h = y(stacked[i]) - y1
      stacked[i] += value
      const x = left + slot * i + (slot - barWidth) / 2
      return `  <rect x="${x.toFixed(1)}" y="${y1.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}" data-slice="${escapeXml(s.label)}" data-value="${value}"><title>${escapeXml(`${code}, slice ${s.label}: ${value}`)}</title></rect>`
    })
    return `<g class="series" data-code="${escapeXml(code)}" data-total="${total}" fill="${color}">\n${rects.join('\n')}\n</g>`
  })

  const legend = codes.map((code, k) => {
    const ly = top + 8 + k * 24
    const total = slices.reduce((sum, s) => sum + (s.counts[code] ?? 0), 0)
    return `<rect x="${legendX}" y="${ly - 10}" width="12" height="12" fill="${COLORS[k % COLORS.length]}"/>` +
      `<text x="${legendX + 18}" y="${ly}" class="legend" data-code="${escapeXml(code)}">${escapeXml(code)}: ${total.toLocaleString('en-US')}</text>`
  })
  const grand = totals.reduce((a, b) => a + b, 0)
  legend.push(`<text x="${legendX}" y="${top + 8 + codes.length * 24 + 6}" class="note">${escapeXml(`total: ${grand.toLocaleString('en-US')} problems`)}</text>`)

  const title = meta.title ?? `Problems sent per code (${METRIC}), per slice of the load`
  const note = meta.note ?? 'Stacked: the problems counted in each slice, by problem_details.code.'
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">
<style>
  text { fill: #1f2328; }
  .title { font-size: 15px; font-weight: 600; }
  .legend { font-size: 12px; }
  .grid { stroke: #d0d7de; stroke-width: 1; }
  .axis { stroke: #57606a; stroke-width: 1; }
  .note { fill: #57606a; font-size: 11px; }
</style>
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="8" y="22" class="title">${escapeXml(title)}</text>
<text x="8" y="40" class="note">${escapeXml(note)}</text>
${axis.join('\n')}
${groups.join('\n')}
<line x1="${left}" y1="${top + plotHeight}" x2="${left + plotWidth}" y2="${top + plotHeight}" class="axis"/>
<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" class="axis"/>
<text x="${left + plotWidth / 2}" y="${top + plotHeight + 48}" text-anchor="middle">slice of the load (and when it was collected, seconds after the first request)</text>
<text transform="translate(16 ${top + plotHeight / 2}) rotate(-90)" text-anchor="middle">problems per slice</text>
${legend.join('\n')}
${meta.footer === undefined ? '' : `<text x="8" y="${height - 8}" class="note">${escapeXml(meta.footer)}</text>\n`}</svg>
`
}

/** The terminal table: problems per code and slice, and the totals. */
function renderTable (series) {
  const head = ['code', ...series.slices.map((s) => s.label), 'total']
  const rows = series.codes.map((code) => {
    const values = series.slices.map((s) => s.counts[code] ?? 0)
    return [code, ...values.map(String), String(values.reduce((a, b) => a + b, 0))]
  })
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
  return [line(head), ...rows.map(line)].join('\n')
}

/** Sends one slice's requests, at most `concurrency` at a time; every answer must be the route's problem. */
async function drive (base, plan, concurrency) {
  // the routes interleaved, as a service's traffic would be: one of each route in turn while it has requests left
  const left = ROUTES.map((route) => plan[route.name] ?? 0)
  const mixed = []
  const total = left.reduce((a, b) => a + b, 0)
  for (let turn = 0; mixed.length < total; turn++) {
    const k = turn % ROUTES.length
    if (left[k] > 0) {
      left[k]--
      mixed.push(ROUTES[k])
    }
  }
  const wrong = []
  let next = 0
  async function worker () {
    while (next < mixed.length) {
      const route = mixed[next++]
      const res = await fetch(base + route.path, {
        method: route.method,
        headers: route.body === undefined ? {} : { 'content-type': 'application/json' },
        body: route.body
      })
      const text = await res.text()
      const type = res.headers.get('content-type') ?? ''
      if (res.status !== route.status || !type.startsWith('application/problem+json')) wrong.push(`${route.method} ${route.path} -> ${res.status} ${type}: ${text.slice(0, 200)}`)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return wrong
}

/** Starts the demo with the collector; resolves with the child and its base URL once it listens. */
function startDemo () {
  const child = fork(DEMO, [], {
    cwd: ROOT,
    execArgv: ['--require', join(__dirname, 'metric-chart-collector.js')],
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc']
  })
  let output = ''
  return new Promise((resolve, reject) => {
    function onData (chunk) {
      // the demo prints a line per span: read them all, keep only what is needed to find the address
      if (output === undefined) return
      output += chunk
      const address = /demo listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
      if (address === undefined) return
      output = undefined
      child.off('exit', onExit)
      resolve({ child, base: address })
    }
    function onExit (code) {
      reject(new Error(`the demo exited (${code}) before listening:\n${output}`))
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', () => {})
    child.once('exit', onExit)
  })
}

/** Asks the collector in the demo for the counter's cumulative values by code. */
function collectFrom (child, id) {
  return new Promise((resolve, reject) => {
    function onMessage (message) {
      if (message?.type !== 'collected' || message.id !== id) return
      child.off('message', onMessage)
      if (message.errors.length > 0) reject(new Error(`collection errors: ${message.errors.join('; ')}`))
      else resolve(message.counts)
    }
    child.on('message', onMessage)
    child.send({ type: 'collect', id })
  })
}

/**
 * The whole run: the demo with the metrics SDK, `slices` slices of the planned load (each
 * `scale` times the plan), a collection after each. Resolves with the series, the planned
 * counts per code and any wrong answers.
 */
async function run ({ slices = SLICES, scale = 1, concurrency = 8 } = {}) {
  const { child, base } = await startDemo()
  try {
    const snapshots = []
    const expected = Object.fromEntries(codesOf().map((code) => [code, 0]))
    const wrong = []
    const started = performance.now()
    for (let slice = 1; slice <= slices; slice++) {
      const plan = Object.fromEntries(Object.entries(planSlice(slice)).map(([name, n]) => [name, n * scale]))
      wrong.push(...await drive(base, plan, concurrency))
      const counts = await collectFrom(child, slice)
      snapshots.push({ atMs: performance.now() - started, counts })
      for (const [code, n] of Object.entries(expectedCounts(plan))) expected[code] += n
    }
    return { series: toSeries(snapshots, codesOf()), expected, wrong, requests: Object.values(expected).reduce((a, b) => a + b, 0) }
  } finally {
    const exited = new Promise((resolve) => child.exitCode !== null ? resolve() : child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
}

async function main () {
  const args = process.argv.slice(2)
  const outAt = args.indexOf('--out')
  const out = outAt === -1 ? OUT : args[outAt + 1]
  const { series, expected, wrong, requests } = await run()
  const counted = Object.fromEntries(series.codes.map((code) => [code, series.slices.reduce((sum, s) => sum + (s.counts[code] ?? 0), 0)]))
  console.log(`demo service, ${requests.toLocaleString('en-US')} failing requests in ${series.slices.length} slices (the database outage in slices ${OUTAGE.join(', ')}), ` +
    `last collection ${(series.slices.at(-1).atMs / 1000).toFixed(1)} s after the first request\n`)
  console.log(`${METRIC} per code and slice:`)
  console.log(renderTable(series))
  const problems = []
  for (const w of wrong) problems.push(`wrong answer: ${w}`)
  for (const code of new Set([...Object.keys(expected), ...Object.keys(counted)])) {
    if ((counted[code] ?? 0) !== (expected[code] ?? 0)) problems.push(`${code}: counted ${counted[code] ?? 0}, sent ${expected[code] ?? 0}`)
  }
  if (problems.length > 0) {
    console.error(`\nthe counter does not match the load:\n  ${problems.join('\n  ')}`)
    process.exitCode = 1
    return
  }
  console.log('\nevery problem sent was counted once, under its code')
  if (args.includes('--no-write')) return
  const svg = renderProblemsChart(series, {
    title: `Problems sent per code (${METRIC}), ${requests.toLocaleString('en-US')} failing requests to the demo`,
    note: `Stacked: the problems counted in each slice, by problem_details.code; the reports database refuses connections in slices ${OUTAGE[0]} to ${OUTAGE.at(-1)}.`,
    footer: `npm run chart:metrics: examples/demo.js with @opentelemetry/sdk-metrics, collected after each slice; ${new Date().toISOString().slice(0, 10)}, Node ${process.version}`
  })
  writeFileSync(out, svg)
  console.log(`wrote ${relative(process.cwd(), out) || out}`)
}

module.exports = { ROUTES, SLICES, OUTAGE, planSlice, codesOf, expectedCounts, collect, toSeries, renderProblemsChart, renderTable, niceMax, run }

if (require.main === module) {
  main().catch((error) => {
    console.error(error)
    process.exit(1)
  })
}
