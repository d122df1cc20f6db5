/**
 * `fastify-problem-details/docs`: the reference tooling. Builds the error reference of a catalog
 * (one page per code, with the response the service sends as its example) and renders it as
 * Markdown or HTML, and locks the catalog's error contract (`contractOf`, `diffContracts`). The
 * plugin itself never loads this part unless `serveDocs` is on.
 */
export { buildReference, type CodePage, type DocsGap, type ExampleResponse, type IndexPage, type MemberRow, type Reference, type ReferenceOptions } from './model.ts'
export { renderMarkdownFiles } from './markdown.ts'
export { renderCodeHtml, renderIndexHtml, type HtmlLinks } from './html.ts'
export { contractOf, diffContracts, formatChange, renderLockfile, type ChangeKind, type ChangeSeverity, type ContractChange, type ContractEntry, type ErrorContract } from './contract.ts'
