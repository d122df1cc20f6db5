import type { FastifyInstance } from 'fastify'
import { FST_PROBLEM_ALREADY_REGISTERED } from './errors.ts'
import { PROBLEM_STATE, problemStateOf, type ProblemState } from './framework-errors.ts'

/**
 * Records the plugin on the scope that registers it, where `problemFrameworkErrors` (through the
 * root instance) and a second registration find it. A second registration in the same scope, or in
 * a child of a registered scope, is refused: Fastify would fail later on the shared schema with a
 * generic error, or the inner one would silently shadow the outer.
 */
export function recordRegistration (fastify: FastifyInstance, handleError: ProblemState['handleError']): void {
  const existing = problemStateOf(fastify)
  if (existing !== undefined) {
    throw new FST_PROBLEM_ALREADY_REGISTERED(existing.scope === fastify ? 'in this scope' : 'in a parent scope, whose registration already covers this one')
  }
  const state: ProblemState = Object.freeze({ scope: fastify, handleError })
  fastify.decorate(PROBLEM_STATE as unknown as string, state)
}

const TREE_LINE = /^([│ ]*)[├└]── (.*)$/
const ROUTE_TEXT = /^(.*) \(([A-Z][A-Z_-]*(?:, [A-Z][A-Z_-]*)*)\)(?: \{.*\})?$/
const HANDLER_LINE = /^[│ ]*• \(errorHandler\) "(.*)"$/
const CONTINUED_ROUTE = /^[│ ]*(\S.*)$/

/**
 * The routes that still use Fastify's default error handler, as `METHOD /path` (HEAD routes Fastify
 * adds for GET left out). Fastify offers no list of routes with their handlers: this reads the tree
 * `printRoutes({ includeMeta: ['errorHandler'] })` prints, where each node holds its part of the path
 * and each route names its error handler. Anything it cannot read is skipped, never guessed.
 */
export function routesWithDefaultErrorHandler (tree: string): string[] {
  const found: string[] = []
  const pathAt: string[] = []
  let current: { path: string, methods: string[] } | undefined
  let nodePath = ''
  for (const line of tree.split('\n')) {
    const node = TREE_LINE.exec(line)
    if (node !== null) {
      const depth = node[1].length / 4
      const route = ROUTE_TEXT.exec(node[2])
      nodePath = (pathAt[depth - 1] ?? '') + (route === null ? node[2] : route[1])
      pathAt[depth] = nodePath
      pathAt.length = depth + 1
      current = route === null ? undefined : { path: nodePath, methods: route[2].split(', ') }
      continue
    }
    const handler = HANDLER_LINE.exec(line)
    if (handler !== null) {
      if (current !== undefined && handler[1] === 'defaultErrorHandler()') {
        for (const method of current.methods) if (method !== 'HEAD') found.push(`${method} ${current.path}`)
      }
      continue
    }
    // a second route on the same node (other methods, constraints or handler) repeats the node's text
    const continued = CONTINUED_ROUTE.exec(line)
    const route = continued === null ? null : ROUTE_TEXT.exec(continued[1])
    current = route === null ? undefined : { path: nodePath, methods: route[2].split(', ') }
  }
  return found
}

/**
 * The routes of the plugin's scope that Fastify's default error handler answers. Called while the
 * plugin registers, it lists the routes declared before it (in its scope or a parent one), and
 * reading the router is cheap then: it holds only those routes, usually none.
 */
export function defaultHandlerRoutesInScope (fastify: FastifyInstance): string[] {
  const prefix = fastify.prefix.endsWith('/') ? fastify.prefix.slice(0, -1) : fastify.prefix
  const inScope = (path: string) => prefix === '' || path === prefix || path.startsWith(prefix + '/')
  return routesWithDefaultErrorHandler(fastify.printRoutes({ includeMeta: ['errorHandler'] }))
    .filter((route) => inScope(route.slice(route.indexOf(' ') + 1)))
}

/**
 * At `ready()`: one warning listing the routes that keep Fastify's default error handler, with the
 * fix. Only when some route was in the router before the plugin registered is the route tree read
 * again (a route declared right after an unawaited `register` is in the router early but gets the
 * plugin's handler). Routes with their own `errorHandler`, or in a scope with its own
 * `setErrorHandler`, are deliberate and not listed.
 */
export function warnUncoveredRoutes (fastify: FastifyInstance, declaredBefore: readonly string[]): void {
  if (declaredBefore.length === 0) return
  const candidates = new Set(declaredBefore)
  const routes = defaultHandlerRoutesInScope(fastify).filter((route) => candidates.has(route))
  if (routes.length === 0) return
  fastify.log.warn({ routes }, `fastify-problem-details: ${routes.length === 1 ? '1 route keeps' : `${routes.length} routes keep`} Fastify's default error handler and will not answer with problem documents: ${routes.join(', ')}. They were declared before the plugin was registered; register the plugin first (await app.register(problemDetails) before declaring routes and registering plugins that declare routes).`)
}
