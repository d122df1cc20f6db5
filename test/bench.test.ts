import { test } from 'tap'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// The benchmark's smoke mode: it must keep running and report every figure. No timing is asserted.
const root = join(__dirname, '..')
const { VARIANTS } = require('../bench/variants.js') as { VARIANTS: Array<{ name: string, status: number, target?: { against: string } }> }

interface VariantResult {
  name: string
  status: number
  contentType: string
  responseBytes: number
  cpuMicrosPerResponse: number
  requestsPerSecond: number
  cpuRatio: number
  rpsRatio: number
  registerMs?: number
  catalogSize?: number
  rounds: Array<{ cpuMicrosPerResponse: number, requestsPerSecond: number }>
}

interface TargetResult {
  target: string
  variant: string
  met: boolean
  ratio?: number
  valueMs?: number
  valueBytes?: number
}

function runQuick (out: string): Promise<{ code: number | null, stdout: string, stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bench/run.js', '--quick', '--out', out], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => { stdout += chunk })
    child.stderr.on('data', (chunk) => { stderr += chunk })
    const timer = setTimeout(() => child.kill(), 150_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

const isPositive = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n > 0

test('the quick benchmark measures every variant and reports every target', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const out = join(dir, 'results.json')

  const run = await runQuick(out)
  t.equal(run.code, 0, `bench exits cleanly\n${run.stderr}`)
  const report = JSON.parse(readFileSync(out, 'utf8'))

  t.test('every variant has its CPU time, requests per second and ratios to the baseline', async (t) => {
    const results: VariantResult[] = report.variants
    t.same(results.map((r) => r.name), VARIANTS.map((v) => v.name), 'every variant, in order')
    for (const r of results) {
      t.ok(isPositive(r.cpuMicrosPerResponse), `${r.name}: CPU time per response`)
      t.ok(isPositive(r.requestsPerSecond), `${r.name}: requests per second`)
      t.ok(isPositive(r.cpuRatio) && isPositive(r.rpsRatio), `${r.name}: ratios`)
      t.equal(r.rounds.length, report.settings.rounds, `${r.name}: one entry per round`)
      t.ok(isPositive(r.responseBytes), `${r.name}: response size`)
    }
    const baseline = results.find((r) => r.name === 'baseline')
    t.equal(baseline?.cpuRatio, 1, 'the baseline is the unit')
    for (const r of results.filter((r) => r.name.startsWith('ours'))) {
      t.match(r.contentType, /^application\/problem\+json/, `${r.name} sends problem documents`)
    }
  })

  t.test('every target of the issue has a measured value', async (t) => {
    const targets: TargetResult[] = report.targets
    const ratioTargets = VARIANTS.filter((v) => v.target !== undefined).map((v) => v.name)
    t.same(targets.filter((x) => x.ratio !== undefined && !x.variant.startsWith('startup-')).map((x) => x.variant), ratioTargets, 'one ratio per target variant')
    for (const x of targets) {
      const value = x.ratio ?? x.valueMs ?? x.valueBytes
      t.ok(typeof value === 'number' && Number.isFinite(value), `${x.target}: measured`)
      t.type(x.met, 'boolean', `${x.target}: met or missed`)
      t.ok(run.stdout.includes(x.target), `${x.target}: printed`)
    }
    t.ok(targets.some((x) => x.valueMs !== undefined), 'registration time with 10,000 entries')
    t.ok(targets.some((x) => x.valueBytes !== undefined), 'heap growth')
  })

  t.test('registration time is reported for 16, 1,000 and 10,000 catalog entries', async (t) => {
    const sizes = (report.variants as VariantResult[]).filter((r) => r.registerMs !== undefined && r.catalogSize !== undefined && (r.name === 'ours-throw' || r.name.startsWith('ours-catalog-')))
    t.same(sizes.map((r) => r.catalogSize), [16, 1000, 10000])
    for (const r of sizes) t.ok(isPositive(r.registerMs), `${r.catalogSize} entries`)
  })

  t.test('startup is measured without the plugin and with 16 and 10,000 codes, every route documented', async (t) => {
    const scenarios = report.startup.scenarios as Array<{ name: string, codes: number, routes: number, readyMs: number, registerMs: number, documentedRoutes: number }>
    t.same(scenarios.map((s) => s.codes), [0, 16, 10000])
    for (const s of scenarios) {
      t.ok(isPositive(s.readyMs) && isPositive(s.registerMs), `${s.name}: measured`)
      t.equal(s.documentedRoutes, s.routes, `${s.name}: every route is in the OpenAPI document`)
    }
    t.same(report.targets.filter((x: TargetResult) => x.variant.startsWith('startup-')).map((x: TargetResult) => x.variant), ['startup-16-codes', 'startup-10000-codes'])
  })

  t.test('the memory figure counts every error response, all of them problems', async (t) => {
    t.equal(report.memory.responses, report.settings.memory)
    t.equal(report.memory.wrongResponses, 0)
    t.ok(isPositive(report.memory.heapAfterWarmup) && isPositive(report.memory.heapAfterAll))
  })

  t.test('the run records the machine, the command and the settings', async (t) => {
    t.match(report.command, /^node bench\/run\.js --quick/)
    t.ok(isPositive(report.machine.cores))
    t.equal(report.settings.quick, true)
  })
})
