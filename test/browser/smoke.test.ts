// Checks that a real browser can load Folio: the setup every browser test builds on.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { launchBrowser, newContext, requireChromium, startSite } from '../helpers/browser.ts'
import { createPost } from '../helpers/fixtures.ts'

test('a visitor in Chromium sees the home page with its stylesheet applied', async (t) => {
  if (!requireChromium(t)) return
  const site = await startSite(t)
  createPost(site.db, { title: 'Hello from a real browser' })
  const browser = await launchBrowser(t)
  const page = await (await newContext(browser)).newPage()
  const response = await page.goto(`${site.baseUrl}/`)
  assert.equal(response?.status(), 200)
  assert.equal(await page.locator('h3, h2').filter({ hasText: 'Hello from a real browser' }).count(), 1)
  // The stylesheet loaded: the skip link is moved off-screen until focused.
  const top = await page.locator('.skip-link').evaluate((el) => getComputedStyle(el).top)
  assert.notEqual(top, 'auto')
})
