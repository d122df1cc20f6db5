import Fastify from 'fastify'
import { expectAssignable, expectError, expectNotAssignable, expectType } from 'tsd'
import problemDetails, { type ProblemCode } from '../..'
import { buildReference, contractOf, diffContracts, formatChange, renderLockfile, renderMarkdownFiles, type ChangeKind, type ContractChange, type ErrorContract, type Reference } from '../../dist/cjs/docs/index.js'

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

// the reference tooling, from its own entry point: built from the plugin's options
const reference = buildReference({ typeBase: '/errors/' }, { instance: '/v1/x' })
expectType<Reference>(reference)
expectType<Map<string, string>>(renderMarkdownFiles(reference))
expectError(buildReference({ typeBase: 42 }))
expectError(buildReference({}, { instance: 1 }))

// the error contract: built from the plugin's options, compared, printed
const locked: ErrorContract = contractOf({ typeBase: '/errors/' })
const changes = diffContracts(locked, contractOf({ errorMember: false }))
expectType<ContractChange[]>(changes)
expectType<'breaking' | 'compatible' | 'notice'>(changes[0].severity)
expectType<string | null>(changes[0].code)
expectType<string | undefined>(changes[0].member)
expectType<string>(formatChange(changes[0]))
expectType<string>(renderLockfile(locked))
expectAssignable<ChangeKind>('schema-narrowed')
expectNotAssignable<ChangeKind>('schema-renamed')
expectError(contractOf({ typeBase: 42 }))
expectError(diffContracts(locked))
