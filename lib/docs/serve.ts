import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify'
import type { ResolvedProblemEntry } from '../catalog.ts'
import type { ProblemDetailsConfig } from '../options.ts'
import { entrySchema, type SerializerFor } from '../serializer.ts'
import { INDEX_TITLE } from './content.ts'
import { renderCodeHtml, renderIndexHtml, type HtmlLinks } from './html.ts'
import { referenceOf, type CodePage, type Reference } from './model.ts'

/** Pages are self-contained: nothing but inline style may load. */
const HTML_SECURITY_HEADERS = Object.freeze({
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  vary: 'Accept'
})

/** Parses an Accept header into media ranges with their quality. */
function acceptRanges (accept: string): Array<{ type: string, q: number }> {
  return accept.split(',').map((part) => {
    const [type, ...params] = part.trim().toLowerCase().split(';')
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    const quality = q === undefined ? 1 : Number(q.slice(2))
    return { type: type.trim(), q: Number.isFinite(quality) ? quality : 0 }
  })
}

function quality (ranges: Array<{ type: string, q: number }>, type: string): number {
  const [major] = type.split('/')
  let best = -1
  let specificity = -1
  for (const range of ranges) {
    const s = range.type === type ? 2 : range.type === `${major}/*` ? 1 : range.type === '*/*' ? 0 : -1
    if (s > specificity) {
      specificity = s
      best = range.q
    }
  }
  return specificity === -1 ? 0 : best
}

/** True when the client prefers HTML to JSON (browsers do); JSON is the default for everyone else. */
export function prefersHtml (accept: string | undefined): boolean {
  if (accept === undefined || accept === '') return false
  const ranges = acceptRanges(accept)
  const html = quality(ranges, 'text/html')
  return html > 0 && html > quality(ranges, 'application/json')
}

/** The machine-readable description of one code. */
export function describeCode (page: CodePage, entry: ResolvedProblemEntry, links: HtmlLinks): Record<string, unknown> {
  return {
    code: page.code,
    type: page.type,
    title: page.title,
    status: page.status,
    retryable: page.retryable,
    category: page.category,
    summary: page.summary,
    deprecated: page.deprecated ?? false,
    occurs: page.occurs,
    resolve: page.resolve,
    details: entry.details,
    retryAfter: entry.retryAfter,
    members: entry.members,
    required: entry.required,
    related: page.related,
    schema: entrySchema(entry),
    example: page.example?.body,
    links: { index: links.index, page: links.page(page.slug) }
  }
}

/**
 * `serveDocs`: answers the type URIs. `GET <typeBase>` lists the codes and `GET <typeBase><slug>`
 * describes one: HTML for browsers, JSON otherwise. The reference is built once, on the first
 * request, from the plugin's own configuration and serializers: the examples are what it sends.
 */
export function registerDocsRoutes (fastify: FastifyInstance, config: ProblemDetailsConfig, serializerFor: SerializerFor): void {
  const base = config.typeBase
  const links: HtmlLinks = { index: base, page: (slug) => base + slug }
  // under a route prefix, `typeBase` starts with it (see normalizeOptions) and Fastify adds it to the routes
  const prefix = fastify.prefix.endsWith('/') ? fastify.prefix.slice(0, -1) : fastify.prefix
  const routeBase = base.slice(prefix.length)
  let reference: { index: Reference['index'], pageByCode: Map<string, CodePage> } | undefined
  const bySlug = new Map([...config.entries.values()].map((entry) => [entry.slug, entry]))
  function servedReference () {
    if (reference === undefined) {
      const { index, pages } = referenceOf(config, serializerFor)
      reference = { index, pageByCode: new Map(pages.map((page) => [page.code, page])) }
    }
    return reference
  }
  // @fastify/swagger leaves out routes whose schema says `hide`
  const hidden = { hide: true } as FastifySchema

  fastify.get(routeBase, { schema: hidden }, async function problemDocsIndex (request: FastifyRequest, reply: FastifyReply) {
    const { index } = servedReference()
    if (prefersHtml(request.headers.accept)) return reply.headers(HTML_SECURITY_HEADERS).type('text/html; charset=utf-8').send(renderIndexHtml(index, links))
    return reply.header('vary', 'Accept').type('application/json; charset=utf-8').send({
      title: INDEX_TITLE,
      codes: index.codes.map((page) => ({ code: page.code, type: page.type, title: page.title, status: page.status, retryable: page.retryable, category: page.category, deprecated: page.deprecated ?? false, href: links.page(page.slug) }))
    })
  })

  fastify.get(`${routeBase}:slug`, { schema: hidden }, async function problemDocsPage (request: FastifyRequest<{ Params: { slug: string } }>, reply: FastifyReply) {
    const entry = bySlug.get(request.params.slug)
    if (entry === undefined) {
      reply.callNotFound()
      return reply
    }
    const page = servedReference().pageByCode.get(entry.code) as CodePage
    if (prefersHtml(request.headers.accept)) return reply.headers(HTML_SECURITY_HEADERS).type('text/html; charset=utf-8').send(renderCodeHtml(page, links))
    return reply.header('vary', 'Accept').type('application/json; charset=utf-8').send(describeCode(page, entry, links))
  })
}
