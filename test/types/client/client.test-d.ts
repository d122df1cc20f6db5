import { expectAssignable, expectError, expectType } from 'tsd'
import { createProblemFetch, type CatalogMembers, isProblemResponseError, parseProblem, ProblemResponseError, type ClientProblemDocument, type ProblemFetch, type ProblemRetry } from '../../../dist/cjs/client'

// A browser app declares the service's catalog once; error.code then narrows the members.
const billingCatalog = {
  payment_declined: {
    status: 402,
    title: 'The payment was declined.',
    retryable: false,
    category: 'user',
    members: { decline_code: { type: 'string' }, attempts: { type: 'integer' } }
  }
} as const

type BillingMembers = CatalogMembers<typeof billingCatalog>

// augmenting the client entry point, as a browser app that never loads the server entry does
declare module '../../../dist/cjs/client' {
  interface ProblemRegistry extends BillingMembers {}
}

const problemFetch = createProblemFetch({ catalog: billingCatalog, typeBase: 'https://docs.example.com/errors/', retries: 1, maxRetryDelay: 1000, onRetry: (retry) => { expectType<ProblemRetry>(retry) } })
expectAssignable<ProblemFetch>(problemFetch)
expectAssignable<(input: string, init?: RequestInit) => Promise<Response>>(problemFetch)
createProblemFetch({ catalog: ['payment_declined', 'conflict'] })
expectError(createProblemFetch({ retries: '2' }))
expectError(createProblemFetch({ retry: 2 }))

async function call (): Promise<void> {
  try {
    await problemFetch('/payments', { method: 'POST', headers: { 'Idempotency-Key': 'k' } })
  } catch (error) {
    if (isProblemResponseError(error)) {
      expectType<number>(error.status)
      expectType<number | undefined>(error.retryAfter)
      if (error.code === 'payment_declined') {
        // narrowed: the document is there, with the code's members (optional: the client cannot vouch for them)
        expectType<string | undefined>(error.problem.decline_code)
        expectType<number | undefined>(error.problem.attempts)
        expectType<string | undefined>(error.problem.title)
      } else if (error.code === 'external_authentication_required') {
        expectType<string | undefined>(error.problem.auth_url)
        expectType<readonly string[] | undefined>(error.problem.inaccessible_repos)
      } else if (error.code === undefined) {
        expectType<ClientProblemDocument | undefined>(error.problem)
      }
      expectError(error.is('payment_declind'))
    }
    if (error instanceof ProblemResponseError && error.is('payment_declined')) {
      expectType<'payment_declined'>(error.code)
      expectType<string | undefined>(error.problem.decline_code)
    }
  }
}
export { call }

expectType<Promise<ClientProblemDocument | undefined>>(parseProblem(new Response(null), { maxBodyBytes: 1024, timeout: 2000, signal: AbortSignal.timeout(5000) }))
expectError(parseProblem(new Response(null), { deadline: 5 }))
expectError(new ProblemResponseError({ status: 409, url: '/x', problem: undefined, code: 'no_such_code', retryAfter: undefined }))
