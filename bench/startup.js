'use strict'
// Startup cost: an app with @fastify/swagger and 1,000 routes that declare their problems, from
// `Fastify()` to `ready()`, without the plugin and with it (16 and 10,000 catalog codes). Each
// measurement is a fresh process, so module loading and V8 start cold, as a service starts.
// `node bench/startup.js` prints the figures; bench/run.js runs it as part of `npm run bench`.
// Targets compare CPU time (user + system of the process, every thread), which a busy machine
// disturbs far less than wall-clock time; both are reported.
// Two cold-start figures come with them: what `require()` of the package adds to `require('fastify')`
// (fresh processes, the two interleaved, medians compared), and `require` + `register` + `ready()`
// of an app with the plugin and 10,000 codes and nothing else.
const { fork } = require('node:child_process')
const { join } = require('node:path')

const ROUTES = 1000
const SCENARIOS = [
  { name: 'startup-without-plugin', label: `swagger + ${ROUTES.toLocaleString('en-US')} routes, without the plugin`, plugin: false, codes: 0 },
  { name: 'startup-16-codes', label: `swagger + ${ROUTES.toLocaleString('en-US')} routes, plugin with 16 codes`, plugin: true, codes: 16 },
  { name: 'startup-10000-codes', label: `swagger + ${ROUTES.toLocaleString('en-US')} routes, plugin with 10,000 codes`, plugin: true, codes: 10000 }
]

const COLD_CODES = 10000
const REQUIRE_VARIANTS = ['fastify', 'fastify+plugin']
const REQUIRE_PROCESSES_PER_ROUND = 3

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** A catalog of `size` codes: the built-in 16 and generated ones, a quarter of them with members. */
function catalogOf (builtinCatalog, size) {
  const catalog = {}
  for (let i = 0; Object.keys(builtinCatalog).length + i < size; i++) {
    catalog[`generated_code_${i}`] = {
      status: 400 + (i % 30),
      title: `Generated problem number ${i}.`,
      retryable: i % 3 === 0,
      category: i % 2 === 0 ? 'user' : 'platform',
      ...(i % 4 === 0 ? { members: { field: { type: 'string', description: 'The field at fault.' }, limit: { type: 'integer', minimum: 1 } }, required: ['field'] } : {})
    }
  }
  return catalog
}

/** One measurement, in this process (run as a child by `measureStartup`). */
async function measureOnce (scenario, packagePath) {
  const started = performance.now()
  const Fastify = require('fastify')
  const swagger = require('@fastify/swagger')
  const plugin = scenario.plugin ? require(packagePath) : undefined
  const loaded = performance.now()
  const catalog = plugin === undefined ? {} : catalogOf(plugin.builtinCatalog, scenario.codes)
  const codes = [...Object.keys(plugin?.builtinCatalog ?? {}), ...Object.keys(catalog)]

  const appStart = performance.now()
  const cpuStart = process.cpuUsage()
  const app = Fastify({ logger: false })
  await app.register(swagger, { openapi: { info: { title: 'startup', version: '1.0.0' } } })
  if (plugin !== undefined) await app.register(plugin, { catalog })
  const registered = performance.now()
  for (let i = 0; i < ROUTES; i++) {
    // three codes per route, spread over the whole catalog (the same config without the plugin)
    const problems = codes.length === 0 ? ['invalid_request', 'resource_not_found', 'conflict'] : [codes[(i * 7) % codes.length], codes[(i * 13 + 1) % codes.length], codes[(i * 31 + 2) % codes.length]]
    app.get(`/resources/${i}/:id`, { schema: { params: { type: 'object', properties: { id: { type: 'string' } } } }, config: { problems } }, async function getResource () { return { ok: true } })
  }
  await app.ready()
  const ready = performance.now()
  const cpu = process.cpuUsage(cpuStart)
  const documented = Object.keys(app.swagger().paths).length
  await app.close()
  return {
    requireMs: loaded - started,
    registerMs: registered - appStart,
    readyMs: ready - appStart,
    readyCpuMs: (cpu.user + cpu.system) / 1000,
    documentedRoutes: documented
  }
}

