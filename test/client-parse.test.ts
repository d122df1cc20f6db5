import t from 'tap'
import { DEFAULT_MAX_PROBLEM_BYTES, DEFAULT_PROBLEM_TIMEOUT, parseProblem } from '../lib/client/index.ts'
import { problemMediaType } from '../lib/client/media-type.ts'
import { readProblem } from '../lib/client/parse.ts'
import { scriptedServer } from './client-servers.ts'

const json = (body: string, contentType: string | undefined, status = 400) => new Response(body, { status, headers: contentType === undefined ? {} : { 'content-type': contentType } })

t.test('problem+json is matched with any parameters and in any case; application/json only when shaped as a problem', async (t) => {
  const document = { type: '/problems/conflict', title: 'Conflict', status: 409 }
  const body = JSON.stringify(document)
  for (const contentType of ['application/problem+json', 'application/problem+json; charset=utf-8', 'Application/Problem+JSON ;charset="utf-8"', 'application/json', 'application/json; charset=utf-8', 'application/vnd.example+json']) {
    t.same(await parseProblem(json(body, contentType)), document, contentType)
  }
  t.same(await parseProblem(json('{}', 'application/problem+json')), {}, 'every member of a problem+json document is optional')
  t.equal(await parseProblem(json('{"message":"no"}', 'application/json')), undefined, 'a JSON object that is not shaped as a problem')
  t.same(await parseProblem(json('{"detail":"d","status":500}', 'application/json')), { detail: 'd', status: 500 })
  for (const contentType of ['text/html', 'text/plain', 'application/problem+xml', 'application/jsonx', undefined, 'application/problem+json; x=' + 'a'.repeat(300)]) {
    t.equal(await parseProblem(json(body, contentType)), undefined, String(contentType))
  }
  t.equal(problemMediaType(null), 'other')
})

t.test('standard members of the wrong type are dropped, extension members kept', async (t) => {
  const body = JSON.stringify({ type: 42, title: ['x'], status: '500', detail: null, instance: {}, retryable: 'yes', trace_id: 1, balance: 30 })
  t.strictSame(await parseProblem(json(body, 'application/problem+json')), { balance: 30 })
  t.strictSame(await parseProblem(json('{"status":409.5,"retryable":true}', 'application/problem+json')), { retryable: true })
})

t.test('bodies that are not problem documents resolve to undefined', async (t) => {
  for (const body of ['{"type":', '[1,2]', 'null', '"text"', '']) {
    t.equal(await parseProblem(json(body, 'application/problem+json')), undefined, JSON.stringify(body))
  }
  t.equal(await parseProblem(new Response(null, { status: 500, headers: { 'content-type': 'application/problem+json' } })), undefined, 'no body')
  const used = json('{"status":409}', 'application/problem+json')
  await used.text()
  t.equal(await parseProblem(used), undefined, 'a body already read')
  const usedPage = json('<p>x</p>', 'text/html')
  await usedPage.text()
  t.equal(await parseProblem(usedPage), undefined, 'a page already read: nothing left to cancel')
  const big = JSON.stringify({ status: 500, detail: 'x'.repeat(DEFAULT_MAX_PROBLEM_BYTES) })
  t.equal(await parseProblem(json(big, 'application/problem+json')), undefined, 'over 64 KiB by default')
  t.equal(await parseProblem(json('{"status":500,"detail":"0123456789"}', 'application/problem+json'), { maxBodyBytes: 16 }), undefined, 'over maxBodyBytes')
  t.same(await parseProblem(json('{"status":500}', 'application/problem+json'), { maxBodyBytes: 14 }), { status: 500 }, 'exactly maxBodyBytes')
  t.same(await parseProblem(json(JSON.stringify({ title: 'é'.repeat(1000) }), 'application/problem+json')), { title: 'é'.repeat(1000) }, 'UTF-8 across chunks')
})

t.test('a hostile 64 KiB type is parsed whole and read as it is', async (t) => {
  // each of these made the old type lookup's regular expression backtrack (quadratic time)
  for (const type of ['/'.repeat(60_000) + 'x', ':'.repeat(60_000) + 'x', '/problems/' + '/#=:'.repeat(15_000) + 'a']) {
    const document = await parseProblem(json(JSON.stringify({ type, status: 400 }), 'application/problem+json'))
    t.equal(document?.type, type)
  }
})

