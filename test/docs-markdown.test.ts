import t from 'tap'
import fc from 'fast-check'
import { HtmlRenderer, Parser, type Node } from 'commonmark'
import MarkdownIt from 'markdown-it'
import { buildReference, renderMarkdownFiles } from '../lib/docs/index.ts'
import { textParts } from '../lib/docs/inline.ts'
import { GENERATED_MARK, mdText } from '../lib/docs/markdown.ts'

// Catalog text must come out of a CommonMark renderer as the same literal text the HTML pages show:
// raw HTML, links, images, emphasis or blocks written in catalog text stay text. Two real renderers
// read the pages: commonmark.js (the reference implementation, with raw HTML and every link scheme
// allowed, so nothing is hidden by a renderer's own filter) and markdown-it (GitHub's tables and
// strikethrough, raw HTML on, its link filter off).

const markdownIt = new MarkdownIt({ html: true })
markdownIt.validateLink = () => true

const HOSTILE = [
  '``<img src=x onerror=alert(1)>`',
  '\\`<img src=x onerror=alert(2)>`',
  '<script>alert(3)</script>',
  '[click](javascript:alert(4))',
  '<javascript:alert(5)>',
  '![x](data:text/html,<script>alert(6)</script>)',
  '&lt;img src=x onerror=alert(7)&gt; &#60;b&#62;',
  '*emphasis* __strong__ ~~gone~~ $x$ a-_b_',
  '# heading',
  '1. list',
  '- item | cell |',
  '> quote\n\n<div onclick=alert(8)>block</div>\n---\n    indented'
]

const hostileText = HOSTILE.join(' ')

/** A catalog whose every text field (all of them documented) is hostile, with one intended code span. */
const catalog = {
  hostile_code: {
    status: 400,
    title: `Refused ${hostileText}`,
    retryable: false,
    category: 'user',
    deprecated: `Use \`other_code\` instead. ${hostileText}`,
    summary: `Send \`auth_url\` again. ${hostileText}`,
    occurs: HOSTILE,
    resolve: HOSTILE,
    details: { [`Label ${HOSTILE[0]}`]: hostileText },
    members: {
      reason: { type: 'string', enum: [HOSTILE[0], HOSTILE[2]], description: hostileText }
    },
    related: [
      { title: hostileText, url: 'https://docs.example.com/a b<c>&amp;' },
      { title: 'script link', url: 'javascript:alert(9)' },
      { title: 'entity link', url: 'javascript&#58;alert(10)' },
      { title: 'backtick link', url: 'javascript:`alert(11)`' }
    ]
  }
} as const

/** Every node commonmark.js parses from `markdown`, in document order. */
function commonmarkNodes (markdown: string): Node[] {
  const nodes: Node[] = []
  const walker = new Parser().parse(markdown).walker()
  for (let event = walker.next(); event !== null; event = walker.next()) {
    if (event.entering) nodes.push(event.node)
  }
  return nodes
}

/** Every token markdown-it parses from `markdown`, inline children included. */
function markdownItTokens (markdown: string) {
  return markdownIt.parse(markdown, {}).flatMap((token) => [token, ...(token.children ?? [])])
}

/** A link is harmless when it has no scheme (relative) or is a web URL. */
function webOrRelative (href: string): boolean {
  return /^https:\/\//.test(href) || !/^[a-z][a-z0-9+.-]*:/i.test(href)
}

/** The text of a node's children. */
function textOf (node: Node): string {
  let text = ''
  for (let child = node.firstChild; child !== null; child = child.next) text += child.literal ?? textOf(child)
  return text
}

