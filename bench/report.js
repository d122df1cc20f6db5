'use strict'
// Renders one benchmark run (the JSON object bench/run.js builds) as a terminal table,
// as docs/benchmarks.md and as the SVG bar chart the Markdown shows.

/** Hand-written text kept across runs: everything after this marker in docs/benchmarks.md. */
const NOTES_MARKER = '<!-- notes: kept as is when the benchmark rewrites this file -->'

const micros = (n) => n.toFixed(2)
const ratio = (n) => `${n.toFixed(2)}x`
/** A target's limit: 1.10x, 1.005x. */
const limit = (n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-9 ? ratio(n) : `${n.toFixed(3)}x`
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
  if (t.variant !== undefined && t.against !== undefined) {
    if (t.ratio === undefined) return `not measured: instruction counts need valgrind (CPU ${t.cpuRatio.toFixed(3)}x, for information; max ${limit(t.max)})`
    const other = t.by === 'cpu' && t.instructionRatio !== undefined ? `; instructions ${t.instructionRatio.toFixed(3)}x` : t.by === 'instructions' ? `; CPU ${t.cpuRatio.toFixed(3)}x` : ''
    return `${t.ratio.toFixed(3)}x by ${t.by === 'cpu' ? 'CPU time' : 'instructions'}, IQR ${t.q1.toFixed(3)}-${t.q3.toFixed(3)} (max ${limit(t.max)}${other})`
  }
  // a ratio of another kind (bench/startup.js: medians of fresh processes)
  if (t.ratio !== undefined) return `${t.ratio.toFixed(3)}x (max ${ratio(t.max)})`
  if (t.valueMs !== undefined) return `${t.valueMs.toFixed(0)} ms (max ${t.maxMs} ms)`
  if (t.share !== undefined) return `${(t.share * 100).toFixed(3)}% (max ${(t.maxShare * 100).toFixed(0)}%)`
  return `${mebibytes(t.valueBytes)} (max ${mebibytes(t.maxBytes)})`
}

const verdict = (t) => t.met === true ? 'met' : t.met === false ? 'missed' : 'not judged'

/** A paired ratio with its interquartile range: `1.02x (0.98-1.05)`. */
const pairedText = (p) => p === undefined ? '' : `${p.median.toFixed(3)}x (${p.q1.toFixed(2)}-${p.q3.toFixed(2)})`
const instructionCount = (v) => v.instructions === undefined ? '' : whole(v.instructions.median)
const instructionRatio = (v) => v.compare === undefined || v.instructionsPaired?.[v.compare] === undefined ? '' : `${v.instructionsPaired[v.compare].median.toFixed(3)}x`

function loadOf (report, when) {
  const value = report.machine.loadAverage?.[when]
  return typeof value === 'number' ? value.toFixed(2) : 'unknown'
}

