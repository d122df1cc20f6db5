'use strict'
// The benchmark harness: `npm run bench` (full, writes docs/benchmarks.md) or `npm run bench -- --quick`.
// Every server variant runs in its own child process (bench/server.js) on 127.0.0.1; autocannon
// loads them from this process: warm-up, then interleaved rounds (A B C ... A B C ...) of a fixed
// number of requests. The primary figure is the server's CPU time per response, measured with
// process.cpuUsage() inside the server around each round; medians over the rounds.
const { fork, spawnSync } = require('node:child_process')
const { mkdirSync, writeFileSync, readFileSync, existsSync } = require('node:fs')
const os = require('node:os')
const { join } = require('node:path')
const autocannon = require('autocannon')
const { VARIANTS } = require('./variants.js')
const { renderTable, renderMarkdown, renderSvg } = require('./report.js')
const { measureStartup } = require('./startup.js')
const { measureNegotiation } = require('./negotiate.js')
const { measureCounter } = require('./counter.js')
const { ensureBenchDependencies } = require('./install.js')

const ROOT = join(__dirname, '..')
const PROFILES_DIR = join(__dirname, 'results', 'profiles')

/** Settings of the two modes; every one can be overridden from the command line. */
const MODES = {
  full: { rounds: 5, requests: 2500, warmup: 1500, connections: 10, memory: 1_000_000, startup: 5 },
  quick: { rounds: 2, requests: 300, warmup: 300, connections: 4, memory: 4000, startup: 1 }
}
const STARTUP_TIMEOUT_MS = 30_000
const ANSWER_TIMEOUT_MS = 60_000
const MEMORY_TIMEOUT_MS = 600_000

const USAGE = `Usage: node bench/run.js [options]
  --quick            smoke mode: few requests, 2 rounds, no docs written
  --rounds N         interleaved rounds (default ${MODES.full.rounds})
  --requests N       requests per variant per round (default ${MODES.full.requests})
  --warmup N         warm-up requests per variant (default ${MODES.full.warmup})
  --connections N    autocannon connections (default ${MODES.full.connections})
  --memory N         error responses for the heap measurement, 0 to skip (default ${MODES.full.memory})
  --startup N        fresh processes per startup scenario (ready() with swagger and 1,000 routes), 0 to skip (default ${MODES.full.startup})
  --only a,b         run only these variants (plus the baseline)
  --out FILE         also write the JSON results to FILE
  --docs / --no-docs write docs/benchmarks.md and docs/benchmarks.svg (default: on, off with --quick)
  --package PATH     benchmark another build of the plugin (a path to its CommonJS entry), to compare a change
  --cpu-prof         write a V8 CPU profile of every server to bench/results/profiles/`

