import type { ErrorObject, ValidateFunction } from 'ajv'
import { deferredModules } from './deferred.ts'
import { bound, MAX_DESCRIPTION_LENGTH, safeGet } from './guards.ts'
import type { MemberSchema } from './member-types.ts'

/** Keywords whose values are data, not schemas: a `format` or `pattern` key inside them means nothing. */
const DATA_KEYWORDS: ReadonlySet<string> = new Set(['const', 'enum', 'default', 'examples'])

/**
 * The first finding of `check` on the keys of a schema, at any depth, in document order (a key,
 * then what is below it); the values of data keywords are not looked into.
 */
export function firstInSchema (schema: unknown, check: (key: string, value: unknown) => string | undefined): string | undefined {
  if (schema === null || typeof schema !== 'object') return undefined
  for (const [key, value] of Object.entries(schema)) {
    if (DATA_KEYWORDS.has(key)) continue
    const found = check(key, value) ?? firstInSchema(value, check)
    if (found !== undefined) return found
  }
  return undefined
}

/** Longest the declared extension members of one problem may be, serialized as JSON, in characters. */
export const MAX_MEMBERS_LENGTH = 8192
/** Deepest a member value may nest (arrays and objects in one another). */
export const MAX_MEMBER_DEPTH = 64
/** Schema failures listed in an `FST_PROBLEM_INVALID_MEMBER` message; the others are counted. */
export const MAX_LISTED_FAILURES = 10
/** Longest text of one listed failure, in characters. */
export const MAX_FAILURE_LENGTH = 200
/**
 * `format: 'uri'` and `format: 'url'` in a member schema: an absolute http(s) URL. A member of that
 * format is a link the client is told to open; `javascript:`, `data:` or `file:` must never be one.
 */
const HTTP_URL = /^https?:\/\/[^\s/?#]/i

/** Whether `value` is an absolute http(s) URL: the only links a problem member may carry. */
export function isHttpUrl (value: string): boolean {
  // ajv-formats is deferred (see deferred.ts): read at each call, it is loaded by then
  return HTTP_URL.test(value) && (deferredModules().addFormats.get('uri') as (value: string) => boolean)(value) && URL.canParse(value)
}

interface Budget {
  /** Characters left before the bound. */
  left: number
  /** Objects on the path from the member to the value walked, to tell a cycle from a shared value. */
  readonly path: Set<object>
}

const OVER = Symbol('over the bound')

/**
 * Walks one member value as JSON would write it, charging its length to the budget and stopping as
 * soon as the budget is spent: a 1 MiB value costs as much as one at the bound. Returns OVER, a
 * reason the value cannot be sent (a number JSON has no literal for, a cycle), or undefined.
 */
function walk (value: unknown, at: string, budget: Budget): string | typeof OVER | undefined {
  switch (typeof value) {
    case 'string':
      // a JSON string is at least its length plus two quotes: no need to look at one over the bound
      budget.left -= value.length + 2 > budget.left ? value.length + 2 : JSON.stringify(value).length
      break
    case 'number':
      if (!Number.isFinite(value)) return `${at} is ${String(value)}, which JSON cannot carry (it would be sent as null); send a finite number or leave the member out`
      budget.left -= String(value).length
      break
    case 'boolean':
      budget.left -= value ? 4 : 5
      break
    case 'object':
      return value === null ? charge(budget, 4) : walkWritten(value, at, budget)
    default:
      // undefined, functions and symbols are left out by JSON; a BigInt fails its schema or the serializer
      break
  }
  return budget.left < 0 ? OVER : undefined
}

function charge (budget: Budget, length: number): typeof OVER | undefined {
  budget.left -= length
  return budget.left < 0 ? OVER : undefined
}

/** An object as JSON writes it: what its `toJSON` returns, when it has one (a Date is a string). */
function walkWritten (value: object, at: string, budget: Budget): string | typeof OVER | undefined {
  const toJSON = (value as { toJSON?: unknown }).toJSON
  if (typeof toJSON !== 'function') return walkObject(value, at, budget)
  let written: unknown
  try {
    written = toJSON.call(value)
  } catch {
    // a toJSON that throws fails in the serializer, which reports it
    return undefined
  }
  return written !== null && typeof written === 'object' ? walkObject(written, at, budget) : walk(written, at, budget)
}

function walkObject (value: object, at: string, budget: Budget): string | typeof OVER | undefined {
  if (budget.path.has(value)) return `${at} refers to itself (a cycle), which JSON cannot write`
  if (budget.path.size >= MAX_MEMBER_DEPTH) return `${at} nests deeper than ${MAX_MEMBER_DEPTH} levels; send a flatter value`
  if (charge(budget, 2) === OVER) return OVER
  budget.path.add(value)
  let found: string | typeof OVER | undefined
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && found === undefined; i++) {
      found = (i > 0 ? charge(budget, 1) : undefined) ?? walk(value[i] ?? null, `${at}/${i}`, budget)
    }
  } else {
    for (const key of Object.keys(value)) {
      if (found !== undefined) break
      // the key, its quotes, the colon and a comma; a key over the bound is not looked at
      found = charge(budget, key.length + 4) ?? walk((value as Record<string, unknown>)[key], `${at}/${key}`, budget)
    }
  }
  budget.path.delete(value)
  return found
}

