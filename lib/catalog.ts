import { challengeProblem } from './challenge.ts'
import { slugOf } from './client/slug.ts'
import { FST_PROBLEM_DUPLICATE_SLUG, FST_PROBLEM_INVALID_CATALOG_ENTRY } from './errors.ts'
import { describe } from './guards.ts'
import { firstInSchema, type MemberValidator } from './members.ts'
import { OCCURRENCE_KEYS } from './occurrence.ts'
import type { MemberSchema } from './member-types.ts'

/** Who has to act: `user` (the caller must change something) or `platform` (the service's own fault). */
export type ProblemCategory = 'user' | 'platform'

/** A link shown under "Related" on the code's reference page. */
export interface ProblemLink {
  readonly title: string
  readonly url: string
}

/**
 * One code of the catalog. The runtime, the types, the OpenAPI document and the reference
 * pages are all produced from these fields.
 */
export interface ProblemCatalogEntry {
  /** HTTP status, 400-599. */
  readonly status: number
  /** Short, stable, human-readable summary of the problem type (RFC 9457 `title`). */
  readonly title: string
  /** Whether the same request may succeed if sent again. */
  readonly retryable: boolean
  /** `user`: the caller must change something. `platform`: the service's own fault. */
  readonly category: ProblemCategory
  /** Extension members: name -> JSON Schema. Only these leave the process, after validation. */
  readonly members?: { readonly [name: string]: MemberSchema }
  /** Members that must be given whenever this problem is created. */
  readonly required?: readonly string[]
  /** Own `type` URI (absolute, or relative to the request). Default: `typeBase` + slug. */
  readonly type?: string
  /** Seconds a client should wait before retrying; sent as `Retry-After` on retryable problems. */
  readonly retryAfter?: number
  /**
   * `WWW-Authenticate` challenge sent with this code's problems (e.g. `'Bearer realm="api"'`).
   * Default: the `wwwAuthenticate` option on 401 problems, nothing on other statuses.
   */
  readonly wwwAuthenticate?: string
  /** One or two sentences for the reference page. */
  readonly summary?: string
  /** "When does this occur?" bullet points. */
  readonly occurs?: readonly string[]
  /** "How to resolve" steps. */
  readonly resolve?: readonly string[]
  /** Extra label -> value rows for the "Details" section of the reference page. */
  readonly details?: { readonly [label: string]: string }
  /** Links for the "Related" section of the reference page. */
  readonly related?: readonly ProblemLink[]
  /** Sample occurrence used for the example responses in the docs and OpenAPI. */
  readonly example?: {
    readonly detail?: string
    readonly members?: { readonly [name: string]: unknown }
  }
  /**
   * The code is on its way out: `true`, or a message saying what to use instead. The reference
   * pages and OpenAPI show it and the lockfile records it; the problem is still sent as before.
   */
  readonly deprecated?: true | string
}

/** A catalog: code -> entry. */
export type ProblemCatalog = { readonly [code: string]: ProblemCatalogEntry }

/** A catalog entry after registration: validated, frozen, with its code, slug and resolved `type`. */
export interface ResolvedProblemEntry extends ProblemCatalogEntry {
  readonly code: string
  readonly slug: string
  readonly type: string
  readonly members: { readonly [name: string]: MemberSchema }
  readonly required: readonly string[]
  readonly memberNames: readonly string[]
}

/** Members every problem document may carry; a catalog cannot declare these as extensions. */
export const STANDARD_MEMBERS = Object.freeze(['type', 'title', 'status', 'detail', 'instance', 'error', 'retryable', 'trace_id', 'errors'])
// an init object's own fields cannot be members either: `new ProblemError(code, { headers })` sets headers
const RESERVED_MEMBERS = new Set([...STANDARD_MEMBERS, ...OCCURRENCE_KEYS])

/**
 * Names every object inherits (`constructor`, `toString`, `__proto__`...): as a member, an inherited
 * function would be read as the value of a member that was not given.
 */
const INHERITED_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype))
/** Values a JSON Schema cannot hold (`JSON.stringify` throws on a BigInt, and leaves the others out). */
const NOT_JSON_TYPES = new Set(['bigint', 'function', 'symbol'])
/** Deepest a member schema may nest (objects in objects); deeper is a mistake, or a cycle. */
export const MAX_SCHEMA_DEPTH = 64
/** Largest `retryAfter`: the largest delay the `Retry-After` header is sent with (2^31 seconds). */
export const MAX_RETRY_AFTER = 2 ** 31

