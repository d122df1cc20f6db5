import { safeGet } from './guards.ts'

/** Headers an error may not set: they describe the body or the connection, which the plugin owns. */
const FORBIDDEN = new Set(['content-type', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'trailer', 'te', 'host', 'set-cookie'])
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
// eslint-disable-next-line no-control-regex
const UNSAFE_VALUE = /[\u0000-\u0008\u000a-\u001f\u007f-\uffff]/
const MAX_HEADERS = 32
const MAX_VALUE_LENGTH = 4096

function safeValue (value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (typeof value !== 'string' || value.length > MAX_VALUE_LENGTH || UNSAFE_VALUE.test(value)) return undefined
  return value
}

/**
 * Headers to send with a problem: the error's own headers when they are well formed (names are
 * tokens, values carry no control or non-Latin-1 characters), plus `Retry-After` for retryable
 * problems whose delay is known. Anything odd is dropped, never sent.
 */
export function problemHeaders (source: unknown, retryable: boolean, retryAfter: number | undefined, entryRetryAfter: number | undefined): Record<string, string | string[]> | undefined {
  let out: Record<string, string | string[]> | undefined
  if (source !== null && typeof source === 'object') {
    let keys: string[] = []
    try {
      keys = Object.keys(source).slice(0, MAX_HEADERS)
    } catch {}
    for (const key of keys) {
      const name = key.toLowerCase()
      if (!TOKEN.test(name) || FORBIDDEN.has(name)) continue
      const raw = safeGet(source, key)
      let value: string | string[] | undefined
      if (Array.isArray(raw)) {
        const values = raw.slice(0, MAX_HEADERS).map(safeValue)
        value = values.every((v) => v !== undefined) ? values as string[] : undefined
      } else {
        value = safeValue(raw)
      }
      if (value === undefined) continue
      if (name === 'retry-after' && (!retryable || typeof value !== 'string' || !/^(\d{1,10}|[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT)$/.test(value))) continue
      out ??= {}
      out[name] = value
    }
  }
  // the occurrence's own delay wins, then the error's header, then the catalog entry's default
  const delay = retryAfter ?? (out?.['retry-after'] === undefined ? entryRetryAfter : undefined)
  if (retryable && typeof delay === 'number' && Number.isInteger(delay) && delay >= 0 && delay <= 2 ** 31) {
    out ??= {}
    out['retry-after'] = String(delay)
  }
  return out
}
