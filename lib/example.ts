import type { ResolvedProblemEntry } from './catalog.ts'
import { classifyOccurrence } from './classify.ts'
import type { MemberValidator } from './members.ts'
import type { MemberSchema } from './member-types.ts'
import type { Occurrence } from './occurrence.ts'
import type { ProblemDetailsConfig } from './options.ts'
import { PROBLEM_CONTENT_TYPE } from './content-type.ts'
import { renderProblem } from './responder.ts'
import type { SerializerFor } from './serializer.ts'

/** Trace id shown in the examples: the sample id of the W3C Trace Context specification. */
export const EXAMPLE_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'
/** Default request path of the examples (their `instance`). */
export const DEFAULT_EXAMPLE_INSTANCE = '/api/v1/tasks'

/** One code's example: the response the service sends for the example occurrence. */
export interface ExampleResponse {
  readonly status: number
  /** Response headers: `content-type`, and `retry-after` when sent. */
  readonly headers: Readonly<Record<string, string>>
  /** The parsed body, members in wire order. */
  readonly body: Readonly<Record<string, unknown>>
  /** The body as the service sends it. */
  readonly raw: string
}

/** Sample strings for the formats a member schema may declare (ajv-formats' names). */
const FORMAT_SAMPLES: Readonly<Record<string, string>> = Object.freeze({
  uri: 'https://example.com/resource',
  url: 'https://example.com/resource',
  iri: 'https://example.com/resource',
  'uri-reference': '/resource',
  'iri-reference': '/resource',
  'uri-template': 'https://example.com/{id}',
  email: 'user@example.com',
  'idn-email': 'user@example.com',
  hostname: 'example.com',
  'idn-hostname': 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  uuid: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
  'date-time': '2026-01-01T12:00:00Z',
  'iso-date-time': '2026-01-01T12:00:00Z',
  date: '2026-01-01',
  time: '12:00:00Z',
  'iso-time': '12:00:00Z',
  duration: 'PT1M',
  'json-pointer': '/resource',
  'json-pointer-uri-fragment': '#/resource',
  'relative-json-pointer': '0',
  regex: '^[a-z]+$',
  byte: 'ZXhhbXBsZQ==',
  password: 'example',
  binary: 'example'
})

const NONE = Symbol('no sample')
const MAX_SAMPLE_DEPTH = 8

function sampleNumber (schema: MemberSchema, integer: boolean): number {
  const min = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + (integer ? 1 : 0.5) : undefined
  const max = typeof schema.maximum === 'number' ? schema.maximum : typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum - (integer ? 1 : 0.5) : undefined
  let value = min ?? (max === undefined ? 1 : Math.min(max, 1))
  if (integer) value = Math.ceil(value)
  const step = schema.multipleOf
  if (typeof step === 'number' && step > 0) value = Math.ceil(value / step) * step
  return value
}

function sampleString (schema: MemberSchema): string {
  const text = typeof schema.format === 'string' ? (FORMAT_SAMPLES[schema.format] ?? 'example') : 'example'
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity
  return (text.length < min ? text + 'x'.repeat(min - text.length) : text).slice(0, max)
}

/**
 * A value for a JSON Schema: its `examples`, `default`, `const` or first `enum` value, else a value
 * of its type and format. The caller validates it: a schema with a pattern, say, may reject it.
 */
function sampleOf (schema: unknown, depth: number): unknown {
  if (schema === null || typeof schema !== 'object' || depth > MAX_SAMPLE_DEPTH) return NONE
  const s = schema as MemberSchema
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0]
  if (Object.hasOwn(s, 'default')) return s.default
  if (Object.hasOwn(s, 'const')) return s.const
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0]
  const types = Array.isArray(s.type) ? s.type : [s.type ?? (s.properties !== undefined ? 'object' : s.items !== undefined ? 'array' : undefined)]
  switch (types.find((type) => type !== 'null') ?? types[0]) {
    case 'string': return sampleString(s)
    case 'integer': return sampleNumber(s, true)
    case 'number': return sampleNumber(s, false)
    case 'boolean': return true
    case 'null': return null
    case 'array': {
      const item = sampleOf(s.items, depth + 1)
      const count = Math.max(typeof s.minItems === 'number' ? s.minItems : 1, 1)
      return item === NONE || s.maxItems === 0 ? [] : Array.from({ length: count }, () => item)
    }
    case 'object': {
      const value: Record<string, unknown> = {}
      for (const [name, property] of Object.entries(s.properties ?? {})) {
        const sample = sampleOf(property, depth + 1)
        if (sample !== NONE) value[name] = sample
      }
      return value
    }
    default: return NONE
  }
}

function samples (entry: ResolvedProblemEntry, names: readonly string[], given: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const members: Record<string, unknown> = { ...given }
  for (const name of names) {
    if (Object.hasOwn(members, name)) continue
    const sample = sampleOf(entry.members[name], 0)
    if (sample !== NONE) members[name] = sample
  }
  return members
}

/**
 * The occurrence a code's example shows: the entry's `example`, with any required member it lacks
 * built from its schema; without an `example`, every member built from its schema (the required
 * ones alone when the others do not validate). Always valid against the entry's member schemas;
 * undefined when no valid example can be built.
 */
export function exampleOccurrence (entry: ResolvedProblemEntry, validator: MemberValidator): Occurrence | undefined {
  const detail = entry.example?.detail
  const candidates = entry.example !== undefined
    ? [samples(entry, entry.required, entry.example.members ?? {})]
    : [samples(entry, entry.memberNames, {}), samples(entry, entry.required, {})]
  for (const members of candidates) {
    if (validator.validate(entry.code, entry.members, entry.required, members) === undefined) {
      return { code: entry.code, detail, members: Object.freeze(members), headers: undefined, retryAfter: undefined }
    }
  }
  return undefined
}

/**
 * The response the service sends for a code's example occurrence, built by the very functions
 * that answer requests (classify, render: members checked, document serialized, headers chosen).
 * `instance` and `traceId` stand for the request. Undefined when the code has no valid example:
 * never the body of another code.
 */
export function exampleResponse (entry: ResolvedProblemEntry, config: ProblemDetailsConfig, serializerFor: SerializerFor, instance: string = DEFAULT_EXAMPLE_INSTANCE, traceId: string = EXAMPLE_TRACE_ID): ExampleResponse | undefined {
  const occurrence = exampleOccurrence(entry, config.memberValidator)
  if (occurrence === undefined) return undefined
  const rendered = renderProblem(classifyOccurrence(occurrence, config), instance, traceId, config, serializerFor)
  if (rendered.classification.entry !== entry) return undefined
  const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE }
  for (const [name, value] of Object.entries(rendered.headers ?? {})) headers[name] = String(value)
  return Object.freeze({ status: rendered.status, headers: Object.freeze(headers), body: Object.freeze(JSON.parse(rendered.payload)), raw: rendered.payload })
}
