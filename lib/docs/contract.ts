import { createHash } from 'node:crypto'
import type { ProblemCategory, ResolvedProblemEntry } from '../catalog.ts'
import { FST_PROBLEM_INVALID_LOCKFILE } from '../errors.ts'
import { describe } from '../guards.ts'
import { normalizeOptions, type ProblemDetailsOptions } from '../options.ts'
import { problemSchema } from '../serializer.ts'
import { canonicalJson } from './canonical-json.ts'
import './modules.ts'
import { compareSchemas, withoutAnnotations, worstDirection } from './schema-compare.ts'

/**
 * The error contract of a catalog: what clients of the service rely on, per code (type URI,
 * status, title, retryable, category, extension members with their schemas, required members,
 * deprecation), and the standard members every problem carries. `lock` writes it as a lockfile;
 * `lock --check` compares the catalog with it and classifies every change.
 */

/** Version of the lockfile format; a lockfile of another version is refused, never misread. */
export const LOCKFILE_VERSION = 1

/** Default file name of the lockfile. */
export const DEFAULT_LOCKFILE = 'errors.lock.json'

const GENERATED_BY = 'fastify-problem-details lock: the error contract of the catalog. Check it with "fastify-problem-details lock --check"; rewrite it with "fastify-problem-details lock", never by hand.'

/** One code as clients see it. */
export interface ContractEntry {
  readonly type: string
  readonly status: number
  readonly title: string
  readonly retryable: boolean
  readonly category: ProblemCategory
  /** Seconds of the `Retry-After` the code sends by default, or `null`. */
  readonly retryAfter: number | null
  /** `false`, `true`, or the deprecation message. */
  readonly deprecated: boolean | string
  /** Extension members: name -> JSON Schema, as declared. */
  readonly members: { readonly [name: string]: unknown }
  /** Required extension members, sorted. */
  readonly required: readonly string[]
  /** Digest of the docs text (summary, occurs, resolve, details, related, example): a change is listed, never breaking. */
  readonly docs: string
}

/** The contract of a whole catalog: the content of the lockfile. */
export interface ErrorContract {
  readonly lockfileVersion: typeof LOCKFILE_VERSION
  readonly generatedBy: string
  /** The standard members every problem may carry (with the plugin options given), and those always sent. */
  readonly standardMembers: { readonly members: { readonly [name: string]: unknown }, readonly required: readonly string[] }
  /** Code -> its contract. */
  readonly codes: { readonly [code: string]: ContractEntry }
}

/** How much a change matters to the clients and to the code that creates problems. */
export type ChangeSeverity = 'breaking' | 'compatible' | 'notice'

/** Every kind of change `diffContracts` reports, with its severity (the README lists the same; a test keeps them equal). */
export const CHANGE_KINDS = Object.freeze({
  'code-removed': 'breaking',
  'deprecated-code-removed': 'breaking',
  'status-changed': 'breaking',
  'type-changed': 'breaking',
  'retryable-changed': 'breaking',
  'category-changed': 'breaking',
  'member-removed': 'breaking',
  'required-member-added': 'breaking',
  'member-made-required': 'breaking',
  'member-made-optional': 'breaking',
  'schema-narrowed': 'breaking',
  'schema-changed': 'breaking',
  'standard-member-removed': 'breaking',
  'code-added': 'compatible',
  'member-added': 'compatible',
  'schema-widened': 'compatible',
  'standard-member-added': 'compatible',
  'docs-changed': 'compatible',
  'title-changed': 'notice',
  'code-deprecated': 'notice',
  'deprecation-changed': 'notice',
  'retry-after-changed': 'notice'
} as const satisfies Record<string, ChangeSeverity>)

/** A kind of change, such as `status-changed` or `schema-narrowed`. */
export type ChangeKind = keyof typeof CHANGE_KINDS