function parseArgs (argv) {
  const quick = argv.includes('--quick')
  const settings = { ...(quick ? MODES.quick : MODES.full), quick, docs: !quick, out: undefined, only: undefined, cpuProf: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const number = () => {
      const n = Number(argv[++i])
      if (!Number.isInteger(n) || n < 0) throw new Error(`${arg} needs a whole number, got ${argv[i]}`)
      return n
    }
    if (arg === '--quick') continue
    else if (arg === '--rounds') settings.rounds = Math.max(1, number())
    else if (arg === '--requests') settings.requests = Math.max(1, number())
    else if (arg === '--warmup') settings.warmup = number()
    else if (arg === '--connections') settings.connections = Math.max(1, number())
    else if (arg === '--memory') settings.memory = number()
    else if (arg === '--startup') settings.startup = number()
    else if (arg === '--only') settings.only = String(argv[++i]).split(',')
    else if (arg === '--out') settings.out = argv[++i]
    else if (arg === '--docs') settings.docs = true
    else if (arg === '--no-docs') settings.docs = false
    else if (arg === '--cpu-prof') settings.cpuProf = true
    else if (arg === '--package') settings.package = argv[++i]
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE)
      process.exit(0)
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`)
  }
  settings.connections = Math.min(settings.connections, settings.requests, settings.warmup || settings.requests)
  return settings
}

function median (values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Sends `message` to the child and resolves with its answer of type `answer`. */
function ask (child, message, answer, timeoutMs = ANSWER_TIMEOUT_MS) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage)
      reject(new Error(`no '${answer}' from ${child.variantName} within ${timeoutMs} ms`))
    }, timeoutMs)
    function onMessage (m) {
      if (m?.type !== answer) return
      clearTimeout(timer)
      child.off('message', onMessage)
      resolve(m)
    }
    child.on('message', onMessage)
    if (message !== undefined) child.send(message)
  })
}

function spawnServer (args, settings, name) {
  const execArgv = ['--expose-gc']
  if (settings.cpuProf) execArgv.push('--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', PROFILES_DIR, '--cpu-prof-name', `${name}.cpuprofile`)
  const env = settings.package === undefined ? process.env : { ...process.env, BENCH_PACKAGE: settings.package }
  const child = fork(join(__dirname, 'server.js'), args, { cwd: ROOT, execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  child.variantName = name
  child.on('exit', (code) => { child.exited = true; if (code !== 0 && !child.stopping) console.error(`server ${name} exited with code ${code}`) })
  return child
}

async function stopServer (child) {
  if (child.exited) return
  child.stopping = true
  const exited = new Promise((resolve) => child.once('exit', resolve))
  try {
    await ask(child, { type: 'exit' }, 'exited', 10_000)
  } catch {}
  const timer = setTimeout(() => child.kill(), 10_000)
  await exited
  clearTimeout(timer)
}

/** One real request, to check what the variant answers before loading it. */
async function sample (variant, port) {
  const { method, path, body, headers } = variant.request
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, body, headers })
  const text = await res.text()
  const contentType = res.headers.get('content-type') ?? ''
  if (res.status !== variant.status) throw new Error(`${variant.name} answered ${res.status}, expected ${variant.status}: ${text}`)
  if (variant.problem) {
    const problem = JSON.parse(text)
    if (!contentType.startsWith('application/problem+json') || problem.status !== variant.status || typeof problem.type !== 'string' || typeof problem.title !== 'string') {
      throw new Error(`${variant.name} did not send a problem document: ${contentType} ${text}`)
    }
  }
  return { status: res.status, contentType, bytes: Buffer.byteLength(text), body: text }
}

/** `amount` requests with autocannon; every one must get the variant's status. */
async function load (variant, port, amount, connections) {
  const { method, path, body, headers } = variant.request
  // autocannon checks for the end of a run every `sampleInt` ms (1 s by default): keep it short.
  // Requests per second use the time of the last response, not that check.
  const startedAt = performance.now()
  let lastResponseAt = startedAt
  const instance = autocannon({ url: `http://127.0.0.1:${port}${path}`, method, body, headers, connections, amount, sampleInt: 10 })
  instance.on('response', () => { lastResponseAt = performance.now() })
  const result = await instance
  const answered = result.statusCodeStats?.[variant.status]?.count ?? 0
  if (result.errors > 0 || result.timeouts > 0 || answered !== amount) {
    throw new Error(`${variant.name}: ${answered}/${amount} responses with status ${variant.status}, ${result.errors} errors, ${result.timeouts} timeouts`)
  }
  return { requestsPerSecond: amount / ((lastResponseAt - startedAt) / 1000) }
}

function machine () {
  const cpus = os.cpus()
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version
  }
}

function commitOf () {
  const git = spawnSync('git', ['describe', '--always', '--dirty', '--exclude', '*'], { cwd: ROOT, encoding: 'utf8' })
  return git.status === 0 ? git.stdout.trim() : undefined
}

function versionOf (name) {
  for (const dir of [join(__dirname, 'node_modules'), join(ROOT, 'node_modules')]) {
    try {
      return JSON.parse(readFileSync(join(dir, name, 'package.json'), 'utf8')).version
    } catch {}
  }
  return undefined
}

async function measureMemory (child) {
  const result = await ask(child, { type: 'run' }, 'memory', MEMORY_TIMEOUT_MS)
  await new Promise((resolve) => child.exited ? resolve() : child.once('exit', resolve))
  const { type, ...figures } = result
  return { ...figures, method: 'app.inject() inside one server process, four failure kinds in turn, heap after two forced GCs' }
}

/**
 * The problem counter's cost: the same error path with the metrics SDK in both servers, counted
 * (`metrics-on`) or not (`metrics-off`). Medians of the interleaved rounds, and the same figures
 * round by round (each round runs the two servers one after the other), for the spread.
 */
function counterCost (byName, alone) {
  const on = byName.get('metrics-on')
  const off = byName.get('metrics-off')
  if (on === undefined || off === undefined) return alone === undefined ? undefined : { alone }
  const pairs = on.rounds.map((r, i) => ({ ratio: r.cpuMicrosPerResponse / off.rounds[i].cpuMicrosPerResponse, micros: r.cpuMicrosPerResponse - off.rounds[i].cpuMicrosPerResponse }))
  const ratios = pairs.map((p) => p.ratio)
  return {
    onMicros: on.cpuMicrosPerResponse,
    offMicros: off.cpuMicrosPerResponse,
    onSpread: on.cpuSpread,
    offSpread: off.cpuSpread,
    ratio: on.cpuMicrosPerResponse / off.cpuMicrosPerResponse,
    perProblemMicros: on.cpuMicrosPerResponse - off.cpuMicrosPerResponse,
    roundRatios: ratios,
    roundRatioMedian: median(ratios),
    roundRatioMin: Math.min(...ratios),
    roundRatioMax: Math.max(...ratios),
    roundMicrosMedian: median(pairs.map((p) => p.micros)),
    // what the SDK saw: every response of the counted server, none of the other
    countedOn: on.rounds.at(-1)?.problemsCounted,
    countedOff: off.rounds.at(-1)?.problemsCounted,
    alone
  }
}

