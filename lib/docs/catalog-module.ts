import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { FST_PROBLEM_INVALID_CATALOG_MODULE } from '../errors.ts'
import { describe } from '../guards.ts'
import { OPTION_NAMES, type ProblemDetailsOptions } from '../options.ts'

/** Loads a module by absolute path; may return a promise. */
export type ModuleLoader = (path: string) => unknown

const OPTION_SET = new Set(OPTION_NAMES)

/** The codes require() gives for a module it cannot load synchronously: an ES module that awaits at top level (or any ES module, where require(esm) is off). */
const NEEDS_IMPORT = new Set(['ERR_REQUIRE_ASYNC_MODULE', 'ERR_REQUIRE_ESM'])

/**
 * A real `import()`. TypeScript's CommonJS output turns `import()` into `require()`, which cannot
 * load an ES module that awaits at top level; a function made from source text keeps it. Made on
 * first use, so only catalogs that need it depend on it.
 */
function importModule (href: string): Promise<unknown> {
  // eslint-disable-next-line no-new-func
  const dynamicImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>
  return dynamicImport(href)
}

/**
 * Loads a catalog module the way Node.js would run it: `require()` for CommonJS, JSON and ES
 * modules without top-level await, `import()` for ES modules that await at top level.
 */
export async function loadModule (path: string): Promise<unknown> {
  try {
    return createRequire(path)(path)
  } catch (error) {
    if (!NEEDS_IMPORT.has((error as { code?: string }).code as string)) throw error
  }
  return await importModule(pathToFileURL(path).href)
}

/** The plugin options a catalog module stands for: its default export (or itself), as options or as a catalog. */
export function optionsFromModule (loaded: unknown, shown: string = '(given value)'): ProblemDetailsOptions {
  const value = (loaded as { default?: unknown } | null)?.default ?? loaded
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new FST_PROBLEM_INVALID_CATALOG_MODULE(shown, `must export an object: a catalog (code -> entry) or the plugin options { catalog, ... }; it exports ${describe(value)}`)
  }
  const keys = Object.keys(value)
  const isOptions = keys.includes('catalog') && keys.every((key) => OPTION_SET.has(key))
  return isOptions ? { ...value } as ProblemDetailsOptions : { catalog: value as ProblemDetailsOptions['catalog'] }
}

/**
 * The plugin options of the catalog module at `specifier` (relative to `cwd`), for the `docs` and
 * `lock` commands alike. Every failure is a `FST_PROBLEM_INVALID_CATALOG_MODULE` naming the file
 * and the fix.
 */
export async function loadCatalogOptions (specifier: string, cwd: string, load: ModuleLoader = loadModule): Promise<ProblemDetailsOptions> {
  const shown = JSON.stringify(specifier)
  const wanted = resolve(cwd, specifier)
  let path: string
  try {
    path = createRequire(join(cwd, 'package.json')).resolve(wanted)
  } catch {
    throw new FST_PROBLEM_INVALID_CATALOG_MODULE(shown, `was not found (no file at ${wanted}); give --catalog the path of the module, relative to the current folder`)
  }
  let loaded: unknown
  try {
    loaded = await load(path)
  } catch (error) {
    const fix = /\.[mc]?ts$/.test(path)
      ? 'Node.js loads JavaScript here: build the catalog first and give --catalog the compiled .js file'
      : path.endsWith('.json') ? 'fix the JSON of the file' : `fix the module (node ${specifier} shows where it fails)`
    throw new FST_PROBLEM_INVALID_CATALOG_MODULE(shown, `failed to load: ${describeError(error)}; ${fix}`)
  }
  return optionsFromModule(loaded, shown)
}

/** The first line of an error's message (a syntax error's message is followed by the source), or the thrown value. */
function describeError (error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message
  return typeof message === 'string' ? message.split('\n')[0] : describe(error)
}