/** One change between two contracts. */
export interface ContractChange {
  /** The code it concerns; `null` for the standard members, which every code carries. */
  readonly code: string | null
  /** The member it concerns, if any. */
  readonly member?: string
  readonly kind: ChangeKind
  readonly severity: ChangeSeverity
  /** What changed, in a sentence: `status changed from 409 to 500 (4xx -> 5xx: a client error became a server error)`. */
  readonly message: string
}

function docsDigest (entry: ResolvedProblemEntry): string {
  const { summary, occurs, resolve, details, related, example } = entry
  return 'sha256:' + createHash('sha256').update(canonicalJson({ summary, occurs, resolve, details, related, example })).digest('hex')
}

function entryContract (entry: ResolvedProblemEntry): ContractEntry {
  return {
    type: entry.type,
    status: entry.status,
    title: entry.title,
    retryable: entry.retryable,
    category: entry.category,
    retryAfter: entry.retryAfter ?? null,
    deprecated: entry.deprecated ?? false,
    members: entry.members,
    required: [...entry.required].sort(),
    docs: docsDigest(entry)
  }
}

/**
 * The error contract of the catalog the plugin resolves from `options` (the options you register
 * it with, including `typeBase`, `errorMember` and `traceId`).
 */
export function contractOf (options: ProblemDetailsOptions = {}): ErrorContract {
  const config = normalizeOptions({ ...options, serveDocs: false })
  const standard = problemSchema(config) as { properties: Record<string, unknown>, required: string[] }
  const contract: ErrorContract = {
    lockfileVersion: LOCKFILE_VERSION,
    generatedBy: GENERATED_BY,
    standardMembers: { members: standard.properties, required: [...standard.required].sort() },
    codes: Object.fromEntries([...config.entries.values()].map((entry) => [entry.code, entryContract(entry)]))
  }
  // a plain JSON copy: the same value whether it was just built or read back from the lockfile
  return JSON.parse(canonicalJson(contract))
}

/** The lockfile text of a contract: canonical JSON (keys sorted at every level, two-space indent, final newline). */
export function renderLockfile (contract: ErrorContract): string {
  return canonicalJson(contract, '  ') + '\n'
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value)
const isStringList = (value: unknown): boolean => Array.isArray(value) && value.every((item) => typeof item === 'string')

const ENTRY_FIELDS: Readonly<Record<keyof ContractEntry, [check: (value: unknown) => boolean, expected: string]>> = {
  type: [(value) => typeof value === 'string', 'a string'],
  status: [(value) => Number.isInteger(value), 'an integer'],
  title: [(value) => typeof value === 'string', 'a string'],
  retryable: [(value) => typeof value === 'boolean', 'true or false'],
  category: [(value) => value === 'user' || value === 'platform', '"user" or "platform"'],
  retryAfter: [(value) => value === null || Number.isInteger(value), 'a whole number of seconds or null'],
  deprecated: [(value) => typeof value === 'boolean' || typeof value === 'string', 'true, false or a message'],
  members: [isObject, 'an object of JSON Schemas'],
  required: [isStringList, 'a list of member names'],
  docs: [(value) => typeof value === 'string', 'a string']
}

/**
 * Checks that `value` is an error contract of this lockfile version (as `JSON.parse` of a lockfile
 * gives it) and returns it; `label` names it in the error (the lockfile's path).
 */
export function checkContract (value: unknown, label: string): ErrorContract {
  const invalid = (why: string): never => { throw new FST_PROBLEM_INVALID_LOCKFILE(label, why) }
  if (!isObject(value)) return invalid(`expected a lockfile object, got ${describe(value)}`)
  if (value.lockfileVersion !== LOCKFILE_VERSION) {
    return invalid(typeof value.lockfileVersion === 'number' && value.lockfileVersion > LOCKFILE_VERSION
      ? `it has lockfileVersion ${value.lockfileVersion}, written by a newer fastify-problem-details; upgrade the package`
      : `it has no "lockfileVersion": ${LOCKFILE_VERSION}; write it with "fastify-problem-details lock"`)
  }
  const standard = value.standardMembers
  if (!isObject(standard) || !isObject(standard.members) || !isStringList(standard.required)) return invalid('"standardMembers" must be { members, required }')
  if (!isObject(value.codes)) return invalid('"codes" must be an object of code -> contract')
  for (const [code, entry] of Object.entries(value.codes)) {
    if (!isObject(entry)) return invalid(`code "${code}" must be an object`)
    for (const [field, [check, expected]] of Object.entries(ENTRY_FIELDS)) {
      if (!check(entry[field])) invalid(`"${field}" of code "${code}" must be ${expected}, got ${describe(entry[field])}`)
    }
  }
  return value as unknown as ErrorContract
}

