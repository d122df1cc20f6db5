import type { FastifyInstance } from 'fastify'
import { PROBLEM_SCHEMA_ID, PROBLEM_SCHEMA_TITLE } from './serializer.ts'

const GENERATED_NAME = /^def-\d+$/
const KEPT = Symbol.for('fastify-problem-details.swagger-name-kept')

type Doc = { components?: { schemas?: Record<string, unknown> }, definitions?: Record<string, unknown> }

function rewriteRefs (node: unknown, from: string, to: string): void {
  if (node === null || typeof node !== 'object') return
  if (Array.isArray(node)) {
    for (const item of node) rewriteRefs(item, from, to)
    return
  }
  const record = node as Record<string, unknown>
  const ref = record.$ref
  if (typeof ref === 'string' && (ref === from || ref.startsWith(from + '/'))) record.$ref = to + ref.slice(from.length)
  for (const key of Object.keys(record)) rewriteRefs(record[key], from, to)
}

/**
 * Renames the component @fastify/swagger generated for the shared problem schema (`def-N`) to
 * `ProblemDetails`, and every reference to it. Returns the generated name, or undefined when there
 * is none to rename (the application's own `refResolver` kept the name, or no problem schema).
 */
export function nameProblemComponent (document: unknown): string | undefined {
  const doc = document as Doc | null
  const openapi = doc?.components?.schemas !== undefined
  const container = openapi ? doc?.components?.schemas : doc?.definitions
  if (container === null || typeof container !== 'object' || Object.hasOwn(container, PROBLEM_SCHEMA_ID)) return undefined
  const generated = Object.keys(container).find((name) => GENERATED_NAME.test(name) && (container[name] as { title?: unknown } | null)?.title === PROBLEM_SCHEMA_TITLE)
  if (generated === undefined) return undefined
  const renamed = Object.fromEntries(Object.entries(container).map(([name, schema]) => [name === generated ? PROBLEM_SCHEMA_ID : name, schema]))
  if (openapi) (doc as Required<Doc>).components.schemas = renamed
  else (doc as Required<Doc>).definitions = renamed
  const prefix = openapi ? '#/components/schemas/' : '#/definitions/'
  rewriteRefs(doc, prefix + generated, prefix + PROBLEM_SCHEMA_ID)
  return generated
}

/** The same renaming in the YAML text @fastify/swagger writes: the component's key and the references. */
function renameInYaml (text: string, generated: string): string {
  return text
    .replace(new RegExp(`^(\\s+)${generated}:`, 'm'), `$1${PROBLEM_SCHEMA_ID}:`)
    .replace(new RegExp(`(#/(?:components/schemas|definitions)/)${generated}(?![\\w-])`, 'g'), `$1${PROBLEM_SCHEMA_ID}`)
}

/**
 * @fastify/swagger names shared schemas `def-0`, `def-1`... unless the application passes a
 * `refResolver`, so the problem schema would lose its name. When the instance has the `swagger`
 * decorator, its documents (JSON object and YAML text) get the `ProblemDetails` component back.
 */
export function keepProblemSchemaName (fastify: FastifyInstance): void {
  const holder = fastify as unknown as { swagger?: unknown }
  const original = holder.swagger
  if (typeof original !== 'function' || (original as { [KEPT]?: boolean })[KEPT] === true) return
  let generated: string | undefined
  const swagger = function swagger (this: unknown, options?: { yaml?: boolean }): unknown {
    const result: unknown = original.call(this, options)
    if (typeof result !== 'string') {
      generated = nameProblemComponent(result) ?? generated
      return result
    }
    // the YAML text is built apart from the object: the object tells the generated name
    if (generated === undefined) generated = nameProblemComponent(original.call(this))
    return generated === undefined ? result : renameInYaml(result, generated)
  }
  Object.defineProperty(swagger, KEPT, { value: true })
  holder.swagger = swagger
}
