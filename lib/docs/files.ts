import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { GENERATED_MARK } from './markdown.ts'

/** How a folder differs from the files the generator would write. */
export interface FileDifference {
  readonly file: string
  readonly kind: 'missing' | 'changed' | 'stale'
}

async function generatedFilesIn (dir: string): Promise<Map<string, string>> {
  const found = new Map<string, string>()
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return found
  }
  for (const name of names.filter((n) => n.endsWith('.md')).sort()) {
    const content = await readFile(join(dir, name), 'utf8')
    if (content.startsWith(GENERATED_MARK)) found.set(name, content)
  }
  return found
}

/** Compares `dir` with `files` (name -> content): missing and changed files, and generated files no longer produced. */
export async function compareFiles (dir: string, files: ReadonlyMap<string, string>): Promise<FileDifference[]> {
  const existing = await generatedFilesIn(dir)
  const differences: FileDifference[] = []
  for (const [name, content] of files) {
    // generated files were read above; only a hand-written file of the same name is read here
    let current = existing.get(name)
    if (current === undefined) {
      try {
        current = await readFile(join(dir, name), 'utf8')
      } catch {}
    }
    if (current === undefined) differences.push({ file: name, kind: 'missing' })
    else if (current !== content) differences.push({ file: name, kind: 'changed' })
  }
  for (const name of existing.keys()) {
    if (!files.has(name)) differences.push({ file: name, kind: 'stale' })
  }
  return differences
}

/** Writes `files` into `dir` and removes the generated files it no longer produces (hand-written files stay). */
export async function writeFiles (dir: string, files: ReadonlyMap<string, string>): Promise<{ written: number, removed: string[] }> {
  await mkdir(dir, { recursive: true })
  const removed: string[] = []
  for (const name of (await generatedFilesIn(dir)).keys()) {
    if (!files.has(name)) {
      await rm(join(dir, name))
      removed.push(name)
    }
  }
  for (const [name, content] of files) await writeFile(join(dir, name), content)
  return { written: files.size, removed }
}
