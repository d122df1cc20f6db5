import { execFileSync } from 'node:child_process'
import { readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { FST_PROBLEM_INVALID_CATALOG_MODULE } from '../errors.ts'
import { describe } from '../guards.ts'
import { OPTION_NAMES, type ProblemDetailsOptions } from '../options.ts'

/** Loads a module by absolute path; may return a promise. */
export type ModuleLoader = (path: string) => unknown

const OPTION_SET = new Set(OPTION_NAMES)

/** The codes require() gives for a module it cannot load synchronously: an ES module that awaits at top level (or any ES module, where require(esm) is off). */
const NEEDS_IMPORT = new Set(['ERR_REQUIRE_ASYNC_MODULE', 'ERR_REQUIRE_ESM'])

/** Extensions tried after the exact path, as `require()` would. */
const EXTENSIONS = ['.js', '.cjs', '.mjs', '.json']

const TYPESCRIPT = /\.[cm]?ts$/i

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
 * modules without top-level await, `import()` for `.mjs` files and for ES modules that await at
 * top level. A TypeScript file loads when Node.js or a loader it runs with can load it.
 */
export async function loadModule (path: string): Promise<unknown> {
  if (!path.endsWith('.mjs')) {
    try {
      return createRequire(path)(path)
    } catch (error) {
      if (!NEEDS_IMPORT.has((error as { code?: string }).code as string)) throw error
    }
  }
  return await importModule(pathToFileURL(path).href)
}

function isRecord (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** A value shaped like one catalog entry (a numeric `status`), which is not a catalog: a code may be named "catalog". */
function isCatalog (value: unknown): value is Record<string, unknown> {
  return isRecord(value) && typeof value.status !== 'number'
}

/**
 * The plugin options a catalog module stands for. In order: a named `catalog` export (with the
 * named exports that are plugin options, such as `typeBase`; other exports are ignored), else the
 * default export, else the module itself; the latter two are plugin options when they have a
 * `catalog`, and a catalog otherwise.
 */
export function optionsFromModule (loaded: unknown, shown: string = '(given value)'): ProblemDetailsOptions {
  if (isRecord(loaded) && isCatalog(loaded.catalog)) {
    return Object.fromEntries(Object.entries(loaded).filter(([key]) => OPTION_SET.has(key))) as ProblemDetailsOptions
  }
  const value = isRecord(loaded) && loaded.default !== undefined ? loaded.default : loaded
  if (!isRecord(value)) {
    throw new FST_PROBLEM_INVALID_CATALOG_MODULE(shown, `must export an object: a catalog (code -> entry) or the plugin options { catalog, ... }; it exports ${describe(value)}`)
  }
  return isCatalog(value.catalog) ? { ...value } as ProblemDetailsOptions : { catalog: value as ProblemDetailsOptions['catalog'] }
}

/** The file's stats, or undefined when there is none (also when a folder on the way is a file). */
function statOf (path: string) {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}

/** The file `specifier` names, relative to `cwd`: the exact path, else with one of the extensions require() tries. */
function findModule (specifier: string, cwd: string, shown: string): string {
  const wanted = resolve(cwd, specifier)
  for (const path of [wanted, ...EXTENSIONS.map((extension) => wanted + extension)]) {
    const stats = statOf(path)
    if (stats?.isFile() === true) return path
    if (path === wanted && stats?.isDirectory() === true) {
      throw new FST_PROBLEM_INVALID_CATALOG_MODULE(shown, `is a folder (${wanted}), not a module; give --catalog the path of the catalog file, such as ${specifier.replace(/[\\/]+$/, '')}/errors.js`)
    }
  }
  throw new FST_PROBLEM_INVALID_CATALOG_MODULE(shown, `was not found: there is no file ${wanted} (nor with ${EXTENSIONS.join(', ')}); give --catalog the path of the catalog module, relative to the current folder (${cwd})`)
}

/**
 * The plugin options of the catalog module at `specifier` (relative to `cwd`), for the `docs` and
 * `lock` commands alike. Every failure is a `FST_PROBLEM_INVALID_CATALOG_MODULE` naming the file,
 * the position (line and column) of the failure where there is one, and the fix.
 */
export async function loadCatalogOptions (specifier: string, cwd: string, load: ModuleLoader = loadModule): Promise<ProblemDetailsOptions> {
  const shown = JSON.stringify(specifier)
  const path = findModule(specifier, cwd, shown)
  let loaded: unknown
  try {
    loaded = await load(path)
  } catch (error) {
    throw new FST_PROBLEM_INVALID_CATALOG_MODULE(shown, `failed to load: ${describeFailure(error, path, specifier, cwd)}`)
  }
  return optionsFromModule(loaded, shown)
}

/** A place in a file. */
interface Position {
  readonly file: string
  readonly line: number
  readonly column: number
}

function toPath (file: string): string {
  return file.startsWith('file://') ? fileURLToPath(file) : file
}

/** The `file:line`, source line and caret V8 writes above a syntax error it can place. */
function caretPosition (text: string, file?: string): Position | undefined {
  // at the end of the input the source line is empty, with no caret
  const match = /^(.+):(\d+)\n[^\n]*\n([ \t]*)\^?/.exec(text)
  return match === null ? undefined : { file: file ?? toPath(match[1]), line: Number(match[2]), column: match[3].length + 1 }
}

/** The stack frames in files (not in Node.js itself). */
function frames (stack: string): Position[] {
  return [...stack.matchAll(/^ +at (?:.* \()?(.+?):(\d+):(\d+)\)?$/gm)]
    .filter(([, file]) => !file.startsWith('node:'))
    .map(([, file, line, column]) => ({ file: toPath(file), line: Number(line), column: Number(column) }))
}

/** This file, as stack frames name it (CommonJS or ES module build alike): its frames are never the catalog's position. */
const LOADER_FILE = frames(String(new Error('here').stack))[0]?.file

/**
 * Where a module threw while it loaded: the first frame in the catalog file itself, else the first
 * outside this loader that is not a dependency's. A frame of a dependency (the module hook of a
 * TypeScript loader or a test runner, which can resolve `require()` itself) is never named: no
 * position is better than a wrong one.
 */
function framePosition (stack: string, path: string): Position | undefined {
  const outside = frames(stack).filter((frame) => frame.file !== LOADER_FILE)
  return outside.find((frame) => frame.file === path) ?? outside.find((frame) => !frame.file.includes('/node_modules/'))
}

/**
 * Where a module fails to parse when its syntax error has no position (Node.js 20 gives none for
 * an ES module): its source checked by `node --check`, as an ES module, then as CommonJS.
 */
function checkedPosition (path: string): Position | undefined {
  for (const type of ['module', 'commonjs']) {
    try {
      execFileSync(process.execPath, [`--input-type=${type}`, '--check'], { input: readFileSync(path), stdio: 'pipe', env: { ...process.env, NODE_OPTIONS: '' } })
    } catch (error) {
      return caretPosition(String((error as { stderr?: unknown }).stderr), path)
    }
  }
  return undefined
}

/** Offset where `text` stops being JSON (Node.js 20's JSON.parse does not always say where). */
export function jsonErrorOffset (text: string): number {
  let i = 0
  const skip = () => { while (' \t\n\r'.includes(text[i] ?? '.')) i++ }
  const expect = (c: string) => text[i] === c && ++i > 0
  const string = (): boolean => {
    for (i++; ;) {
      const c = text[i]
      if (c === undefined || c < ' ') return false
      i++
      if (c === '"') return true
      if (c !== '\\') continue
      if (text[i] === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) i += 5
      else if ('"\\/bfnrt'.includes(text[i] ?? 'u')) i++
      else return false
    }
  }
  const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
  const value = (): boolean => {
    skip()
    const c = text[i]
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']'
      i++
      skip()
      if (expect(close)) return true
      do {
        skip()
        if (c === '{' && !(text[i] === '"' && string() && (skip(), expect(':')))) return false
        if (!value()) return false
        skip()
      } while (expect(','))
      return expect(close)
    }
    if (c === '"') return string()
    const word = ['true', 'false', 'null'].find((w) => text.startsWith(w, i))
    if (word !== undefined) {
      i += word.length
      return true
    }
    number.lastIndex = i
    if (!number.test(text)) return false
    i = number.lastIndex
    return true
  }
  if (value()) skip()
  return i
}

/** Line and column (from 1) of an offset. */
function lineAndColumn (text: string, offset: number): { line: number, column: number } {
  const lines = text.slice(0, offset).split('\n')
  return { line: lines.length, column: (lines.at(-1) as string).length + 1 }
}

/** Where a load failed: the syntax error's place, the JSON error's place, or the first frame of the module that threw. */
function positionOf (error: unknown, path: string): Position | undefined {
  const stack = (error as { stack?: unknown } | null)?.stack
  if (typeof stack !== 'string') return undefined
  if (!(error instanceof SyntaxError)) return framePosition(stack, path)
  if (path.endsWith('.json')) {
    const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '')
    return { file: path, ...lineAndColumn(text, jsonErrorOffset(text)) }
  }
  // an ES module that does not parse has no position but in node --check; a SyntaxError thrown while running has its frame
  return caretPosition(stack) ?? checkedPosition(path) ?? framePosition(stack, path)
}