/** The contract in a lockfile's text; `label` (the path) names it in the error when it is not one. */
export function parseLockfile (text: string, label: string): ErrorContract {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    // the parser quotes the text it stopped at: keep it on one line
    throw new FST_PROBLEM_INVALID_LOCKFILE(label, `it is not JSON (${(error as Error).message.replace(/\s+/g, ' ')})`)
  }
  return checkContract(value, label)
}

function change (code: string | null, kind: ChangeKind, message: string, member?: string): ContractChange {
  return member === undefined ? { code, kind, severity: CHANGE_KINDS[kind], message } : { code, member, kind, severity: CHANGE_KINDS[kind], message }
}

function statusClass (status: number): string {
  return status < 500 ? '4xx' : '5xx'
}

function statusMessage (before: number, after: number): string {
  const from = statusClass(before)
  const to = statusClass(after)
  const crossing = from === to ? '' : ` (${from} -> ${to}: ${to === '5xx' ? 'a client error became a server error' : 'a server error became a client error'})`
  return `status changed from ${before} to ${after}${crossing}`
}

function deprecationText (deprecated: boolean | string): string {
  return typeof deprecated === 'string' ? `: ${JSON.stringify(deprecated)}` : ''
}

/**
 * Extension members (`code` a code) or standard members (`code` null): removed, added, made
 * required or optional, and schema changes.
 */
function memberChanges (code: string | null, before: ContractEntry | ErrorContract['standardMembers'], after: ContractEntry | ErrorContract['standardMembers']): ContractChange[] {
  const changes: ContractChange[] = []
  const standard = code === null
  const label = (name: string) => `${standard ? 'standard ' : ''}member "${name}"`
  const names = [...new Set([...Object.keys(before.members), ...Object.keys(after.members)])].sort()
  for (const name of names) {
    const wasRequired = before.required.includes(name)
    const isRequired = after.required.includes(name)
    if (!Object.hasOwn(after.members, name)) {
      changes.push(change(code, standard ? 'standard-member-removed' : 'member-removed', `${label(name)} removed${standard ? ': problems no longer carry it' : ''}`, name))
      continue
    }
    if (!Object.hasOwn(before.members, name)) {
      if (standard) changes.push(change(code, 'standard-member-added', `${label(name)} added`, name))
      else if (isRequired) changes.push(change(code, 'required-member-added', `required ${label(name)} added: every place that creates this problem must give it`, name))
      else changes.push(change(code, 'member-added', `optional ${label(name)} added`, name))
      continue
    }
    if (isRequired && !wasRequired) changes.push(change(code, 'member-made-required', `${label(name)} made required: every place that creates this problem must give it`, name))
    if (wasRequired && !isRequired) changes.push(change(code, 'member-made-optional', `${label(name)} no longer required: clients that expect it may not find it`, name))
    changes.push(...schemaChanges(code, name, label(name), before.members[name], after.members[name]))
  }
  return changes
}

function schemaChanges (code: string | null, name: string, label: string, before: unknown, after: unknown): ContractChange[] {
  const differences = compareSchemas(before, after)
  const what = differences.map((difference) => difference.what).join('; ')
  switch (worstDirection(differences)) {
    case 'narrower': return [change(code, 'schema-narrowed', `schema of ${label} narrowed: ${what}`, name)]
    case 'unknown': return [change(code, 'schema-changed', `schema of ${label} changed in a way that cannot be proven compatible: ${what}`, name)]
    case 'wider': return [change(code, 'schema-widened', `schema of ${label} widened: ${what}`, name)]
  }
  if (canonicalJson(before) === canonicalJson(after)) return []
  // the values accepted are the same: only annotations changed, or the schema is written another way
  return [canonicalJson(withoutAnnotations(before)) === canonicalJson(withoutAnnotations(after))
    ? change(code, 'docs-changed', `docs text of ${label} changed`, name)
    : change(code, 'docs-changed', `schema of ${label} written another way, accepting the same values`, name)]
}