t.test('catalog text in the Markdown pages is never HTML, a link, an image or emphasis in a real CommonMark renderer (regression: an unbalanced backtick let an img element with an onerror handler through)', async (t) => {
  const files = renderMarkdownFiles(buildReference({ catalog, typeBase: 'https://docs.example.com/errors/' }))
  for (const [name, markdown] of files) {
    // commonmark.js: only the generated mark is HTML; links lead to pages or web URLs; no markup from catalog text
    const nodes = commonmarkNodes(markdown)
    t.strictSame(nodes.filter((node) => node.type === 'html_block' || node.type === 'html_inline').map((node) => node.literal?.trim()), [GENERATED_MARK], `${name}: commonmark.js HTML`)
    t.strictSame(nodes.filter((node) => node.type === 'image'), [], `${name}: no image`)
    for (const link of nodes.filter((node) => node.type === 'link')) {
      t.ok(webOrRelative(link.destination as string), `${name}: link to ${link.destination}`)
    }
    if (name !== 'index.md') t.strictSame(nodes.filter((node) => node.type === 'emph'), [], `${name}: no emphasis`)
    const html = new HtmlRenderer().render(new Parser().parse(markdown))
    t.notMatch(html, /<(img|script|div)\b/i, `${name}: no element from catalog text`)
    t.notMatch(html, /href="(javascript|data):/i, `${name}: no script link`)

    // markdown-it, with GitHub tables: the same
    const tokens = markdownItTokens(markdown)
    t.strictSame(tokens.filter((token) => token.type.startsWith('html')).map((token) => token.content.trim()), [GENERATED_MARK], `${name}: markdown-it HTML`)
    t.strictSame(tokens.filter((token) => ['image', 's_open', 'em_open'].includes(token.type) && !(name === 'index.md' && token.type === 'em_open')), [], `${name}: no image, strikethrough or emphasis`)
    for (const link of tokens.filter((token) => token.type === 'link_open')) {
      t.ok(webOrRelative(link.attrGet('href') as string), `${name}: link to ${link.attrGet('href')}`)
    }
    const rendered = markdownIt.render(markdown)
    t.notMatch(rendered, /<(img|script|div)\b/i, `${name}: no element from catalog text`)
    t.notMatch(rendered, /href="(javascript|data):/i, `${name}: no script link`)
  }

  const page = files.get('hostile-code.md') as string
  const nodes = commonmarkNodes(page)
  t.strictSame(nodes.filter((node) => node.type === 'heading').map(textOf), ['hostile_code', 'Details', 'Extension members', 'When does this occur?', 'Example response', 'How to resolve', 'Related'], 'only the generated headings')
  t.strictSame(nodes.filter((node) => node.type === 'list').length, 4, 'only the generated lists: details, occurs, resolve, related')
  t.strictSame(nodes.filter((node) => node.type === 'block_quote').length, 1, 'only the deprecation notice')
  t.ok(nodes.some((node) => node.type === 'code' && node.literal === 'auth_url'), 'an intended code span stays code')
  t.ok(nodes.some((node) => node.type === 'code' && node.literal === 'other_code'))
  const links = nodes.filter((node) => node.type === 'link').map((node) => node.destination)
  // the web link keeps its URL (percent-encoded by the renderer), an entity in a URL is not decoded into a scheme, the script link is text
  t.strictSame(links, ['https://docs.example.com/a%20b%3Cc%3E&amp;', 'javascript&#58;alert(10)', 'index.md'])
  t.ok(nodes.some((node) => node.type === 'code' && node.literal === 'javascript:alert(9)'), 'an unsafe URL is shown as code')
  t.ok(nodes.some((node) => node.type === 'code' && node.literal === 'javascript:`alert(11)`'), 'also one with backticks')
})

/** Runs of text and code a renderer made of one paragraph: adjacent text merged. */
function runsOf (nodes: Array<{ type: string, literal: string }>): Array<{ code: boolean, text: string }> {
  const runs: Array<{ code: boolean, text: string }> = []
  for (const node of nodes) {
    const code = node.type === 'code' || node.type === 'code_inline'
    const last = runs.at(-1)
    if (!code && last !== undefined && !last.code) runs[runs.length - 1] = { code, text: last.text + node.literal }
    else runs.push({ code, text: node.literal })
  }
  return runs
}

/** What the text should read as: its code spans as code, the rest as text; line breaks (with the spaces around them) as one space. */
function expectedRuns (text: string): Array<{ code: boolean, text: string }> {
  return runsOf(textParts(text.trim()).map((part) => part.code
    ? { type: 'code', literal: part.text.replace(/\r\n?|\n/g, ' ') }
    : { type: 'text', literal: part.text.replace(/\s*[\r\n]\s*/g, ' ') }))
}

const CHARACTERS = [...'<>&#;`*_[]()!\\|~$-+=.:1 \n\r\tajvscrpt/"\'{}é?@^%', 'javascript:', '<img src=x onerror=alert(1)>', '&#58;', '&amp;', '```', '<!--', '-->', '1. ', '# ', '> ', '- ', '    ', '\\`', 'a_b', '_a_']

t.test('any catalog text renders as exactly that text in a paragraph, a list item and a table cell, with its code spans as code', async (t) => {
  const hostile = fc.array(fc.constantFrom(...CHARACTERS), { maxLength: 24 }).map((parts) => parts.join(''))
  fc.assert(fc.property(hostile, (text) => {
    const expected = expectedRuns(text)
    const inline = (node: Node) => {
      const children: Array<{ type: string, literal: string }> = []
      for (let child = node.firstChild; child !== null; child = child.next) children.push({ type: child.type, literal: child.literal ?? `<${child.type}>` })
      return children
    }
    // a paragraph and a list item (commonmark.js)
    for (const markdown of [mdText(text), `* ${mdText(text)}`, `1. ${mdText(text)}`]) {
      const paragraphs = commonmarkNodes(markdown).filter((node) => node.type === 'paragraph')
      const children = paragraphs.length === 1 ? inline(paragraphs[0]) : []
      if (expected.length === 0) continue
      if (JSON.stringify(runsOf(children)) !== JSON.stringify(expected)) throw new Error(`${JSON.stringify(text)} as ${JSON.stringify(markdown)} read as ${JSON.stringify(children)}`)
    }
    // a table cell (markdown-it)
    const markdown = `| a |\n|---|\n| ${mdText(text, true)} |`
    const cells = markdownIt.parse(markdown, {}).filter((token) => token.type === 'inline').slice(1)
    const children = cells.length === 1 ? (cells[0].children ?? []).map((token) => ({ type: token.type, literal: token.type === 'text' || token.type === 'code_inline' ? token.content : `<${token.type}>` })) : []
    const wanted = expected.length === 0 ? [] : expected
    if (JSON.stringify(runsOf(children)) !== JSON.stringify(wanted)) throw new Error(`${JSON.stringify(text)} in a cell as ${JSON.stringify(markdown)} read as ${JSON.stringify(children)}`)
  }), { numRuns: 2000, seed: 11 })
  t.pass('every generated text read back as itself')
})

t.test('code spans in catalog text stay code, also next to backticks that close nothing', async (t) => {
  t.equal(mdText('Send `auth_url` again.'), 'Send `auth_url` again.')
  t.equal(mdText('``<img src=x onerror=alert(1)>`'), '\\``<img src=x onerror=alert(1)>`')
  t.equal(mdText('quota_exceeded'), 'quota_exceeded', 'an underscore inside a word is no emphasis and stays as it is')
  t.equal(mdText('1. first'), '1\\. first')
  t.equal(mdText('keep ` spaced ` code'), 'keep `  spaced  ` code', 'CommonMark takes one space from each side of a code span: the spaces are kept')
})
