import type { FastifyRequest } from 'fastify'
import type { Classification, ValidationIssue } from './classify.ts'
import { urlWithoutQuery } from './client/error.ts'
import { bound } from './guards.ts'
import type { ProblemDetailsConfig } from './options.ts'
import { reasonPhrase } from './status-phrases.ts'

/** The document sent to the client. Members appear on the wire in this order. */
export interface ProblemDocument {
  type: string
  title: string
  status: number
  detail?: string
  instance: string
  error?: string
  retryable: boolean
  trace_id?: string
  errors?: ValidationIssue[]
  [member: string]: unknown
}

/** Statuses whose `about:blank` problems are worth retrying. */
const RETRYABLE_STATUSES = new Set([408, 425, 429, 502, 503, 504])
const MAX_INSTANCE_LENGTH = 2048

/** Whether the problem is worth retrying: the entry says so, or for about:blank, its status does. */
export function isRetryable (c: Classification): boolean {
  return c.entry === undefined ? RETRYABLE_STATUSES.has(c.status) : c.entry.retryable
}

/** `scheme://` at the start of an absolute-form request target (RFC 9112 section 3.2.2). */
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//

/**
 * The request path alone: no query string or fragment, which may hold secrets, and for an
 * absolute-form target (`GET http://user:pass@host/path`) no scheme, credentials or host. The
 * authority of such a target ends at the first `/` (RFC 3986 section 3.2); a client may still have
 * written a `/` in its password, so the path is taken after the last `@` (a path with an `@` of its
 * own is cut short: never a byte of a credential).
 */
export function instanceOf (request: FastifyRequest): string {
  let path = urlWithoutQuery(request.url)
  // origin form (`/path`), what nearly every request has, needs no further look
  const scheme = path.charCodeAt(0) === 47 ? null : ABSOLUTE_FORM.exec(path)
  if (scheme !== null) {
    const slash = path.indexOf('/', Math.max(scheme[0].length, path.lastIndexOf('@') + 1))
    path = slash === -1 ? '/' : path.slice(slash)
  }
  return bound(path, MAX_INSTANCE_LENGTH)
}

/** Builds the problem document from a classification. Undeclared members are left out by the serializer. */
export function buildProblem (c: Classification, instance: string, traceId: string | undefined, config: ProblemDetailsConfig): ProblemDocument {
  const entry = c.entry
  const title = entry === undefined ? reasonPhrase(c.status) : entry.title
  const detail = c.detail === undefined ? undefined : bound(c.detail, config.maxDetailLength)
  const problem: ProblemDocument = {
    type: entry === undefined ? 'about:blank' : entry.type,
    title,
    status: c.status,
    detail,
    instance,
    error: config.errorMember ? (detail === undefined ? title : `${title} (${detail})`) : undefined,
    retryable: isRetryable(c),
    trace_id: config.traceId ? traceId : undefined,
    errors: c.errors
  }
  if (entry !== undefined) {
    for (const name of entry.memberNames) {
      if (c.members[name] !== undefined) problem[name] = c.members[name]
    }
  }
  return problem
}
