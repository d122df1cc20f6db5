/**
 * Type-level view of the catalog: codes and their extension members, derived from the same
 * catalog objects the runtime uses, so the two cannot drift.
 */

/** The JSON Schema subset a catalog member may use (any JSON Schema keyword is accepted at runtime). */
export interface MemberSchema {
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object' | 'null' | readonly string[]
  description?: string
  format?: string
  enum?: readonly unknown[]
  const?: unknown
  items?: MemberSchema
  properties?: { readonly [name: string]: MemberSchema }
  required?: readonly string[]
  additionalProperties?: boolean | MemberSchema
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  minItems?: number
  maxItems?: number
  pattern?: string
  examples?: readonly unknown[]
  [keyword: string]: unknown
}

type Simplify<T> = { [K in keyof T]: T[K] } & {}

type FromType<T, S> =
  T extends 'string' ? string
    : T extends 'number' | 'integer' ? number
      : T extends 'boolean' ? boolean
        : T extends 'null' ? null
          : T extends 'array' ? S extends { items: infer I } ? ReadonlyArray<FromSchema<I>> : readonly unknown[]
            : T extends 'object' ? S extends { properties: infer P } ? FromProperties<P, S> : Record<string, unknown>
              : unknown

type FromProperties<P, S> = Simplify<
  { [K in keyof P as K extends RequiredKeys<S> ? K : never]: FromSchema<P[K]> } &
  { [K in keyof P as K extends RequiredKeys<S> ? never : K]?: FromSchema<P[K]> }
>

type RequiredKeys<S> = S extends { required: ReadonlyArray<infer R> } ? R : never

/** The TypeScript type of a value that satisfies JSON Schema `S` (common keywords only). */
export type FromSchema<S> =
  S extends { const: infer C } ? C
    : S extends { enum: ReadonlyArray<infer E> } ? E
      : S extends { type: ReadonlyArray<infer T> } ? FromType<T, S>
        : S extends { type: infer T } ? FromType<T, S>
          : unknown

/** The extension members of a catalog entry, typed from its `members` schemas (all optional unless `required`). */
export type MembersOf<E> = E extends { members: infer M }
  ? Simplify<
    { [K in keyof M as K extends RequiredKeys<E> ? K : never]: FromSchema<M[K]> } &
    { [K in keyof M as K extends RequiredKeys<E> ? never : K]?: FromSchema<M[K]> }
  >
  : {}

/** Maps every code of a catalog object to its members type: `interface ProblemRegistry extends CatalogMembers<typeof myCatalog> {}`. */
export type CatalogMembers<C> = { [K in keyof C & string]: MembersOf<C[K]> }
