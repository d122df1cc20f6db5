'use strict'
// What choosing the form of a problem from `Accept` costs per response, measured on the plugin's own
// negotiator in this process: nanoseconds per call for the values clients send, beside the CPU time
// of a whole error response in the same run. `node bench/negotiate.js` prints the figures;
// bench/run.js runs it as part of `npm run bench`.
const { dirname, join } = require('node:path')

const ACCEPTS = [
  { name: 'none', label: 'no Accept', accept: undefined },
  { name: 'any', label: '*/*', accept: '*/*' },
  { name: 'axios', label: 'axios: application/json, text/plain, */*', accept: 'application/json, text/plain, */*' },
  { name: 'json', label: 'application/json', accept: 'application/json' },
  { name: 'browser', label: 'a browser page load (parsed once, then remembered)', accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7' },
  { name: 'xml', label: 'application/problem+xml, application/problem+json;q=0.5', accept: 'application/problem+xml, application/problem+json;q=0.5' }
]

/** The negotiator of the build under test (`packagePath` is its CommonJS entry's folder or the repository). */
function loadNegotiator (packagePath) {
  const entry = require.resolve(packagePath)
  return require(join(dirname(entry), 'negotiate.js')).createNegotiator(true)
}

/**
 * Nanoseconds per call, the median of `rounds` timed passes of `calls` calls each. Each call gets its
 * own copy of the header, as each request brings a new string (whose hash V8 has not computed yet).
 */
function timeCalls (negotiate, accept, calls, rounds) {
  const copies = () => Array.from({ length: calls }, () => accept === undefined ? undefined : Buffer.from(accept, 'latin1').toString('latin1'))
  const samples = []
  let sink = 0
  for (const value of copies()) sink += negotiate(value).length // warm-up
  for (let r = 0; r < rounds; r++) {
    const values = copies()
    const start = process.hrtime.bigint()
    for (let i = 0; i < calls; i++) sink += negotiate(values[i]).length
    samples.push(Number(process.hrtime.bigint() - start) / calls)
  }
  samples.sort((a, b) => a - b)
  if (sink === 0) throw new Error('the negotiator returned nothing')
  return samples[samples.length >> 1]
}

function measureNegotiation ({ packagePath = join(__dirname, '..'), calls = 100_000, rounds = 9 } = {}) {
  const negotiate = loadNegotiator(packagePath)
  return ACCEPTS.map(({ name, label, accept }) => ({ name, label, format: negotiate(accept), nsPerCall: timeCalls(negotiate, accept, calls, rounds) }))
}

module.exports = { measureNegotiation, ACCEPTS }

if (require.main === module) {
  for (const row of measureNegotiation()) console.log(`${row.label.padEnd(60)} ${row.nsPerCall.toFixed(1).padStart(7)} ns -> ${row.format}`)
}