t.test('a signal aborts the read; an aborted one cancels the body at once', async (t) => {
  const aborted = new AbortController()
  aborted.abort()
  const body = new ReadableStream<Uint8Array>({ pull () {} })
  t.equal(await parseProblem(new Response(body, { status: 500, headers: { 'content-type': 'application/problem+json' } }), { signal: aborted.signal }), undefined)
  t.equal(body.locked, false, 'cancelled without being read')

  const controller = new AbortController()
  let reads = 0
  const trickle = new ReadableStream<Uint8Array>({
    pull (stream) {
      reads++
      if (reads === 1) stream.enqueue(new TextEncoder().encode('{"status":'))
      else controller.abort()
    }
  })
  t.equal(await parseProblem(new Response(trickle, { status: 500, headers: { 'content-type': 'application/problem+json' } }), { signal: controller.signal }), undefined)
})

t.test('a stream that fails while read resolves to undefined; failing as it is aborted counts as aborted', async (t) => {
  const failing = new ReadableStream<Uint8Array>({ pull (stream) { stream.error(new Error('reset')) } })
  t.equal(await parseProblem(new Response(failing, { status: 502, headers: { 'content-type': 'application/problem+json' } })), undefined)
  const controller = new AbortController()
  const failingAsAborted = new ReadableStream<Uint8Array>({
    pull (stream) {
      stream.error(new Error('reset'))
      controller.abort()
    }
  })
  const read = await readProblem(new Response(failingAsAborted, { status: 502, headers: { 'content-type': 'application/problem+json' } }), { maxBodyBytes: 100, timeout: 1000, signal: controller.signal })
  t.strictSame(read, { outcome: 'aborted', document: undefined })
})

t.test('regression: a trickling upstream body settles at the deadline, and its connection is closed', async (t) => {
  const server = await scriptedServer(t, (_seen, res) => {
    // the headers and the start of a problem, then nothing more, ever
    res.writeHead(503, { 'content-type': 'application/problem+json' })
    res.write('{"type":"/problems/resource-unavailable",')
  })
  const response = await fetch(server.url + '/slow')
  t.equal(await parseProblem(response, { timeout: 200 }), undefined, 'no problem document: the body did not arrive in time')
  t.equal(await server.openServedSockets(), 0, 'the connection is closed')
  t.equal(DEFAULT_PROBLEM_TIMEOUT, 5000)
})

t.test('regression: no connection is left open after 100 responses that are not problem documents', async (t) => {
  const page = '<html>' + 'x'.repeat(256 * 1024) + '</html>'
  const server = await scriptedServer(t, [{ status: 502, headers: { 'content-type': 'text/html' }, body: page }])
  for (let i = 0; i < 100; i++) {
    t.equal(await parseProblem(await fetch(server.url + '/')), undefined)
  }
  t.equal(server.seen.length, 100)
  t.equal(await server.openServedSockets(), 0, 'every unread body was cancelled and its connection closed')
})

t.test('bad options throw a TypeError that names the option', async (t) => {
  const res = () => json('{}', 'application/problem+json')
  await t.rejects(parseProblem(res(), { maxBodyBytes: 0 }), { name: 'TypeError', message: /maxBodyBytes must be a whole number of at least 1, got 0/ })
  await t.rejects(parseProblem(res(), { maxBodyBytes: 1.5 }), { message: /maxBodyBytes/ })
  await t.rejects(parseProblem(res(), { timeout: 'soon' as never }), { message: /timeout must be a number of at least 1, got string/ })
  await t.rejects(parseProblem(res(), { timeout: Infinity }), { message: /timeout/ })
  await t.rejects(parseProblem(res(), { deadline: 5 } as never), { message: /deadline is not an option of parseProblem; known options are maxBodyBytes, timeout, signal/ })
  await t.rejects(parseProblem(res(), null as never), { message: /The options of parseProblem must be an object/ })
})
