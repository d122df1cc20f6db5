import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { Test } from 'tap'
import { Writable } from 'node:stream'
import problemDetails, { type ProblemDetailsOptions } from '../lib/index.ts'

/** A log line as pino writes it. */
export interface LogLine {
  level: number
  msg: string
  [key: string]: unknown
}

/** Collects the JSON log lines of an app. */
export function logCollector () {
  const lines: LogLine[] = []
  const stream = new Writable({
    write (chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line))
      }
      callback()
    }
  })
  return { lines, stream, problems: () => lines.filter((l) => typeof l.problem === 'string') }
}

export interface BuildOptions {
  fastify?: FastifyServerOptions
  plugin?: ProblemDetailsOptions
  /** Register routes after the plugin. */
  routes?: (app: FastifyInstance) => void | Promise<void>
}

/** Builds an app with the plugin registered, closed when the test ends. */
export async function build (t: Test, opts: BuildOptions = {}) {
  const logs = logCollector()
  const app = Fastify({ logger: { level: 'trace', stream: logs.stream }, ...opts.fastify })
  t.teardown(() => app.close())
  await app.register(problemDetails, opts.plugin ?? {})
  if (opts.routes !== undefined) await opts.routes(app)
  await app.ready()
  return { app, logs }
}

/** Parses a problem response, asserting status and media type first. */
export function problemOf (t: Test, res: { statusCode: number, headers: Record<string, unknown>, body: string }, status: number): Record<string, unknown> {
  t.equal(res.statusCode, status, 'status')
  t.match(String(res.headers['content-type']), /^application\/problem\+json$/, 'content type')
  return JSON.parse(res.body)
}
