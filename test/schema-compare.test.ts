import t, { type Test } from 'tap'
import { compareSchemas, withoutAnnotations, worstDirection } from '../lib/docs/schema-compare.ts'

type Case = [before: unknown, after: unknown, expected: Array<[direction: 'wider' | 'narrower' | 'unknown', what: string]>]

/** Compares one keyword's change: what it reports, and in which direction. */
function check (t: Test, cases: Case[]) {
  for (const [before, after, expected] of cases) {
    const found = compareSchemas(before, after).map((difference) => [difference.direction, difference.what])
    t.strictSame(found, expected, `${JSON.stringify(before)} -> ${JSON.stringify(after)}`)
  }
}

t.test('annotations never change what a schema accepts', async (t) => {
  check(t, [
    [{ type: 'string', description: 'a' }, { type: 'string', description: 'b', title: 't', examples: ['x'], $comment: 'c', deprecated: true, readOnly: true, writeOnly: false }, []],
    [{ type: 'object', properties: { a: { type: 'string', description: 'x' } } }, { type: 'object', properties: { a: { type: 'string', description: 'y' } } }, []],
    [{ items: { description: 'x' } }, {}, []],
    [true, {}, []],
    [{}, { description: 'anything' }, []]
  ])
  // only where a schema can be: a property named "description" stays, and so do data keywords
  t.strictSame(withoutAnnotations({
    description: 'x',
    properties: { description: { type: 'string', title: 't' } },
    anyOf: [{ title: 'a', type: 'string' }],
    items: [{ description: 'tuple' }],
    enum: [{ description: 'a value' }],
    dependencies: { a: ['b'], c: { description: 'd', required: ['e'] } },
    not: 'not a schema'
  }), {
    properties: { description: { type: 'string' } },
    anyOf: [{ type: 'string' }],
    items: [{}],
    enum: [{ description: 'a value' }],
    dependencies: { a: ['b'], c: { required: ['e'] } },
    not: 'not a schema'
  })
  t.equal(withoutAnnotations(true), true)
  t.strictSame(withoutAnnotations({ allOf: 'not a list', properties: [] }), { allOf: 'not a list', properties: [] })
})

t.test('type: more types is wider, fewer or other types narrower, integer is a number', async (t) => {
  check(t, [
    [{ type: 'integer' }, { type: 'number' }, [['wider', 'type changed from integer to number']]],
    [{ type: 'number' }, { type: 'integer' }, [['narrower', 'type changed from number to integer']]],
    [{ type: 'string' }, { type: ['string', 'null'] }, [['wider', 'type changed from string to string or null']]],
    [{ type: ['null', 'string'] }, { type: 'string' }, [['narrower', 'type changed from null or string to string']]],
    [{ type: 'string' }, { type: 'integer' }, [['narrower', 'type changed from string to integer']]],
    [{ type: 'string' }, { type: ['string'] }, []],
    [{}, { type: 'string' }, [['narrower', 'type string added']]],
    [{ type: 'string', minLength: 1 }, { minLength: 1 }, [['wider', 'type string removed']]],
    [{ type: 'text' }, { type: 'string' }, [['unknown', 'type changed from text to string']]]
  ])
})

