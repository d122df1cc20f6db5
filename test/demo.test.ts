import t from 'tap'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'

const demo = join(__dirname, '..', 'examples', 'demo.js')

/** Resolves once the demo's output so far satisfies `ready`, however long that takes; rejects if it exits first. */
function outputUntil (child: ChildProcess, output: { text: string }, ready: (text: string) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ready(output.text)) return resolve()
    function onData () {
      if (!ready(output.text)) return
      child.stdout?.off('data', onData)
      child.off('exit', onExit)
      resolve()
    }
    function onExit (code: number | null) {
      child.stdout?.off('data', onData)
      reject(new Error(`the demo exited (${code}) before printing what was expected:\n${output.text}`))
    }
    child.stdout?.on('data', onData)
    child.once('exit', onExit)
  })
}

t.test('the demo with --once calls its routes and shows each problem with its trace id and span', async (t) => {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [demo, '--once'], { env: { ...process.env, PORT: '0' } }, (error, out) => error ? reject(error) : resolve(out))
  })
  const blocks = stdout.split('\n# ').slice(1, 7)
  t.equal(blocks.length, 6, 'six example calls')
  const statuses = []
  for (const block of blocks) {
    const status = /-> (\d{3}) application\/problem\+json/.exec(block)
    t.ok(status, 'a problem response')
    statuses.push(Number(status?.[1]))
    const traceId = /"trace_id": "([0-9a-f]{32})"/.exec(block)?.[1]
    t.ok(traceId, 'the body carries a trace_id')
    t.match(block, new RegExp(`\\nspan .* trace_id=${traceId} `), 'the matching span is printed')
  }
  t.strictSame(statuses, [400, 404, 401, 503, 500, 404])
  t.match(stdout, /GET \/problems\/invalid-request -> 200 application\/json/, 'the type URI resolves')
  t.match(stdout, /GET \/openapi.json -> documents \/api\/v1\/agent\/tasks/, 'the OpenAPI document lists the routes')
  const bodies = blocks.map((block) => block.slice(block.indexOf('\n{'), block.lastIndexOf('\n}') + 2)).join('\n')
  t.equal(bodies.match(/"trace_id"/g)?.length, 6, 'every body was captured')
  t.notMatch(bodies, /hunter2|10\.0\.0\.7|token=secret|reading 'owner'/, 'no secret, internal message or query string in any body')
})

t.test('the demo service prints how to call it and the span of each request', async (t) => {
  const child = spawn(process.execPath, [demo], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => { child.kill('SIGKILL') })
  const output = { text: '' }
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => { output.text += chunk })
  await outputUntil(child, output, (text) => /listening on http:\/\/127\.0\.0\.1:\d+/.test(text) && text.includes('Ctrl-C'))
  const address = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output.text)?.[1]
  t.match(output.text, /curl -s -X POST 'http:\/\/127\.0\.0\.1:\d+\/api\/v1\/agent\/tasks'/)
  const body = await (await fetch(`${address}/api/v1/crash`)).json() as { trace_id: string }
  // the span is printed when it ends, just after the response
  await outputUntil(child, output, (text) => text.includes(`trace_id=${body.trace_id}`))
  t.match(output.text, new RegExp(`span .* trace_id=${body.trace_id} .*status=ERROR`))
  child.kill('SIGTERM')
  const [code] = await once(child, 'exit')
  t.equal(code, 0, 'stops cleanly on SIGTERM')
})
