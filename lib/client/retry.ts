/** When a request may be sent again, and how long to wait first. */

/** Methods RFC 9110 defines as idempotent: sending them twice has the effect of sending them once. */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])
const MAX_RETRY_AFTER_LENGTH = 64

/** Whether a request may be repeated: an idempotent method, or any request with an `Idempotency-Key` header. */
export function isSafeToRepeat (method: string, headers: Headers): boolean {
  return IDEMPOTENT_METHODS.has(method.toUpperCase()) || headers.has('idempotency-key')
}

/** `Retry-After` (RFC 9110 section 10.2.3) as seconds: delay-seconds or an HTTP date; undefined when absent or invalid. */
export function retryAfterSeconds (value: string | null, now: number = Date.now()): number | undefined {
  const text = value?.trim()
  if (text === undefined || text === '' || text.length > MAX_RETRY_AFTER_LENGTH) return undefined
  if (/^\d+$/.test(text)) return Number(text)
  // an HTTP date ends with GMT (RFC 9110 section 5.6.7); Date.parse alone would take "-5" for a year
  const date = text.endsWith('GMT') ? Date.parse(text) : NaN
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000))
}

/**
 * Milliseconds to wait before retry number `attempt` (1 for the first): the server's `Retry-After`
 * when it sent one, else exponential backoff with full jitter (a random wait up to
 * `retryDelay * 2^(attempt - 1)`); both capped by `maxRetryDelay`.
 */
export function retryDelayOf (attempt: number, retryAfter: number | undefined, retryDelay: number, maxRetryDelay: number): number {
  if (retryAfter !== undefined) return Math.min(retryAfter * 1000, maxRetryDelay)
  return Math.floor(Math.random() * Math.min(maxRetryDelay, retryDelay * 2 ** (attempt - 1)))
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export async function sleep (ms: number, signal: AbortSignal | undefined): Promise<void> {
  signal?.throwIfAborted()
  await new Promise<void>((resolve, reject) => {
    function onAbort (): void {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(function waited () {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
