import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(__dirname, '..')
const security = readFileSync(join(root, 'docs', 'security.md'), 'utf8')

t.test('every promise of the reference tooling section in docs/security.md names tests that exist', async (t) => {
  const start = security.indexOf('## Reference tooling')
  const section = security.slice(start, security.indexOf('\n## ', start + 1))
  const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| promise'))
  t.ok(rows.length >= 10, 'the table of promises')
  for (const row of rows) {
    const cell = row.split(' | ').at(-1) as string
    const references = [...cell.matchAll(/(test\/[\w.-]+\.ts): ((?:\*[^*]+\*(?:, )?)+)/g)]
    t.ok(references.length > 0, `names a test: ${row.slice(0, 60)}`)
    for (const [, file, names] of references) {
      const source = readFileSync(join(root, file), 'utf8')
      for (const [, name] of names.matchAll(/\*([^*]+)\*/g)) {
        t.ok(source.includes(`t.test('${name.replaceAll("'", "\\'")}'`), `${file}: ${name}`)
      }
    }
  }
})
