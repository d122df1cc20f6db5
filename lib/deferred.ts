import type { modules as loadedModules } from './deferred-modules.ts'

/**
 * Ajv, ajv-formats and fast-json-stringify take longer to load than the rest of the package put
 * together, and a process that only requires it (a CLI, a test importing `ProblemError`, a worker
 * that never registers the plugin) needs none of them. They load on first need, asynchronously:
 * the plugin's register function and `problemFromResponse` await `loadDeferredModules()`, so that
 * requests later read them synchronously and never wait for a module.
 */
export type DeferredModules = typeof loadedModules

let loaded: DeferredModules | undefined

/** Loads the deferred modules, once; later calls resolve at once. */
export async function loadDeferredModules (): Promise<DeferredModules> {
  loaded ??= (await import('./deferred-modules.ts')).modules
  return loaded
}

/** For callers that load the modules statically (the docs tooling): makes them available at once. */
export function useDeferredModules (modules: DeferredModules): void {
  loaded ??= modules
}

/** The deferred modules, for synchronous code that runs after `loadDeferredModules()`. */
export function deferredModules (): DeferredModules {
  if (loaded === undefined) throw new Error('fastify-problem-details: internal error, a deferred module was used before loadDeferredModules() resolved')
  return loaded
}