/** Why loading failed, where, and what to do about it. */
function describeFailure (error: unknown, path: string, specifier: string, cwd: string): string {
  const message = (error as { message?: unknown } | null)?.message
  // JSON.parse quotes the text (over several lines) or gives an offset: the position below says where
  const what = typeof message === 'string' ? message.replace(`${path}: `, '').replace(/(?:, (?:\.\.\.)?".*| at position \d+.*)$/s, '').split('\n')[0] : `it threw ${describe(error)}`
  const position = positionOf(error, path)
  const file = position === undefined ? path : position.file
  const shownFile = relative(cwd, file).startsWith('..') ? file : relative(cwd, file)
  const where = position === undefined
    ? ` (in ${shownFile}; Node.js gives no line for ${typeof message === 'string' ? 'this error' : 'a thrown value that is not an Error'})`
    : ` at ${shownFile}:${position.line}:${position.column}`
  const code = (error as { code?: unknown } | null)?.code
  let fix: string
  if (TYPESCRIPT.test(path) && (error instanceof SyntaxError || code === 'ERR_UNKNOWN_FILE_EXTENSION')) {
    fix = `Node.js ${process.version} does not run TypeScript here: compile the catalog and give --catalog the compiled .js file, or run the command with a TypeScript loader (NODE_OPTIONS="--import tsx" npx fastify-problem-details ...)`
  } else if (path.endsWith('.json') && error instanceof SyntaxError) {
    fix = 'fix the JSON there'
  } else if (error instanceof SyntaxError) {
    fix = 'fix the syntax there'
  } else {
    fix = `fix the module there (node ${specifier} shows the same error)`
  }
  return `${what}${where}; ${fix}`
}
