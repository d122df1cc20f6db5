import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, isAbsolute, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { ProblemDetailsOptions } from '../options.ts'
import { loadCatalogOptions, type ModuleLoader } from './catalog-module.ts'
import { contractOf, DEFAULT_LOCKFILE, diffContracts, formatChange, parseLockfile, renderLockfile, type ContractChange, type ErrorContract } from './contract.ts'
import { compareFiles, writeFiles } from './files.ts'
import { renderMarkdownFiles } from './markdown.ts'
import { buildReference } from './model.ts'

export { optionsFromModule } from './catalog-module.ts'

/** Where the command writes its output and reads the working directory. */
export interface CommandIo {
  readonly cwd: string
  out (line: string): void
  err (line: string): void
  /** Loads a catalog module by absolute path, maybe asynchronously (default: `require()`, or `import()` for ES modules that await at top level). */
  load?: ModuleLoader
}

export const USAGE = `Usage: fastify-problem-details <command> [options]

Commands:
  docs                writes the error reference (index.md and one page per code) from a catalog module
  lock                writes the error contract of the catalog (the lockfile) and lists what changed
  lock --check        compares the catalog with the lockfile; exit 1 on a breaking change

Options:
  --catalog <module>  module exporting a catalog, or the plugin options { catalog, typeBase, ... }
                      (CommonJS or ES module; default: the built-in catalog)
  --type-base <uri>   typeBase of the type URIs, when the module does not set it
  --out <path>        docs: output folder (default: docs/errors)
                      lock: lockfile (default: ${DEFAULT_LOCKFILE})
  --instance <path>   docs: request path shown as "instance" in the examples (default: /api/v1/tasks)
  --check             docs: write nothing; exit 1 if the folder differs from the catalog or docs text is missing,
                            naming each file (missing, changed, stale, or foreign: there but not written by docs)
  --force             docs: overwrite hand-written files at the names docs writes (never a symbolic link)
                      lock: write nothing; exit 1 if the catalog breaks the contract in the lockfile
  -h, --help          show this help`

const DEFAULT_DOCS_DIR = 'docs/errors'

type Values = { catalog?: string, out?: string, 'type-base'?: string, instance?: string, check: boolean, force?: boolean }

/** The plugin options of `--catalog` (or the built-in catalog), with `--type-base` when the module sets none. */
async function optionsOf (values: Values, io: CommandIo): Promise<ProblemDetailsOptions> {
  let options: ProblemDetailsOptions = values.catalog === undefined ? {} : await loadCatalogOptions(values.catalog, io.cwd, io.load)
  if (values['type-base'] !== undefined && options.typeBase === undefined) options = { ...options, typeBase: values['type-base'] }
  return options
}

/** The path as the user gave it: relative to the working directory unless given absolute. */
function shownPath (io: CommandIo, given: string): { path: string, shown: string } {
  const path = resolve(io.cwd, given)
  return { path, shown: isAbsolute(given) ? path : relative(io.cwd, path) || '.' }
}

/** The command line that regenerates the output, for the messages. */
function commandLine (command: string, values: Values, defaultOut: string): string {
  return [
    `fastify-problem-details ${command}`,
    values.catalog === undefined ? '' : ` --catalog ${values.catalog}`,
    values['type-base'] === undefined ? '' : ` --type-base ${values['type-base']}`,
    values.out === undefined || values.out === defaultOut ? '' : ` --out ${values.out}`
  ].join('')
}

/** Options that only one command takes. */
const COMMAND_OPTIONS: Readonly<Record<string, readonly string[]>> = { docs: ['instance', 'force'], lock: [] }

/**
 * `fastify-problem-details docs|lock ...`. Returns the exit code: 0 done, 1 check failed (pages out
 * of date, docs text missing, or a breaking change), 2 usage or loading error.
 */
export async function runCli (argv: readonly string[], io: CommandIo): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        catalog: { type: 'string' },
        out: { type: 'string' },
        'type-base': { type: 'string' },
        instance: { type: 'string' },
        check: { type: 'boolean', default: false },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h', default: false }
      }
    })
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  if (values.help) {
    io.out(USAGE)
    return 0
  }
  const command = positionals.length === 1 ? positionals[0] : undefined
  if (command === undefined || !Object.hasOwn(COMMAND_OPTIONS, command)) {
    io.err(`${positionals.length === 0 ? 'missing command' : `unknown command "${positionals.join(' ')}"`}: the commands are "docs" and "lock"\n\n${USAGE}`)
    return 2
  }
  const foreign = Object.entries(COMMAND_OPTIONS).flatMap(([other, names]) => other === command ? [] : names.filter((name) => values[name as keyof typeof values] !== undefined))
  if (foreign.length > 0) {
    io.err(`--${foreign[0]} is not an option of "${command}"\n\n${USAGE}`)
    return 2
  }
  return command === 'docs' ? docsCommand(values, io) : lockCommand(values, io)
}

