import t from 'tap'
import { context, trace } from '@opentelemetry/api'
import { createProblemFetch, isProblemResponseError, isSafeToRepeat, ProblemResponseError, retryAfterSeconds, type ProblemRetry } from '../lib/client/index.ts'
import { memoryTracing, registerGlobally } from './otel-sdk.ts'
import { problem, scriptedServer } from './client-servers.ts'

const unavailable = (headers: Record<string, string> = {}) => problem(503, { type: '/problems/resource-unavailable', title: 'Unavailable', retryable: true }, headers)
const ok = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' }

/** A problem fetch whose retries are recorded, with waits short enough for a test. */
function recorded (options: Parameters<typeof createProblemFetch>[0] = {}) {
  const retries: ProblemRetry[] = []
  const problemFetch = createProblemFetch({ maxRetryDelay: 20, onRetry: (retry) => { retries.push(retry) }, ...options })
  return { problemFetch, retries }
}

t.test('a retryable problem is retried after Retry-After: a 503 twice, then 200 is three calls and two waits', async (t) => {
  const server = await scriptedServer(t, [unavailable({ 'retry-after': '1' }), unavailable({ 'retry-after': '1' }), ok])
  const { problemFetch, retries } = recorded()
  const res = await problemFetch(server.url + '/report')
  t.equal(res.status, 200)
  t.same(await res.json(), { ok: true })
  t.equal(server.seen.length, 3, 'three calls')
  t.strictSame(retries.map(({ attempt, delay }) => ({ attempt, delay })), [{ attempt: 1, delay: 20 }, { attempt: 2, delay: 20 }], 'two waits: Retry-After (1 s) capped by maxRetryDelay')
  t.equal(retries[0].error.code, 'resource_unavailable')
  t.equal(retries[0].error.retryAfter, 1)
})

t.test('without Retry-After the wait is an exponential backoff with full jitter', async (t) => {
  const server = await scriptedServer(t, [unavailable()])
  const { problemFetch, retries } = recorded({ retryDelay: 8, maxRetryDelay: 1000, retries: 3 })
  const error = await problemFetch(server.url + '/').catch((e: unknown) => e)
  t.ok(error instanceof ProblemResponseError)
  t.equal(server.seen.length, 4, 'the first call and three retries')
  t.strictSame(retries.map((r) => r.attempt), [1, 2, 3])
  retries.forEach((retry, i) => t.ok(retry.delay >= 0 && retry.delay < 8 * 2 ** i, `retry ${i + 1} waits less than ${8 * 2 ** i} ms`))
})

t.test('no retry of a problem that is not retryable, nor with retries: 0', async (t) => {
  const server = await scriptedServer(t, [problem(400, { type: '/problems/invalid-request', title: 'Invalid', detail: 'name is required', retryable: false })])
  const { problemFetch, retries } = recorded()
  const error = await problemFetch(server.url + '/tasks?token=secret').catch((e: unknown) => e) as ProblemResponseError
  t.ok(isProblemResponseError(error))
  t.equal(error.name, 'ProblemResponseError')
  t.equal(error.status, 400)
  t.equal(error.code, 'invalid_request')
  t.equal(error.problem?.detail, 'name is required')
  t.equal(error.url, server.url + '/tasks', 'the URL without its query string')
  t.equal(error.message, 'The service answered 400 (invalid_request)')
  t.equal(error.retryable, false)
  t.equal(server.seen.length, 1)
  t.strictSame(retries, [])

  const again = await scriptedServer(t, [unavailable()])
  await t.rejects(recorded({ retries: 0 }).problemFetch(again.url), ProblemResponseError)
  t.equal(again.seen.length, 1, 'retries: 0 never retries')
})

t.test('no retry of a POST without an idempotency key; a POST with one is retried', async (t) => {
  const server = await scriptedServer(t, [unavailable(), ok, unavailable(), ok])
  const { problemFetch, retries } = recorded()
  const error = await problemFetch(server.url + '/payments', { method: 'POST', body: '{"amount":5}' }).catch((e: unknown) => e)
  t.ok(isProblemResponseError(error) && error.retryable, 'the problem says retryable, but a POST may not be repeated')
  t.equal(server.seen.length, 1)
  // the second answer (200) is consumed by a bare fetch, so the next POST starts on a 503
  await fetch(server.url + '/')
  const res = await problemFetch(server.url + '/payments', { method: 'POST', body: '{"amount":5}', headers: { 'Idempotency-Key': 'k-1' } })
  t.equal(res.status, 200)
  t.strictSame(server.seen.slice(2).map((s) => [s.method, s.headers['idempotency-key'], s.body]), [['POST', 'k-1', '{"amount":5}'], ['POST', 'k-1', '{"amount":5}']], 'the same request twice')
  t.equal(retries.length, 1)
})

