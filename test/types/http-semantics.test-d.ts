import Fastify from 'fastify'
import { expectAssignable, expectError, expectNotAssignable, expectType } from 'tsd'
import problemDetails, { DEFAULT_WWW_AUTHENTICATE, FST_PROBLEM_ALREADY_REGISTERED, problemClientErrorHandler, problemFrameworkErrors, type ProblemCatalogEntry, type ProblemDetailsOptions } from '../..'

// the two constructor options take the exports as they are
const app = Fastify({ frameworkErrors: problemFrameworkErrors, clientErrorHandler: problemClientErrorHandler })
app.register(problemDetails, { wwwAuthenticate: 'Basic realm="api"' })
expectType<'Bearer'>(DEFAULT_WWW_AUTHENTICATE)
expectAssignable<ProblemDetailsOptions>({ wwwAuthenticate: 'Bearer realm="api"' })
expectNotAssignable<ProblemDetailsOptions>({ wwwAuthenticate: true })
expectError(problemFrameworkErrors('not a request'))

// a catalog entry may carry its own challenge, a string
expectAssignable<ProblemCatalogEntry>({ status: 401, title: 'Expired.', retryable: false, category: 'user', wwwAuthenticate: 'Bearer error="invalid_token"' })
expectNotAssignable<ProblemCatalogEntry>({ status: 401, title: 'Expired.', retryable: false, category: 'user', wwwAuthenticate: ['Bearer'] })

// the coded error of a second registration
expectType<'FST_PROBLEM_ALREADY_REGISTERED'>(new FST_PROBLEM_ALREADY_REGISTERED('in this scope').code)
