'use strict'
// Renders one benchmark run (the JSON object bench/run.js builds) as a terminal table,
// as docs/benchmarks.md and as the SVG bar chart the Markdown shows.

/** Hand-written text kept across runs: everything after this marker in docs/benchmarks.md. */
const NOTES_MARKER = '<!-- notes: kept as is when the benchmark rewrites this file -->'

const micros = (n) => n.toFixed(2)
const ratio = (n) => `${n.toFixed(2)}x`
const percent = (n) => `${(n * 100).toFixed(1)}%`
const whole = (n) => Math.round(n).toLocaleString('en-US')
const mebibytes = (bytes) => `${(bytes / 2 ** 20).toFixed(2)} MB`

/** The cold-start figures of bench/startup.js, under the startup table (older reports have none). */
function coldStartText (startup) {
  const { requireCost, coldReady } = startup
  if (requireCost === undefined || coldReady === undefined) return ''
  return `\n\nIn fresh processes taken in turn (${requireCost.processes} of each), ${requireCost.label} adds ${requireCost.addedCpuMs.toFixed(1)} ms of CPU time ` +
    `(${requireCost.addedMs.toFixed(1)} ms wall clock) to ${requireCost.fastifyCpuMs.toFixed(1)} ms (${requireCost.fastifyMs.toFixed(1)} ms). ` +
    `${coldReady.label[0].toUpperCase() + coldReady.label.slice(1)}: ${coldReady.readyCpuMs.toFixed(0)} ms of CPU time (${coldReady.readyMs.toFixed(0)} ms wall clock).`
}

function targetValue (t) {
  if (t.ratio !== undefined) return `${t.ratio.toFixed(3)}x (max ${ratio(t.max)})`
  if (t.valueMs !== undefined) return `${t.valueMs.toFixed(0)} ms (max ${t.maxMs} ms)`
  if (t.share !== undefined) return `${(t.share * 100).toFixed(3)}% (max ${(t.maxShare * 100).toFixed(0)}%)`
  return `${mebibytes(t.valueBytes)} (max ${mebibytes(t.maxBytes)})`
}

function loadOf (report, when) {
  const value = report.machine.loadAverage?.[when]
  return typeof value === 'number' ? value.toFixed(2) : 'unknown'
}

/** The problem counter's cost in one line: the ratio and the microseconds per problem, with the spread. */
function counterLine (c) {
  return `metrics on ${micros(c.onMicros)} µs (spread ${percent(c.onSpread)}), off ${micros(c.offMicros)} µs (spread ${percent(c.offSpread)}): ` +
    `${c.ratio.toFixed(3)}x, ${signed(c.perProblemMicros)} µs per problem; round by round ${c.roundRatioMin.toFixed(3)}x to ${c.roundRatioMax.toFixed(3)}x (median ${c.roundRatioMedian.toFixed(3)}x, ${signed(c.roundMicrosMedian)} µs)`
}

function countedNote (c) {
  if (c.countedOn === undefined) return ''
  return `The SDK counted ${whole(c.countedOn)} problems in the \`metrics: true\` server (every response it sent, warm-up included) and ${whole(c.countedOff ?? 0)} in the other.\n`
}

function aloneLine (a) {
  return `${(a.sdkNs / 1000).toFixed(2)} µs per problem with the SDK and a reader (spread ${percent(a.sdkSpread)}), ${a.noopNs.toFixed(0)} ns without an SDK; ${whole(a.counted)} of ${whole(a.expected)} calls counted`
}

const signed = (n) => `${n >= 0 ? '+' : '-'}${Math.abs(n).toFixed(2)}`

function registrationRows (report) {
  return report.variants.filter((v) => v.registerMs !== undefined && v.catalogSize !== undefined && (v.name === 'ours-throw' || v.name.startsWith('ours-catalog-')))
}

function pad (text, width, right) {
  const s = String(text)
  return right ? s.padStart(width) : s.padEnd(width)
}