/** `docs`: renders the reference of a catalog into a folder, or checks (`--check`) that the folder is up to date and that no entry lacks docs text. */
async function docsCommand (values: Values, io: CommandIo): Promise<number> {
  if (values.check && values.force !== undefined) {
    io.err('--force is for writing; --check writes nothing: give one of them')
    return 2
  }
  if (values.instance !== undefined && !/^\/[^\s:*?#]*$/.test(values.instance)) {
    io.err(`--instance must be a plain path starting with "/", got ${JSON.stringify(values.instance)}`)
    return 2
  }
  let reference
  try {
    reference = buildReference(await optionsOf(values, io), { instance: values.instance })
  } catch (error) {
    io.err(`cannot render the reference: ${(error as Error).message}`)
    return 2
  }

  const files = renderMarkdownFiles(reference)
  const { path: dir, shown } = shownPath(io, values.out ?? DEFAULT_DOCS_DIR)
  for (const gap of reference.gaps) io.err(`missing docs text: ${gap.message}`)

  if (values.check) {
    let differences
    try {
      differences = await compareFiles(dir, files)
    } catch (error) {
      io.err(`cannot check ${shown}: ${(error as Error).message}`)
      return 2
    }
    for (const difference of differences) io.err(`${difference.kind}: ${shown}/${difference.file}` + (difference.reason === undefined ? '' : ` (${difference.reason})`))
    const foreign = differences.filter((difference) => difference.kind === 'foreign').length
    if (foreign > 0) io.err(`${foreign} file(s) in ${shown} were not written by docs, which will not replace them: move them away, or overwrite hand-written ones with --force`)
    if (differences.length > foreign) io.err(`${shown} is out of date: run "${commandLine('docs', values, DEFAULT_DOCS_DIR)}"`)
    const ok = differences.length === 0 && reference.gaps.length === 0
    io.out(ok ? `${shown}: ${files.size} pages up to date, every code documented` : `check failed: ${differences.length} file(s) out of date${foreign > 0 ? ` (${foreign} not written by docs)` : ''}, ${reference.gaps.length} missing docs text`)
    return ok ? 0 : 1
  }

  let result
  try {
    result = await writeFiles(dir, files, { force: values.force, shown })
  } catch (error) {
    io.err(`cannot write ${shown}: ${(error as Error).message}`)
    return 2
  }
  const { written, removed } = result
  for (const name of removed) io.out(`removed ${shown}/${name}`)
  io.out(`wrote ${written} pages to ${shown}` + (reference.gaps.length > 0 ? ` (${reference.gaps.length} missing docs text, shown as "Not documented yet.")` : ''))
  return 0
}

/** `2 breaking, 1 compatible, 0 notice`. */
function countChanges (changes: readonly ContractChange[]): string {
  const count = (severity: ContractChange['severity']) => changes.filter((change) => change.severity === severity).length
  return `${count('breaking')} breaking, ${count('compatible')} compatible, ${count('notice')} notice`
}

/**
 * `lock`: writes the contract of the catalog to the lockfile and lists what changed since the
 * previous one. `lock --check`: writes nothing, lists every change, and fails on a breaking one.
 */
async function lockCommand (values: Values, io: CommandIo): Promise<number> {
  let contract: ErrorContract
  try {
    contract = contractOf(await optionsOf(values, io))
  } catch (error) {
    io.err(`cannot ${values.check ? 'check' : 'lock'} the contract: ${(error as Error).message}`)
    return 2
  }
  const { path, shown } = shownPath(io, values.out ?? DEFAULT_LOCKFILE)
  const rerun = commandLine('lock', values, DEFAULT_LOCKFILE)
  const rendered = renderLockfile(contract)
  const codes = `${Object.keys(contract.codes).length} codes`

  let text: string | undefined
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') {
      io.err(`cannot read ${shown}: ${(error as Error).message}`)
      return 2
    }
  }
  let locked: ErrorContract | undefined
  if (text !== undefined) {
    try {
      locked = parseLockfile(text, shown)
    } catch (error) {
      if (values.check) {
        io.err(`cannot check against ${shown}: ${(error as Error).message}; fix the file, or rewrite it with "${rerun}"`)
        return 2
      }
      io.err(`${shown} could not be read (${(error as Error).message}); it is rewritten without a comparison`)
    }
  }

  if (values.check) {
    if (locked === undefined) {
      io.err(`${shown} does not exist: write it with "${rerun}" and commit it`)
      return 2
    }
    const changes = diffContracts(locked, contract)
    for (const change of changes) io.out(formatChange(change))
    const breaking = changes.filter((change) => change.severity === 'breaking').length
    if (breaking > 0) {
      io.err(`${shown}: the catalog breaks the locked contract (${countChanges(changes)}). If that is intended, release it as a major version and record it with "${rerun}"`)
      return 1
    }
    if (changes.length > 0) io.out(`${shown}: no breaking change (${countChanges(changes)}); record the changes with "${rerun}"`)
    else if (text !== rendered) io.out(`${shown}: the contract is unchanged (${codes}), but the file is not as "lock" writes it; rewrite it with "${rerun}"`)
    else io.out(`${shown}: the contract is unchanged (${codes})`)
    return 0
  }

  const changes = locked === undefined ? [] : diffContracts(locked, contract)
  for (const change of changes) io.out(formatChange(change))
  if (text === rendered) {
    io.out(`${shown} is up to date (${codes})`)
    return 0
  }
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, rendered)
  io.out(`wrote ${shown} (${codes})` + (locked === undefined ? '' : `: ${countChanges(changes)} since the previous lockfile`))
  return 0
}