/** Time to require fastify, and the package after it when `withPlugin`, in this fresh process. */
function measureRequire (withPlugin, packagePath) {
  const started = process.hrtime.bigint()
  const cpuStart = process.cpuUsage()
  require('fastify')
  if (withPlugin) require(packagePath)
  const cpu = process.cpuUsage(cpuStart)
  return { requireMs: Number(process.hrtime.bigint() - started) / 1e6, requireCpuMs: (cpu.user + cpu.system) / 1000 }
}

/** `require` + `register` + `ready()` of an app with the plugin and COLD_CODES codes, in this fresh process. */
async function measureColdReady (packagePath) {
  const started = performance.now()
  const cpuStart = process.cpuUsage()
  const Fastify = require('fastify')
  const plugin = require(packagePath)
  const catalog = catalogOf(plugin.builtinCatalog, COLD_CODES)
  const app = Fastify({ logger: false })
  await app.register(plugin, { catalog })
  await app.ready()
  const cpu = process.cpuUsage(cpuStart)
  const result = { readyMs: performance.now() - started, readyCpuMs: (cpu.user + cpu.system) / 1000, codes: app.problemDetails.catalog.size }
  await app.close()
  return result
}

function runChild (scenario, packagePath) {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['child', scenario.name, packagePath], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    let result
    child.once('message', (message) => { result = message })
    child.once('error', reject)
    child.once('exit', (code) => code === 0 && result !== undefined ? resolve(result) : reject(new Error(`startup measurement ${scenario.name} exited with ${code}`)))
  })
}

/** Runs every scenario `repetitions` times, interleaved; returns medians per scenario. */
async function measureStartup ({ repetitions = 5, packagePath = join(__dirname, '..'), log = () => {} } = {}) {
  const samples = SCENARIOS.map(() => [])
  const requireSamples = REQUIRE_VARIANTS.map(() => [])
  const coldSamples = []
  for (let round = 0; round < repetitions; round++) {
    log(`startup: round ${round + 1}/${repetitions}`)
    for (let i = 0; i < SCENARIOS.length; i++) samples[i].push(await runChild(SCENARIOS[i], packagePath))
    // the require cost is a few milliseconds over a hundred: more processes, alternating, so that a
    // burst of load on the machine falls on both sides
    for (let i = 0; i < REQUIRE_PROCESSES_PER_ROUND; i++) {
      for (let v = 0; v < REQUIRE_VARIANTS.length; v++) requireSamples[v].push(await runChild({ name: `require-${REQUIRE_VARIANTS[v]}` }, packagePath))
    }
    coldSamples.push(await runChild({ name: 'cold-ready' }, packagePath))
  }
  const scenarios = SCENARIOS.map((scenario, i) => ({
    name: scenario.name,
    label: scenario.label,
    codes: scenario.codes,
    routes: ROUTES,
    requireMs: median(samples[i].map((s) => s.requireMs)),
    registerMs: median(samples[i].map((s) => s.registerMs)),
    readyMs: median(samples[i].map((s) => s.readyMs)),
    readyCpuMs: median(samples[i].map((s) => s.readyCpuMs)),
    documentedRoutes: samples[i][0].documentedRoutes,
    rounds: samples[i]
  }))
  const [without, small, large] = scenarios
  const [fastifyAlone, withPlugin] = requireSamples.map((rounds) => median(rounds.map((s) => s.requireMs)))
  const [fastifyAloneCpu, withPluginCpu] = requireSamples.map((rounds) => median(rounds.map((s) => s.requireCpuMs)))
  const requireCost = {
    label: 'require(\'fastify\') and the package, against require(\'fastify\') alone',
    processes: requireSamples[0].length,
    fastifyMs: fastifyAlone,
    withPluginMs: withPlugin,
    addedMs: withPlugin - fastifyAlone,
    fastifyCpuMs: fastifyAloneCpu,
    withPluginCpuMs: withPluginCpu,
    addedCpuMs: withPluginCpu - fastifyAloneCpu
  }
  const coldReady = {
    label: `require + register + ready() with ${COLD_CODES.toLocaleString('en-US')} codes, no routes`,
    codes: coldSamples[0].codes,
    readyMs: median(coldSamples.map((s) => s.readyMs)),
    readyCpuMs: median(coldSamples.map((s) => s.readyCpuMs)),
    rounds: coldSamples
  }
  return {
    scenarios,
    requireCost,
    coldReady,
    targets: [
      { target: `ready() with 16 codes and ${ROUTES} routes adds < 20% to the same app without the plugin (CPU time)`, variant: small.name, ratio: small.readyCpuMs / without.readyCpuMs, max: 1.2, met: small.readyCpuMs / without.readyCpuMs < 1.2 },
      // the app itself (swagger, 1,000 routes with their validators) needs about a second without the
      // plugin: the plugin's part is what registering it adds to Fastify() -> ready()
      { target: 'what registering 10,000 codes adds to ready() < 1 s (CPU time)', variant: large.name, valueMs: large.readyCpuMs - without.readyCpuMs, maxMs: 1000, met: large.readyCpuMs - without.readyCpuMs < 1000 },
      { target: 'require() of the package adds < 30 ms to require(\'fastify\') (median of fresh processes, CPU time)', variant: 'require-cost', valueMs: requireCost.addedCpuMs, maxMs: 30, met: requireCost.addedCpuMs < 30 },
      { target: `require + register + ready() with ${COLD_CODES.toLocaleString('en-US')} codes < 1 s (CPU time)`, variant: 'cold-ready-10000-codes', valueMs: coldReady.readyCpuMs, maxMs: 1000, met: coldReady.readyCpuMs < 1000 }
    ]
  }
}

