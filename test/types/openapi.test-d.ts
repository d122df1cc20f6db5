import Fastify from 'fastify'
import { expectError, expectType } from 'tsd'
import problemDetails, { buildReference, type ProblemCode, type Reference } from '../..'

const app = Fastify()
app.register(problemDetails, { serveDocs: true, typeBase: '/problems/' })

// config.problems takes catalog codes
app.get('/tasks/:id', { config: { problems: ['invalid_request', 'resource_not_found'] } }, async () => 'ok')
app.route({ method: 'POST', url: '/tasks', config: { problems: ['conflict', 'not_authorized', 'insufficient_credits'] }, handler: async () => 'ok' })
const declared: readonly ProblemCode[] = ['internal_error']
app.get('/list', { config: { problems: declared } }, async () => 'ok')

// and nothing else: a misspelt code, a non-code, a single string
expectError(app.get('/a', { config: { problems: ['invalid_requets'] } }, async () => 'ok'))
expectError(app.get('/b', { config: { problems: [404] } }, async () => 'ok'))
expectError(app.get('/c', { config: { problems: 'conflict' } }, async () => 'ok'))

// serveDocs is a boolean option
expectError(app.register(problemDetails, { serveDocs: 'yes' }))

// the reference builder
expectType<Promise<Reference>>(buildReference({ typeBase: '/errors/' }, { instance: '/v1/x' }))
