/** Default of `typeBase`: the prefix of the plugin's `type` URIs. */
export const DEFAULT_TYPE_BASE = '/problems/'

/** The URL slug of a code: lower case, `_` turned into `-`. */
export function slugOf (code: string): string {
  return code.toLowerCase().replaceAll('_', '-')
}
