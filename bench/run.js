'use strict'
// The benchmark harness: `npm run bench` (full, writes docs/benchmarks.md) or `npm run bench -- --quick`.
// Every server variant runs in its own child process (bench/server.js) on 127.0.0.1; autocannon
// loads them from this process: a long warm-up, then interleaved rounds (A B C ... then ... C B A)
// of a fixed number of requests. The primary figure is the server's CPU time per response, measured
// with process.cpuUsage() inside the server around each round. Ratios are paired: in each round,
// a variant's CPU time over its comparison's in the same round; the median of those per-round
// ratios, with their spread, is what the targets are judged on. Beside CPU time, the headline
// variants' instructions per response are counted under valgrind (bench/instructions.js), a figure
// the machine's load does not move.
const { fork, spawnSync } = require('node:child_process')
const { mkdirSync, writeFileSync, readFileSync, existsSync } = require('node:fs')
const os = require('node:os')
const { join } = require('node:path')
const autocannon = require('autocannon')
const { VARIANTS, TARGETS, HEADLINE, comparisonOf } = require('./variants.js')
const { renderTable, renderMarkdown, renderSvg } = require('./report.js')
const { measureStartup } = require('./startup.js')
const { measureNegotiation } = require('./negotiate.js')
const { measureCounter } = require('./counter.js')
const { ensureBenchDependencies } = require('./install.js')
const instructions = require('./instructions.js')

const ROOT = join(__dirname, '..')
const PROFILES_DIR = join(__dirname, 'results', 'profiles')

/**
 * Settings of the two modes; every one can be overridden from the command line.
 * Full mode: V8 keeps optimizing a server's code until about 12,000 requests, so each server is
 * warmed up that long before any round; 16 rounds of 3,000 requests keep the whole run (about 25
 * variants, the instruction counts, memory and startup) within about 25 minutes on 2 cores.
 * Quick mode is CI's smoke run: short, no instruction counts.
 */
const MODES = {
  full: { rounds: 16, requests: 3000, warmup: 12_000, connections: 10, memory: 1_000_000, startup: 5, instructions: true, instrWarmup: 12_000, instrSettle: 3000, instrWindows: 5, instrRequests: 1000, instrJobs: Math.max(1, Math.min(2, os.cpus().length)) },
  quick: { rounds: 2, requests: 300, warmup: 300, connections: 4, memory: 4000, startup: 1, instructions: false, instrWarmup: 1000, instrSettle: 0, instrWindows: 2, instrRequests: 100, instrJobs: 1 }
}
const STARTUP_TIMEOUT_MS = 30_000
const ANSWER_TIMEOUT_MS = 60_000
const MEMORY_TIMEOUT_MS = 600_000

