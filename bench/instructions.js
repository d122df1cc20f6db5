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
// The warm-up is spread over many connections (40): every window opens a new connection, and
// with a warm-up on one connection only, the code that sets a connection up was still being
// compiled in the first counted windows, which then counted two to four times the settled figure
// whatever the warm-up's length (8,000 to 30,000 requests were tried). Then 3,000 more requests
// are counted and thrown away (`--settle`): with two servers under valgrind side by side, the first
// two windows of 1,000 still counted 10% to 60% more than the settled ones; from there on, the
// windows agree to within their garbage collections.
// Needs valgrind (`apt-get install valgrind`); prints one line per variant and the ratios to the first.
//
//   node bench/instructions.js --functions 30 limit ours-reply
//
// also names where the instructions go: the server runs with `--perf-basic-prof`, so V8 writes the
// address of every function it compiles to its perf map (/tmp/perf-<pid>.map, V8's fixed place);
// the median window's dump is read with callgrind_annotate, JIT addresses are named from the map
// (the latest function compiled at an address), and the top functions per response are printed,
// with the difference of each variant from the first.
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
  const settings = { windows: 5, requests: 1000, warmup: 12000, settle: 3000, functions: 0, variants: [] }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--windows') settings.windows = Number(argv[++i])
    else if (arg === '--requests') settings.requests = Number(argv[++i])
    else if (arg === '--warmup') settings.warmup = Number(argv[++i])
    else if (arg === '--settle') settings.settle = Number(argv[++i])
    else if (arg === '--functions') settings.functions = Number(argv[++i])
    else settings.variants.push(arg)
  }
  const known = new Set(VARIANTS.map((v) => v.name))
  const unknown = settings.variants.filter((name) => !known.has(name))
  if (settings.variants.length === 0 || unknown.length > 0) {
    console.error(`usage: node bench/instructions.js [--windows N] [--requests N] [--warmup N] [--settle N] [--functions N] variant...\nvariants: ${[...known].join(', ')}`)
    process.exit(1)
  }
  return settings
}

/** Connections the warm-up is spread over: enough for the code that sets up a connection to be compiled too. */
const WARMUP_CONNECTIONS = 40

/** Sends `amount` requests as the benchmark does for this variant (by default on one connection: no overlap to count). */
async function load (port, variant, amount, connections = 1) {
  const { method, path, headers, body } = variant.request
  // valgrind slows the server down fifty times or more: no request may time out for that
  const result = await autocannon({ url: `http://127.0.0.1:${port}${path}`, method, headers, body, connections: Math.min(connections, amount), amount, timeout: 600 })
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
    execArgv: ['--tool=callgrind', '--quiet', '--instr-atstart=no', `--callgrind-out-file=${join(dir, 'out')}`, process.execPath, '--single-threaded', ...(settings.functions > 0 ? ['--perf-basic-prof'] : [])],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    // a metrics reader exports each second of wall-clock time: under valgrind that would be about
    // fifty times as often per response as in a real server, so the figure counts no export
    env: { ...process.env, BENCH_METRICS_INTERVAL_MS: '3600000', ...(settings.package === undefined ? {} : { BENCH_PACKAGE: settings.package }) }
  })
  try {
    const [ready] = await once(child, 'message')
    await load(ready.port, variant, settings.warmup, WARMUP_CONNECTIONS)
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
      if (w >= settling) windows.push({ instructions: totalOf(join(dir, dumps.at(-1))) / settings.requests, dump: join(dir, dumps.at(-1)) })
    }
    const sorted = [...windows].sort((a, b) => a.instructions - b.instructions)
    const median = sorted[sorted.length >> 1]
    const functions = settings.functions > 0 ? functionsOf(median.dump, perfMap(child.pid), settings.requests) : undefined
    return { median: median.instructions, min: sorted[0].instructions, max: sorted.at(-1).instructions, windows: windows.map((window) => window.instructions), functions }
  } finally {
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
    if (settings.functions > 0) rmSync(perfMapFile(child.pid), { force: true })
  }
}