t.test('no retry of a 502 that is not a problem document', async (t) => {
  const server = await scriptedServer(t, [{ status: 502, headers: { 'content-type': 'text/html' }, body: '<h1>Bad Gateway</h1>' }, ok])
  const { problemFetch, retries } = recorded()
  const error = await problemFetch(server.url + '/').catch((e: unknown) => e) as ProblemResponseError
  t.ok(isProblemResponseError(error))
  t.equal(error.status, 502)
  t.equal(error.problem, undefined)
  t.equal(error.code, undefined)
  t.equal(error.message, 'The service answered 502')
  t.equal(server.seen.length, 1)
  t.strictSame(retries, [])
})

t.test('a Request object is sent again whole, its body included; a streamed body is never repeated', async (t) => {
  const server = await scriptedServer(t, [unavailable(), ok])
  const { problemFetch } = recorded()
  const res = await problemFetch(new Request(server.url + '/items/1', { method: 'PUT', body: 'v=1', headers: { 'x-request': 'yes' } }), { headers: { 'x-init': 'yes' } })
  t.equal(res.status, 200)
  t.strictSame(server.seen.map((s) => [s.method, s.body, s.headers['x-request'], s.headers['x-init']]), [['PUT', 'v=1', 'yes', 'yes'], ['PUT', 'v=1', 'yes', 'yes']])

  const streamed = await scriptedServer(t, [unavailable(), ok])
  const body = new ReadableStream<Uint8Array>({ start (stream) { stream.enqueue(new TextEncoder().encode('v=2')); stream.close() } })
  await t.rejects(problemFetch(streamed.url + '/items/2', { method: 'PUT', body, duplex: 'half' } as RequestInit), ProblemResponseError)
  t.equal(streamed.seen.length, 1)
})

t.test('the signal aborts a wait, before it starts or while it runs', async (t) => {
  const server = await scriptedServer(t, [unavailable({ 'retry-after': '3600' })])
  for (const when of ['before', 'during'] as const) {
    const controller = new AbortController()
    const problemFetch = createProblemFetch({
      maxRetryDelay: 3_600_000,
      onRetry: function abortTheWait () {
        if (when === 'before') controller.abort(new Error('stopped before'))
        else setImmediate(() => controller.abort(new Error('stopped during')))
      }
    })
    await t.rejects(problemFetch(server.url + '/', { signal: controller.signal }), { message: `stopped ${when}` }, `aborted ${when} the wait of an hour`)
  }
  t.equal(server.seen.length, 2, 'one call each, no retry')
})