const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/
const MEMBER_PATTERN = /^[A-Za-z_$][A-Za-z0-9_$]*$/
const ENTRY_KEYS = new Set(['status', 'title', 'retryable', 'category', 'members', 'required', 'type', 'retryAfter', 'wwwAuthenticate', 'summary', 'occurs', 'resolve', 'details', 'related', 'example', 'deprecated'])

export { slugOf }

function fail (code: string, why: string): never {
  throw new FST_PROBLEM_INVALID_CATALOG_ENTRY(code, why)
}

/** Why a member schema is not a tree of JSON values (a cycle, nesting past MAX_SCHEMA_DEPTH, a BigInt...), or undefined. */
function notATree (value: unknown, depth: number, path: Set<object>): string | undefined {
  if (NOT_JSON_TYPES.has(typeof value)) return `holds a ${typeof value}, which JSON cannot carry: a schema is plain JSON data`
  if (value === null || typeof value !== 'object') return undefined
  if (path.has(value)) return 'refers to itself (a cycle): write each nested schema out, without a reference back to an outer one'
  if (depth > MAX_SCHEMA_DEPTH) return `nests deeper than ${MAX_SCHEMA_DEPTH} levels: flatten it, or describe the deeper part as { "type": "object" }`
  path.add(value)
  for (const nested of Object.values(value)) {
    const why = notATree(nested, depth + 1, path)
    if (why !== undefined) return why
  }
  path.delete(value)
  return undefined
}

/**
 * The first property a member schema declares (at any depth) under a name every object inherits:
 * the serializer would write the inherited function, as text, when the value does not have it.
 */
function inheritedProperty (schema: unknown): string | undefined {
  // a valid schema: `properties` is an object
  return firstInSchema(schema, (key, value) => key === 'properties' ? Object.keys(value as object).find((n) => INHERITED_NAMES.has(n)) : undefined)
}

function isStringList (value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}