t.test('enum and const: values removed narrow, values added widen', async (t) => {
  check(t, [
    [{ enum: ['a', 'b'] }, { enum: ['b', 'a'] }, []],
    [{ enum: ['a', 'b'] }, { enum: ['a'] }, [['narrower', 'enum values removed: "b"']]],
    [{ enum: ['a'] }, { enum: ['a', 'b'] }, [['wider', 'enum values added: "b"']]],
    [{ enum: ['a', 'b'] }, { enum: ['a', 'c'] }, [['narrower', 'enum values removed: "b"'], ['wider', 'enum values added: "c"']]],
    [{ enum: [{ x: 1, y: 2 }] }, { enum: [{ y: 2, x: 1 }] }, []],
    [{}, { enum: [1, 2] }, [['narrower', 'enum added: only 1, 2']]],
    [{ type: 'integer', enum: [1] }, { type: 'integer' }, [['wider', 'enum removed']]],
    [{ enum: [1] }, {}, [['wider', 'now accepts any value']]],
    [{ enum: 'a' }, { enum: ['a'] }, [['unknown', 'enum changed from "a" to ["a"]']]],
    [{ const: 'a' }, { const: 'a', description: 'x' }, []],
    [{}, { const: 'a' }, [['narrower', 'const "a" added']]],
    [{ const: null, type: 'null' }, { type: 'null' }, [['wider', 'const removed']]],
    [{ const: 'a' }, { const: 'b' }, [['narrower', 'const changed from "a" to "b"']]],
    [{ const: 'a', maxLength: 1 }, { const: 'a', maxLength: 2 }, [['wider', 'maxLength raised from 1 to 2']]]
  ])
})

t.test('format and pattern: added narrows, removed widens, changed cannot be proven', async (t) => {
  check(t, [
    [{ type: 'string' }, { type: 'string', format: 'uri' }, [['narrower', 'format "uri" added']]],
    [{ type: 'string', format: 'uri' }, { type: 'string' }, [['wider', 'format "uri" removed']]],
    [{ format: 'email' }, { format: 'idn-email' }, [['unknown', 'format changed from "email" to "idn-email"']]],
    [{}, { pattern: '^a' }, [['narrower', 'pattern "^a" added']]],
    [{ pattern: '^a' }, { pattern: '^[ab]' }, [['unknown', 'pattern changed from "^a" to "^[ab]"']]]
  ])
})

t.test('bounds: a lower bound raised or an upper bound lowered narrows', async (t) => {
  check(t, [
    [{ maximum: 10 }, { maximum: 5 }, [['narrower', 'maximum lowered from 10 to 5']]],
    [{ maximum: 5 }, { maximum: 10 }, [['wider', 'maximum raised from 5 to 10']]],
    [{}, { maximum: 10 }, [['narrower', 'maximum 10 added']]],
    [{ type: 'number', maximum: 10 }, { type: 'number' }, [['wider', 'maximum 10 removed']]],
    [{ minimum: 1 }, { minimum: 2 }, [['narrower', 'minimum raised from 1 to 2']]],
    [{ type: 'number', minimum: 1 }, { type: 'number' }, [['wider', 'minimum 1 removed']]],
    [{ exclusiveMinimum: 0 }, { exclusiveMinimum: -1 }, [['wider', 'exclusiveMinimum lowered from 0 to -1']]],
    [{ exclusiveMaximum: 1 }, { exclusiveMaximum: 0.5 }, [['narrower', 'exclusiveMaximum lowered from 1 to 0.5']]],
    [{ minLength: 0 }, {}, []],
    [{}, { minLength: 1 }, [['narrower', 'minLength 1 added']]],
    [{ maxLength: 5 }, { maxLength: 3 }, [['narrower', 'maxLength lowered from 5 to 3']]],
    [{ minItems: 1 }, { minItems: 0 }, [['wider', 'minItems lowered from 1 to 0']]],
    [{ maxItems: 2 }, { maxItems: 3 }, [['wider', 'maxItems raised from 2 to 3']]],
    [{ minProperties: 1 }, { minProperties: 2 }, [['narrower', 'minProperties raised from 1 to 2']]],
    [{ maxProperties: 2 }, { maxProperties: 1 }, [['narrower', 'maxProperties lowered from 2 to 1']]],
    [{ maximum: '10' }, { maximum: 5 }, [['unknown', 'maximum changed from "10" to 5']]],
    [{ multipleOf: 4 }, { multipleOf: 2 }, [['wider', 'multipleOf changed from 4 to 2']]],
    [{ multipleOf: 2 }, { multipleOf: 4 }, [['narrower', 'multipleOf changed from 2 to 4']]],
    [{ multipleOf: 2 }, { multipleOf: 3 }, [['unknown', 'multipleOf changed from 2 to 3']]],
    [{ multipleOf: 0.2 }, { multipleOf: 0.1 }, [['unknown', 'multipleOf changed from 0.2 to 0.1']]],
    [{}, { multipleOf: 5 }, [['narrower', 'multipleOf 5 added']]],
    [{ type: 'number', multipleOf: 5 }, { type: 'number' }, [['wider', 'multipleOf 5 removed']]]
  ])
})

