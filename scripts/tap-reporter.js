'use strict'
// A plain-text tap reporter (`reporter: ./scripts/tap-reporter.js` in .taprc): one line per test
// file as it finishes, each failed assertion with its diagnostics (diff, found/wanted, where),
// and a summary. No colours and no terminal redraws, so CI logs and pipes read the same as a
// terminal. It reads the TAP stream tap writes to it, through tap's own parser.
//
// With TAP_COUNTS_FILE set, it also writes {"passed","failed","skipped","files"} there as JSON:
// scripts/test.js reads it to print the closing "N passed, N failed" line.
const { Transform } = require('node:stream')
const { writeFileSync } = require('node:fs')
const { Parser } = require('tap-parser')
const yaml = require('tap-yaml')

const MAX_FAILURES_SHOWN_PER_FILE = 10
const MAX_DIAG_LINES = 60
const NAME_WIDTH = 34

/** Seconds, one decimal. */
function seconds (ms) {
  return `${(ms / 1000).toFixed(1)} s`
}

function plural (n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** What tap's own renderers use, or what says nothing about the failure (a crashed file's command line). */
const HIDDEN_DIAG = new Set(['test', 'stdio', 'cwd', 'externalID', 'command', 'args', 'jobId'])

/** The diagnostics of a failed assertion as indented YAML: diff or found/wanted, where, the source line. */
function describeDiag (diag) {
  if (diag === null || typeof diag !== 'object') return []
  const shown = {}
  for (const [key, value] of Object.entries(diag)) {
    if (HIDDEN_DIAG.has(key)) continue
    shown[key] = key === 'at' && value !== null && typeof value === 'object' && value.fileName !== undefined
      ? `${value.fileName}:${value.lineNumber}:${value.columnNumber}`
      : value
  }
  let text
  try {
    text = yaml.stringify(shown)
  } catch {
    text = JSON.stringify(shown, null, 2)
  }
  const lines = text.trimEnd().split('\n')
  if (lines.length > MAX_DIAG_LINES) lines.splice(MAX_DIAG_LINES, lines.length - MAX_DIAG_LINES, `... (${lines.length - MAX_DIAG_LINES} more lines)`)
  return lines
}

class PlainReporter extends Transform {
  constructor () {
    super()
    this.started = Date.now()
    this.totals = { passed: 0, failed: 0, skipped: 0, todo: 0 }
    this.files = { ok: 0, failed: 0, skipped: 0 }
    /** Counts and failures of the file that is running, by file name. */
    this.current = new Map()
    this.parser = new Parser()
    this.parser.on('child', (child) => this.watchFile(child))
    this.parser.on('assert', (result) => this.fileDone(result))
    this.parser.on('bailout', (reason) => this.push(`\nBAIL OUT: ${reason}\n`))
    this.parser.on('complete', () => this.summary())
  }

  _transform (chunk, _encoding, callback) {
    this.parser.write(chunk)
    callback()
  }

  _flush (callback) {
    this.parser.end()
    callback()
  }

  /** Follows one test file (a top-level subtest) and every subtest inside it. */
  watchFile (child) {
    const file = { passed: 0, failed: 0, skipped: 0, todo: 0, failures: [] }
    this.current.set(child.name, file)
    const watch = (parser, path) => {
      let lastChild
      parser.on('child', (sub) => {
        const before = file.failed
        watch(sub, [...path, sub.name])
        sub.on('complete', () => { lastChild = { name: sub.name, failedInside: file.failed - before } })
      })
      parser.on('assert', (result) => {
        // a subtest's closing test point: count it only when it failed with no failed assertion inside
        // (a crash, a plan mismatch, a timeout)
        const closing = lastChild !== undefined && lastChild.name === result.name
        const inside = closing ? lastChild.failedInside : 0
        lastChild = undefined
        if (result.skip) { file.skipped++; return }
        if (result.todo) { file.todo++; return }
        if (closing && (result.ok || inside > 0)) return
        if (result.ok) {
          file.passed++
          return
        }
        file.failed++
        file.failures.push({ name: [...path, result.name].join(' > '), diag: result.diag })
      })
    }
    watch(child, [])
  }

  /** The closing test point of a file: one line, then its failures. */
  fileDone (result) {
    const file = this.current.get(result.name) ?? { passed: 0, failed: 0, skipped: 0, todo: 0, failures: [] }
    this.current.delete(result.name)
    const time = result.time === null || result.time === undefined ? '' : `  ${seconds(result.time)}`
    if (result.skip) {
      this.files.skipped++
      this.totals.skipped++
      this.push(`skip  ${result.name.padEnd(NAME_WIDTH)}  ${typeof result.skip === 'string' ? result.skip : ''}\n`)
      return
    }
    if (!result.ok && file.failed === 0) {
      // the file failed without a failed assertion: it crashed, or exited early
      file.failed = 1
      file.failures.push({ name: result.name, diag: result.diag })
    }
    this.totals.passed += file.passed
    this.totals.failed += file.failed
    this.totals.skipped += file.skipped
    this.totals.todo += file.todo
    const counts = [`${file.passed} passed`]
    if (file.failed > 0) counts.push(`${file.failed} failed`)
    if (file.skipped > 0) counts.push(`${file.skipped} skipped`)
    if (file.todo > 0) counts.push(`${file.todo} todo`)
    if (file.failed > 0) this.files.failed++
    else this.files.ok++
    this.push(`${file.failed > 0 ? 'FAIL' : 'ok  '}  ${result.name.padEnd(NAME_WIDTH)}  ${counts.join(', ')}${time}\n`)
    for (const failure of file.failures.slice(0, MAX_FAILURES_SHOWN_PER_FILE)) {
      this.push(`  not ok  ${failure.name}\n`)
      for (const line of describeDiag(failure.diag)) this.push(`    ${line}\n`)
    }
    if (file.failures.length > MAX_FAILURES_SHOWN_PER_FILE) this.push(`  ... and ${file.failures.length - MAX_FAILURES_SHOWN_PER_FILE} more failures in this file\n`)
  }

  summary () {
    const { passed, failed, skipped, todo } = this.totals
    const files = `${plural(this.files.ok + this.files.failed + this.files.skipped, 'file')} (${this.files.failed} failed, ${this.files.skipped} skipped)`
    this.push(`\ntap: ${files}; assertions ${passed} ok, ${failed} not ok, ${skipped} skipped, ${todo} todo; ${seconds(Date.now() - this.started)}\n`)
    if (process.env.TAP_COUNTS_FILE) {
      writeFileSync(process.env.TAP_COUNTS_FILE, JSON.stringify({ ...this.totals, files: this.files }) + '\n')
    }
  }
}

module.exports = PlainReporter
