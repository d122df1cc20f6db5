import { builtinCatalog } from '../builtin-catalog.ts'
import { DEFAULT_TYPE_BASE, slugOf } from './slug.ts'

/** The codes a client knows: a catalog object (as registered with the plugin) or a list of codes. */
export type ClientCatalog = { readonly [code: string]: { readonly type?: string, readonly [field: string]: unknown } } | readonly string[]

/** Finds the catalog code of a problem's `type`. */
export type CodeOfType = (type: string | undefined) => string | undefined

/**
 * The code of a `type` URI, by map lookups and one `startsWith`: linear in the length of the
 * `type`, whatever it holds. A `type` is the code's own `type`, or `typeBase` + its slug (a
 * trailing `/` allowed, as some services publish them).
 */
export function codeOfTypeFor (catalog: ClientCatalog, typeBase: string): CodeOfType {
  const byType = new Map<string, string>()
  const bySlug = new Map<string, string>()
  const entries: Array<[string, { readonly type?: string } | undefined]> = Array.isArray(catalog)
    ? catalog.map((code: string) => [code, undefined])
    : Object.entries(catalog as Record<string, { readonly type?: string }>)
  for (const [code, entry] of entries) {
    byType.set(typeof entry?.type === 'string' ? entry.type : typeBase + slugOf(code), code)
    bySlug.set(slugOf(code), code)
  }
  return function codeOfType (type) {
    if (type === undefined) return undefined
    const exact = byType.get(type)
    if (exact !== undefined || !type.startsWith(typeBase)) return exact
    const rest = type.slice(typeBase.length)
    return bySlug.get(rest.endsWith('/') ? rest.slice(0, -1) : rest)
  }
}

/** Checks the `catalog` and `typeBase` options of a client function and returns its code finder. */
export function codeOfTypeFromOptions (catalog: unknown, typeBase: unknown, context: string): CodeOfType {
  if (typeBase !== undefined && (typeof typeBase !== 'string' || typeBase === '')) throw new TypeError(`The option typeBase of ${context} must be a non-empty string such as "/problems/"`)
  if (catalog !== undefined && (catalog === null || typeof catalog !== 'object')) throw new TypeError(`The option catalog of ${context} must be a catalog object or a list of codes`)
  return codeOfTypeFor((catalog ?? builtinCatalog) as ClientCatalog, typeBase ?? DEFAULT_TYPE_BASE)
}
