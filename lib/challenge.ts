import { UNSAFE_HEADER_VALUE } from './headers.ts'

/** Challenge sent in `WWW-Authenticate` with 401 problems when neither the entry nor the error gives one. */
export const DEFAULT_WWW_AUTHENTICATE = 'Bearer'

const AUTH_SCHEME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(?: |$)/
const MAX_CHALLENGE_LENGTH = 1024

/**
 * Why a value cannot be sent as a `WWW-Authenticate` challenge (RFC 9110 section 11.6.1: an
 * auth-scheme token, then optional parameters), or undefined when it can.
 */
export function challengeProblem (value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string such as "Bearer" or \'Bearer realm="api"\''
  if (value.length > MAX_CHALLENGE_LENGTH || UNSAFE_HEADER_VALUE.test(value)) return `must be at most ${MAX_CHALLENGE_LENGTH} printable Latin-1 characters`
  if (!AUTH_SCHEME.test(value)) return 'must start with an auth-scheme token such as "Bearer" or "Basic"'
  return undefined
}

/**
 * The headers of a problem with its challenge: a 401 problem always carries `WWW-Authenticate`
 * (RFC 9110 section 15.5.2). The error's own header wins (the service threw it and knows the realm
 * or `error="invalid_token"`), then the catalog entry's `wwwAuthenticate`, then the option. An entry's
 * challenge is also sent with its problems of other statuses (a 403 `insufficient_scope`).
 */
export function withChallenge (headers: Record<string, string | string[]> | undefined, status: number, entryChallenge: string | undefined, fallback: string): Record<string, string | string[]> | undefined {
  if (headers?.['www-authenticate'] !== undefined) return headers
  const challenge = entryChallenge ?? (status === 401 ? fallback : undefined)
  if (challenge === undefined) return headers
  return { ...headers, 'www-authenticate': challenge }
}
