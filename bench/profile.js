'use strict'
// Accounts for the CPU time of a V8 CPU profile (.cpuprofile, as `npm run bench -- --cpu-prof`
// writes them): self time per function, grouped by where the function comes from.
//
//   node bench/profile.js bench/results/profiles/ours-throw.cpuprofile [more.cpuprofile ...]
//   node bench/profile.js --responses 76001 --top 40 some.cpuprofile
//
// Self time is the time a function was on top of the stack in the samples: summed over every
// function of one origin, the groups add up to the profile's whole duration. With the number of
// responses the server sent (given with --responses, or read from responses.json beside the
// profiles, which bench/run.js writes), every figure is in µs per response; otherwise in ms and
// as a share of the total. A profile covers the server's whole life (start-up, warm-up, rounds).
const { readFileSync, existsSync } = require('node:fs')
const { basename, dirname, join, sep } = require('node:path')

const USAGE = `Usage: node bench/profile.js [--responses N] [--top N] file.cpuprofile...
  --responses N   responses the server sent (default: from responses.json beside the profile)
  --top N         functions listed (default 30)`

function parseArgs (argv) {
  const settings = { responses: undefined, top: 30, files: [] }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--responses') settings.responses = Number(argv[++i])
    else if (arg === '--top') settings.top = Number(argv[++i])
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE)
      process.exit(0)
    } else settings.files.push(arg)
  }
  if (settings.files.length === 0) {
    console.error(USAGE)
    process.exit(1)
  }
  return settings
}

/** The package directory a script belongs to: the last `node_modules/<name>` (or `@scope/name`) in its path. */
function packageOf (url) {
  const parts = url.split(/[\\/]/)
  const at = parts.lastIndexOf('node_modules')
  if (at === -1 || at + 1 >= parts.length) return undefined
  return parts[at + 1].startsWith('@') ? `${parts[at + 1]}/${parts[at + 2]}` : parts[at + 1]
}

/**
 * Where a function comes from. V8's pseudo-functions (`(garbage collector)`, `(program)`,
 * `(idle)`, `(root)`) have no script; Node's own JavaScript has `node:` URLs; built-ins and native
 * code have neither (an empty URL with a function name).
 */
function originOf (callFrame) {
  const { functionName, url } = callFrame
  if (functionName === '(garbage collector)') return 'GC'
  if (functionName === '(program)' || functionName === '(idle)' || functionName === '(root)') return 'program / idle'
  if (url === '') return 'V8 built-ins and native'
  if (url.startsWith('node:')) return 'node internals'
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url
  const pkg = packageOf(path)
  if (pkg === 'fastify-problem-details') return 'this package'
  if (pkg === undefined) {
    // this repository's own files: the build (dist/), the sources (lib/), the benchmark (bench/)
    if (path.includes(`${sep}dist${sep}`) || path.includes('/dist/') || path.includes(`${sep}lib${sep}`) || path.includes('/lib/')) return 'this package'
    if (path.includes('/bench/') || path.includes(`${sep}bench${sep}`)) return 'the benchmark server'
    return 'other scripts'
  }
  if (pkg === 'fastify' || pkg.startsWith('@fastify/') || FASTIFY_DEPENDENCIES.has(pkg)) return 'fastify and its dependencies'
  if (pkg.startsWith('@opentelemetry/')) return 'OpenTelemetry'
  return `other packages (${pkg})`
}

/** Fastify's own dependencies (and theirs) that run on a request's path. */
const FASTIFY_DEPENDENCIES = new Set(['avvio', 'find-my-way', 'light-my-request', 'fast-json-stringify', 'fast-uri', 'fast-querystring', 'fast-decode-uri-component', 'safe-regex2', 'ret', 'process-warning', 'rfdc', 'secure-json-parse', 'toad-cache', 'abstract-logging', 'pino', 'pino-std-serializers', 'sonic-boom', 'thread-stream', 'fast-redact', 'quick-format-unescaped', 'on-exit-leak-free', 'atomic-sleep', 'real-require', 'proxy-addr', 'forwarded', 'ipaddr.js', 'semver', 'cookie', 'set-cookie-parser', 'json-schema-ref-resolver', 'ajv', 'ajv-formats', 'fast-deep-equal', 'json-schema-traverse', 'require-from-string', 'dequal', 'fast-content-type-parse', 'content-type', 'fastq', 'reusify', 'fastify-plugin'])

