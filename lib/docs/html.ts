import { ALL_CODES_LINK, deprecationText, EXTENSION_MEMBERS_TEXT, INDEX_INTRO, INDEX_TITLE, NO_EXAMPLE_TEXT, NO_MEMBERS_TEXT, NOT_DOCUMENTED, RESPONSE_FORMAT_TEXT, SECTION, TRACE_ID_TEXT } from './content.ts'
import { safeHref, textParts } from './inline.ts'
import type { CodePage, IndexPage, MemberRow } from './model.ts'

/** Escapes text for HTML content and attribute values. */
export function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** Catalog text as HTML: escaped, with `code spans` shown as code. */
function inline (text: string): string {
  return textParts(text).map((part) => part.code ? `<code>${escapeHtml(part.text)}</code>` : escapeHtml(part.text)).join('')
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1d2330;--muted:#5b6472;--bg:#fff;--panel:#f5f7fa;--line:#dde2ea;--accent:#1f5fbf}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ef;--muted:#a3acba;--bg:#14171c;--panel:#1d2129;--line:#2f3541;--accent:#7fb0ff}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:52rem;margin:0 auto;padding:2rem 1.25rem 4rem}
nav{font-size:.9rem;margin-bottom:1.5rem}
a{color:var(--accent)}
h1{font-size:1.9rem;margin:.2rem 0 .4rem;word-break:break-word}
h2{font-size:1.3rem;margin:2.2rem 0 .6rem;padding-top:1.2rem;border-top:1px solid var(--line)}
h3{font-size:1.08rem;margin:1.4rem 0 .4rem}
.title{font-size:1.12rem;font-weight:600;margin:.2rem 0 .8rem}
.badges{display:flex;flex-wrap:wrap;gap:.5rem;margin:.6rem 0 1rem;padding:0;list-style:none}
.badges li{background:var(--panel);border:1px solid var(--line);border-radius:999px;padding:.15rem .7rem;font-size:.88rem}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.9em}
code{background:var(--panel);border-radius:4px;padding:.05rem .3rem}
pre{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:1rem;overflow-x:auto;line-height:1.45}
pre code{background:none;padding:0}
table{border-collapse:collapse;width:100%;font-size:.94rem}
th,td{text-align:left;vertical-align:top;border-bottom:1px solid var(--line);padding:.45rem .6rem}
th{background:var(--panel)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1.2rem;margin:0}
dt{font-weight:600}dd{margin:0}
.missing{color:var(--muted);font-style:italic}
.deprecated{border-left:4px solid #c77700;background:var(--panel);padding:.5rem .9rem}
.muted{color:var(--muted)}
`

function document (title: string, body: string): string {
  return '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<title>${escapeHtml(title)}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n<main>\n${body}\n</main>\n</body>\n</html>\n`
}

function missing (): string {
  return `<p class="missing">${NOT_DOCUMENTED}</p>`
}

function list (tag: 'ul' | 'ol', items: readonly string[]): string {
  return items.length === 0 ? missing() : `<${tag}>${items.map((item) => `<li>${inline(item)}</li>`).join('')}</${tag}>`
}

function memberTable (rows: readonly MemberRow[]): string {
  return '<table><thead><tr><th>Member</th><th>Type</th><th>Meaning</th></tr></thead><tbody>' +
    rows.map((row) => `<tr><td><code>${escapeHtml(row.name)}</code>${row.required ? ' <span class="muted">(always present)</span>' : ''}</td>` +
      `<td>${escapeHtml(row.type)}</td><td>${row.meaning === undefined ? `<span class="missing">${NOT_DOCUMENTED}</span>` : inline(row.meaning)}</td></tr>`).join('') +
    '</tbody></table>'
}

function relatedLink (title: string, url: string): string {
  const href = safeHref(url)
  return href === undefined ? `${inline(title)} (<code>${escapeHtml(url)}</code>)` : `<a href="${escapeHtml(href)}">${inline(title)}</a>`
}

/** Where the pages link to: the index and each code's page. */
export interface HtmlLinks {
  readonly index: string
  page (slug: string): string
}

function exampleBlock (json: string | undefined): string {
  return json === undefined ? `<p class="missing" id="example">${escapeHtml(NO_EXAMPLE_TEXT)}</p>` : `<pre id="example"><code>${escapeHtml(json)}</code></pre>`
}

