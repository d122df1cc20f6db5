import { PROBLEM_MEDIA_TYPE } from './negotiate.ts'

// apart from responder.ts, which loads telemetry and the rest of the request path: the entry point
// exports these and framework-errors.ts needs them, without loading that when the package is required

/**
 * Content-Type header of JSON problem responses: the bare media type, as IANA registers it (no
 * parameters; JSON is UTF-8 by RFC 8259), so clients that compare it exactly recognise it.
 */
export const PROBLEM_CONTENT_TYPE = PROBLEM_MEDIA_TYPE

/**
 * The route's serializer (`reply.serializer()`) must not touch a problem: it is sent as serialized
 * here. Set as the reply's serializer, it also keeps Fastify from adding `; charset=utf-8`.
 */
export function sendAsSerialized (payload: string): string {
  return payload
}
