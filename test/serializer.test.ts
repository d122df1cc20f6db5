import t from 'tap'
import fc from 'fast-check'
import fastJsonStringify from 'fast-json-stringify'
import { loadDeferredModules } from '../lib/deferred.ts'
import { createSerializers, entrySchema, MAX_REMEMBERED_DETAIL_LENGTH, MAX_REMEMBERED_DETAILS } from '../lib/serializer.ts'
import type { ResolvedProblemEntry } from '../lib/catalog.ts'
import type { ProblemDocument } from '../lib/problem.ts'

// fast-json-stringify loads when the plugin registers, before any serializer is made
t.before(() => loadDeferredModules())

// strings with quotes, backslashes, control characters, lone surrogates and astral characters
const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.constantFrom('"', '\\', '\u2028', '\ud800', 'a\udc00b', '</script>'))
const entryOf = (title: string, type: string, status: number, retryable: boolean): ResolvedProblemEntry => ({
  code: 'c', slug: 'c', type, title, status, retryable, category: 'user', members: {}, required: [], memberNames: []
})

t.test('codes without extension members are written byte for byte as the schema serializer writes them', async (t) => {
  const schemaSerializer = fastJsonStringify(entrySchema(undefined)) as (p: ProblemDocument) => string
  let runs = 0
  fc.assert(fc.property(
    text, text, fc.integer({ min: 400, max: 599 }), fc.boolean(), fc.option(text, { nil: undefined }), text, fc.boolean(), fc.option(fc.stringMatching(/^[0-9a-f]{32}$/), { nil: undefined }), fc.boolean(),
    (title, type, status, retryable, detail, instance, withError, traceId, aboutBlank) => {
      const entry = entryOf(title, type, status, retryable)
      const serializerFor = createSerializers()
      const problem: ProblemDocument = {
        type,
        title,
        status,
        detail,
        instance,
        error: withError ? (detail === undefined ? title : `${title} (${detail})`) : undefined,
        retryable,
        trace_id: traceId
      }
      const written = serializerFor(aboutBlank ? undefined : entry)(problem)
      runs++
      return written === schemaSerializer(problem) && JSON.parse(written).title === title
    }
  ), { numRuns: 1000, seed: 9457 })
  t.equal(runs, 1000)
})

t.test("a code's serializer remembers the JSON of its details: the same bytes as the schema serializer, whatever it remembers", async (t) => {
  const schemaSerializer = fastJsonStringify(entrySchema(undefined)) as (p: ProblemDocument) => string
  const title = 'The request contains "invalid" parameters.'
  const serialize = createSerializers()(entryOf(title, '/problems/invalid-request', 400, false))
  let runs = 0
  // one serializer for every run: details repeat (remembered), are new (more than it keeps), and
  // come with an error member made from them, equal to the title, or any other text
  const details = fc.oneof(fc.constantFrom('name is required', 'id "7" is unknown', '\ud800', '', 'x'.repeat(MAX_REMEMBERED_DETAIL_LENGTH + 1)), text)
  fc.assert(fc.property(
    details, fc.constantFrom('composed', 'title', 'other', 'none'), text, fc.boolean(),
    (detail, errorKind, other, otherTitle) => {
      // a title other than the code's: a document the code's serializer is never given, still written as it is
      const ownTitle = otherTitle ? other : title
      const problem: ProblemDocument = {
        type: '/problems/invalid-request',
        title: ownTitle,
        status: 400,
        detail,
        instance: '/items',
        error: errorKind === 'composed' ? `${ownTitle} (${detail})` : errorKind === 'title' ? ownTitle : errorKind === 'other' ? other : undefined,
        retryable: false
      }
      runs++
      return serialize(problem) === schemaSerializer(problem)
    }
  ), { numRuns: 10 * MAX_REMEMBERED_DETAILS, seed: 9457 })
  t.equal(runs, 10 * MAX_REMEMBERED_DETAILS)
})

t.test('problems with validation errors or extension members go through the schema serializer', async (t) => {
  const serializerFor = createSerializers()
  const plain = entryOf('T', '/t', 400, false)
  const problem: ProblemDocument = { type: '/t', title: 'T', status: 400, instance: '/x', retryable: false, errors: [{ detail: 'must be integer', pointer: '#/age', extra: 'dropped' } as never] }
  t.equal(serializerFor(plain)(problem), '{"type":"/t","title":"T","status":400,"instance":"/x","retryable":false,"errors":[{"detail":"must be integer","pointer":"#/age"}]}')
  const withMembers: ResolvedProblemEntry = { ...plain, code: 'm', members: { limit: { type: 'integer' } }, memberNames: ['limit'] }
  const serialize = serializerFor(withMembers)
  t.equal(serializerFor(withMembers), serialize, 'compiled once per code')
  t.equal(serialize({ type: '/t', title: 'T', status: 400, instance: '/x', retryable: false, limit: 3, secret: 'dropped' }), '{"type":"/t","title":"T","status":400,"instance":"/x","retryable":false,"limit":3}')
})