/** The problem counter's cost in one line: paired ratios, CPU and instructions. */
function counterLine (c) {
  const instr = c.instructions === undefined ? 'instructions not counted' : `instructions ${whole(c.instructionsOn)} vs ${whole(c.instructionsOff)} per response: ${c.instructions.median.toFixed(3)}x (windows ${c.instructions.min.toFixed(3)}x to ${c.instructions.max.toFixed(3)}x)`
  return `CPU metrics on ${micros(c.onMicros)} µs, off ${micros(c.offMicros)} µs; paired round by round ${c.roundRatioMedian.toFixed(3)}x (IQR ${c.roundRatioQ1.toFixed(3)}-${c.roundRatioQ3.toFixed(3)}, range ${c.roundRatioMin.toFixed(3)}-${c.roundRatioMax.toFixed(3)}), ${signed(c.perProblemMicros)} µs per problem; ${instr}`
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
  const head = ['variant', 'CPU µs/resp', 'spread', 'x baseline (IQR)', 'vs', 'x vs (IQR)', 'instr/resp', 'instr x vs', 'req/s', 'bytes']
  const rows = report.variants.map((v) => [v.name, micros(v.cpuMicrosPerResponse), percent(v.cpuSpread), pairedText(v.paired.baseline), v.compare ?? '', v.compare === 'baseline' ? '' : pairedText(v.compareRatio), instructionCount(v), instructionRatio(v), whole(v.requestsPerSecond), String(v.responseBytes)])
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells) => cells.map((c, i) => pad(c, widths[i], i > 0 && i !== 4)).join('  ')
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  ')]
  let group
  report.variants.forEach((v, i) => {
    if (v.group !== group) {
      group = v.group
      out.push(`[${group}]`)
    }
    out.push(line(rows[i]))
  })
  if (report.instructions?.skipped !== undefined) out.push('', `Instructions per response: not counted (${report.instructions.skipped}).`)
  out.push('', 'Targets (paired medians of this run):')
  for (const t of report.targets) out.push(`  ${t.met === true ? 'MET ' : t.met === false ? 'MISS' : 'N/A '}  ${t.target}: ${targetValue(t)}`)
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
  const labelWidth = 520
  const barWidth = 330
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
    const ours = v.name.startsWith('ours') || v.name.startsWith('metrics-') || v.name.startsWith('happy-with') || v.name === 'otel-ours'
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
<text x="8" y="22" class="title">Server CPU time per response (µs, lower is better; median of ${report.settings.rounds} rounds; ratio: paired median vs the baseline)</text>
<text x="8" y="40" class="note">Blue: fastify-problem-details. Grey: Fastify alone, Node alone and the alternatives. Dashed line: the baseline (Fastify's default error handler).</text>
${parts.join('\n')}
<line x1="${baseX}" y1="${top}" x2="${baseX}" y2="${y}" class="base"/>
<text x="8" y="${height - 10}" class="note">${escapeXml(`${report.machine.cpu}, ${report.machine.cores} cores, Node ${report.machine.node}, ${report.date.slice(0, 10)}`)}</text>
</svg>
`
}

/** A warning on the page when it was written by a shortened run: its figures check the harness only. */
function reducedNote (report) {
  if (!(report.reduced?.length > 0)) return ''
  return `> **A reduced run wrote this page.** Its figures show that the harness works end to end; they
> are not the benchmark's results (run \`npm run bench\` for those). Left out or shortened:
> ${report.reduced.join('; ')}.

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
    ['Variant', 'CPU µs / response', 'Spread', 'x baseline, paired (IQR)', 'Compared with', 'x comparison, paired (IQR)', 'Instructions / response', 'Instructions x comparison', 'Requests / s', 'Body bytes'],
    report.variants.map((v) => [`${v.label} (\`${v.name}\`)`, micros(v.cpuMicrosPerResponse), percent(v.cpuSpread), pairedText(v.paired.baseline), v.compare === undefined ? '' : `\`${v.compare}\``, v.compare === 'baseline' ? '' : pairedText(v.compareRatio), instructionCount(v), instructionRatio(v), whole(v.requestsPerSecond), String(v.responseBytes)]),
    ['l', 'r', 'r', 'r', 'l', 'r', 'r', 'r', 'r', 'r'])
  const targets = markdownTable(['Target', 'Measured', ''], report.targets.map((t) => [t.target, targetValue(t), t.met === false ? '**missed**' : verdict(t)]), ['l', 'r', 'l'])
  const counted = report.variants.filter((v) => v.instructions !== undefined)
  const is = report.instructions?.settings
  const instructionSection = counted.length === 0
    ? `Not counted in this run (${report.instructions?.skipped ?? 'not requested'}).`
    : `${markdownTable(['Variant', 'Instructions / response (median)', 'Windows', 'Compared with', 'x comparison, paired (range)', 'x baseline, paired', 'CPU x comparison, paired'],
      counted.map((v) => {
        const p = v.compare === undefined ? undefined : v.instructionsPaired?.[v.compare]
        return [`\`${v.name}\``, whole(v.instructions.median), `${whole(v.instructions.min)} to ${whole(v.instructions.max)}`, v.compare === undefined ? '' : `\`${v.compare}\``, p === undefined ? '' : `${p.median.toFixed(3)}x (${p.min.toFixed(3)}-${p.max.toFixed(3)})`, v.instructionsPaired?.baseline === undefined ? '' : `${v.instructionsPaired.baseline.median.toFixed(3)}x`, v.compareRatio === undefined ? '' : `${v.compareRatio.median.toFixed(3)}x`]
      }),
      ['l', 'r', 'r', 'l', 'r', 'r', 'r'])}

