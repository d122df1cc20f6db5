import createError, { type FastifyErrorConstructor } from '@fastify/error'
import { bound, MAX_ERROR_ARGUMENT_LENGTH } from './guards.ts'

/**
 * Coded errors thrown to the developer. Registration errors make `app.register()` reject,
 * request-time developer errors are logged (the client always gets a valid problem document).
 * Every message names the offending entry and how to fix it.
 */

/** The same error constructor (of string arguments), with every argument cut to MAX_ERROR_ARGUMENT_LENGTH. */
function withBoundedArguments<C extends FastifyErrorConstructor> (Base: C): C {
  function BoundedError (...args: string[]): unknown {
    return new Base(...args.map((arg) => bound(arg, MAX_ERROR_ARGUMENT_LENGTH)))
  }
  // `instanceof` and the prototype are the wrapped constructor's
  BoundedError.prototype = Base.prototype
  return BoundedError as unknown as C
}

/** An option has the wrong type or an impossible value. */
export const FST_PROBLEM_INVALID_OPTION = createError(
  'FST_PROBLEM_INVALID_OPTION',
  'fastify-problem-details: option "%s" %s',
  500,
  TypeError
)

/** A catalog entry is malformed (status, title, category, slug, schema...). */
export const FST_PROBLEM_INVALID_CATALOG_ENTRY = createError(
  'FST_PROBLEM_INVALID_CATALOG_ENTRY',
  'fastify-problem-details: catalog entry "%s" %s',
  500,
  TypeError
)

/** Two catalog codes produce the same URL slug, so their `type` URIs would collide. */
export const FST_PROBLEM_DUPLICATE_SLUG = createError(
  'FST_PROBLEM_DUPLICATE_SLUG',
  'fastify-problem-details: catalog codes "%s" and "%s" would share the type identifier "%s"; rename one of them or give one its own "type"',
  500,
  TypeError
)

/** A `codes` or `statusCodes` mapping points at a code the catalog does not have. */
export const FST_PROBLEM_UNKNOWN_MAPPED_CODE = createError(
  'FST_PROBLEM_UNKNOWN_MAPPED_CODE',
  'fastify-problem-details: option %s maps to "%s", which is not in the catalog; add it to the catalog option or map to one of: %s',
  500,
  TypeError
)

/**
 * A `codes` or `statusCodes` mapping (given, or a default one) points at a code whose entry requires
 * members: an error mapped by its code or its status carries none, so it could never be sent.
 */
export const FST_PROBLEM_UNSENDABLE_MAPPED_CODE = createError(
  'FST_PROBLEM_UNSENDABLE_MAPPED_CODE',
  'fastify-problem-details: option %s maps to "%s", whose catalog entry requires the members %s; an error mapped by its code or status carries no members, so every such error would become internal_error. Map it to a code without required members, or throw a ProblemError with the members instead',
  500,
  TypeError
)

/** `ProblemError` or `reply.problem()` named a code the catalog does not have. */
export const FST_PROBLEM_UNKNOWN_CODE = withBoundedArguments(createError(
  'FST_PROBLEM_UNKNOWN_CODE',
  'fastify-problem-details: unknown problem code "%s"; add it to the catalog option or use one of the catalog codes',
  500,
  TypeError
))

/** An extension member given to a problem does not match the schema its catalog entry declares. */
export const FST_PROBLEM_INVALID_MEMBER = withBoundedArguments(createError(
  'FST_PROBLEM_INVALID_MEMBER',
  'fastify-problem-details: problem "%s" has invalid extension members: %s',
  500,
  TypeError
))

/** Building or serializing a problem failed; the client got `internal_error` instead. */
export const FST_PROBLEM_SEND_FAILED = withBoundedArguments(createError(
  'FST_PROBLEM_SEND_FAILED',
  'fastify-problem-details: could not send problem "%s" (%s); sent internal_error instead',
  500
))

/** A route's `config.problems` is not a non-empty list of catalog codes. */
export const FST_PROBLEM_INVALID_ROUTE_PROBLEMS = createError(
  'FST_PROBLEM_INVALID_ROUTE_PROBLEMS',
  'fastify-problem-details: route %s %s has config.problems %s; give a list of catalog codes, such as ["invalid_request", "resource_not_found"]',
  500,
  TypeError
)

/** The reference tooling (`docs`, `lock`) cannot use a catalog module: not found, failed while loading, or no catalog exported. */
export const FST_PROBLEM_INVALID_CATALOG_MODULE = createError(
  'FST_PROBLEM_INVALID_CATALOG_MODULE',
  'fastify-problem-details: catalog module %s %s',
  500,
  TypeError
)

/** A lockfile (or a value given to `diffContracts`) is not an error contract this version can read. */
export const FST_PROBLEM_INVALID_LOCKFILE = createError(
  'FST_PROBLEM_INVALID_LOCKFILE',
  'fastify-problem-details: %s is not an error contract this version can read: %s',
  500,
  TypeError
)

/** The plugin is registered a second time where a registration already applies (the same scope, or a parent scope). */
export const FST_PROBLEM_ALREADY_REGISTERED = createError(
  'FST_PROBLEM_ALREADY_REGISTERED',
  'fastify-problem-details: the plugin is already registered %s. It is wrapped with fastify-plugin: one registration covers the scope that registers it and every child scope (its error handler, not-found handler, schema and decorators). Register it once, at the root, before your routes; to give one part of the service other options, register it inside separate encapsulated scopes with distinct prefixes instead of at the root.',
  500
)

/** The `docs` command would replace a file it did not write (a hand-written page, a symbolic link, a folder) in its output folder. */
export const FST_PROBLEM_FOREIGN_DOCS_FILE = createError(
  'FST_PROBLEM_FOREIGN_DOCS_FILE',
  'fastify-problem-details: the docs command writes no file: %s %s',
  500,
  TypeError
)
