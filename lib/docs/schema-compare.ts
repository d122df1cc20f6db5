import { canonicalJson } from './canonical-json.ts'

/**
 * Compares two versions of a member's JSON Schema: did the set of values it accepts grow, shrink,
 * or change in a way this comparison cannot prove either?
 *
 * A schema object is the conjunction of its keywords, so when every keyword accepts at least what
 * it accepted before, the whole schema does too: that is the only case reported as wider. The
 * keywords understood are `type`, `enum`, `const`, `format`, `pattern`, the numeric and length
 * bounds (`minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`, `minLength`,
 * `maxLength`, `minItems`, `maxItems`, `minProperties`, `maxProperties`), `uniqueItems`,
 * `required`, `items` (one schema for every item), and `properties` with `additionalProperties`
 * (property by property, recursively). Annotations (`description`, `title`, `examples`,
 * `$comment`, `deprecated`, `readOnly`, `writeOnly`) never change what is accepted. Any other
 * keyword, and `patternProperties` or tuple `items`, must stay as it was: a change there cannot be
 * proven compatible and is reported as `unknown`.
 */

/** One difference between two schemas. */
export interface SchemaDifference {
  /**
   * `wider`: this keyword accepts every value it accepted before, and more. `narrower`: it rejects
   * some value it accepted before. `unknown`: neither can be proven.
   */
  readonly direction: 'wider' | 'narrower' | 'unknown'
  /** What changed, with its place inside the schema when nested (`properties.zip: pattern "…" added`). */
  readonly what: string
}

/** Keywords that describe values without constraining them. */
const ANNOTATIONS = new Set(['title', 'description', '$comment', 'examples', 'deprecated', 'readOnly', 'writeOnly'])
/** Keywords whose value is one schema, a list of schemas, or a map of schemas. */
const SCHEMA_KEYWORDS = new Set(['items', 'additionalItems', 'additionalProperties', 'contains', 'propertyNames', 'not', 'if', 'then', 'else', 'unevaluatedItems', 'unevaluatedProperties'])
const SCHEMA_LIST_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems'])
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas', 'dependencies'])
/** Keywords whose meaning depends on the whole schema: with them, only an unchanged schema is proven compatible. */
const WHOLE_SCHEMA_KEYWORDS = ['unevaluatedProperties', 'unevaluatedItems']

const LOWER_BOUNDS: Readonly<Record<string, number>> = { minimum: -Infinity, exclusiveMinimum: -Infinity, minLength: 0, minItems: 0, minProperties: 0 }
const UPPER_BOUNDS: Readonly<Record<string, number>> = { maximum: Infinity, exclusiveMaximum: Infinity, maxLength: Infinity, maxItems: Infinity, maxProperties: Infinity }
const ABSENT_ONLY = new Set(['format', 'pattern'])
/** Keywords compared by the rules above; `additionalItems` only counts beside tuple `items`. */
const UNDERSTOOD = new Set(['type', 'enum', 'const', 'multipleOf', 'uniqueItems', 'required', 'items', 'additionalItems', 'properties', 'patternProperties', 'additionalProperties', ...ABSENT_ONLY, ...Object.keys(LOWER_BOUNDS), ...Object.keys(UPPER_BOUNDS)])

const ALL_TYPES = ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string']

type Schema = Record<string, unknown>

function isSchemaObject (value: unknown): value is Schema {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** The schema without its annotations, at every level where a schema can be. */
export function withoutAnnotations (schema: unknown): unknown {
  if (!isSchemaObject(schema)) return schema
  const result: Schema = {}
  for (const [key, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(key)) continue
    if (SCHEMA_KEYWORDS.has(key)) result[key] = Array.isArray(value) ? value.map(withoutAnnotations) : withoutAnnotations(value)
    else if (SCHEMA_LIST_KEYWORDS.has(key) && Array.isArray(value)) result[key] = value.map(withoutAnnotations)
    else if (SCHEMA_MAP_KEYWORDS.has(key) && isSchemaObject(value)) result[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, withoutAnnotations(sub)]))
    else result[key] = value
  }
  return result
}

function same (a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b)
}

function show (value: unknown): string {
  return value === undefined ? 'none' : canonicalJson(value)
}

/** Accepts every value: `{}`. */
function acceptsAll (schema: unknown): boolean {
  return isSchemaObject(schema) && Object.keys(schema).length === 0
}

/**
 * How `after` differs from `before`, keyword by keyword; empty when they accept the same values
 * (annotations aside). `path` prefixes each difference found inside a nested schema.
 */