/** Self time (µs) per node: each sample is charged the time until the next sample. */
function selfTimes (profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const self = new Map()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  // timeDeltas[i] is the time between sample i-1 and sample i, so sample i lasts until the next
  // one (timeDeltas[i + 1]); the last one lasts until the profile's end
  let at = profile.startTime
  for (const delta of deltas) at += delta
  const lastLasts = Math.max(0, (profile.endTime ?? at) - at)
  for (let i = 0; i < samples.length; i++) {
    const next = i + 1 < samples.length ? deltas[i + 1] : lastLasts
    if (!(next > 0)) continue
    self.set(samples[i], (self.get(samples[i]) ?? 0) + next)
  }
  return { byId, self, total: [...self.values()].reduce((a, b) => a + b, 0) }
}

function summarize (file, settings) {
  const profile = JSON.parse(readFileSync(file, 'utf8'))
  const { byId, self, total } = selfTimes(profile)
  const groups = new Map()
  const functions = new Map()
  for (const [id, micros] of self) {
    const frame = byId.get(id).callFrame
    const origin = originOf(frame)
    groups.set(origin, (groups.get(origin) ?? 0) + micros)
    const where = frame.url === '' ? '' : ` ${shorten(frame.url)}:${frame.lineNumber + 1}`
    const key = `${frame.functionName || '(anonymous)'}${where}`
    const entry = functions.get(key) ?? { key, origin, micros: 0 }
    entry.micros += micros
    functions.set(key, entry)
  }
  const responses = settings.responses ?? responsesBeside(file)
  const unit = responses === undefined
    ? (micros) => `${(micros / 1000).toFixed(1).padStart(9)} ms ${(micros / total * 100).toFixed(1).padStart(5)}%`
    : (micros) => `${(micros / responses).toFixed(2).padStart(9)} µs ${(micros / total * 100).toFixed(1).padStart(5)}%`
  const out = [`${file}: ${(total / 1000).toFixed(0)} ms sampled${responses === undefined ? '' : `, ${responses.toLocaleString('en-US')} responses (figures per response)`}`]
  const idle = [...self].filter(([id]) => byId.get(id).callFrame.functionName === '(idle)').reduce((sum, [, micros]) => sum + micros, 0)
  out.push(`busy (everything but idle): ${unit(total - idle).trim()}`)
  out.push('', 'by origin (self time):')
  for (const [origin, micros] of [...groups].sort((a, b) => b[1] - a[1])) out.push(`  ${unit(micros)}  ${origin}`)
  out.push('', `top ${settings.top} functions (self time):`)
  for (const entry of [...functions.values()].sort((a, b) => b.micros - a.micros).slice(0, settings.top)) out.push(`  ${unit(entry.micros)}  ${entry.key}  [${entry.origin}]`)
  const ours = [...functions.values()].filter((e) => e.origin === 'this package').sort((a, b) => b.micros - a.micros)
  if (ours.length > 0) {
    out.push('', 'every function of this package (self time):')
    for (const entry of ours) out.push(`  ${unit(entry.micros)}  ${entry.key}`)
  }
  return out.join('\n')
}

/** A script's path from `node_modules/` or from the repository's own folders on. */
function shorten (url) {
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url
  const at = path.lastIndexOf('node_modules/')
  if (at !== -1) return path.slice(at + 'node_modules/'.length)
  const own = path.search(/\/(dist|lib|bench)\//)
  return own === -1 ? path : path.slice(own + 1)
}

/** The responses bench/run.js recorded for this profile, if it did. */
function responsesBeside (file) {
  const list = join(dirname(file), 'responses.json')
  if (!existsSync(list)) return undefined
  return JSON.parse(readFileSync(list, 'utf8'))[basename(file)]
}

if (require.main === module) {
  const settings = parseArgs(process.argv.slice(2))
  console.log(settings.files.map((file) => summarize(file, settings)).join('\n\n'))
}

module.exports = { summarize, originOf, selfTimes }
