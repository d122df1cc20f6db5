/**
 * JSON with the keys of every object sorted by UTF-16 code units (never by locale), so the same
 * value gives the same bytes whatever order its keys were written in. `JSON.stringify` cannot do
 * this: JavaScript objects put integer-like keys ("404") first whatever their insertion order.
 * Like `JSON.stringify`, keys whose value is `undefined` or a function are left out.
 */
export function canonicalJson (value: unknown, indent: string = ''): string {
  return write(value, indent, '')
}

function write (value: unknown, step: string, current: string): string {
  const inner = current + step
  const newline = step === '' ? '' : '\n'
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    const items = value.map((item) => inner + (isOmitted(item) ? 'null' : write(item, step, inner)))
    return `[${newline}${items.join(',' + newline)}${newline}${current}]`
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>
    const keys = Object.keys(record).filter((key) => !isOmitted(record[key])).sort()
    if (keys.length === 0) return '{}'
    const separator = step === '' ? ':' : ': '
    const members = keys.map((key) => inner + JSON.stringify(key) + separator + write(record[key], step, inner))
    return `{${newline}${members.join(',' + newline)}${newline}${current}}`
  }
  // numbers that JSON cannot hold (NaN, Infinity) become null, as with JSON.stringify
  return JSON.stringify(value) ?? 'null'
}

function isOmitted (value: unknown): boolean {
  return value === undefined || typeof value === 'function'
}