/** The target ratios of the issue, computed from the medians of this run. */
function evaluateTargets (byName, memory, negotiation) {
  const targets = []
  for (const variant of VARIANTS) {
    const target = variant.target
    const measured = byName.get(variant.name)
    const against = target === undefined ? undefined : byName.get(target.against)
    if (measured === undefined || against === undefined) continue
    const ratio = measured.cpuMicrosPerResponse / against.cpuMicrosPerResponse
    targets.push({ target: target.text, variant: variant.name, against: target.against, ratio, max: target.max, met: target.strict ? ratio < target.max : ratio <= target.max })
  }
  const largest = byName.get('ours-catalog-10000')
  if (largest?.registerMs !== undefined) {
    targets.push({ target: 'registration with 10,000 catalog entries < 1 s', variant: largest.name, valueMs: largest.registerMs, maxMs: 1000, met: largest.registerMs < 1000 })
  }
  // negotiation: the negotiator alone for a browser's Accept, as a share of a whole error response
  const browser = negotiation?.find((n) => n.name === 'browser')
  const errorResponse = byName.get('ours-throw')
  if (browser !== undefined && errorResponse !== undefined) {
    const share = browser.nsPerCall / (errorResponse.cpuMicrosPerResponse * 1000)
    targets.push({ target: 'negotiating a browser Accept < 1% of an error response (the negotiator alone)', variant: 'negotiation', share, maxShare: 0.01, met: share < 0.01 })
  }
  if (memory !== undefined) {
    const limitBytes = 10 * 2 ** 20
    targets.push({ target: `heap growth after ${memory.responses.toLocaleString('en-US')} errors < 10 MB`, variant: 'memory', valueBytes: memory.heapGrowth, maxBytes: limitBytes, met: memory.heapGrowth < limitBytes && memory.wrongResponses === 0 })
  }
  return targets
}

