import Fastify from 'fastify'
import { expectAssignable, expectError, expectNotAssignable, expectType } from 'tsd'
import problemDetails, { PROBLEM_CONTENT_TYPE, PROBLEM_XML_MEDIA_TYPE, PROBLEM_XML_NAMESPACE, ProblemError, type CatalogMembers, type ProblemCatalogEntry, type ProblemCode, type ProblemDocument, type FromSchema } from '../..'

// A user catalog, typed from the very object that is registered.
const catalog = {
  quota_exceeded: {
    status: 429,
    title: 'The quota is used up.',
    retryable: true,
    category: 'user',
    members: { limit: { type: 'integer' }, window: { type: 'string', enum: ['hour', 'day'] } },
    required: ['limit']
  },
  old_quota: { status: 429, title: 'The old quota is used up.', retryable: true, category: 'user', deprecated: 'Use quota_exceeded instead.' }
} as const

declare module '../..' {
  interface ProblemRegistry extends CatalogMembers<typeof catalog> {}
}

const app = Fastify()
app.register(problemDetails, { catalog, typeBase: 'https://docs.example.com/errors/' })
app.register(problemDetails, { codes: { P2025: 'resource_not_found' }, statusCodes: { 410: 'conflict' }, mapError: () => undefined })
app.register(problemDetails, { problemXml: false })
app.register(problemDetails, { metrics: false })
app.register(problemDetails, { exceptionSignal: 'logs/dup' })
app.register(problemDetails, { clientErrorLogDetail: 'full' })
expectType<'application/problem+json'>(PROBLEM_CONTENT_TYPE)
expectType<'application/problem+xml'>(PROBLEM_XML_MEDIA_TYPE)
expectType<'urn:ietf:rfc:7807'>(PROBLEM_XML_NAMESPACE)

// built-in codes and their members
expectType<ProblemError<'invalid_request'>>(new ProblemError('invalid_request', { detail: 'schedule_id is required' }))
expectAssignable<Error>(new ProblemError('conflict'))
expectType<ProblemError<'external_authentication_required'>>(new ProblemError('external_authentication_required', { provider: 'github', auth_url: 'https://auth.example.com', inaccessible_repos: ['a/b'] }))
expectType<ProblemError<'integration_not_configured'>>(new ProblemError('integration_not_configured', { integration_name: 'slack', setup_url: 'https://x', retryAfter: 3, headers: { 'x-a': '1' }, cause: new Error('x') }))
expectError(new ProblemError('invalid_requets'))
expectError(new ProblemError('external_authentication_required', { provider: 42 }))
expectError(new ProblemError('external_authentication_required', { inaccessible_repos: 'a/b' }))
expectError(new ProblemError('conflict', { detail: 3 }))

// the user's codes: required members are required, enums are enforced
expectType<ProblemError<'quota_exceeded'>>(new ProblemError('quota_exceeded', { limit: 100, window: 'day' }))
expectError(new ProblemError('quota_exceeded'))
expectError(new ProblemError('quota_exceeded', { limit: '100' }))
expectError(new ProblemError('quota_exceeded', { limit: 1, window: 'week' }))

app.get('/', { config: { problems: ['invalid_request', 'quota_exceeded'] } }, async (_request, reply) => {
  expectAssignable<ProblemCode>('quota_exceeded')
  return reply.problem('quota_exceeded', { limit: 5 })
})
app.get('/b', async (_request, reply) => reply.problem('not_authorized'))
expectError(app.get('/c', async (_request, reply) => reply.problem('not_a_code')))
expectError(app.get('/d', async (_request, reply) => reply.problem('integration_not_configured', { setup_url: 1 })))
expectError(app.get('/e', { config: { problems: ['no_such_problem'] } }, async () => 'x'))

// options are checked
expectError(app.register(problemDetails, { typeBase: 42 }))
expectError(app.register(problemDetails, { unknownOption: true }))
expectError(app.register(problemDetails, { problemXml: 'no' }))
expectError(app.register(problemDetails, { metrics: 'off' }))
expectError(app.register(problemDetails, { exceptionSignal: 'log' }))
expectError(app.register(problemDetails, { clientErrorLogDetail: 'verbose' }))
expectError(app.register(problemDetails, { catalog: { x: { status: 400, title: 'x', retryable: 'no', category: 'user' } } }))
expectError(app.register(problemDetails, { catalog: { x: { status: 400, title: 'x', retryable: false, category: 'client' } } }))

// instance API and schema mapping
expectType<string>(app.problemDetails.schemaId)
expectType<boolean | undefined>(app.problemDetails.catalog.get('conflict')?.retryable)
expectType<string>({} as FromSchema<{ type: 'string' }>)
expectType<readonly number[]>({} as FromSchema<{ type: 'array', items: { type: 'integer' } }>)
expectType<'a' | 'b'>({} as FromSchema<{ enum: readonly ['a', 'b'] }>)
expectAssignable<ProblemDocument>({ type: 'about:blank', title: 'Gone', status: 410, instance: '/x', retryable: false })

// deprecated: true or a message, nothing else; deprecated codes stay usable
const gone = { status: 410, title: 'Gone.', retryable: false, category: 'user' } as const
expectAssignable<ProblemCatalogEntry>({ ...gone, deprecated: true })
expectAssignable<ProblemCatalogEntry>({ ...gone, deprecated: 'Use resource_not_found instead.' })
expectNotAssignable<ProblemCatalogEntry>({ ...gone, deprecated: false })
expectNotAssignable<ProblemCatalogEntry>({ ...gone, deprecated: 1 })
expectError(app.register(problemDetails, { catalog: { gone: { ...gone, deprecated: false } } }))
expectType<true | string | undefined>(app.problemDetails.catalog.get('old_quota')?.deprecated)
expectType<ProblemError<'old_quota'>>(new ProblemError('old_quota'))
