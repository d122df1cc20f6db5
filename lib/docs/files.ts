import { constants } from 'node:fs'
import { lstat, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { FST_PROBLEM_FOREIGN_DOCS_FILE } from '../errors.ts'
import { GENERATED_MARK } from './markdown.ts'

/**
 * The generator's files are the regular files whose first line is `GENERATED_MARK`. Anything else
 * at a name it writes (a hand-written page, a symbolic link, a folder) is foreign: it is never
 * replaced unless forced, and a link is never followed, forced or not. Opening with O_NOFOLLOW
 * also refuses a link that appears after the check (where the system has no such flag, it is
 * undefined and ORs as 0).
 */
const NO_FOLLOW: number = constants.O_NOFOLLOW

/** How a folder differs from the files the generator would write. */
export interface FileDifference {
  readonly file: string
  readonly kind: 'missing' | 'changed' | 'stale' | 'foreign'
  /** Why a foreign file is not the generator's. */
  readonly reason?: string
}

/** Why the file at a name is not the generator's: `link` is never written over, `file` only when forced. */
interface Foreign {
  readonly foreign: 'link' | 'file'
  readonly reason: string
}

/** What is at `path`, looked at without following a link: nothing, a generated file (its content) or a foreign one. */
async function inspect (path: string): Promise<undefined | string | Foreign> {
  let stats
  try {
    stats = await lstat(path)
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined
    throw error
  }
  if (stats.isSymbolicLink()) return { foreign: 'link', reason: 'a symbolic link, which the docs command never follows nor replaces' }
  if (!stats.isFile()) return { foreign: 'link', reason: 'not a regular file' }
  const content = await readFile(path, { encoding: 'utf8', flag: constants.O_RDONLY | NO_FOLLOW })
  return content.startsWith(GENERATED_MARK) ? content : { foreign: 'file', reason: 'not written by the docs command (its first line is not the generated mark)' }
}

/** The generated files of `dir` that are not in `files`: the pages of codes the catalog no longer has. */
async function staleFiles (dir: string, files: ReadonlyMap<string, string>): Promise<string[]> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return []
  }
  const stale: string[] = []
  for (const name of names.filter((n) => n.endsWith('.md') && !files.has(n)).sort()) {
    if (typeof await inspect(join(dir, name)) === 'string') stale.push(name)
  }
  return stale
}

async function differences (dir: string, files: ReadonlyMap<string, string>): Promise<Array<FileDifference & { foreign?: Foreign['foreign'] }>> {
  const found: Array<FileDifference & { foreign?: Foreign['foreign'] }> = []
  for (const [name, content] of files) {
    const current = await inspect(join(dir, name))
    if (current === undefined) found.push({ file: name, kind: 'missing' })
    else if (typeof current !== 'string') found.push({ file: name, kind: 'foreign', reason: current.reason, foreign: current.foreign })
    else if (current !== content) found.push({ file: name, kind: 'changed' })
  }
  for (const name of await staleFiles(dir, files)) found.push({ file: name, kind: 'stale' })
  return found
}

/**
 * Compares `dir` with `files` (name -> content): missing and changed files, files at those names
 * that the generator did not write (`foreign`, with the reason), and generated files no longer
 * produced (`stale`). Never follows a symbolic link.
 */
export async function compareFiles (dir: string, files: ReadonlyMap<string, string>): Promise<FileDifference[]> {
  return (await differences(dir, files)).map(({ foreign: _foreign, ...difference }) => difference)
}

/**
 * Writes `files` into `dir` and removes the generated files it no longer produces (hand-written
 * files stay). Writes nothing, and throws `FST_PROBLEM_FOREIGN_DOCS_FILE` naming them, when a
 * name it writes holds a file it did not write; `force` overwrites such regular files, never a
 * symbolic link or a folder. `shown` is the folder as the messages name it.
 */
export async function writeFiles (dir: string, files: ReadonlyMap<string, string>, { force = false, shown = dir }: { force?: boolean, shown?: string } = {}): Promise<{ written: number, removed: string[] }> {
  await mkdir(dir, { recursive: true })
  const found = await differences(dir, files)
  const refused = found.filter((difference) => difference.foreign === 'link' || (difference.foreign === 'file' && !force))
  if (refused.length > 0) {
    const forced = refused.every((difference) => difference.foreign === 'file')
    throw new FST_PROBLEM_FOREIGN_DOCS_FILE(
      refused.map((difference) => `${shown}/${difference.file} is ${difference.reason}`).join('; '),
      forced
        ? '(hand-written pages are never replaced: move them out of the folder, or rerun with --force to overwrite them)'
        : '(links and folders are never written through nor replaced, even with --force: remove them, or give --out another folder)'
    )
  }
  const removed = found.filter((difference) => difference.kind === 'stale').map((difference) => difference.file)
  for (const name of removed) await rm(join(dir, name))
  for (const [name, content] of files) {
    await writeFile(join(dir, name), content, { flag: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | NO_FOLLOW })
  }
  return { written: files.size, removed }
}