function entryChanges (code: string, before: ContractEntry, after: ContractEntry): ContractChange[] {
  const changes: ContractChange[] = []
  const push = (kind: ChangeKind, message: string) => changes.push(change(code, kind, message))
  if (before.type !== after.type) push('type-changed', `type URI changed from "${before.type}" to "${after.type}": clients that branch on type no longer recognise it`)
  if (before.status !== after.status) push('status-changed', statusMessage(before.status, after.status))
  if (before.retryable !== after.retryable) push('retryable-changed', `retryable changed from ${before.retryable} to ${after.retryable}: clients ${after.retryable ? 'now retry it' : 'stop retrying it'}`)
  if (before.category !== after.category) push('category-changed', `category changed from ${before.category} to ${after.category}`)
  if (before.title !== after.title) push('title-changed', `title changed from ${JSON.stringify(before.title)} to ${JSON.stringify(after.title)}`)
  changes.push(...memberChanges(code, before, after))
  if (before.deprecated !== after.deprecated) {
    if (before.deprecated === false) push('code-deprecated', `code deprecated${deprecationText(after.deprecated)}`)
    else push('deprecation-changed', after.deprecated === false ? 'deprecation withdrawn' : `deprecation changed${deprecationText(after.deprecated) || ' (no message now)'}`)
  }
  if (before.retryAfter !== after.retryAfter) {
    const seconds = (value: number | null) => value === null ? 'none' : `${value} seconds`
    push('retry-after-changed', `retryAfter changed from ${seconds(before.retryAfter)} to ${seconds(after.retryAfter)}`)
  }
  if (before.docs !== after.docs) push('docs-changed', 'docs text changed (summary, occurs, resolve, details, related or example)')
  return changes
}

/**
 * Every change from the contract `before` (usually the lockfile) to `after` (usually
 * `contractOf(options)`), classified: `breaking` (a client or the code creating the problem may
 * fail), `compatible`, or `notice`. Standard members come first, then codes in sorted order.
 * Both arguments are checked: a value that is not a contract throws `FST_PROBLEM_INVALID_LOCKFILE`.
 */
export function diffContracts (before: ErrorContract, after: ErrorContract): ContractChange[] {
  const b = checkContract(before, 'the contract before')
  const a = checkContract(after, 'the contract after')
  const changes = memberChanges(null, b.standardMembers, a.standardMembers)
  const codes = [...new Set([...Object.keys(b.codes), ...Object.keys(a.codes)])].sort()
  for (const code of codes) {
    const was = Object.hasOwn(b.codes, code) ? b.codes[code] : undefined
    const is = Object.hasOwn(a.codes, code) ? a.codes[code] : undefined
    if (was === undefined) changes.push(change(code, 'code-added', `code added (status ${(is as ContractEntry).status}, type "${(is as ContractEntry).type}")`))
    else if (is === undefined) {
      changes.push(was.deprecated === false
        ? change(code, 'code-removed', `code removed (status ${was.status}, type "${was.type}"): deprecate it first, remove it in a major version`)
        : change(code, 'deprecated-code-removed', `deprecated code removed (status ${was.status}, type "${was.type}")`))
    } else changes.push(...entryChanges(code, was, is))
  }
  return changes
}

/** One change as the `lock` command prints it: `breaking status-changed conflict: status changed from 409 to 500 (...)`. */
export function formatChange (change: ContractChange): string {
  return `${change.severity} ${change.kind} ${change.code ?? '(every code)'}: ${change.message}`
}