/**
 * Extension members are bounded as a whole, like `detail`, before any schema sees them: a huge
 * value is a bug, never a response, and must not cost more than one at the bound to refuse.
 */
function unsendable (members: Record<string, MemberSchema>, values: Record<string, unknown>): string | undefined {
  const budget: Budget = { left: MAX_MEMBERS_LENGTH, path: new Set() }
  for (const name of Object.keys(members)) {
    if (!Object.hasOwn(values, name)) continue
    const found = walk(values[name], `member/${name}`, budget)
    if (found === OVER) return `members are over the limit of ${MAX_MEMBERS_LENGTH} characters once serialized; send a shorter value, or a link to the full one`
    // the path to the value names keys, which may be long
    if (found !== undefined) return bound(found, MAX_DESCRIPTION_LENGTH)
  }
  return undefined
}

/** The schema failures, at most MAX_LISTED_FAILURES of them, each bounded: the message stays short whatever the value. */
function failuresText (errors: readonly ErrorObject[]): string {
  const listed = errors.slice(0, MAX_LISTED_FAILURES).map((e) => bound(`member${e.instancePath} ${String(e.message)}`, MAX_FAILURE_LENGTH))
  const more = errors.length - listed.length
  return listed.join(', ') + (more > 0 ? `, and ${more} more` : '')
}

/**
 * Extension members are checked against their catalog schemas where a problem is built.
 * Validators compile lazily, once per code, so registering a large catalog stays cheap.
 */
export function createMemberValidator () {
  const { Ajv, addFormats } = deferredModules()
  const standardUrl = addFormats.get('url') as RegExp
  // ownProperties: a value inherited from Object.prototype is never read as a member
  const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false, ownProperties: true })
  addFormats(ajv)
  ajv.addFormat('uri', { type: 'string', validate: isHttpUrl })
  ajv.addFormat('url', { type: 'string', validate: (value: string) => standardUrl.test(value) && isHttpUrl(value) })
  const compiled = new Map<string, ValidateFunction>()

  function checkSchema (schema: unknown): string | undefined {
    if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
      return 'is not a JSON Schema object'
    }
    if (ajv.validateSchema(schema as object) !== true) {
      return ajv.errorsText(ajv.errors, { dataVar: 'schema' })
    }
    const format = unknownFormat(schema)
    if (format !== undefined) return `uses the unknown format "${format}"; use one of ${Object.keys(ajv.formats).join(', ')}`
    // a schema can pass the meta-schema and still not compile: a pattern that is not a regular expression;
    // find out at registration, not on the first request that sends this problem (without compiling
    // every member schema: a catalog of 10,000 codes registers in a fraction of a second)
    return invalidPattern(schema)
  }

  /** The first `pattern` (or `patternProperties` key) that is not a regular expression, described. */
  function invalidPattern (schema: unknown): string | undefined {
    return firstInSchema(schema, (key, value) => {
      const patterns = key === 'pattern' && typeof value === 'string' ? [value] : key === 'patternProperties' && value !== null && typeof value === 'object' ? Object.keys(value) : []
      for (const pattern of patterns) {
        try {
          // ajv's own construction of patterns (unicodeRegExp: true)
          RegExp(pattern, 'u')
        } catch (error) {
          return `has the pattern ${JSON.stringify(pattern)}, which is not a regular expression (${(error as Error).message})`
        }
      }
      return undefined
    })
  }

  /** The first `format` the validator does not know (Ajv would only warn on the console and ignore it). */
  function unknownFormat (schema: unknown): string | undefined {
    return firstInSchema(schema, (key, value) => key === 'format' && typeof value === 'string' && !Object.hasOwn(ajv.formats, value) ? value : undefined)
  }

  /**
   * Returns undefined when valid, otherwise a short list of what is wrong. A value whose reading
   * throws (a Proxy, a getter) throws, with a bounded message.
   */
  function validate (code: string, members: Record<string, MemberSchema>, required: readonly string[], values: Record<string, unknown>): string | undefined {
    let check = compiled.get(code)
    if (check === undefined) {
      check = ajv.compile({ type: 'object', properties: members, required })
      compiled.set(code, check)
    }
    try {
      const why = unsendable(members, values)
      if (why !== undefined) return why
      // ajv sets `errors` whenever a value fails
      return check(values) ? undefined : failuresText(check.errors as ErrorObject[])
    } catch (failure) {
      const message = safeGet(failure, 'message')
      if (typeof message === 'string' && message.length > MAX_DESCRIPTION_LENGTH) throw new Error(bound(message, MAX_DESCRIPTION_LENGTH))
      throw failure
    }
  }

  return { checkSchema, validate }
}

export type MemberValidator = ReturnType<typeof createMemberValidator>