export function compareSchemas (before: unknown, after: unknown, path: string = ''): SchemaDifference[] {
  // `true` is the schema that accepts everything, as `{}` is
  const b = before === true ? {} : withoutAnnotations(before)
  const a = after === true ? {} : withoutAnnotations(after)
  const at = (what: string): string => path === '' ? what : `${path}: ${what}`
  if (same(b, a)) return []
  if (b === false) return [{ direction: 'wider', what: at('now allowed (it was rejected before)') }]
  if (a === false) return [{ direction: 'narrower', what: at('now rejected') }]
  if (!isSchemaObject(a) || !isSchemaObject(b)) return [{ direction: 'unknown', what: at(`changed from ${show(b)} to ${show(a)}`) }]
  if (WHOLE_SCHEMA_KEYWORDS.some((key) => key in a || key in b)) {
    return [{ direction: 'unknown', what: at(`changed, and ${WHOLE_SCHEMA_KEYWORDS.join(' or ')} depend on the whole schema`) }]
  }

  const differences: SchemaDifference[] = []
  const add = (direction: SchemaDifference['direction'], what: string) => differences.push({ direction, what: at(what) })
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort()
  for (const key of keys) {
    if (UNDERSTOOD.has(key) || same(b[key], a[key])) continue
    add('unknown', b[key] === undefined ? `${key} added` : a[key] === undefined ? `${key} removed` : `${key} changed from ${show(b[key])} to ${show(a[key])}`)
  }
  compareType(b.type, a.type, add)
  compareEnum(b.enum, a.enum, add)
  compareConst(b, a, add)
  for (const key of ABSENT_ONLY) compareAbsentOnly(key, b[key], a[key], add)
  for (const [key, absent] of Object.entries(LOWER_BOUNDS)) compareBound(key, absent, 1, b[key], a[key], add)
  for (const [key, absent] of Object.entries(UPPER_BOUNDS)) compareBound(key, absent, -1, b[key], a[key], add)
  compareMultipleOf(b.multipleOf, a.multipleOf, add)
  compareUniqueItems(b.uniqueItems, a.uniqueItems, add)
  compareRequired(b.required, a.required, add)
  differences.push(...compareItems(b, a, path))
  differences.push(...compareProperties(b, a, path))
  // a schema that accepts everything is wider than any other, whatever the keywords say
  if (acceptsAll(a) && differences.length > 0) return [{ direction: 'wider', what: at('now accepts any value') }]
  return differences
}

type Add = (direction: SchemaDifference['direction'], what: string) => void

function typeList (type: unknown): string[] | undefined {
  if (type === undefined) return ALL_TYPES
  const list = Array.isArray(type) ? type : [type]
  return list.every((item) => ALL_TYPES.includes(item)) ? [...new Set(list as string[])].sort() : undefined
}

/** Every value of the types in `inner` has a type in `outer` (an integer is a number). */
function typesWithin (inner: readonly string[], outer: readonly string[]): boolean {
  return inner.every((type) => outer.includes(type) || (type === 'integer' && outer.includes('number')))
}

function compareType (before: unknown, after: unknown, add: Add): void {
  if (same(before, after)) return
  const b = typeList(before)
  const a = typeList(after)
  const name = (value: unknown) => Array.isArray(value) ? value.join(' or ') : String(value)
  const change = before === undefined ? `type ${name(after)} added` : after === undefined ? `type ${name(before)} removed` : `type changed from ${name(before)} to ${name(after)}`
  if (b === undefined || a === undefined) return add('unknown', change)
  if (same(a, b)) return
  add(typesWithin(b, a) ? 'wider' : 'narrower', change)
}

function compareEnum (before: unknown, after: unknown, add: Add): void {
  if (same(before, after)) return
  if ((before !== undefined && !Array.isArray(before)) || (after !== undefined && !Array.isArray(after))) return add('unknown', `enum changed from ${show(before)} to ${show(after)}`)
  if (before === undefined) return add('narrower', `enum added: only ${(after as unknown[]).map(show).join(', ')}`)
  if (after === undefined) return add('wider', 'enum removed')
  const b = new Set(before.map(show))
  const a = new Set((after as unknown[]).map(show))
  const removed = [...b].filter((value) => !a.has(value))
  const added = [...a].filter((value) => !b.has(value))
  if (removed.length > 0) add('narrower', `enum values removed: ${removed.join(', ')}`)
  if (added.length > 0) add('wider', `enum values added: ${added.join(', ')}`)
}

function compareConst (before: Schema, after: Schema, add: Add): void {
  const b = Object.hasOwn(before, 'const')
  const a = Object.hasOwn(after, 'const')
  if (b && a && same(before.const, after.const)) return
  if (!b && a) add('narrower', `const ${show(after.const)} added`)
  else if (b && !a) add('wider', 'const removed')
  else if (b && a) add('narrower', `const changed from ${show(before.const)} to ${show(after.const)}`)
}

function compareAbsentOnly (key: string, before: unknown, after: unknown, add: Add): void {
  if (same(before, after)) return
  if (before === undefined) add('narrower', `${key} ${show(after)} added`)
  else if (after === undefined) add('wider', `${key} ${show(before)} removed`)
  else add('unknown', `${key} changed from ${show(before)} to ${show(after)}`)
}