/** The table printed to the terminal. */
function renderTable (report) {
  const head = ['variant', 'CPU µs/resp', 'x baseline', 'spread', 'req/s', 'x baseline', 'bytes']
  const rows = report.variants.map((v) => [v.name, micros(v.cpuMicrosPerResponse), ratio(v.cpuRatio), percent(v.cpuSpread), whole(v.requestsPerSecond), ratio(v.rpsRatio), String(v.responseBytes)])
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells) => cells.map((c, i) => pad(c, widths[i], i > 0)).join('  ')
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  ')]
  let group
  report.variants.forEach((v, i) => {
    if (v.group !== group) {
      group = v.group
      out.push(`[${group}]`)
    }
    out.push(line(rows[i]))
  })
  out.push('', 'Targets (CPU time per response, medians of this run):')
  for (const t of report.targets) out.push(`  ${t.met ? 'MET ' : 'MISS'}  ${t.target}: ${targetValue(t)}`)
  if (report.counter != null) {
    const c = report.counter
    if (c.ratio !== undefined) {
      out.push('', 'Problem counter, metrics on vs off (same run, SDK MeterProvider + periodic reader in both):')
      out.push(`  ${counterLine(c)}`)
      if (c.countedOn !== undefined) out.push(`  problems counted by the SDK: ${whole(c.countedOn)} (metrics on), ${whole(c.countedOff ?? 0)} (metrics off)`)
    }
    if (c.alone !== undefined) out.push('', `Problem counter, the counting function alone: ${aloneLine(c.alone)}`)
  }
  const registrations = registrationRows(report)
  if (registrations.length > 0) {
    out.push('', 'Registration time of the plugin:')
    for (const v of registrations) out.push(`  ${whole(v.catalogSize)} catalog entries: ${v.registerMs.toFixed(1)} ms`)
  }
  if (report.startup !== undefined) {
    out.push('', 'Startup, Fastify() -> ready() (medians of fresh processes):')
    for (const s of report.startup.scenarios) out.push(`  ${s.label}: ${s.readyMs.toFixed(0)} ms, CPU ${s.readyCpuMs.toFixed(0)} ms (registering swagger and the plugin ${s.registerMs.toFixed(0)} ms)`)
    const { requireCost, coldReady } = report.startup
    if (requireCost !== undefined) out.push(`  ${requireCost.label}: adds ${requireCost.addedCpuMs.toFixed(1)} ms CPU, ${requireCost.addedMs.toFixed(1)} ms wall clock (to ${requireCost.fastifyCpuMs.toFixed(1)} ms and ${requireCost.fastifyMs.toFixed(1)} ms)`)
    if (coldReady !== undefined) out.push(`  ${coldReady.label}: ${coldReady.readyMs.toFixed(0)} ms, CPU ${coldReady.readyCpuMs.toFixed(0)} ms`)
  }
  if (report.negotiation !== undefined) {
    out.push('', 'Negotiation, the negotiator alone (ns per call):')
    for (const n of report.negotiation) out.push(`  ${n.label}: ${n.nsPerCall.toFixed(1)} ns -> ${n.format}`)
  }
  if (report.memory !== undefined) {
    const m = report.memory
    out.push('', `Memory: heap ${mebibytes(m.heapAfterWarmup)} after ${whole(m.warmupResponses)} warm-up errors, ${mebibytes(m.heapAfterAll)} after ${whole(m.responses)} more (growth ${mebibytes(m.heapGrowth)}, ${m.wrongResponses} wrong responses, ${m.seconds.toFixed(1)} s)`)
  }
  out.push('', `${report.machine.cpu}, ${report.machine.cores} cores, Node ${report.machine.node}, load average ${loadOf(report, 'start')} -> ${loadOf(report, 'end')}; ${report.settings.rounds} rounds x ${whole(report.settings.requests)} requests, ${report.settings.connections} connections`)
  return out.join('\n')
}

