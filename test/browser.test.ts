import t, { type Test } from 'tap'
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { build } from './helper.ts'

// Debian's chromium, or the browser in CHROMIUM_PATH. Without one this file skips itself, saying
// how to enable it; with REQUIRE_BROWSER=1 (as .ci/run sets, after installing chromium) it fails.
const { findChromium, HOW_TO_ENABLE } = createRequire(__filename)('../scripts/ensure-chromium.js') as {
  findChromium: () => { path?: string, missing?: string }
  HOW_TO_ENABLE: string
}
const browser = findChromium()
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
const screenshots = join(__dirname, '..', 'test-results')

const catalog = {
  quota_exceeded: {
    status: 429,
    title: 'The quota is used up <script>window.injected = true</script>',
    retryable: true,
    category: 'user',
    members: { limit: { type: 'integer', description: 'Requests allowed per hour.' } },
    summary: 'More requests arrived than the plan allows.',
    occurs: ['More than `limit` requests arrived in an hour.'],
    resolve: ['Wait, then try again.'],
    example: { members: { limit: 1000 } }
  }
} as const

if (browser.path === undefined && process.env.REQUIRE_BROWSER !== '1') {
  t.plan(0, `no browser (${browser.missing}): to run this test, ${HOW_TO_ENABLE}`)
} else {
  t.test('the served reference works in a real browser: index, code page, example, links both ways', async (t) => {
    await browserTour(t)
  })
}

async function browserTour (t: Test) {
  if (browser.path === undefined) throw new Error(`REQUIRE_BROWSER=1 and no browser (${browser.missing}): ${HOW_TO_ENABLE}`)
  const { app } = await build(t, { plugin: { serveDocs: true, catalog } })
  const base = await app.listen({ host: '127.0.0.1', port: 0 })

  const profile = mkdtempSync(join(tmpdir(), 'problem-docs-chromium-'))
  // no time limits (Playwright's default is 30 s per step): a busy machine is slower, not wrong
  const context = await chromium.launchPersistentContext(profile, { executablePath: browser.path, headless: true, args: ARGS, viewport: { width: 1000, height: 1100 }, timeout: 0 })
  context.setDefaultTimeout(0)
  context.setDefaultNavigationTimeout(0)
  t.teardown(async () => {
    await context.close()
    rmSync(profile, { recursive: true, force: true })
  })
  const page = context.pages()[0] ?? await context.newPage()
  const requested: string[] = []
  page.on('request', (request) => requested.push(request.url()))
  const dialogs: string[] = []
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message())
    dialog.dismiss().catch(() => {})
  })

  // 1. the index lists the codes
  const index = await page.goto(`${base}/problems/`)
  t.equal(index?.status(), 200)
  t.equal(await page.locator('h1').textContent(), 'Error reference')
  t.equal(await page.locator('#codes tbody tr').count(), 17)
  t.ok(await page.locator('#example').isVisible(), 'the response format example is visible')

  // 2. follow the link of a code
  await page.locator('#codes a', { hasText: /^conflict$/ }).click()
  await page.waitForURL(`${base}/problems/conflict`)
  t.equal(await page.locator('#code').textContent(), 'conflict')
  t.equal(await page.locator('#status').textContent(), 'HTTP 409 Conflict')
  const example = page.locator('#example')
  t.ok(await example.isVisible(), 'the example response is visible')
  t.match(JSON.parse(await example.textContent() ?? '{}'), { type: '/problems/conflict', status: 409, retryable: true })
  mkdirSync(screenshots, { recursive: true })
  const shot = join(screenshots, 'problem-docs-conflict.png')
  await page.screenshot({ path: shot, fullPage: true })
  t.ok(statSync(shot).size > 10_000, 'a screenshot of the code page was saved')

  // 3. back to the index through its link
  await page.locator('#index-link').click()
  await page.waitForURL(`${base}/problems/`)
  t.equal(await page.locator('h1').textContent(), 'Error reference')
  await page.screenshot({ path: join(screenshots, 'problem-docs-index.png'), fullPage: true })

  // 4. catalog text is shown as text, never run
  await page.goto(`${base}/problems/quota-exceeded`)
  t.equal(await page.locator('#title').textContent(), catalog.quota_exceeded.title)
  t.equal(await page.evaluate(() => (globalThis as { injected?: boolean }).injected), undefined, 'the script in the title did not run')
  t.equal(await page.locator('script').count(), 0)
  t.equal(await page.locator('#status').textContent(), 'HTTP 429 Too Many Requests')
  t.match(await page.locator('#example').textContent(), '"limit": 1000')
  t.strictSame(dialogs, [])

  // 5. self-contained: the browser fetched nothing but the pages themselves
  t.ok(requested.length >= 3)
  t.strictSame(requested.filter((url) => !url.startsWith(`${base}/problems/`)), [], 'no fonts, scripts or styles from elsewhere')
}
