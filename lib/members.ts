import Ajv, { type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import type { MemberSchema } from './member-types.ts'

/** Keywords whose values are data, not schemas: a `format` or `pattern` key inside them means nothing. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples'])

/** Longest the declared extension members of one problem may be, serialized as JSON, in characters. */
export const MAX_MEMBERS_LENGTH = 8192

/** Extension members are bounded as a whole, like `detail`: a huge value is a bug, never a response. */
function oversized (members: Record<string, MemberSchema>, values: Record<string, unknown>): string | undefined {
  let length = 0
  for (const name of Object.keys(members)) {
    try {
      length += JSON.stringify(values[name])?.length ?? 0
    } catch {
      // a value JSON cannot write (BigInt, cycle) fails in the serializer, which reports it
    }
  }
  if (length <= MAX_MEMBERS_LENGTH) return undefined
  return `members are ${length} characters long once serialized, over the limit of ${MAX_MEMBERS_LENGTH}; send a shorter value, or a link to the full one`
}

/**
 * Extension members are checked against their catalog schemas where a problem is built.
 * Validators compile lazily, once per code, so registering a large catalog stays cheap.
 */
export function createMemberValidator () {
  const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false })
  addFormats(ajv)
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
    if (schema === null || typeof schema !== 'object') return undefined
    for (const [key, value] of Object.entries(schema)) {
      if (DATA_KEYWORDS.has(key)) continue
      const patterns = key === 'pattern' && typeof value === 'string' ? [value] : key === 'patternProperties' && value !== null && typeof value === 'object' ? Object.keys(value) : []
      for (const pattern of patterns) {
        try {
          // ajv's own construction of patterns (unicodeRegExp: true)
          RegExp(pattern, 'u')
        } catch (error) {
          return `has the pattern ${JSON.stringify(pattern)}, which is not a regular expression (${(error as Error).message})`
        }
      }
      const nested = invalidPattern(value)
      if (nested !== undefined) return nested
    }
    return undefined
  }

  /** The first `format` the validator does not know (Ajv would only warn on the console and ignore it). */
  function unknownFormat (schema: unknown): string | undefined {
    if (schema === null || typeof schema !== 'object') return undefined
    for (const [key, value] of Object.entries(schema)) {
      if (DATA_KEYWORDS.has(key)) continue
      if (key === 'format' && typeof value === 'string' && !Object.hasOwn(ajv.formats, value)) return value
      const nested = unknownFormat(value)
      if (nested !== undefined) return nested
    }
    return undefined
  }

  /** Returns undefined when valid, otherwise a readable list of what is wrong. */
  function validate (code: string, members: Record<string, MemberSchema>, required: readonly string[], values: Record<string, unknown>): string | undefined {
    let check = compiled.get(code)
    if (check === undefined) {
      check = ajv.compile({ type: 'object', properties: members, required })
      compiled.set(code, check)
    }
    if (!check(values)) return ajv.errorsText(check.errors, { dataVar: 'member' })
    return oversized(members, values)
  }

  return { checkSchema, validate }
}

export type MemberValidator = ReturnType<typeof createMemberValidator>