function escapeXml (text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/** Horizontal bars of CPU time per response, one per variant, with a line at the baseline. */
function renderSvg (report) {
  const rowHeight = 24
  const groupGap = 22
  const labelWidth = 430
  const barWidth = 360
  const valueWidth = 130
  const top = 52
  const width = labelWidth + barWidth + valueWidth
  const max = Math.max(...report.variants.map((v) => v.cpuMicrosPerResponse))
  const scale = barWidth / max
  const baseline = report.variants.find((v) => v.name === 'baseline')
  const parts = []
  let y = top
  let group
  for (const v of report.variants) {
    if (v.group !== group) {
      group = v.group
      y += group === report.variants[0].group ? 0 : groupGap / 2
      parts.push(`<text x="8" y="${y + 12}" class="group">${escapeXml(group)}</text>`)
      y += groupGap
    }
    const ours = v.name.startsWith('ours') || v.name.startsWith('metrics-') || v.name === 'happy-with' || v.name === 'otel-ours'
    const w = Math.max(1, v.cpuMicrosPerResponse * scale)
    parts.push(`<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeXml(v.label)}</text>`)
    parts.push(`<rect x="${labelWidth}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowHeight - 6}" class="${ours ? 'ours' : 'other'}"/>`)
    parts.push(`<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 15}">${micros(v.cpuMicrosPerResponse)} µs (${ratio(v.cpuRatio)})</text>`)
    y += rowHeight
  }
  const height = y + 34
  const baseX = (labelWidth + baseline.cpuMicrosPerResponse * scale).toFixed(1)
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">
<style>
  text { fill: #1f2328; }
  .title { font-size: 15px; font-weight: 600; }
  .group { font-weight: 600; fill: #57606a; }
  .ours { fill: #2f81f7; }
  .other { fill: #8c959f; }
  .base { stroke: #cf222e; stroke-dasharray: 4 3; }
  .note { fill: #57606a; font-size: 11px; }
</style>
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="8" y="22" class="title">Server CPU time per response (µs, lower is better; median of ${report.settings.rounds} rounds)</text>
<text x="8" y="40" class="note">Blue: fastify-problem-details. Grey: Fastify alone and the alternatives. Dashed line: the baseline (Fastify's default error handler).</text>
${parts.join('\n')}
<line x1="${baseX}" y1="${top}" x2="${baseX}" y2="${y}" class="base"/>
<text x="8" y="${height - 10}" class="note">${escapeXml(`${report.machine.cpu}, ${report.machine.cores} cores, Node ${report.machine.node}, ${report.date.slice(0, 10)}`)}</text>
</svg>
`
}

function markdownTable (head, rows, align) {
  return [
    `| ${head.join(' | ')} |`,
    `| ${align.map((a) => (a === 'r' ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`)
  ].join('\n')
}

/** docs/benchmarks.md: figures of this run, then the notes kept from the previous file. */
function renderMarkdown (report, previous) {
  const at = previous.indexOf(NOTES_MARKER)
  const notes = at === -1 ? `${NOTES_MARKER}\n` : previous.slice(at)
  const variants = markdownTable(
    ['Variant', 'CPU µs / response', 'x baseline', 'Spread', 'Requests / s', 'x baseline', 'Body bytes'],
    report.variants.map((v) => [`${v.label} (\`${v.name}\`)`, micros(v.cpuMicrosPerResponse), ratio(v.cpuRatio), percent(v.cpuSpread), whole(v.requestsPerSecond), ratio(v.rpsRatio), String(v.responseBytes)]),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'])
  const targets = markdownTable(['Target', 'Measured', ''], report.targets.map((t) => [t.target, targetValue(t), t.met ? 'met' : '**missed**']), ['l', 'r', 'l'])
  const registrations = markdownTable(['Catalog entries', 'Registration (ms)', 'CPU µs / error', 'x 16 entries'],
    registrationRows(report).map((v) => [whole(v.catalogSize), v.registerMs.toFixed(1), micros(v.cpuMicrosPerResponse), ratio(v.cpuMicrosPerResponse / report.variants.find((x) => x.name === 'ours-throw').cpuMicrosPerResponse)]),
    ['r', 'r', 'r', 'r'])
  const startup = report.startup === undefined
    ? 'Not measured in this run.'
    : markdownTable(['App', 'Fastify() -> ready(), CPU (ms)', 'x without the plugin', 'wall clock (ms)', 'registering swagger + the plugin (ms)', 'require (ms)'],
      report.startup.scenarios.map((s) => [s.label, s.readyCpuMs.toFixed(0), ratio(s.readyCpuMs / report.startup.scenarios[0].readyCpuMs), s.readyMs.toFixed(0), s.registerMs.toFixed(0), s.requireMs.toFixed(0)]),
      ['l', 'r', 'r', 'r', 'r', 'r']) + coldStartText(report.startup)
  const errorMicros = report.variants.find((x) => x.name === 'ours-throw')?.cpuMicrosPerResponse
  const negotiation = report.negotiation === undefined
    ? 'Not measured in this run.'
    : markdownTable(['Accept', 'Form sent', 'ns per call', 'share of an error response'],
      report.negotiation.map((n) => [n.label, `\`${n.format}\``, n.nsPerCall.toFixed(1), errorMicros === undefined ? 'n/a' : `${(n.nsPerCall / (errorMicros * 10)).toFixed(3)}%`]),
      ['l', 'l', 'r', 'r'])
  const m = report.memory
  const memory = m === undefined
    ? 'Not measured in this run.'
    : markdownTable(['Heap after warm-up', `Heap after ${whole(m.responses)} more errors`, 'Growth', 'Wrong responses', 'Time'],
      [[`${mebibytes(m.heapAfterWarmup)} (${whole(m.warmupResponses)} errors)`, mebibytes(m.heapAfterAll), mebibytes(m.heapGrowth), String(m.wrongResponses), `${m.seconds.toFixed(1)} s`]],
      ['r', 'r', 'r', 'r', 'r'])
  const memoryNote = m === undefined
    ? ''
    : `Heap used (after two forced garbage collections) once ${whole(m.warmupResponses)} warm-up errors
were answered, then after ${whole(m.responses)} more. The responses go through \`app.inject()\` inside one
process: the whole Fastify request path runs (routing, body parsing and validation, the error
handler, serialization, the reply), but no socket, so a million responses fit in the time budget
(over HTTP they would take longer than the whole benchmark is allowed). Four failure kinds take
turns: a thrown \`ProblemError\`, \`reply.problem()\`, an unknown \`Error\` (500) and a schema
validation failure.
`
  const c = report.counter
  const alone = c?.alone === undefined
    ? ''
    : `The counting function alone, called ${whole(c.alone.calls)} times per pass in the benchmark's own process (\`bench/counter.js\`, the median of ${c.alone.rounds} passes; the request and the classification of the thrown \`ProblemError\` given, everything else as the error handler calls it): ${aloneLine(c.alone)}.
`
  const counter = c?.ratio === undefined
    ? `Not measured over HTTP in this run.\n\n${alone}`
    : `${markdownTable(['', 'metrics: false', 'metrics: true', 'on / off', 'per problem'],
      [
        ['CPU µs / response (median)', micros(c.offMicros), micros(c.onMicros), `${c.ratio.toFixed(3)}x`, `${signed(c.perProblemMicros)} µs`],
        ['Spread', percent(c.offSpread), percent(c.onSpread), `${c.roundRatioMin.toFixed(3)}x to ${c.roundRatioMax.toFixed(3)}x round by round`, `${signed(c.roundMicrosMedian)} µs (median of the rounds)`]
      ],
      ['l', 'r', 'r', 'r', 'r'])}

${countedNote(c)}
${alone}`
  const versions = Object.entries(report.versions).filter(([, v]) => v !== undefined).map(([n, v]) => `${n} ${v}`).join(', ')
  return `# Benchmarks

What the plugin costs, measured against Fastify's own error handler, the floor any error plugin
can reach, and the plugins users would otherwise pick. The figures below come from one run of

\`\`\`sh
npm run bench
\`\`\`

(\`${report.command}\`, commit ${report.commit ?? 'unknown'}), on ${report.date.slice(0, 10)}: ${report.machine.cpu}, ${report.machine.cores} cores,
${report.machine.memoryGiB} GiB, ${report.machine.os}, Node ${report.machine.node}; ${versions}.
The run took ${report.durationSeconds.toFixed(0)} s; the machine's load average (1 minute) was
${loadOf(report, 'start')} when it started and ${loadOf(report, 'end')} when it ended (above 2, other processes
were competing for the 2 cores: expect a wide spread between rounds).

![Server CPU time per response, per variant](benchmarks.svg)

## Targets

${targets}

## Every variant

CPU time is the server process's own (user + system), measured with \`process.cpuUsage()\`
around each round and divided by the number of responses; the median of ${report.settings.rounds} rounds
of ${whole(report.settings.requests)} requests (${report.settings.connections} connections), after ${whole(report.settings.warmup)} warm-up requests.
"Spread" is (slowest round - fastest round) / median. Requests per second are
reported beside it, but on a 2-core machine where autocannon shares the CPU with the server they
move more than CPU time does. Every ratio is to the \`baseline\` of the same run.

${variants}

## The problem counter (metrics on vs off)

The counter \`problem_details.problems\` is an observable counter: the plugin keeps one count per
attribute set (a map lookup and an increment per problem) and the SDK reads the counts when its
reader collects. Its cost with a metrics SDK is measured on two servers of the same run, interleaved with the
others: each registers the metrics SDK as a service does (a global \`MeterProvider\` from
\`@opentelemetry/sdk-metrics\` with a \`PeriodicExportingMetricReader\` exporting to memory every
second) and throws the same \`ProblemError\`; one registers the plugin with \`metrics: true\` (the
default), the other with \`metrics: false\`. The target is the issue's: under 2% of the error path.
"Per problem" is the difference of the two medians; round by round, each round's \`metrics-on\`
server is compared with its \`metrics-off\` one, which ran just before it. On this 2-core
machine the rounds of one server move by far more than 2% (the spread), so CPU time cannot
resolve a difference that small: the instruction counts in the notes below (\`node bench/instructions.js
metrics-off metrics-on\`, under valgrind, which the machine's load does not move) can. The counting
function alone (below the table), called in a tight loop, is a lower bound.

${counter}
## Catalog size

Registration time is \`await app.register(plugin, { catalog })\` in a fresh process (options
validated, catalog resolved); the cost per error is the same thrown \`ProblemError\` with the
16 built-in entries and with the catalog grown to 1,000 and 10,000 entries.

${registrations}

## Startup

What a service pays at boot: \`Fastify()\`, \`@fastify/swagger\`, the plugin (or not), then
${whole(report.startup?.scenarios[0].routes ?? 1000)} routes that each declare three problems (spread over the whole catalog) and a
params schema, then \`await app.ready()\`. Each figure is the median of ${report.settings.startup ?? 0} fresh processes
per scenario (\`bench/startup.js\`, interleaved), so module loading and V8 start cold. The app
without the plugin declares the same routes. The ratios and targets compare CPU time (user and
system time of the process, all its threads, from \`Fastify()\` to \`ready()\`), which other
processes on the machine disturb far less than the wall clock, shown beside it.

${startup}

## Content negotiation

Choosing the form of a problem (\`application/problem+json\`, \`application/json\` or
\`application/problem+xml\`) from the request's \`Accept\` header, measured on the negotiator alone
in the benchmark's own process (\`bench/negotiate.js\`: the median of 9 passes of 100,000 calls,
each call given its own copy of the header, as every request brings a new string). The share is
against the CPU time of a whole error response (\`ours-throw\`) in this run. Over HTTP, the
\`ours-throw-accept\` variant sends Chrome's \`Accept\` for a page load, beside Fastify's default
handler given the same request (\`baseline-accept\`): the longer request costs every server something
to parse, and a difference of a tenth of a percent is far inside the spread of HTTP rounds, so the
target is taken from the negotiator alone.

${negotiation}

## Memory

${memory}

${memoryNote}
## How it is measured

- Each variant is its own Fastify 5 server in its own child process (\`bench/server.js\`) on
  127.0.0.1, port 0, with the logger off (the same for every variant). The load comes from
  autocannon in the parent process (\`bench/run.js\`).
- Every server is checked first: one real request must get the expected status, and the
  plugin's variants must send a problem document. The \`limit\` variant sends, byte for byte,
  the body \`reply.problem()\` sends. Every response of every round must carry the expected
  status, or the run fails.
- Warm-up, then interleaved rounds (A B C ... A B C ...), so slow drift of the machine spreads
  over all variants instead of landing on one. Before each round the server collects garbage;
  the collection work caused by the round itself is part of its CPU time.
- The OpenTelemetry variants start the Node SDK with the HTTP instrumentation and a batch span
  processor whose exporter drops the spans, before Fastify is loaded; every request is traced.
- Every run writes its full figures, round by round, to \`bench/results/\` (JSON).
- \`npm run bench -- --quick\` is the smoke mode the test suite runs; \`--cpu-prof\` writes a
  V8 CPU profile of every server to \`bench/results/profiles/\`; \`--help\` lists the options.

${notes}`
}

module.exports = { renderTable, renderMarkdown, renderSvg, NOTES_MARKER }