/** Checks one entry; throws a coded error naming the code, the field and the fix. */
function checkEntry (code: string, entry: unknown, validator: MemberValidator): asserts entry is ProblemCatalogEntry {
  if (!CODE_PATTERN.test(code)) fail(code, 'has an invalid code: use letters, digits, "_" and "-" (for example "quota_exceeded")')
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) fail(code, 'must be an object with status, title, retryable and category')
  const e = entry as Record<string, unknown>
  for (const key of Object.keys(e)) {
    if (!ENTRY_KEYS.has(key)) fail(code, `has an unknown field "${key}"; known fields are ${[...ENTRY_KEYS].join(', ')}`)
  }
  if (!Number.isInteger(e.status) || (e.status as number) < 400 || (e.status as number) > 599) {
    fail(code, `has status ${String(e.status)}: a problem status must be an integer from 400 to 599`)
  }
  if (typeof e.title !== 'string' || e.title.trim() === '') fail(code, 'needs a non-empty string "title"')
  if (typeof e.retryable !== 'boolean') fail(code, 'needs "retryable": true or false')
  if (e.category !== 'user' && e.category !== 'platform') fail(code, `has category ${JSON.stringify(e.category)}: use "user" or "platform"`)
  if (e.type !== undefined && (typeof e.type !== 'string' || e.type === '' || /[\s<>"]/.test(e.type))) {
    fail(code, 'has an invalid "type": give an absolute URI or a relative reference without spaces')
  }
  if (e.deprecated !== undefined && e.deprecated !== true && (typeof e.deprecated !== 'string' || e.deprecated.trim() === '')) {
    fail(code, `has "deprecated" ${describe(e.deprecated)}: use true, or a message such as "Use quota_exceeded instead."`)
  }
  if (e.retryAfter !== undefined && (!Number.isInteger(e.retryAfter) || (e.retryAfter as number) < 0 || (e.retryAfter as number) > MAX_RETRY_AFTER)) {
    fail(code, `has an invalid "retryAfter" ${describe(e.retryAfter)}: give a whole number of seconds from 0 to ${MAX_RETRY_AFTER} (2^31), the range Retry-After is sent with`)
  }
  if (e.wwwAuthenticate !== undefined) {
    const why = challengeProblem(e.wwwAuthenticate)
    if (why !== undefined) fail(code, `has an invalid "wwwAuthenticate": it ${why}`)
  }
  for (const key of ['summary'] as const) {
    if (e[key] !== undefined && typeof e[key] !== 'string') fail(code, `has a non-string "${key}"`)
  }
  for (const key of ['occurs', 'resolve', 'required'] as const) {
    if (e[key] !== undefined && !isStringList(e[key])) fail(code, `has "${key}" that is not a list of strings`)
  }
  if (e.details !== undefined && (e.details === null || typeof e.details !== 'object' || !Object.values(e.details).every((v) => typeof v === 'string'))) {
    fail(code, 'has "details" that is not an object of strings')
  }
  if (e.related !== undefined && !(Array.isArray(e.related) && e.related.every((l) => typeof l?.title === 'string' && typeof l?.url === 'string'))) {
    fail(code, 'has "related" that is not a list of { title, url }')
  }
  const members = e.members ?? {}
  if (members === null || typeof members !== 'object' || Array.isArray(members)) fail(code, 'has "members" that is not an object of JSON Schemas')
  for (const [name, schema] of Object.entries(members)) {
    if (!MEMBER_PATTERN.test(name)) fail(code, `has a member "${name}" whose name is not a plain identifier`)
    if (RESERVED_MEMBERS.has(name)) fail(code, `declares the member "${name}", which is reserved by the problem format; rename it`)
    if (INHERITED_NAMES.has(name)) fail(code, `declares the member "${name}", a name every JavaScript object inherits (from Object.prototype), so a problem sent without it would read the inherited function as its value; rename it`)
    const shape = notATree(schema, 0, new Set())
    if (shape !== undefined) fail(code, `has a schema for member "${name}" that ${shape}`)
    if (JSON.stringify(schema)?.includes('"$ref"')) fail(code, `uses "$ref" in the schema of member "${name}": member schemas must be self-contained`)
    const why = validator.checkSchema(schema)
    if (why !== undefined) fail(code, `has an invalid JSON Schema for member "${name}": ${why}`)
    const inherited = inheritedProperty(schema)
    if (inherited !== undefined) fail(code, `has a schema for member "${name}" with the property "${inherited}", a name every JavaScript object inherits (from Object.prototype), so a value without it would be sent with the inherited function; rename it`)
  }
  for (const name of (e.required as string[] | undefined) ?? []) {
    if (!Object.hasOwn(members, name)) fail(code, `requires the member "${name}" but does not declare it in "members"`)
  }
  if (e.example?.constructor === Object && (e.example as { members?: unknown }).members !== undefined) {
    const sample = (e.example as { members: Record<string, unknown> }).members
    const why = validator.validate(code, members as Record<string, MemberSchema>, (e.required as string[] | undefined) ?? [], sample)
    if (why !== undefined) fail(code, `has an example whose members do not match their schemas: ${why}`)
  } else if (e.example !== undefined && e.example?.constructor !== Object) {
    fail(code, 'has "example" that is not an object { detail?, members? }')
  }
  if (e.example !== undefined && (e.example as { detail?: unknown }).detail !== undefined && typeof (e.example as { detail?: unknown }).detail !== 'string') {
    fail(code, 'has an "example.detail" that is not a string')
  }
}

/**
 * Validates a catalog and resolves every entry (slug, `type`). Throws a coded error on the first
 * problem found. The result is frozen; per-request code only reads it.
 */
export function resolveCatalog (catalog: ProblemCatalog, typeBase: string, validator: MemberValidator): ReadonlyMap<string, ResolvedProblemEntry> {
  const resolved = new Map<string, ResolvedProblemEntry>()
  const bySlug = new Map<string, string>()
  const byType = new Map<string, string>()
  for (const code of Object.keys(catalog)) {
    const entry: unknown = catalog[code]
    checkEntry(code, entry, validator)
    const slug = slugOf(code)
    const type = entry.type ?? typeBase + slug
    const slugClash = bySlug.get(slug)
    if (slugClash !== undefined) throw new FST_PROBLEM_DUPLICATE_SLUG(slugClash, code, slug)
    const typeClash = byType.get(type)
    if (typeClash !== undefined) throw new FST_PROBLEM_DUPLICATE_SLUG(typeClash, code, type)
    bySlug.set(slug, code)
    byType.set(type, code)
    const members = Object.freeze({ ...(entry.members ?? {}) })
    resolved.set(code, Object.freeze({
      ...entry,
      code,
      slug,
      type,
      members,
      required: Object.freeze([...(entry.required ?? [])]),
      memberNames: Object.freeze(Object.keys(members))
    }))
  }
  return resolved
}
