import { createRequire } from 'node:module'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { OPTION_NAMES, type ProblemDetailsOptions } from '../options.ts'
import { compareFiles, writeFiles } from './files.ts'
import { renderMarkdownFiles } from './markdown.ts'
import { buildReference } from './model.ts'

/** Where the command writes its output and reads the working directory. */
export interface CommandIo {
  readonly cwd: string
  out (line: string): void
  err (line: string): void
  /** Loads a module by absolute path (default: `require`). */
  load? (path: string): unknown
}

export const USAGE = `Usage: fastify-problem-details docs [options]

Writes the error reference (index.md and one page per code) from a catalog module.

Options:
  --catalog <module>  module exporting a catalog, or the plugin options { catalog, typeBase, ... }
                      (default: the built-in catalog)
  --out <dir>         output folder (default: docs/errors)
  --type-base <uri>   typeBase of the type URIs, when the module does not set it
  --instance <path>   request path shown as "instance" in the examples (default: /api/v1/tasks)
  --check             write nothing; exit 1 if the folder differs from the catalog or docs text is missing
  -h, --help          show this help`

const OPTION_SET = new Set(OPTION_NAMES)

/** The plugin options a catalog module stands for: its default export (or itself), as options or as a catalog. */
export function optionsFromModule (loaded: unknown): ProblemDetailsOptions {
  const value = (loaded as { default?: unknown } | null)?.default ?? loaded
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError('the catalog module must export an object: a catalog (code -> entry) or the plugin options { catalog, ... }')
  const keys = Object.keys(value)
  const isOptions = keys.includes('catalog') && keys.every((key) => OPTION_SET.has(key))
  return isOptions ? value as ProblemDetailsOptions : { catalog: value as ProblemDetailsOptions['catalog'] }
}

/**
 * `fastify-problem-details docs ...`: renders the reference of a catalog into a folder, or checks
 * (`--check`) that the folder is up to date and that no entry lacks docs text. Returns the exit code:
 * 0 done, 1 check failed, 2 usage or loading error.
 */
export async function runCli (argv: readonly string[], io: CommandIo): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        catalog: { type: 'string' },
        out: { type: 'string', default: 'docs/errors' },
        'type-base': { type: 'string' },
        instance: { type: 'string' },
        check: { type: 'boolean', default: false },
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
  if (positionals.length !== 1 || positionals[0] !== 'docs') {
    io.err(`${positionals.length === 0 ? 'missing command' : `unknown command "${positionals.join(' ')}"`}: the only command is "docs"\n\n${USAGE}`)
    return 2
  }
  if (values.instance !== undefined && !/^\/[^\s:*?#]*$/.test(values.instance)) {
    io.err(`--instance must be a plain path starting with "/", got ${JSON.stringify(values.instance)}`)
    return 2
  }

  let options: ProblemDetailsOptions = {}
  let reference
  try {
    if (values.catalog !== undefined) {
      const path = resolve(io.cwd, values.catalog)
      options = optionsFromModule((io.load ?? createRequire(join(io.cwd, 'package.json')))(path))
    }
    if (values['type-base'] !== undefined && options.typeBase === undefined) options = { ...options, typeBase: values['type-base'] }
    reference = buildReference(options, { instance: values.instance })
  } catch (error) {
    io.err(`cannot render the reference: ${(error as Error).message}`)
    return 2
  }

  const files = renderMarkdownFiles(reference)
  const dir = resolve(io.cwd, values.out)
  const shown = isAbsolute(values.out) ? dir : relative(io.cwd, dir) || '.'
  for (const gap of reference.gaps) io.err(`missing docs text: ${gap.message}`)

  if (values.check) {
    const differences = await compareFiles(dir, files)
    for (const difference of differences) io.err(`${difference.kind}: ${shown}/${difference.file}`)
    if (differences.length > 0) io.err(`${shown} is out of date: run "fastify-problem-details docs${values.catalog === undefined ? '' : ` --catalog ${values.catalog}`} --out ${values.out}"`)
    const ok = differences.length === 0 && reference.gaps.length === 0
    io.out(ok ? `${shown}: ${files.size} pages up to date, every code documented` : `check failed: ${differences.length} file(s) out of date, ${reference.gaps.length} missing docs text`)
    return ok ? 0 : 1
  }

  const { written, removed } = await writeFiles(dir, files)
  for (const name of removed) io.out(`removed ${shown}/${name}`)
  io.out(`wrote ${written} pages to ${shown}` + (reference.gaps.length > 0 ? ` (${reference.gaps.length} missing docs text, shown as "Not documented yet.")` : ''))
  return 0
}