function exampleSection (page: CodePage): string {
  if (page.example === undefined) return exampleBlock(undefined)
  const headers = Object.entries(page.example.headers).map(([name, value]) => `<code>${escapeHtml(`${name}: ${value}`)}</code>`).join(', ')
  return `<p>Sent with status <code>${escapeHtml(page.statusLine)}</code> and ${headers}:</p>\n${exampleBlock(page.exampleJson)}`
}

/** The HTML page of one code; the same sections as its Markdown page. */
export function renderCodeHtml (page: CodePage, links: HtmlLinks): string {
  const body = [
    `<nav><a href="${escapeHtml(links.index)}" id="index-link">&larr; ${ALL_CODES_LINK}</a></nav>`,
    `<h1 id="code">${escapeHtml(page.code)}</h1>`,
    `<p class="title" id="title">${inline(page.title)}</p>`,
    `<ul class="badges"><li id="status">HTTP ${escapeHtml(page.statusLine)}</li><li>Retryable: ${page.retry}</li><li>${page.category} error</li>${page.deprecated === undefined ? '' : '<li>Deprecated</li>'}</ul>`,
    ...(page.deprecated === undefined ? [] : [`<p class="deprecated" id="deprecated"><strong>Deprecated.</strong> ${inline(deprecationText(page.deprecated))}</p>`]),
    page.summary === undefined ? missing() : `<p id="summary">${inline(page.summary)}</p>`,
    `<h2>${SECTION.details}</h2>`,
    '<dl>' + [
      ['HTTP status', `<code>${escapeHtml(page.statusLine)}</code>`],
      ['Retryable', page.retry],
      ['Category', escapeHtml(page.categoryLabel)],
      ...page.details.map(([label, value]) => [escapeHtml(label), label === 'Type URI' ? `<code>${escapeHtml(value)}</code>` : inline(value)])
    ].map(([label, value]) => `<dt>${label}</dt><dd>${value}</dd>`).join('') + '</dl>',
    `<h2>${SECTION.members}</h2>`,
    page.members.length === 0 ? `<p>${NO_MEMBERS_TEXT}</p>` : memberTable(page.members),
    `<h2>${escapeHtml(SECTION.occurs)}</h2>`,
    '<p>This error is returned when:</p>',
    list('ul', page.occurs),
    `<h2>${SECTION.example}</h2>`,
    exampleSection(page),
    `<h2>${SECTION.resolve}</h2>`,
    list('ol', page.resolve),
    `<h2>${SECTION.related}</h2>`,
    `<ul>${page.related.map((link) => `<li>${relatedLink(link.title, link.url)}</li>`).join('')}<li><a href="${escapeHtml(links.index)}">${ALL_CODES_LINK}</a></li></ul>`
  ]
  return document(`${page.code}: ${page.title}`, body.join('\n'))
}

/** The HTML index; the same sections as the Markdown index. */
export function renderIndexHtml (index: IndexPage, links: HtmlLinks): string {
  const link = (page: CodePage) => `<a href="${escapeHtml(links.page(page.slug))}"><code>${escapeHtml(page.code)}</code></a>${page.deprecated === undefined ? '' : ' <span class="muted">(deprecated)</span>'}`
  const body = [
    `<h1>${INDEX_TITLE}</h1>`,
    `<p>${inline(INDEX_INTRO)}</p>`,
    `<h2>${SECTION.format}</h2>`,
    `<p>${RESPONSE_FORMAT_TEXT}</p>`,
    exampleBlock(index.formatExample),
    `<h3>${SECTION.fields}</h3>`,
    memberTable(index.fields),
    `<p>${EXTENSION_MEMBERS_TEXT}</p>`,
    `<h2>${SECTION.categories}</h2>`,
    ...index.categories.map((group) => `<h3>${group.heading}</h3><p>${inline(group.meaning)}</p>` +
      `<ul>${group.codes.map((page) => `<li>${link(page)}: ${inline(page.title)}</li>`).join('')}</ul>`),
    `<h2>${SECTION.codes}</h2>`,
    '<table id="codes"><thead><tr><th>Code</th><th>HTTP status</th><th>Retryable</th><th>Category</th><th>Title</th></tr></thead><tbody>' +
      index.codes.map((page) => `<tr><td>${link(page)}</td><td>${page.status}</td><td>${page.retryable ? 'yes' : 'no'}</td><td>${page.category}</td><td>${inline(page.title)}</td></tr>`).join('') +
      '</tbody></table>',
    ...(index.traceId ? [`<h2>${escapeHtml(SECTION.traceId)}</h2>`, `<p>${inline(TRACE_ID_TEXT)}</p>`] : [])
  ]
  return document(INDEX_TITLE, body.join('\n'))
}
