import { reasonPhrase } from '../status-phrases.ts'
import type { ProblemCategory, ProblemLink, ResolvedProblemEntry } from '../catalog.ts'
import { DEFAULT_EXAMPLE_INSTANCE, exampleResponse, type ExampleResponse } from '../example.ts'
import type { MemberSchema } from '../member-types.ts'
import { normalizeOptions, type ProblemDetailsConfig, type ProblemDetailsOptions } from '../options.ts'
import { createSerializers, problemSchema, type SerializerFor } from '../serializer.ts'
import './modules.ts'
import { CATEGORY_MEANINGS, retryLabel } from './content.ts'

export type { ExampleResponse } from '../example.ts'

/** One member in a field table. */
export interface MemberRow {
  readonly name: string
  /** Readable type, e.g. `string (uri)` or `array of string`. */
  readonly type: string
  readonly meaning: string | undefined
  readonly required: boolean
}

/** Everything one code's page shows, whatever the output format. */
export interface CodePage {
  readonly code: string
  readonly slug: string
  readonly type: string
  readonly title: string
  readonly summary: string | undefined
  /** `true` or the deprecation message when the code is deprecated. */
  readonly deprecated: true | string | undefined
  readonly status: number
  /** `500 Internal Server Error`. */
  readonly statusLine: string
  readonly retryable: boolean
  readonly retry: string
  readonly category: ProblemCategory
  /** `user error (the caller has to change something)`. */
  readonly categoryLabel: string
  /** Rows of the Details section after status, retryable and category. */
  readonly details: ReadonlyArray<readonly [label: string, value: string]>
  readonly members: readonly MemberRow[]
  readonly occurs: readonly string[]
  readonly resolve: readonly string[]
  readonly related: readonly ProblemLink[]
  /** The response the service sends for the code's example; undefined when no valid example can be built. */
  readonly example: ExampleResponse | undefined
  /** The example body, pretty-printed; undefined without an example. */
  readonly exampleJson: string | undefined
}

/** The index of the reference. */
export interface IndexPage {
  /** The example of the response format (the `invalid_request` example when the catalog has it, else the first code's). */
  readonly formatExample: string | undefined
  readonly fields: readonly MemberRow[]
  readonly categories: ReadonlyArray<{ readonly category: ProblemCategory, readonly heading: string, readonly label: string, readonly meaning: string, readonly codes: readonly CodePage[] }>
  readonly codes: readonly CodePage[]
  /** Whether the service sends `trace_id`. */
  readonly traceId: boolean
}

/** A gap in the catalog's docs text: the pages show "Not documented yet." there. */
export interface DocsGap {
  readonly code: string
  /** The catalog field to fill, e.g. `summary` or `members.provider.description`. */
  readonly field: string
  readonly message: string
}

/** The reference of one catalog, ready for any renderer. */
export interface Reference {
  readonly index: IndexPage
  readonly pages: readonly CodePage[]
  readonly gaps: readonly DocsGap[]
}

export interface ReferenceOptions {
  /** Request path shown as `instance` in the examples. Default: `/api/v1/tasks`. */
  readonly instance?: string
}

/** `string (uri)`, `array of string`, `"a" or "b"`... */
export function describeType (schema: MemberSchema): string {
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => JSON.stringify(value)).join(' or ')
  const type = typeof schema.type === 'string' ? schema.type : Array.isArray(schema.type) ? schema.type.join(' or ') : 'any'
  if (type === 'array' && schema.items !== undefined) return `array of ${describeType(schema.items)}`
  return typeof schema.format === 'string' ? `${type} (${schema.format})` : type
}

function memberRows (members: Readonly<Record<string, MemberSchema>>, required: readonly string[]): MemberRow[] {
  return Object.entries(members).map(([name, schema]) => ({
    name,
    type: describeType(schema),
    meaning: typeof schema.description === 'string' && schema.description.trim() !== '' ? schema.description : undefined,
    required: required.includes(name)
  }))
}