t.test('uniqueItems and required', async (t) => {
  check(t, [
    [{}, { uniqueItems: true }, [['narrower', 'uniqueItems added']]],
    [{ uniqueItems: true }, { uniqueItems: false }, [['wider', 'uniqueItems removed']]],
    [{ uniqueItems: false }, {}, []],
    [{ type: 'array', uniqueItems: 'yes' }, { type: 'array' }, [['unknown', 'uniqueItems changed from "yes" to none']]],
    [{ required: ['a'] }, { required: ['a', 'b'] }, [['narrower', 'now required: "b"']]],
    [{ type: 'object', required: ['a', 'b'] }, { type: 'object' }, [['wider', 'no longer required: "a", "b"']]],
    [{ required: ['b', 'a'] }, { required: ['a', 'b'] }, []],
    [{ required: 'a' }, { required: ['a'] }, [['unknown', 'required changed from "a" to ["a"]']]]
  ])
})

t.test('items: the schema of every item is compared in turn; tuples must stay as they are', async (t) => {
  check(t, [
    [{ type: 'array', items: { type: 'string' } }, { type: 'array', items: { type: 'string', maxLength: 9 } }, [['narrower', 'items: maxLength 9 added']]],
    [{ type: 'array', items: { type: 'integer' } }, { type: 'array' }, [['wider', 'items: now accepts any value']]],
    [{ type: 'array' }, { type: 'array', items: { enum: [1] } }, [['narrower', 'items: enum added: only 1']]],
    [{ items: { type: 'string' }, additionalItems: false }, { items: { type: 'string' } }, []],
    [{ items: [{ type: 'string' }] }, { items: [{ type: 'string' }], additionalItems: false }, [['unknown', 'items: tuple items changed']]],
    [{ items: [{ type: 'string' }] }, { items: [{ type: 'string' }] }, []],
    [{ items: [{ type: 'string' }], description: 'x' }, { items: [{ type: 'string' }] }, []],
    [{ items: [{ type: 'string' }], maxItems: 1 }, { items: [{ type: 'string' }], maxItems: 2 }, [['wider', 'maxItems raised from 1 to 2']]],
    [{ items: { type: 'string' } }, { items: [{ type: 'string' }] }, [['unknown', 'items: tuple items changed']]],
    [{ properties: { pair: { items: [{}, {}] } } }, { properties: { pair: { items: [{}] } } }, [['unknown', 'properties.pair.items: tuple items changed']]]
  ])
})