async function main () {
  const settings = parseArgs(process.argv.slice(2))
  ensureBenchDependencies()
  const started = Date.now()
  const loadAtStart = os.loadavg()[0]
  const variants = settings.only === undefined ? VARIANTS : VARIANTS.filter((v) => v.name === 'baseline' || settings.only.includes(v.name))
  if (settings.cpuProf) mkdirSync(PROFILES_DIR, { recursive: true })
  const log = (line) => process.stderr.write(line + '\n')

  // 1. start every server (one process each) and check its answer
  log(`starting ${variants.length} servers`)
  const servers = []
  try {
    for (const variant of variants) {
      const child = spawnServer([variant.name], settings, variant.name)
      servers.push(child)
      const ready = await ask(child, undefined, 'ready', STARTUP_TIMEOUT_MS)
      child.info = { port: ready.port, registerMs: ready.registerMs, catalogSize: ready.catalogSize }
      child.sample = await sample(variant, ready.port)
    }
    let memoryServer
    if (settings.memory > 0) {
      memoryServer = spawnServer(['memory', String(settings.memory)], settings, 'memory')
      servers.push(memoryServer)
      await ask(memoryServer, undefined, 'ready', STARTUP_TIMEOUT_MS)
    }
    const limit = servers[variants.findIndex((v) => v.name === 'limit')]
    const reply = servers[variants.findIndex((v) => v.name === 'ours-reply')]
    if (limit !== undefined && reply !== undefined && limit.sample.body !== reply.sample.body) {
      throw new Error(`the limit variant must send the very body ours sends:\n${limit.sample.body}\n${reply.sample.body}`)
    }

    // 2. warm-up: let V8 optimise each server's hot path
    if (settings.warmup > 0) {
      log(`warm-up: ${settings.warmup} requests per server`)
      for (let i = 0; i < variants.length; i++) await load(variants[i], servers[i].info.port, settings.warmup, settings.connections)
    }

    // 3. interleaved rounds
    const rounds = variants.map(() => [])
    for (let round = 0; round < settings.rounds; round++) {
      log(`round ${round + 1}/${settings.rounds}`)
      for (let i = 0; i < variants.length; i++) {
        const child = servers[i]
        await ask(child, { type: 'start' }, 'started')
        const { requestsPerSecond } = await load(variants[i], child.info.port, settings.requests, settings.connections)
        const stopped = await ask(child, { type: 'stop' }, 'stopped')
        rounds[i].push({ cpuMicrosPerResponse: stopped.cpuMicros / settings.requests, requestsPerSecond, heapUsed: stopped.heapUsed, ...(stopped.problemsCounted === undefined ? {} : { problemsCounted: stopped.problemsCounted }) })
      }
    }

    // 4. medians, and ratios to the baseline of this same run
    const results = variants.map((variant, i) => {
      const cpu = rounds[i].map((r) => r.cpuMicrosPerResponse)
      const cpuMicrosPerResponse = median(cpu)
      return {
        name: variant.name,
        group: variant.group,
        label: variant.label,
        status: variant.status,
        contentType: servers[i].sample.contentType,
        responseBytes: servers[i].sample.bytes,
        cpuMicrosPerResponse,
        cpuSpread: (Math.max(...cpu) - Math.min(...cpu)) / cpuMicrosPerResponse,
        requestsPerSecond: median(rounds[i].map((r) => r.requestsPerSecond)),
        registerMs: servers[i].info.registerMs,
        catalogSize: servers[i].info.catalogSize,
        rounds: rounds[i]
      }
    })
    const baseline = results.find((r) => r.name === 'baseline')
    for (const r of results) {
      r.cpuRatio = r.cpuMicrosPerResponse / baseline.cpuMicrosPerResponse
      r.rpsRatio = r.requestsPerSecond / baseline.requestsPerSecond
    }
    for (const child of servers) if (child !== memoryServer) await stopServer(child)

    // 5. memory, alone on the machine
    let memory
    if (memoryServer !== undefined) {
      log(`memory: ${settings.memory.toLocaleString('en-US')} error responses`)
      memory = await measureMemory(memoryServer)
    }

    // 6. startup: ready() of an app with swagger and 1,000 routes declaring problems, fresh processes
    const startup = settings.startup > 0 ? await measureStartup({ repetitions: settings.startup, packagePath: settings.package ?? ROOT, log }) : undefined

    // 7. negotiation: the negotiator alone, per Accept value, in this process
    log('negotiation: the negotiator per Accept value')
    const negotiation = measureNegotiation({ packagePath: settings.package ?? ROOT, calls: settings.quick ? 10_000 : 100_000, rounds: settings.quick ? 3 : 9 })

    // 8. the problem counter: the counting function alone, with and without the metrics SDK, in this process
    log('counter: the counting function alone')
    const alone = await measureCounter({ packagePath: settings.package ?? ROOT, calls: settings.quick ? 10_000 : 100_000, rounds: settings.quick ? 3 : 9 })

    const byName = new Map(results.map((r) => [r.name, r]))
    const counter = counterCost(byName, alone)
    const report = {
      command: `node bench/run.js ${process.argv.slice(2).join(' ')}`.trim(),
      date: new Date().toISOString(),
      durationSeconds: (Date.now() - started) / 1000,
      machine: { ...machine(), loadAverage: { start: loadAtStart, end: os.loadavg()[0] } },
      commit: commitOf(),
      versions: Object.fromEntries(['fastify', '@fastify/sensible', 'fastify-http-errors-enhanced', 'autocannon', '@opentelemetry/sdk-node', '@opentelemetry/instrumentation-http', '@opentelemetry/sdk-metrics'].map((n) => [n, versionOf(n)])),
      package: settings.package,
      settings: { rounds: settings.rounds, requests: settings.requests, warmup: settings.warmup, connections: settings.connections, memory: settings.memory, startup: settings.startup, quick: settings.quick },
      variants: results,
      targets: [...evaluateTargets(byName, memory, negotiation), ...(startup?.targets ?? [])],
      counter,
      memory,
      startup,
      negotiation
    }

    // 9. output: the table, the JSON of this run, and the docs
    console.log(renderTable(report))
    const resultsDir = join(__dirname, 'results')
    mkdirSync(resultsDir, { recursive: true })
    const file = join(resultsDir, `bench-${report.date.replace(/[:.]/g, '-')}.json`)
    const json = JSON.stringify(report, null, 2) + '\n'
    writeFileSync(file, json)
    if (settings.out !== undefined) writeFileSync(settings.out, json)
    log(`results: ${file}`)
    if (settings.docs) {
      const docs = join(ROOT, 'docs')
      mkdirSync(docs, { recursive: true })
      const mdPath = join(docs, 'benchmarks.md')
      const previous = existsSync(mdPath) ? readFileSync(mdPath, 'utf8') : ''
      writeFileSync(join(docs, 'benchmarks.svg'), renderSvg(report))
      writeFileSync(mdPath, renderMarkdown(report, previous))
      log('wrote docs/benchmarks.md and docs/benchmarks.svg')
    }
    log(`done in ${report.durationSeconds.toFixed(0)} s`)
  } finally {
    for (const child of servers) await stopServer(child)
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
