/** Checks of the client's options: a wrong value throws a `TypeError` that names the option. */

/** `value` when it is a number of at least `min` (whole when `integer`), `fallback` when undefined; otherwise throws. */
export function numberOption (name: string, value: unknown, fallback: number, min: number, integer: boolean): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value >= min) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new TypeError(`The option ${name} must be a ${integer ? 'whole ' : ''}number of at least ${min}, got ${typeof value === 'number' ? String(value) : typeof value}`)
  }
  return value
}

/** Throws for a key of `options` that is not in `known`: a misspelt option must not silently become its default. */
export function checkOptionNames (options: object, known: readonly string[], context: string): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new TypeError(`${key} is not an option of ${context}; known options are ${known.join(', ')}`)
  }
}
