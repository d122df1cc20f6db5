// What every problem response must satisfy, checked over real HTTP. Shared by the property,
// edge, fault and soak tests. Each check returns the list of broken promises (empty when all hold),
// so thousands of cases can run with one assertion per batch.
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import type { FastifyInstance } from 'fastify'
import Ajv, { type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import { problemSchema } from '../lib/serializer.ts'

/** A response as it came off the wire. */
export interface WireResponse {
  status: number
  headers: IncomingHttpHeaders
  /** The raw header block (names and values) as received. */
  rawHeaders: string[]
  body: Buffer
}

/** Sends one request over a keep-alive agent and collects the raw response. */
export function send (agent: Agent, port: number, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, agent, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** A keep-alive agent closed with the test. */
export function keepAliveAgent (): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1 })
}

export interface ProblemExpectations {
  /** Strings that must not appear in any byte of the response (headers included). */
  forbidden?: readonly string[]
  /** Expected status, when the case knows it. */
  status?: number
  /** Path the `instance` member must equal. */
  instance?: string
}

const STACK_FRAME = /\n\s+at |\bat [^\s]+ \(|node:internal|\.ts:\d+:\d+|\.js:\d+:\d+/

/** Builds the checker of one app: the published schema, plus each code's own members. */
export function problemChecker (app: FastifyInstance, options: { errorMember?: boolean, traceId?: boolean } = {}) {
  const ajv = new Ajv({ strict: false, allErrors: true })
  addFormats(ajv)
  const published: ValidateFunction = ajv.compile({ ...problemSchema({ errorMember: options.errorMember ?? true, traceId: options.traceId ?? true }), $id: undefined })
  const byType = new Map<string, { code: string, validate: ValidateFunction, allowed: Set<string> }>()
  for (const [code, entry] of app.problemDetails.catalog) {
    const schema = app.problemDetails.schemaOf(code)
    byType.set(entry.type, { code, validate: ajv.compile({ ...schema, additionalProperties: false }), allowed: new Set(Object.keys(schema.properties as object)) })
  }
  const aboutBlank = app.problemDetails.schemaOf('about:blank')
  const aboutBlankValidate = ajv.compile({ ...aboutBlank, additionalProperties: false })

  /** Every broken promise of one response; also returns the parsed body when it parsed. */
  function check (res: WireResponse, expect: ProblemExpectations = {}): { broken: string[], body: Record<string, unknown> | undefined } {
    const broken: string[] = []
    if (!(res.status >= 400 && res.status <= 599)) broken.push(`status ${res.status} is not 400-599`)
    if (expect.status !== undefined && res.status !== expect.status) broken.push(`status ${res.status}, expected ${expect.status}`)
    if (res.headers['content-type'] !== 'application/problem+json') broken.push(`content type ${String(res.headers['content-type'])}`)
    const text = res.body.toString('utf8')
    const headerBytes = res.rawHeaders.join('\n')
    for (const canary of expect.forbidden ?? []) {
      if (text.includes(canary) || res.body.includes(canary) || headerBytes.includes(canary)) broken.push(`forbidden string ${JSON.stringify(canary)} reached the response`)
    }
    if (STACK_FRAME.test(text) || STACK_FRAME.test(headerBytes)) broken.push('a stack frame reached the response')
    let body: Record<string, unknown> | undefined
    try {
      body = JSON.parse(text)
    } catch {
      broken.push(`body is not JSON: ${JSON.stringify(text.slice(0, 200))}`)
      return { broken, body }
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      broken.push('body is not an object')
      return { broken, body: undefined }
    }
    if (!published(body)) broken.push(`body fails the published schema: ${ajv.errorsText(published.errors)}`)
    if (body.status !== res.status) broken.push(`status member ${String(body.status)} differs from HTTP ${res.status}`)
    const own = byType.get(String(body.type))
    const validate = own?.validate ?? aboutBlankValidate
    if (own === undefined && body.type !== 'about:blank') broken.push(`type ${String(body.type)} is neither a catalog type nor about:blank`)
    if (!validate(body)) broken.push(`body has undeclared or invalid members: ${ajv.errorsText(validate.errors)}`)
    if ((options.errorMember ?? true) && body.error !== (body.detail === undefined ? body.title : `${String(body.title)} (${String(body.detail)})`)) {
      broken.push(`error member ${JSON.stringify(body.error)} does not follow "title (detail)"`)
    }
    if (expect.instance !== undefined && body.instance !== expect.instance) broken.push(`instance ${String(body.instance)}, expected ${expect.instance}`)
    if (typeof body.instance === 'string' && body.instance.includes('?')) broken.push('instance carries a query string')
    return { broken, body }
  }

  return check
}