t.test('the trace context of the active span reaches the upstream (real SDK)', async (t) => {
  const { provider } = memoryTracing()
  t.teardown(registerGlobally(provider))
  const server = await scriptedServer(t, [ok])
  const tracer = trace.getTracer('client-test')
  const problemFetch = createProblemFetch()
  const traceId = await tracer.startActiveSpan('call-billing', async (span) => {
    await problemFetch(server.url + '/')
    await problemFetch(server.url + '/', { headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } })
    await createProblemFetch({ traceContext: false })(server.url + '/')
    span.end()
    return span.spanContext().traceId
  })
  await context.with(context.active(), () => problemFetch(server.url + '/'))
  const [sent, own, off, outside] = server.seen.map((s) => s.headers.traceparent)
  t.match(sent, new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`), 'the active span trace id, W3C format')
  t.equal(own, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'a traceparent the request already carries is kept')
  t.equal(off, undefined, 'traceContext: false sends none')
  t.equal(outside, undefined, 'no span, no traceparent')
})

t.test('the code comes from the type, with the service catalog and typeBase', async (t) => {
  const catalog = { quota_exceeded: { status: 429 }, legacy: { type: 'urn:example:legacy' } }
  const server = await scriptedServer(t, [
    problem(429, { type: 'https://docs.example.com/errors/quota-exceeded', limit: 5 }),
    problem(429, { type: 'https://docs.example.com/errors/quota-exceeded/' }),
    problem(410, { type: 'urn:example:legacy' }),
    problem(400, { type: 'https://docs.example.com/errors/unknown-thing' }),
    problem(400, { type: 'https://elsewhere.example.com/quota-exceeded' }),
    problem(400, { title: 'no type' })
  ])
  const problemFetch = createProblemFetch({ catalog, typeBase: 'https://docs.example.com/errors/' })
  const codes: unknown[] = []
  for (let i = 0; i < 6; i++) {
    const error = await problemFetch(server.url + '/').catch((e: unknown) => e) as ProblemResponseError
    codes.push(error.code)
    if (i === 0) t.ok(error.is('quota_exceeded' as never) && !error.is('conflict'), 'is(code)')
  }
  t.strictSame(codes, ['quota_exceeded', 'quota_exceeded', 'legacy', undefined, undefined, undefined])

  const listed = await scriptedServer(t, [problem(409, { type: '/problems/conflict' })])
  const error = await createProblemFetch({ catalog: ['conflict'] })(listed.url).catch((e: unknown) => e) as ProblemResponseError
  t.equal(error.code, 'conflict', 'a list of codes')
})

t.test('a hostile 64 KiB type costs one map lookup and one prefix check', async (t) => {
  const server = await scriptedServer(t, [problem(400, { type: '/problems/' + '/'.repeat(65_000) }), problem(400, { type: '/'.repeat(65_000) + 'conflict' })])
  const problemFetch = createProblemFetch()
  for (let i = 0; i < 2; i++) {
    const error = await problemFetch(server.url + '/').catch((e: unknown) => e) as ProblemResponseError
    t.equal(error.code, undefined)
    t.equal(error.problem?.type?.length, i === 0 ? 65_010 : 65_008)
  }
})

t.test('the fetch option is called instead of the global fetch; 3xx responses resolve as they are', async (t) => {
  const server = await scriptedServer(t, [{ status: 304 }])
  const calls: string[] = []
  const problemFetch = createProblemFetch({ fetch: async (input, init) => { calls.push(String(input)); return await fetch(input, init) } })
  t.equal((await problemFetch(new URL(server.url + '/etag'))).status, 304)
  t.strictSame(calls, [server.url + '/etag'])
})

t.test('isSafeToRepeat and retryAfterSeconds', async (t) => {
  for (const method of ['GET', 'head', 'OPTIONS', 'PUT', 'DELETE']) t.ok(isSafeToRepeat(method, new Headers()), method)
  for (const method of ['POST', 'PATCH', 'CONNECT']) t.notOk(isSafeToRepeat(method, new Headers()), method)
  t.ok(isSafeToRepeat('PATCH', new Headers({ 'Idempotency-Key': 'x' })))
  const now = Date.parse('2026-01-01T00:00:00Z')
  t.equal(retryAfterSeconds('120', now), 120)
  t.equal(retryAfterSeconds(' 0 ', now), 0)
  t.equal(retryAfterSeconds('Thu, 01 Jan 2026 00:01:30 GMT', now), 90)
  t.equal(retryAfterSeconds('Wed, 31 Dec 2025 00:00:00 GMT', now), 0, 'a past date')
  t.equal(retryAfterSeconds('soon', now), undefined)
  t.equal(retryAfterSeconds('Someday GMT', now), undefined)
  t.equal(retryAfterSeconds('', now), undefined)
  t.equal(retryAfterSeconds(null), undefined)
  t.equal(retryAfterSeconds('1'.repeat(65)), undefined, 'an over-long value')
  t.equal(retryAfterSeconds('-5', now), undefined)
})

t.test('isProblemResponseError survives hostile values', async (t) => {
  const revoked = Proxy.revocable({}, {})
  revoked.revoke()
  t.equal(isProblemResponseError(revoked.proxy), false)
  t.equal(isProblemResponseError(null), false)
  t.equal(isProblemResponseError(new Error('x')), false)
})

t.test('bad options throw a TypeError that names the option', async (t) => {
  const cases: Array<[Record<string, unknown> | null, RegExp]> = [
    [null, /The options of createProblemFetch must be an object/],
    [{ retry: 3 }, /retry is not an option of createProblemFetch/],
    [{ retries: -1 }, /retries must be a whole number of at least 0/],
    [{ retryDelay: 'x' }, /retryDelay must be a number/],
    [{ maxRetryDelay: NaN }, /maxRetryDelay/],
    [{ maxBodyBytes: 0 }, /maxBodyBytes/],
    [{ bodyTimeout: 0 }, /timeout/],
    [{ fetch: 'fetch' }, /fetch of createProblemFetch must be a function/],
    [{ onRetry: {} }, /onRetry of createProblemFetch must be a function/],
    [{ traceContext: 'yes' }, /traceContext of createProblemFetch must be true or false/],
    [{ typeBase: '' }, /typeBase of createProblemFetch must be a non-empty string/],
    [{ catalog: 'conflict' }, /catalog of createProblemFetch must be a catalog object or a list of codes/]
  ]
  for (const [options, message] of cases) t.throws(() => createProblemFetch(options as never), { name: 'TypeError', message }, JSON.stringify(options))
})
