import t from 'tap'
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { build } from './helper.ts'

// Debian's chromium; scripts/ensure-chromium.js installs it. A missing browser fails this test, never skips it.
const CHROMIUM = '/usr/bin/chromium'
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

t.test('the served reference works in a real browser: index, code page, example, links both ways', async (t) => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run "node scripts/ensure-chromium.js" (as root) or install the Debian chromium package`)
  const { app } = await build(t, { plugin: { serveDocs: true, catalog } })
  const base = await app.listen({ host: '127.0.0.1', port: 0 })

  const profile = mkdtempSync(join(tmpdir(), 'problem-docs-chromium-'))
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1000, height: 1100 } })
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
})
