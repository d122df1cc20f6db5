import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(__dirname, '..')
const security = readFileSync(join(root, 'docs', 'security.md'), 'utf8')

/** The promise rows of a section's table, each naming `test/<file>.ts: *test name*, ...`. */
function promiseRows (heading: string): string[] {
  const start = security.indexOf(heading)
  const section = security.slice(start, security.indexOf('\n## ', start + 1))
  return section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| promise'))
}

const SECTIONS = ['## Reference tooling', '## Extension members and the catalog', '## Foreign errors, headers, logs and `instance`']

for (const heading of SECTIONS) {
  t.test(`every promise of the section "${heading.slice(3)}" in docs/security.md names tests that exist`, async (t) => {
    const rows = promiseRows(heading)
    t.ok(rows.length >= 8, 'the table of promises')
    for (const row of rows) {
      const cell = row.split(' | ').at(-1) as string
      const references = [...cell.matchAll(/(test\/[\w.-]+\.ts)(?:: ((?:(?:the test above|\*[^*]+\*)(?:, )?)+))?/g)]
      t.ok(references.length > 0, `names a test: ${row.slice(0, 60)}`)
      for (const [, file, names] of references) {
        const source = readFileSync(join(root, file), 'utf8')
        for (const [, name] of (names ?? '').matchAll(/\*([^*]+)\*/g)) {
          const named = name.endsWith('...') ? name.slice(0, -3) : name
          const quoted = [`'${named.replaceAll("'", "\\'")}`, `"${named}`, `\`${named}`]
          t.ok(quoted.some((text) => source.includes(`test(${text}`)), `${file}: ${name}`)
        }
      }
    }
  })
}