Each server under \`valgrind --tool=callgrind --instr-atstart=no\` (\`node --single-threaded\`), warmed
up with ${whole(is.warmup)} requests over 40 connections with instrumentation off (each window opens a
new connection: warmed up on one connection only, the code that sets a connection up was still
compiled in the first counted windows), then ${whole(is.settle ?? 0)} requests counted and dropped, then
${is.windows} windows of ${whole(is.requests)} requests on one
connection, each counted alone; the figure is the median of the windows. Paired ratios divide
window i of a variant by window i of its comparison.`
  const registrations = markdownTable(['Catalog entries', 'Registration (ms)', 'CPU µs / error', 'x 16 entries'],
    registrationRows(report).map((v) => [whole(v.catalogSize), v.registerMs.toFixed(1), micros(v.cpuMicrosPerResponse), v.name === 'ours-throw' ? '1.00x' : `${v.paired['ours-throw']?.median.toFixed(3)}x (paired)`]),
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
        ['CPU µs / response (median of the rounds)', micros(c.offMicros), micros(c.onMicros), `${c.ratio.toFixed(3)}x paired (IQR ${c.roundRatioQ1.toFixed(3)}-${c.roundRatioQ3.toFixed(3)}, range ${c.roundRatioMin.toFixed(3)}-${c.roundRatioMax.toFixed(3)})`, `${signed(c.perProblemMicros)} µs (median of the rounds)`],
        ['Spread of the rounds', percent(c.offSpread), percent(c.onSpread), '', ''],
        ...(c.instructions === undefined
          ? []
          : [['Instructions / response', whole(c.instructionsOff), whole(c.instructionsOn), `${c.instructions.median.toFixed(3)}x paired (windows ${c.instructions.min.toFixed(3)}-${c.instructions.max.toFixed(3)})`, `${signed((c.instructionsOn - c.instructionsOff) / 1000)}k instructions`]])
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

${reducedNote(report)}![Server CPU time per response, per variant](benchmarks.svg)

## Targets

Every ratio target is judged on a **paired median**: in each round, the variant's CPU time per
response divided by its comparison's in the same round, then the median of those per-round ratios
(IQR: the interquartile range of them). Targets on instructions use the instruction counts below,
paired window by window; "not judged" means they were not counted in this run (no valgrind).

${targets}

## Every variant

CPU time is the server process's own (user + system), measured with \`process.cpuUsage()\`
around each round and divided by the number of responses; the median of ${report.settings.rounds} rounds
of ${whole(report.settings.requests)} requests (${report.settings.connections} connections), after ${whole(report.settings.warmup)} warm-up requests per server.
"Spread" is (slowest round - fastest round) / median of one server's rounds. The ratios are
paired: per round, the variant over the baseline (or over its comparison) of that same round,
then the median of the per-round ratios and, in brackets, their interquartile range. Two servers
of one round ran seconds apart, so a slow stretch of the shared machine moves both, and pairing
cancels most of it, where a ratio of two medians would not. Requests per second are reported
beside it, but on a 2-core machine where autocannon shares the CPU with the server they move more
than CPU time does.

${variants}

## Instructions per response

Instructions executed per response, counted by valgrind's callgrind for the headline variants: a
figure the machine's load does not move, which resolves differences of 1% that CPU time on a shared
2-core machine cannot. Reproduce any of them with \`node bench/instructions.js <variant>...\` (for
example \`node bench/instructions.js metrics-off metrics-on\`); valgrind is needed
(\`apt-get install valgrind\`), and \`npm run bench\` skips this part, saying so, without it
(\`--no-instructions\` skips it on purpose).

${instructionSection}

## The problem counter (metrics on vs off)

The counter \`problem_details.problems\` is an observable counter: the plugin keeps one count per
attribute set (a map lookup and an increment per problem) and the SDK reads the counts when its
reader collects. Its cost with a metrics SDK is measured on two servers of the same run, interleaved with the
others: each registers the metrics SDK as a service does (a global \`MeterProvider\` from
\`@opentelemetry/sdk-metrics\` with a \`PeriodicExportingMetricReader\` exporting to memory every
second) and throws the same \`ProblemError\`; one registers the plugin with \`metrics: true\` (the
default), the other with \`metrics: false\`. The target is the issue's: under 2% of the error path,
judged on instructions when they were counted (valgrind moves the reader's export interval out of
the windows: it slows the server about fifty times while the interval stays in wall-clock time),
on the paired CPU ratio otherwise. On this 2-core machine the rounds of one server move by more
than 2% (the spread), so CPU time can hardly resolve a difference that small; instructions can.
The counting function alone (below the table), called in a tight loop, is a lower bound.

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

- Each variant is its own server in its own child process (\`bench/server.js\`) on 127.0.0.1,
  port 0: a Fastify 5 app with the logger off (the same for every variant), or, for \`raw-node\`,
  a bare \`node:http\` server. The load comes from autocannon in the parent process
  (\`bench/run.js\`).
- Every server is checked first: one real request must get the expected status, and the
  plugin's variants must send a problem document. The \`limit\` variant (pre-serialized, the floor
  for Fastify), \`hand-written\` (a ten-line \`setErrorHandler\` with \`JSON.stringify\`) and
  \`raw-node\` send, byte for byte and with the same content type, the document the plugin sends.
  Every response of every round must carry the expected status, or the run fails.
- No garbage collection is forced before or during measured work, and the servers run without
  \`--expose-gc\`: on Node 20 a forced full collection deoptimizes the server's hot functions and
  TurboFan compiles them again during the next round, which added about 100 µs to every response
  of every variant and pushed every ratio towards 1. The garbage a round makes is collected by V8 as
  in production, within that round's CPU time. Only the memory measurement forces collections,
  in its own process, to read the heap.
- Each server is warmed up with ${whole(report.settings.warmup)} requests before any round: V8 keeps optimizing a Fastify
  server's hot path until about 12,000 requests, and rounds measured before then count compilation.
- Interleaved rounds (A B C ... then ... C B A, alternating), so slow drift of the machine spreads
  over all variants and no server always runs right after the same neighbour.
- The OpenTelemetry variants start the Node SDK with the HTTP instrumentation and a batch span
  processor whose exporter drops the spans, before Fastify is loaded; every request is traced.
- Every run writes its full figures, round by round and window by window, to \`bench/results/\` (JSON).
- \`npm run bench -- --quick\` is the smoke mode (\`npm run bench:smoke\`, run by CI; no instruction
  counts); \`--help\` lists the options.
- \`npm run bench -- --only ours-throw --cpu-prof\` writes a V8 CPU profile of every server to
  \`bench/results/profiles/\`; \`node bench/profile.js bench/results/profiles/ours-throw.cpuprofile\`
  sums self time per function, grouped by origin (this package, Fastify and its dependencies, Node's
  internals, GC and idle), in µs per response (the responses of each server are recorded beside the
  profiles). A profile covers the server's whole life: start-up, warm-up and rounds.

${notes}`
}

module.exports = { renderTable, renderMarkdown, renderSvg, NOTES_MARKER }