/** Where V8 writes the perf map of a process (`--perf-basic-prof`): a fixed place, whatever TMPDIR says. */
function perfMapFile (pid) {
  return `/tmp/perf-${pid}.map`
}

/** The functions V8 compiled, by start address: `{ starts, ends, names }`, where a later function at an address wins. */
function perfMap (pid) {
  const entries = []
  for (const line of readFileSync(perfMapFile(pid), 'utf8').split('\n')) {
    const first = line.indexOf(' ')
    const second = line.indexOf(' ', first + 1)
    if (second === -1) continue
    const start = parseInt(line.slice(0, first), 16)
    entries.push({ start, end: start + parseInt(line.slice(first + 1, second), 16), name: line.slice(second + 1), order: entries.length })
  }
  entries.sort((a, b) => a.start - b.start)
  return entries
}

/** The name of the code at `address`: the latest function compiled over it (code space is reused). */
function nameAt (entries, address) {
  let low = 0
  let high = entries.length
  while (low < high) {
    const mid = (low + high) >> 1
    if (entries[mid].start <= address) low = mid + 1
    else high = mid
  }
  let found
  // V8's functions are small: look back over the entries that start before the address
  for (let i = low - 1; i >= 0 && i >= low - 64; i--) {
    const entry = entries[i]
    if (address < entry.end && (found === undefined || entry.order > found.order)) found = entry
  }
  return found === undefined ? 'JIT code (not in the perf map)' : `JIT ${found.name}`
}

/** Instructions per response by function, from one window's dump: native symbols as callgrind names them, JIT code named from the perf map. */
function functionsOf (dump, entries, requests) {
  const annotated = spawnSync('callgrind_annotate', ['--threshold=100', dump], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  const functions = new Map()
  for (const line of annotated.stdout.split('\n')) {
    const match = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$/.exec(line)
    if (match === null || match[2].includes('PROGRAM TOTALS')) continue
    const count = Number(match[1].replaceAll(',', ''))
    const jit = /^\?\?\?:0x([0-9a-f]+) \[\?\?\?\]$/.exec(match[2])
    const name = jit === null ? match[2].replace(/^\?\?\?:/, '').replace(/ \[[^\]]*\]$/, '') : nameAt(entries, parseInt(jit[1], 16))
    functions.set(name, (functions.get(name) ?? 0) + count / requests)
  }
  return functions
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
  console.log(`${settings.windows} windows x ${settings.requests} requests after ${settings.warmup} warm-up requests and ${settings.settle} counted and dropped, Node ${process.version}`)
  if (settings.functions > 0) printFunctions(results, settings.functions)
}

/** The top functions of each variant (instructions per response, in its median window), then each variant's difference from the first. */
function printFunctions (results, top) {
  const short = (name) => name.length > 110 ? name.slice(0, 107) + '...' : name
  const figure = (n) => Math.round(n).toLocaleString('en-US').padStart(9)
  for (const r of results) {
    console.log(`\n${r.name}: top ${top} functions, instructions per response (median window)`)
    for (const [name, count] of [...r.functions].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${figure(count)}  ${short(name)}`)
  }
  const [first, ...others] = results
  for (const r of others) {
    console.log(`\n${r.name} - ${first.name}: the ${top} largest differences per response (+ more in ${r.name})`)
    const names = new Set([...first.functions.keys(), ...r.functions.keys()])
    const diffs = [...names].map((name) => [name, (r.functions.get(name) ?? 0) - (first.functions.get(name) ?? 0)])
    for (const [name, diff] of diffs.sort((a, b) => Math.abs(b[1]) - Math.abs(a[1])).slice(0, top)) console.log(`${diff > 0 ? '+' : '-'}${figure(Math.abs(diff)).trimStart().padStart(8)}  ${short(name)}`)
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error)
    process.exit(1)
  })
}

module.exports = { measure, valgrindAvailable }