t.test('properties with additionalProperties: property by property, then every other name', async (t) => {
  const address = (properties: object, more: object = {}) => ({ type: 'object', properties, ...more })
  check(t, [
    [address({ zip: { type: 'string' } }), address({ zip: { type: 'string', pattern: '^[0-9]+$' } }), [['narrower', 'properties.zip: pattern "^[0-9]+$" added']]],
    // a property added to an open object: its values must now match
    [address({}), address({ zip: { type: 'string' } }), [['narrower', 'properties.zip added (type string added)']]],
    // added where additionalProperties rejected it: it is now allowed
    [address({}, { additionalProperties: false }), address({ zip: { type: 'string' } }, { additionalProperties: false }), [['wider', 'properties.zip added (now allowed (it was rejected before))']]],
    // removed from an open object: any value goes; from a closed one: rejected
    [address({ zip: { type: 'string' } }), address({}), [['wider', 'properties.zip removed (now accepts any value)']]],
    [address({ zip: { type: 'string' } }, { additionalProperties: false }), address({}, { additionalProperties: false }), [['narrower', 'properties.zip removed (now rejected)']]],
    // removed, but additionalProperties holds it the same way
    [address({ zip: { type: 'string' } }, { additionalProperties: { type: 'string' } }), address({}, { additionalProperties: { type: 'string' } }), []],
    [address({ zip: {} }), address({}), []],
    [address({}), address({}, { additionalProperties: false }), [['narrower', 'additionalProperties: now rejected']]],
    [address({}, { additionalProperties: { type: 'string' } }), address({}), [['wider', 'additionalProperties: now accepts any value']]],
    [address({}, { additionalProperties: { type: 'string' } }), address({}, { additionalProperties: { type: ['string', 'number'] } }), [['wider', 'additionalProperties: type changed from string to string or number']]],
    [address({ a: { type: 'object', properties: { b: { type: 'integer' } } } }), address({ a: { type: 'object', properties: { b: { type: 'integer', maximum: 3 } } } }), [['narrower', 'properties.a.properties.b: maximum 3 added']]],
    [address({}, { patternProperties: { '^x-': { type: 'string' } } }), address({}, { patternProperties: { '^x-': { type: 'string' } }, additionalProperties: false }), [['unknown', 'properties changed beside patternProperties']]],
    [address({}, { patternProperties: { '^x-': {} } }), address({}, { patternProperties: { '^x-': { description: 'extensions' } } }), []],
    [{ properties: [] }, { properties: {} }, [['unknown', 'properties changed beside patternProperties']]]
  ])
  t.strictSame(compareSchemas({ properties: { a: { properties: { b: { patternProperties: {} } } } } }, { properties: { a: { properties: { b: { patternProperties: { x: {} } } } } } }).map((d) => d.what), ['properties.a.properties.b: properties changed beside patternProperties'])
})

t.test('any other keyword must stay as it was; boolean schemas and whole-schema keywords', async (t) => {
  check(t, [
    [{ anyOf: [{ type: 'string' }] }, { anyOf: [{ type: 'string' }, { type: 'null' }] }, [['unknown', 'anyOf changed from [{"type":"string"}] to [{"type":"string"},{"type":"null"}]']]],
    [{ anyOf: [{ type: 'string', description: 'a' }] }, { anyOf: [{ type: 'string', description: 'b' }] }, []],
    [{}, { not: { const: 1 } }, [['unknown', 'not added']]],
    [{ type: 'integer', default: 1 }, { type: 'integer' }, [['unknown', 'default removed']]],
    [{ nullable: true, type: 'string' }, { type: 'string' }, [['unknown', 'nullable removed']]],
    [{ type: 'string' }, true, [['wider', 'now accepts any value']]],
    [false, { type: 'string' }, [['wider', 'now allowed (it was rejected before)']]],
    [{ type: 'string' }, false, [['narrower', 'now rejected']]],
    [false, false, []],
    ['string', { type: 'string' }, [['unknown', 'changed from "string" to {"type":"string"}']]],
    [{ unevaluatedProperties: false }, { unevaluatedProperties: false, maxProperties: 3 }, [['unknown', 'changed, and unevaluatedProperties or unevaluatedItems depend on the whole schema']]],
    [{ type: 'string' }, { type: 'string', unevaluatedItems: false }, [['unknown', 'changed, and unevaluatedProperties or unevaluatedItems depend on the whole schema']]]
  ])
  t.equal(compareSchemas({ maximum: 1 }, { maximum: 2 }, 'x')[0].what, 'x: maximum raised from 1 to 2')
})

t.test('the worst direction decides the classification', async (t) => {
  t.equal(worstDirection([]), undefined)
  t.equal(worstDirection([{ direction: 'wider', what: '' }]), 'wider')
  t.equal(worstDirection([{ direction: 'wider', what: '' }, { direction: 'unknown', what: '' }]), 'unknown')
  t.equal(worstDirection([{ direction: 'unknown', what: '' }, { direction: 'narrower', what: '' }]), 'narrower')
})
