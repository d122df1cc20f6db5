'use strict'
// Instructions per response, counted by valgrind's callgrind: a figure the machine's load does not
// move, for comparing variants of the hot path where CPU time is too noisy.
//
//   node bench/instructions.js metrics-off metrics-on      (any variants of bench/variants.js)
//   node bench/instructions.js --windows 5 --requests 400 ours-throw baseline
//
// Each variant's server (bench/server.js) runs under `valgrind --tool=callgrind --instr-atstart=no`
// with `node --single-threaded`; it is warmed up with instrumentation off, then for each window the
// counters are zeroed, instrumentation turned on for exactly N requests and off again, and the
// window dumped. The figure is the median of the windows' instructions per response. The warm-up
// is long (12,000 requests by default): V8 keeps optimizing the server's code until about then.
// Then 3,000 requests are counted and thrown away (`--settle`): the first instrumented windows
// after any warm-up (8,000 to 16,000 requests were tried) count two to four times the settled
// figure, TurboFan compiling again in them (valgrind slows the server about fifty times once
// counting is on, and V8 deoptimizes and recompiles some of the hot code when that happens); from
// about 3,000 counted requests on, the windows agree to within their garbage collections.
// Needs valgrind (`apt-get install valgrind`); prints one line per variant and the ratios to the first.
// `npm run bench` counts the headline variants the same way (see HEADLINE in bench/variants.js)
// through `measure`, when valgrind and callgrind_control are on PATH.
const { execFileSync, fork, spawnSync } = require('node:child_process')
const { mkdtempSync, readdirSync, readFileSync, rmSync } = require('node:fs')
const { once } = require('node:events')
const { tmpdir } = require('node:os')
const { join } = require('node:path')
const autocannon = require('autocannon')
const { VARIANTS } = require('./variants.js')

function parseArgs (argv) {
  const settings = { windows: 5, requests: 1000, warmup: 12000, settle: 3000, variants: [] }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--windows') settings.windows = Number(argv[++i])
    else if (arg === '--requests') settings.requests = Number(argv[++i])
    else if (arg === '--warmup') settings.warmup = Number(argv[++i])
    else if (arg === '--settle') settings.settle = Number(argv[++i])
    else settings.variants.push(arg)
  }
  const known = new Set(VARIANTS.map((v) => v.name))
  const unknown = settings.variants.filter((name) => !known.has(name))
  if (settings.variants.length === 0 || unknown.length > 0) {
    console.error(`usage: node bench/instructions.js [--windows N] [--requests N] [--warmup N] [--settle N] variant...\nvariants: ${[...known].join(', ')}`)
    process.exit(1)
  }
  return settings
}

/** Sends `amount` requests as the benchmark does for this variant (one connection: no overlap to count). */
async function load (port, variant, amount) {
  const { method, path, headers, body } = variant.request
  const result = await autocannon({ url: `http://127.0.0.1:${port}${path}`, method, headers, body, connections: 1, amount })
  if (result.errors > 0 || result.timeouts > 0) throw new Error(`${variant.name}: ${result.errors} errors, ${result.timeouts} timeouts`)
}

/** Total instructions of a callgrind dump. */
function totalOf (file) {
  const line = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('totals:'))
  return Number(line.split(/\s+/)[1])
}

/**
 * One variant's instructions per response: `settings` { windows, requests, warmup, settle }. Returns the
 * median, the range and every window's figure (bench/run.js pairs the windows of two variants).
 */
async function measure (variant, settings) {
  const dir = mkdtempSync(join(tmpdir(), 'callgrind-'))
  const child = fork(join(__dirname, 'server.js'), [variant.name], {
    cwd: join(__dirname, '..'),
    execPath: 'valgrind',
    execArgv: ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${join(dir, 'out')}`, process.execPath, '--single-threaded'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    // a metrics reader exports each second of wall-clock time: under valgrind that would be about
    // fifty times as often per response as in a real server, so the figure counts no export
    env: { ...process.env, BENCH_METRICS_INTERVAL_MS: '3600000', ...(settings.package === undefined ? {} : { BENCH_PACKAGE: settings.package }) }
  })
  try {
    const [ready] = await once(child, 'message')
    await load(ready.port, variant, settings.warmup)
    const windows = []
    // the settling windows are counted like the others, then dropped
    const settling = Math.ceil((settings.settle ?? 0) / settings.requests)
    for (let w = 0; w < settling + settings.windows; w++) {
      execFileSync('callgrind_control', ['-z', String(child.pid)], { stdio: 'ignore' })
      execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' })
      await load(ready.port, variant, settings.requests)
      execFileSync('callgrind_control', ['-i', 'off', String(child.pid)], { stdio: 'ignore' })
      execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' })
      const dumps = readdirSync(dir).filter((name) => name.startsWith('out.')).sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop()))
      if (w >= settling) windows.push(totalOf(join(dir, dumps.at(-1))) / settings.requests)
    }
    const sorted = [...windows].sort((a, b) => a - b)
    return { median: sorted[sorted.length >> 1], min: sorted[0], max: sorted.at(-1), windows }
  } finally {
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Whether valgrind and callgrind_control can be run (both are needed). */
function valgrindAvailable () {
  for (const tool of ['valgrind', 'callgrind_control']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' })
    if (found.status !== 0) return false
  }
  return true
}

async function main () {
  const settings = parseArgs(process.argv.slice(2))
  if (!valgrindAvailable()) {
    console.error('valgrind and callgrind_control are needed (apt-get install valgrind)')
    process.exit(1)
  }
  const results = []
  for (const name of settings.variants) {
    const variant = VARIANTS.find((v) => v.name === name)
    const figure = await measure(variant, settings)
    results.push({ name, ...figure })
    console.log(`${name.padEnd(20)} ${Math.round(figure.median).toLocaleString('en-US').padStart(10)} instructions per response (windows ${Math.round(figure.min).toLocaleString('en-US')} to ${Math.round(figure.max).toLocaleString('en-US')})`)
  }
  for (const r of results.slice(1)) console.log(`${r.name} / ${results[0].name}: ${(r.median / results[0].median).toFixed(3)}x (${r.median > results[0].median ? '+' : ''}${Math.round(r.median - results[0].median).toLocaleString('en-US')} instructions)`)
  console.log(`${settings.windows} windows x ${settings.requests} requests after ${settings.warmup} warm-up requests, Node ${process.version}`)
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error)
    process.exit(1)
  })
}

module.exports = { measure, valgrindAvailable }