module.exports = { measureStartup, SCENARIOS }

if (require.main === module) {
  if (process.argv[2] === 'child') {
    const name = process.argv[3]
    const packagePath = process.argv[4]
    const measured = name === 'cold-ready'
      ? measureColdReady(packagePath)
      : name.startsWith('require-')
        ? Promise.resolve(measureRequire(name === 'require-fastify+plugin', packagePath))
        : measureOnce(SCENARIOS.find((s) => s.name === name), packagePath)
    measured.then((result) => {
      process.send(result, () => process.disconnect())
    }, (error) => {
      console.error(error)
      process.exit(1)
    })
  } else {
    const repetitions = Number(process.argv[2] ?? 5)
    measureStartup({ repetitions, log: (line) => process.stderr.write(line + '\n') }).then((result) => {
      for (const s of result.scenarios) console.log(`${s.label.padEnd(58)} ready ${s.readyMs.toFixed(0).padStart(5)} ms, CPU ${s.readyCpuMs.toFixed(0).padStart(5)} ms  (register ${s.registerMs.toFixed(0)} ms, require ${s.requireMs.toFixed(0)} ms)`)
      const r = result.requireCost
      console.log(`${r.label}: fastify ${r.fastifyMs.toFixed(1)} ms, with the package ${r.withPluginMs.toFixed(1)} ms, added ${r.addedMs.toFixed(1)} ms; CPU ${r.fastifyCpuMs.toFixed(1)} ms and ${r.withPluginCpuMs.toFixed(1)} ms, added ${r.addedCpuMs.toFixed(1)} ms (${r.processes} processes each)`)
      const c = result.coldReady
      console.log(`${c.label}: ${c.readyMs.toFixed(0)} ms, CPU ${c.readyCpuMs.toFixed(0)} ms`)
      for (const t of result.targets) console.log(`${t.met ? 'met ' : 'MISS'} ${t.target}: ${t.ratio === undefined ? `${t.valueMs.toFixed(0)} ms` : `${t.ratio.toFixed(2)}x`}`)
    }, (error) => {
      console.error(error)
      process.exit(1)
    })
  }
}
