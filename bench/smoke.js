'use strict'
// Smoke check of the benchmark (`npm run bench:smoke`, run by .ci/run as its own step): runs
// `node bench/run.js --quick` and checks that it measured every variant and reported every
// target. Nothing about timing is asserted, and nothing bounds how long it may take: on a busy
// machine it is slower, never failing for it.
const { spawnSync } = require('node:child_process')
const { mkdtempSync, readFileSync, rmSync } = require('node:fs')
const { tmpdir } = require('node:os')
const { join } = require('node:path')
const { VARIANTS, TARGETS } = require('./variants.js')

const root = join(__dirname, '..')
const failures = []
let passed = 0

function check (ok, what) {
  if (ok) passed++
  else failures.push(what)
}

const isPositive = (n) => typeof n === 'number' && Number.isFinite(n) && n > 0

function main () {
  const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'))
  const out = join(dir, 'results.json')
  const started = Date.now()
  process.stdout.write('bench smoke: node bench/run.js --quick\n')
  const run = spawnSync(process.execPath, [join(__dirname, 'run.js'), '--quick', '--out', out], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' })
  process.stdout.write(run.stdout)
  check(run.status === 0, `bench/run.js --quick exits cleanly (exit ${run.status}, signal ${run.signal})`)
  let report
  try {
    report = JSON.parse(readFileSync(out, 'utf8'))
  } catch (error) {
    failures.push(`the results file was written and parses: ${error.message}`)
  }
  rmSync(dir, { recursive: true, force: true })
  if (report !== undefined) checkReport(report, run.stdout)
  const seconds = Math.round((Date.now() - started) / 1000)
  for (const failure of failures) process.stdout.write(`not ok: ${failure}\n`)
  process.stdout.write(`\nbench smoke: ${failures.length === 0 ? 'ok' : 'FAILED'} in ${seconds} s\n${passed} passed, ${failures.length} failed\n`)
  process.exit(failures.length === 0 ? 0 : 1)
}

/** The checks the quick run must pass: every variant measured, every target reported. */
function checkReport (report, stdout) {
  // every variant has its CPU time, requests per second and ratios to the baseline
  const results = report.variants
  check(JSON.stringify(results.map((r) => r.name)) === JSON.stringify(VARIANTS.map((v) => v.name)), 'every variant, in order')
  for (const r of results) {
    check(isPositive(r.cpuMicrosPerResponse), `${r.name}: CPU time per response`)
    check(isPositive(r.requestsPerSecond), `${r.name}: requests per second`)
    check(isPositive(r.cpuRatio) && isPositive(r.rpsRatio), `${r.name}: ratios`)
    check(r.rounds.length === report.settings.rounds, `${r.name}: one entry per round`)
    check(isPositive(r.responseBytes), `${r.name}: response size`)
  }
  check(results.find((r) => r.name === 'baseline')?.cpuRatio === 1, 'the baseline is the unit')
  // paired ratios: one per round, to the baseline and to the variant's comparison
  for (const r of results) {
    check(r.paired?.baseline?.ratios?.length === report.settings.rounds && isPositive(r.paired.baseline.median), `${r.name}: paired ratios to the baseline, round by round`)
    if (r.compare !== undefined) check(isPositive(r.compareRatio?.median) && isPositive(r.compareRatio?.q1) && isPositive(r.compareRatio?.q3), `${r.name}: paired ratio to ${r.compare}`)
  }
  // the hand-written handler and the raw node:http server send the very document ours sends
  const oursReply = results.find((r) => r.name === 'ours-reply')
  for (const name of ['limit', 'hand-written', 'raw-node']) {
    const r = results.find((x) => x.name === name)
    check(r !== undefined && r.responseBytes === oursReply?.responseBytes && r.contentType.startsWith('application/problem+json'), `${name} sends ours' document (${r?.responseBytes} bytes, ${r?.contentType})`)
  }
  // instruction counts are not part of the quick run; the run says so
  check(typeof report.instructions?.skipped === 'string', 'the quick run records that instructions were not counted')
  for (const r of results.filter((r) => r.name.startsWith('ours') || r.name.startsWith('metrics-'))) {
    check(/^application\/problem\+json/.test(r.contentType), `${r.name} sends problem documents`)
  }

  // every target has a measured value, met or missed, and is printed
  const targets = report.targets
  // every target of TARGETS whose two variants exist on this branch, judged on a paired median
  // (targets on instructions alone are not judged in the quick run: no valgrind there)
  const names = new Set(VARIANTS.map((v) => v.name))
  const expected = TARGETS.filter((t) => names.has(t.variant) && names.has(t.against)).map((t) => `${t.variant}/${t.against}`)
  check(expected.every((e) => targets.some((x) => `${x.variant}/${x.against}` === e)), 'every target is reported')
  for (const x of targets) {
    if (x.against !== undefined && !x.variant.startsWith('startup-')) {
      check(isPositive(x.cpuRatio), `${x.target}: paired CPU ratio`)
      check(x.by === 'cpu' ? isPositive(x.ratio) && typeof x.met === 'boolean' : x.by === 'not measured' && x.met === null, `${x.target}: judged on what was measured (${x.by})`)
    } else {
      const value = x.ratio ?? x.valueMs ?? x.share ?? x.valueBytes
      check(typeof value === 'number' && Number.isFinite(value), `${x.target}: measured`)
      check(typeof x.met === 'boolean', `${x.target}: met or missed`)
    }
    check(stdout.includes(x.target), `${x.target}: printed`)
  }
  check(targets.filter((x) => x.variant === 'ours-throw').map((x) => x.against).join() === 'baseline,hand-written', 'the thrown ProblemError is judged against the default handler and the hand-written one')
  check(targets.some((x) => x.valueMs !== undefined), 'registration time with 10,000 entries')
  // the cost of Accept negotiation: an error response with a browser's Accept against none
  const negotiated = results.find((r) => r.name === 'ours-throw-accept')
  check(isPositive(negotiated?.cpuMicrosPerResponse) && /^application\/problem\+json$/.test(negotiated?.contentType ?? ''), 'an error response with a browser Accept is measured, and gets problem+json')
  check(isPositive(targets.find((x) => x.variant === 'negotiation')?.share), 'the share of negotiation in an error response is reported')
  check(results.some((r) => r.name === 'baseline-accept'), 'Fastify\'s default handler is measured with the same Accept')
  const negotiation = report.negotiation ?? []
  check(negotiation.length >= 5 && negotiation.every((n) => isPositive(n.nsPerCall)), 'the negotiator alone is measured for every Accept value')
  check(negotiation.find((n) => n.name === 'xml')?.format === 'application/problem+xml' && negotiation.find((n) => n.name === 'json')?.format === 'application/json', 'the negotiator chose the expected forms')
  check(targets.some((x) => x.valueBytes !== undefined), 'heap growth')

  // the problem counter: metrics on vs off with the SDK in both servers, the ratio and the cost per problem
  const counter = report.counter ?? {}
  check(Number.isFinite(counter.ratio) && counter.ratio > 0 && Number.isFinite(counter.perProblemMicros), 'the counter\'s ratio (on / off) and cost per problem are reported')
  check(counter.roundRatios?.length === report.settings.rounds && Number.isFinite(counter.roundRatioMin) && Number.isFinite(counter.roundRatioMax), 'the counter\'s ratio round by round')
  check(targets.find((x) => x.variant === 'metrics-on')?.against === 'metrics-off' && /metrics on vs off < 1\.02x/.test(targets.find((x) => x.variant === 'metrics-on')?.target ?? ''), 'the counter\'s target is metrics on vs off < 1.02x')
  check(/Problem counter, metrics on vs off/.test(stdout) && stdout.includes(`${counter.ratio?.toFixed(3)}x`), 'the counter\'s figures are printed')
  // every response of the counted server is counted by the SDK (the check request, the warm-up, the rounds); none of the other
  const served = 1 + report.settings.warmup + report.settings.rounds * report.settings.requests
  check(counter.countedOn === served, `the SDK counted every problem of metrics-on (${counter.countedOn} of ${served})`)
  check(counter.countedOff === 0, `the SDK counted no problem of metrics-off (${counter.countedOff})`)
  // the counting function alone, with and without the SDK
  const alone = counter.alone ?? {}
  check(isPositive(alone.sdkNs) && isPositive(alone.noopNs), 'the counting function alone is measured with and without the SDK')
  check(alone.counted === alone.expected && isPositive(alone.counted), `the SDK counted every call of the counting function alone (${alone.counted} of ${alone.expected})`)
  check(/Problem counter, the counting function alone/.test(stdout), 'the counting function alone is printed')

  // registration time for 16, 1,000 and 10,000 catalog entries
  const sizes = results.filter((r) => r.registerMs !== undefined && r.catalogSize !== undefined && (r.name === 'ours-throw' || r.name.startsWith('ours-catalog-')))
  check(JSON.stringify(sizes.map((r) => r.catalogSize)) === '[16,1000,10000]', 'registration measured at 16, 1,000 and 10,000 entries')
  for (const r of sizes) check(isPositive(r.registerMs), `registration time with ${r.catalogSize} entries`)

  // startup without the plugin and with 16 and 10,000 codes, every route documented
  const scenarios = report.startup?.scenarios ?? []
  check(JSON.stringify(scenarios.map((s) => s.codes)) === '[0,16,10000]', 'startup measured without the plugin and with 16 and 10,000 codes')
  for (const s of scenarios) {
    check(isPositive(s.readyMs) && isPositive(s.readyCpuMs) && isPositive(s.registerMs), `${s.name}: measured`)
    check(s.documentedRoutes === s.routes, `${s.name}: every route is in the OpenAPI document`)
  }
  check(JSON.stringify(targets.filter((x) => x.variant.startsWith('startup-')).map((x) => x.variant)) === '["startup-16-codes","startup-10000-codes"]', 'startup targets reported')

  // the memory figure counts every error response, all of them problems
  check(report.memory.responses === report.settings.memory, 'the memory run answered every request')
  check(report.memory.wrongResponses === 0, 'every memory-run response is a problem')
  check(isPositive(report.memory.heapAfterWarmup) && isPositive(report.memory.heapAfterAll), 'heap figures')

  // the run records the machine, the command and the settings
  check(/^node bench\/run\.js --quick/.test(report.command), 'the command is recorded')
  check(isPositive(report.machine.cores), 'the machine is recorded')
  check(report.settings.quick === true, 'the settings are recorded')
}

main()