/** `sign` 1: a lower bound (raising it narrows); -1: an upper bound (lowering it narrows). */
function compareBound (key: string, absent: number, sign: 1 | -1, before: unknown, after: unknown, add: Add): void {
  if (same(before, after)) return
  const b = before ?? absent
  const a = after ?? absent
  if (typeof b !== 'number' || typeof a !== 'number') return add('unknown', `${key} changed from ${show(before)} to ${show(after)}`)
  if (a === b) return
  const what = before === undefined ? `${key} ${a} added` : after === undefined ? `${key} ${b} removed` : `${key} ${a > b ? 'raised' : 'lowered'} from ${b} to ${a}`
  add((a - b) * sign > 0 ? 'narrower' : 'wider', what)
}

function compareMultipleOf (before: unknown, after: unknown, add: Add): void {
  if (same(before, after)) return
  if (before === undefined) return add('narrower', `multipleOf ${show(after)} added`)
  if (after === undefined) return add('wider', `multipleOf ${show(before)} removed`)
  const what = `multipleOf changed from ${show(before)} to ${show(after)}`
  // only whole numbers divide exactly in floating point
  if (!Number.isSafeInteger(before) || !Number.isSafeInteger(after)) return add('unknown', what)
  if ((before as number) % (after as number) === 0) add('wider', what)
  else if ((after as number) % (before as number) === 0) add('narrower', what)
  else add('unknown', what)
}

function compareUniqueItems (before: unknown, after: unknown, add: Add): void {
  const b = before ?? false
  const a = after ?? false
  if (b === a) return
  if (typeof b !== 'boolean' || typeof a !== 'boolean') return add('unknown', `uniqueItems changed from ${show(before)} to ${show(after)}`)
  add(a ? 'narrower' : 'wider', a ? 'uniqueItems added' : 'uniqueItems removed')
}

function compareRequired (before: unknown, after: unknown, add: Add): void {
  const b = before ?? []
  const a = after ?? []
  if (!Array.isArray(b) || !Array.isArray(a)) return add('unknown', `required changed from ${show(before)} to ${show(after)}`)
  const added = a.filter((name) => !b.includes(name))
  const removed = b.filter((name) => !a.includes(name))
  if (added.length > 0) add('narrower', `now required: ${added.map(show).join(', ')}`)
  if (removed.length > 0) add('wider', `no longer required: ${removed.map(show).join(', ')}`)
}

function nested (path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`
}

function compareItems (before: Schema, after: Schema, path: string): SchemaDifference[] {
  if (Array.isArray(before.items) || Array.isArray(after.items)) {
    if (same(before.items, after.items) && same(before.additionalItems, after.additionalItems)) return []
    return [{ direction: 'unknown', what: `${nested(path, 'items')}: tuple items changed` }]
  }
  // without tuple items, additionalItems has no effect
  return compareSchemas(before.items ?? true, after.items ?? true, nested(path, 'items'))
}

/** The worst direction among differences: any narrowing, else anything unproven, else wider. */
export function worstDirection (differences: readonly SchemaDifference[]): SchemaDifference['direction'] | undefined {
  if (differences.length === 0) return undefined
  if (differences.some((difference) => difference.direction === 'narrower')) return 'narrower'
  return differences.some((difference) => difference.direction === 'unknown') ? 'unknown' : 'wider'
}

/**
 * `properties` and `additionalProperties` together: each named property is held by its own schema,
 * else by `additionalProperties`; every other name by `additionalProperties`.
 */
function compareProperties (before: Schema, after: Schema, path: string): SchemaDifference[] {
  const keys = ['properties', 'patternProperties', 'additionalProperties']
  if (keys.every((key) => same(before[key], after[key]))) return []
  const bProperties = before.properties ?? {}
  const aProperties = after.properties ?? {}
  if ('patternProperties' in before || 'patternProperties' in after || !isSchemaObject(bProperties) || !isSchemaObject(aProperties)) {
    return [{ direction: 'unknown', what: `${path === '' ? '' : `${path}: `}properties changed beside patternProperties` }]
  }
  const bOther = before.additionalProperties ?? true
  const aOther = after.additionalProperties ?? true
  const differences: SchemaDifference[] = []
  const names = [...new Set([...Object.keys(bProperties), ...Object.keys(aProperties)])].sort()
  for (const name of names) {
    const where = nested(path, `properties.${name}`)
    if (Object.hasOwn(bProperties, name) && Object.hasOwn(aProperties, name)) {
      differences.push(...compareSchemas(bProperties[name], aProperties[name], where))
      continue
    }
    const removed = Object.hasOwn(bProperties, name)
    const found = removed ? compareSchemas(bProperties[name], aOther) : compareSchemas(bOther, aProperties[name])
    const direction = worstDirection(found)
    if (direction === undefined) continue
    differences.push({ direction, what: `${where} ${removed ? 'removed' : 'added'} (${found.map((difference) => difference.what).join('; ')})` })
  }
  differences.push(...compareSchemas(bOther, aOther, nested(path, 'additionalProperties')))
  return differences
}