/** The docs text a code is missing. */
export function gapsOf (entry: ResolvedProblemEntry, example: ExampleResponse | undefined): DocsGap[] {
  const gaps: DocsGap[] = []
  const gap = (field: string, message: string) => gaps.push({ code: entry.code, field, message: `catalog entry "${entry.code}" ${message}` })
  if (entry.summary === undefined || entry.summary.trim() === '') gap('summary', 'has no "summary" (one or two sentences for the top of its page)')
  if (entry.occurs === undefined || entry.occurs.length === 0) gap('occurs', 'has no "occurs" (the "When does this occur?" list)')
  if (entry.resolve === undefined || entry.resolve.length === 0) gap('resolve', 'has no "resolve" (the "How to resolve" steps)')
  for (const row of memberRows(entry.members, entry.required)) {
    if (row.meaning === undefined) gap(`members.${row.name}.description`, `has no "description" for its member "${row.name}"`)
  }
  if (example === undefined) gap('example', 'has no example the plugin can send: no valid members could be built from its member schemas; give "example.members" (every required member, valid against its schema)')
  return gaps
}

function codePage (entry: ResolvedProblemEntry, example: ExampleResponse | undefined): CodePage {
  const details: Array<[string, string]> = [['Type URI', entry.type]]
  if (entry.retryAfter !== undefined) details.push(['Retry-After', `${entry.retryAfter} seconds`])
  for (const [label, value] of Object.entries(entry.details ?? {})) details.push([label, value])
  return {
    code: entry.code,
    slug: entry.slug,
    type: entry.type,
    title: entry.title,
    summary: entry.summary?.trim() === '' ? undefined : entry.summary,
    deprecated: entry.deprecated,
    status: entry.status,
    statusLine: `${entry.status} ${reasonPhrase(entry.status)}`,
    retryable: entry.retryable,
    retry: retryLabel(entry.retryable, entry.category),
    category: entry.category,
    categoryLabel: CATEGORY_MEANINGS[entry.category].label,
    details,
    members: memberRows(entry.members, entry.required),
    occurs: entry.occurs ?? [],
    resolve: entry.resolve ?? [],
    related: entry.related ?? [],
    example,
    exampleJson: example === undefined ? undefined : JSON.stringify(example.body, null, 2)
  }
}

/**
 * The reference of a resolved configuration. Every example is built by the functions that answer
 * requests, with `serializerFor` (pass the plugin's own to reuse its compiled serializers).
 */
export function referenceOf (config: ProblemDetailsConfig, serializerFor: SerializerFor, referenceOptions: ReferenceOptions = {}): Reference {
  const instance = referenceOptions.instance ?? DEFAULT_EXAMPLE_INSTANCE
  const pages: CodePage[] = []
  const gaps: DocsGap[] = []
  for (const entry of config.entries.values()) {
    const example = exampleResponse(entry, config, serializerFor, instance)
    pages.push(codePage(entry, example))
    gaps.push(...gapsOf(entry, example))
  }
  const schema = problemSchema(config) as { properties: Record<string, MemberSchema>, required: string[] }
  const formatPage = pages.find((page) => page.code === 'invalid_request' && page.example !== undefined) ?? pages.find((page) => page.example !== undefined)
  const categories = (['user', 'platform'] as const).map((category) => ({
    category,
    ...CATEGORY_MEANINGS[category],
    codes: pages.filter((page) => page.category === category)
  })).filter((group) => group.codes.length > 0)
  return {
    index: {
      formatExample: formatPage?.exampleJson,
      fields: memberRows(schema.properties, schema.required),
      categories,
      codes: pages,
      traceId: config.traceId
    },
    pages,
    gaps
  }
}

/**
 * Builds the reference of the catalog the plugin resolves from `options` (the same options you
 * register it with). Every example is the response the plugin sends for it.
 */
export function buildReference (options: ProblemDetailsOptions = {}, referenceOptions: ReferenceOptions = {}): Reference {
  return referenceOf(normalizeOptions({ ...options, serveDocs: false }), createSerializers(), referenceOptions)
}
