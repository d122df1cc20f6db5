/**
 * The calling side: read problem documents from any `fetch` response, and call services with
 * retries that respect `retryable`, `Retry-After` and idempotency. Browser-safe: no Node.js
 * module, no server code.
 */
export { parseProblem, DEFAULT_MAX_PROBLEM_BYTES, DEFAULT_PROBLEM_TIMEOUT, type ParseProblemOptions, type ClientProblemDocument } from './parse.ts'
export { ProblemResponseError, isProblemResponseError, type AnyProblemResponseError, type ProblemDocumentOf, type ProblemResponseErrorInit } from './error.ts'
export { createProblemFetch, DEFAULT_RETRIES, DEFAULT_RETRY_DELAY, DEFAULT_MAX_RETRY_DELAY, type ProblemFetch, type ProblemFetchOptions, type ProblemRetry } from './fetch.ts'
export { isSafeToRepeat, retryAfterSeconds } from './retry.ts'
export type { ClientCatalog } from './codes.ts'
export { DEFAULT_TYPE_BASE } from './slug.ts'
export type { ProblemCode, ProblemRegistry } from '../types.ts'
export type { CatalogMembers } from '../member-types.ts'