const USAGE = `Usage: node bench/run.js [options]
  --quick              smoke mode: few requests, 2 rounds, no instruction counts, no docs written
  --rounds N           interleaved rounds (default ${MODES.full.rounds})
  --requests N         requests per variant per round (default ${MODES.full.requests})
  --warmup N           warm-up requests per variant (default ${MODES.full.warmup})
  --connections N      autocannon connections (default ${MODES.full.connections})
  --memory N           error responses for the heap measurement, 0 to skip (default ${MODES.full.memory})
  --startup N          fresh processes per startup scenario (ready() with swagger and 1,000 routes), 0 to skip (default ${MODES.full.startup})
  --only a,b           run only these variants (plus the baseline and the variants they are compared with)
  --out FILE           also write the JSON results to FILE
  --docs / --no-docs   write docs/benchmarks.md and docs/benchmarks.svg (default: on, off with --quick)
  --package PATH       benchmark another build of the plugin (a path to its CommonJS entry), to compare a change
  --cpu-prof           write a V8 CPU profile of every server to bench/results/profiles/ (summarize with bench/profile.js)
  --instructions / --no-instructions
                       count instructions per response under valgrind for the headline variants
                       (default: on when valgrind and callgrind_control are on PATH, off with --quick)
  --instr-only a,b     count instructions for these variants instead of the headline ones
  --instr-warmup N     warm-up requests under valgrind, per variant (default ${MODES.full.instrWarmup})
  --instr-settle N     requests counted and dropped before the windows (default ${MODES.full.instrSettle})
  --instr-windows N    counted windows per variant (default ${MODES.full.instrWindows})
  --instr-requests N   requests per window (default ${MODES.full.instrRequests})
  --instr-jobs N       valgrind servers side by side (default ${MODES.full.instrJobs}, one per core up to 2)`

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
    else if (arg === '--instructions') settings.instructions = true
    else if (arg === '--no-instructions') settings.instructions = false
    else if (arg === '--instr-only') settings.instrOnly = String(argv[++i]).split(',')
    else if (arg === '--instr-warmup') settings.instrWarmup = number()
    else if (arg === '--instr-settle') settings.instrSettle = number()
    else if (arg === '--instr-windows') settings.instrWindows = Math.max(1, number())
    else if (arg === '--instr-requests') settings.instrRequests = Math.max(1, number())
    else if (arg === '--instr-jobs') settings.instrJobs = Math.max(1, number())
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE)
      process.exit(0)
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`)
  }
  settings.connections = Math.min(settings.connections, settings.requests, settings.warmup || settings.requests)
  return settings
}

/** The value at fraction `q` of the sorted values, interpolated (q = 0.5: the median). */
function quantile (values, q) {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (sorted.length - 1) * q
  const low = Math.floor(at)
  return sorted[low] + (sorted[Math.ceil(at)] - sorted[low]) * (at - low)
}

const median = (values) => quantile(values, 0.5)

/**
 * Paired ratios: `a[i] / b[i]` for each round (or instruction window) i, both measured in that
 * round, so drift of the machine between rounds cancels out. The median and the spread of them.
 */
function paired (a, b) {
  const ratios = a.map((x, i) => x / b[i])
  return { median: median(ratios), q1: quantile(ratios, 0.25), q3: quantile(ratios, 0.75), min: Math.min(...ratios), max: Math.max(...ratios), ratios }
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
  // only the memory server may force collections (for its heap figures); see bench/server.js
  const execArgv = args[0] === 'memory' ? ['--expose-gc'] : []
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
 * (`metrics-on`) or not (`metrics-off`). Paired ratios round by round (and per instruction window).
 */
function counterCost (byName, alone) {
  const on = byName.get('metrics-on')
  const off = byName.get('metrics-off')
  if (on === undefined || off === undefined) return alone === undefined ? undefined : { alone }
  const pair = on.paired['metrics-off']
  const micros = on.rounds.map((r, i) => r.cpuMicrosPerResponse - off.rounds[i].cpuMicrosPerResponse)
  return {
    onMicros: on.cpuMicrosPerResponse,
    offMicros: off.cpuMicrosPerResponse,
    onSpread: on.cpuSpread,
    offSpread: off.cpuSpread,
    // the paired median: what the target is judged on when there are no instruction counts
    ratio: pair.median,
    perProblemMicros: median(micros),
    roundRatios: pair.ratios,
    roundRatioMedian: pair.median,
    roundRatioMin: pair.min,
    roundRatioMax: pair.max,
    roundRatioQ1: pair.q1,
    roundRatioQ3: pair.q3,
    instructions: on.instructionsPaired?.['metrics-off'],
    instructionsOn: on.instructions?.median,
    instructionsOff: off.instructions?.median,
    // what the SDK saw: every response of the counted server, none of the other
    countedOn: on.rounds.at(-1)?.problemsCounted,
    countedOff: off.rounds.at(-1)?.problemsCounted,
    alone
  }
}

/** Every target: TARGETS, plus any `target` a variant declares itself. */
function allTargets () {
  const own = VARIANTS.filter((v) => v.target !== undefined).map((v) => ({ measure: 'cpu', ...v.target, variant: v.name }))
  const listed = new Set(TARGETS.map((t) => `${t.variant} ${t.against}`))
  return [...TARGETS, ...own.filter((t) => !listed.has(`${t.variant} ${t.against}`))]
}

/**
 * The targets, judged on the paired medians of this run. A target on instructions is judged only
 * when they were counted (`met` is then null); 'instructions-else-cpu' falls back to CPU time.
 */
function evaluateTargets (byName, memory, negotiation) {
  const targets = []
  for (const target of allTargets()) {
    const measured = byName.get(target.variant)
    if (measured === undefined || byName.get(target.against) === undefined) continue
    const cpu = measured.paired[target.against]
    const instr = measured.instructionsPaired?.[target.against]
    const by = target.measure === 'cpu' || (target.measure === 'instructions-else-cpu' && instr === undefined)
      ? 'cpu'
      : instr === undefined ? undefined : 'instructions'
    const value = by === 'cpu' ? cpu : instr
    const ratio = value?.median
    const met = ratio === undefined ? null : target.strict ? ratio < target.max : ratio <= target.max
    targets.push({ target: target.text, variant: target.variant, against: target.against, by: by ?? 'not measured', ratio, q1: value?.q1, q3: value?.q3, min: value?.min, max: target.max, cpuRatio: cpu.median, instructionRatio: instr?.median, met })
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

/** The variants of this run: all of them, or `--only` plus what those are compared with. */
function selectVariants (only) {
  if (only === undefined) return VARIANTS
  const wanted = new Set(['baseline', ...only])
  // the comparisons of the comparisons too (happy-with-problems -> happy-with -> happy-without)
  for (const name of wanted) {
    const variant = VARIANTS.find((v) => v.name === name)
    if (variant === undefined) {
      // a variant another branch adds may not be here yet: skip it rather than fail
      process.stderr.write(`--only: no variant ${name} on this branch, skipped\n`)
      continue
    }
    if (comparisonOf(variant) !== undefined) wanted.add(comparisonOf(variant))
  }
  return VARIANTS.filter((v) => wanted.has(v.name))
}

/**
 * Instructions per response under valgrind, one variant after the other (nothing else of the
 * benchmark running). Returns undefined, with the reason printed, when they are not counted.
 */
async function countInstructions (settings, variants, log) {
  if (!settings.instructions) {
    log('instructions: not counted (--no-instructions or --quick)')
    return { skipped: 'not requested' }
  }
  if (!instructions.valgrindAvailable()) {
    log('instructions: valgrind or callgrind_control is not on PATH, instruction counts skipped (apt-get install valgrind)')
    return { skipped: 'valgrind not installed' }
  }
  const names = new Set(variants.map((v) => v.name))
  const chosen = (settings.instrOnly ?? HEADLINE).filter((name) => names.has(name))
  const figures = {}
  // instruction counts do not depend on what else runs, so valgrind servers run side by side, one
  // per core (valgrind itself runs a program on one thread): half the wall-clock time on 2 cores
  const queue = [...chosen]
  async function worker () {
    while (queue.length > 0) {
      const name = queue.shift()
      log(`instructions: ${name} under valgrind (${settings.instrWarmup} warm-up requests, ${settings.instrSettle} counted and dropped, ${settings.instrWindows} windows x ${settings.instrRequests})`)
      figures[name] = await instructions.measure(variants.find((v) => v.name === name), { warmup: settings.instrWarmup, settle: settings.instrSettle, windows: settings.instrWindows, requests: settings.instrRequests, package: settings.package })
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(settings.instrJobs, chosen.length)) }, worker))
  return { settings: { warmup: settings.instrWarmup, settle: settings.instrSettle, windows: settings.instrWindows, requests: settings.instrRequests, connections: 1 }, variants: figures }
}

async function main () {
  const settings = parseArgs(process.argv.slice(2))
  ensureBenchDependencies()
  const started = Date.now()
  const loadAtStart = os.loadavg()[0]
  const variants = selectVariants(settings.only)
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
    // the floor, the hand-written handler and the raw server must send the very document ours sends
    const serverOf = (name) => servers[variants.findIndex((v) => v.name === name)]
    const ours = serverOf('ours-reply') ?? serverOf('ours-throw')
    for (const name of ['limit', 'hand-written', 'raw-node']) {
      const other = serverOf(name)
      if (ours === undefined || other === undefined) continue
      // the media type must match; Fastify adds `; charset=utf-8` to a string body sent with a
      // content type of its own (limit, hand-written), where the plugin's serializer keeps it out
      const mediaType = (sample) => sample.contentType.split(';')[0].trim()
      if (other.sample.body !== ours.sample.body || mediaType(other.sample) !== mediaType(ours.sample)) {
        throw new Error(`the ${name} variant must send the very document ours sends:\n${other.sample.contentType} ${other.sample.body}\n${ours.sample.contentType} ${ours.sample.body}`)
      }
    }

    // 2. warm-up: V8 keeps optimizing a server's hot path for thousands of requests; rounds
    // measured before it settles would count compilation, not the error path
    if (settings.warmup > 0) {
      log(`warm-up: ${settings.warmup} requests per server`)
      for (let i = 0; i < variants.length; i++) await load(variants[i], servers[i].info.port, settings.warmup, settings.connections)
    }

    // 3. interleaved rounds; every other round in reverse order, so that no variant always runs
    // right after the same neighbour (a pair's two servers swap who goes first)
    const rounds = variants.map(() => [])
    for (let round = 0; round < settings.rounds; round++) {
      log(`round ${round + 1}/${settings.rounds}`)
      const order = variants.map((v, i) => i)
      if (round % 2 === 1) order.reverse()
      for (const i of order) {
        const child = servers[i]
        await ask(child, { type: 'start' }, 'started')
        const { requestsPerSecond } = await load(variants[i], child.info.port, settings.requests, settings.connections)
        const stopped = await ask(child, { type: 'stop' }, 'stopped')
        rounds[i].push({ cpuMicrosPerResponse: stopped.cpuMicros / settings.requests, requestsPerSecond, heapUsed: stopped.heapUsed, ...(stopped.problemsCounted === undefined ? {} : { problemsCounted: stopped.problemsCounted }) })
      }
    }

    // 4. medians, and paired ratios: round by round, to the baseline and to the comparison
    const results = variants.map((variant, i) => {
      const cpu = rounds[i].map((r) => r.cpuMicrosPerResponse)
      const cpuMicrosPerResponse = median(cpu)
      return {
        name: variant.name,
        group: variant.group,
        label: variant.label,
        status: variant.status,
        compare: comparisonOf(variant),
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
    const byName = new Map(results.map((r) => [r.name, r]))
    const partners = (r) => new Set(['baseline', r.compare, ...allTargets().filter((t) => t.variant === r.name).map((t) => t.against)].filter((n) => n !== undefined && byName.has(n)))
    for (const r of results) {
      r.paired = {}
      for (const name of partners(r)) r.paired[name] = paired(r.rounds.map((x) => x.cpuMicrosPerResponse), byName.get(name).rounds.map((x) => x.cpuMicrosPerResponse))
      const baselineRounds = byName.get('baseline').rounds
      r.cpuRatio = r.paired.baseline.median
      r.compareRatio = r.compare === undefined ? undefined : r.paired[r.compare]
      r.rpsRatio = paired(r.rounds.map((x) => x.requestsPerSecond), baselineRounds.map((x) => x.requestsPerSecond)).median
    }
    for (const child of servers) if (child !== memoryServer) await stopServer(child)
    if (settings.cpuProf) {
      // every server's responses over its whole life (the check request, the warm-up, the rounds),
      // for bench/profile.js to turn the profile's self times into µs per response
      const responses = Object.fromEntries(variants.map((v) => [`${v.name}.cpuprofile`, 1 + settings.warmup + settings.rounds * settings.requests]))
      writeFileSync(join(PROFILES_DIR, 'responses.json'), JSON.stringify(responses, null, 2) + '\n')
    }

    // 5. memory, alone on the machine
    let memory
    if (memoryServer !== undefined) {
      log(`memory: ${settings.memory.toLocaleString('en-US')} error responses`)
      memory = await measureMemory(memoryServer)
    }

    // 5b. instructions per response under valgrind, paired window by window
    const instructionRun = await countInstructions(settings, variants, log)
    for (const [name, figure] of Object.entries(instructionRun.variants ?? {})) {
      const r = byName.get(name)
      r.instructions = figure
    }
    for (const r of results) {
      if (r.instructions === undefined) continue
      r.instructionsPaired = {}
      for (const name of partners(r)) {
        const other = byName.get(name).instructions
        if (other !== undefined) r.instructionsPaired[name] = paired(r.instructions.windows, other.windows)
      }
    }

    // 6. startup: ready() of an app with swagger and 1,000 routes declaring problems, fresh processes
    const startup = settings.startup > 0 ? await measureStartup({ repetitions: settings.startup, packagePath: settings.package ?? ROOT, log }) : undefined

    // 7. negotiation: the negotiator alone, per Accept value, in this process
    log('negotiation: the negotiator per Accept value')
    const negotiation = measureNegotiation({ packagePath: settings.package ?? ROOT, calls: settings.quick ? 10_000 : 100_000, rounds: settings.quick ? 3 : 9 })

    // 8. the problem counter: the counting function alone, with and without the metrics SDK, in this process
    log('counter: the counting function alone')
    const alone = await measureCounter({ packagePath: settings.package ?? ROOT, calls: settings.quick ? 10_000 : 100_000, rounds: settings.quick ? 3 : 9 })

    const counter = counterCost(byName, alone)
    const report = {
      // the command as run, less `--out FILE` (where a copy of the results went, not a setting)
      command: `node bench/run.js ${process.argv.slice(2).filter((arg, i, all) => arg !== '--out' && all[i - 1] !== '--out').join(' ')}`.trim(),
      date: new Date().toISOString(),
      durationSeconds: (Date.now() - started) / 1000,
      machine: { ...machine(), loadAverage: { start: loadAtStart, end: os.loadavg()[0] } },
      commit: commitOf(),
      versions: Object.fromEntries(['fastify', '@fastify/sensible', 'fastify-http-errors-enhanced', 'autocannon', '@opentelemetry/sdk-node', '@opentelemetry/instrumentation-http', '@opentelemetry/sdk-metrics'].map((n) => [n, versionOf(n)])),
      package: settings.package,
      settings: { rounds: settings.rounds, requests: settings.requests, warmup: settings.warmup, connections: settings.connections, memory: settings.memory, startup: settings.startup, quick: settings.quick },
      // what this run left out or shortened against a full `npm run bench`: the docs say so
      reduced: [
        ...['rounds', 'requests', 'warmup', 'memory', 'startup'].filter((k) => settings[k] !== MODES.full[k]).map((k) => `${k} ${settings[k]} instead of ${MODES.full[k]}`),
        ...(settings.only === undefined ? [] : [`only ${variants.length} of ${VARIANTS.length} variants`]),
        ...(instructionRun.skipped === undefined && settings.instrOnly === undefined ? [] : ['instructions of only some headline variants, or none'])
      ],
      variants: results,
      instructions: { settings: instructionRun.settings, skipped: instructionRun.skipped },
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
