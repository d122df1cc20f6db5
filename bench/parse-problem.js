'use strict'
// What reading a problem document costs a client: `parseProblem` (media type check, bounded and
// deadlined streaming read, JSON.parse, member checks) against a bare `response.json()`, per
// response, on in-memory Response objects (no network). Also the cost of a hostile 64 KiB `type`
// through the server's `problemFromResponse`, which once took seconds.
//
//   npm run build && node bench/parse-problem.js [--responses N] [--rounds N]
const { performance } = require('node:perf_hooks')
const { parseProblem } = require('../dist/cjs/client/index.js')
const { problemFromResponse } = require('../dist/cjs/index.js')

const argument = (name, fallback) => {
  const at = process.argv.indexOf(name)
  return at === -1 ? fallback : Number(process.argv[at + 1])
}
const RESPONSES = argument('--responses', 20_000)
const ROUNDS = argument('--rounds', 7)

const body = JSON.stringify({
  type: 'https://docs.example.com/errors/quota-exceeded',
  title: 'The export quota is used up.',
  status: 429,
  detail: 'Five exports a month on the free plan.',
  instance: '/api/exports',
  error: 'The export quota is used up. (Five exports a month on the free plan.)',
  retryable: true,
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  limit: 5,
  plan: 'free'
})
const headers = { 'content-type': 'application/problem+json' }
const make = () => new Response(body, { status: 429, headers })

/** Microseconds per response of `read`, the response built inside the loop. */
async function perResponse (read) {
  const started = performance.now()
  for (let i = 0; i < RESPONSES; i++) await read(make())
  return (performance.now() - started) * 1000 / RESPONSES
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

async function main () {
  const variants = {
    'new Response() only': async () => {},
    'response.json()': async (res) => await res.json(),
    parseProblem: async (res) => await parseProblem(res)
  }
  const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]))
  await perResponse(variants.parseProblem) // warm-up
  await perResponse(variants['response.json()'])
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, read] of Object.entries(variants)) samples[name].push(await perResponse(read))
  }
  const us = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]))
  const base = us['new Response() only']
  process.stdout.write(`${RESPONSES} responses x ${ROUNDS} rounds (median), ${body.length}-byte problem document, Node ${process.version}\n`)
  for (const [name, value] of Object.entries(us)) process.stdout.write(`  ${name.padEnd(22)} ${value.toFixed(2)} µs per response\n`)
  const ratio = us.parseProblem / us['response.json()']
  const net = (us.parseProblem - base) / (us['response.json()'] - base)
  process.stdout.write(`parseProblem / response.json(): ${ratio.toFixed(2)}x per response (${net.toFixed(2)}x without building the Response)\n`)

  await problemFromResponse(new Response(body, { status: 429, headers })) // loads the built-in catalog
  const hostile = ['/'.repeat(65_000) + 'x', ':'.repeat(65_000) + 'x', '/problems/' + '/#=:'.repeat(16_000) + 'a']
  for (const type of hostile) {
    const started = performance.now()
    const error = await problemFromResponse(new Response(JSON.stringify({ type, status: 400 }), { status: 400, headers }))
    process.stdout.write(`hostile ${type.length}-character type (${JSON.stringify(type.slice(0, 6))}...) through problemFromResponse: ${(performance.now() - started).toFixed(2)} ms -> ${error.code}\n`)
  }
  // the expression the type lookup used before: quadratic on a run of separators not at the end
  for (const length of [8_000, 16_000, 32_000]) {
    const started = performance.now()
    ;('/'.repeat(length) + 'x').replace(/[/#=:]+$/, '')
    process.stdout.write(`for comparison, the former /[/#=:]+$/ on ${length} slashes and an x: ${(performance.now() - started).toFixed(0)} ms\n`)
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
