// The series editor in real Chromium: reordering parts with Move up (keyboard) and by dragging, then saving.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import type { Page } from 'playwright-core'
import { createUser } from '../../src/features/auth/users.ts'
import { TEST_PASSWORD } from '../helpers/admin.ts'
import {
  type LiveSite,
  launchBrowser,
  openPage,
  requireChromium,
  startSite,
  visibleText,
} from '../helpers/browser.ts'
import { createPost } from '../helpers/fixtures.ts'

const AUTHOR = { name: 'Sam Rivera', email: 'sam@example.com', password: TEST_PASSWORD }
const SERIES = 'Fastify from scratch'

/** Three published parts, Alpha, Bravo and Charlie, in that order; returns the editor's URL. */
async function seriesSite(site: LiveSite): Promise<string> {
  await createUser(site.db, AUTHOR)
  for (const [i, title] of ['Alpha', 'Bravo', 'Charlie'].entries())
    createPost(site.db, { title, series: SERIES, seriesPart: i + 1, daysAgo: 3 - i })
  const { id } = site.db.$client.prepare('select id from series').get() as { id: number }
  return `${site.baseUrl}/admin/series/${id}`
}

/** Signs in through the login form, as the author does, and lands on `next`. */
async function signIn(page: Page, site: LiveSite, next: string) {
  await page.goto(`${site.baseUrl}/admin/login?next=${encodeURIComponent(new URL(next).pathname)}`)
  await page.getByLabel('Email', { exact: true }).fill(AUTHOR.email)
  await page.getByLabel('Password', { exact: true }).fill(AUTHOR.password)
  await Promise.all([
    page.waitForURL(next),
    page.getByRole('button', { name: 'Sign in', exact: true }).click(),
  ])
}

const partTitles = (page: Page) => page.locator('.series-part__title').allInnerTexts()
const partNumbers = (page: Page) =>
  page
    .locator('.series-part input[type="number"]')
    .evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value))

/** Starts a site with the series, signs the author in and opens the series editor. */
async function openEditor(t: TestContext, options: Parameters<typeof openPage>[1] = {}) {
  const site = await startSite(t)
  const editor = await seriesSite(site)
  const browser = await launchBrowser(t)
  const { page } = await openPage(browser, options)
  await signIn(page, site, editor)
  return { site, page }
}

/** Presses Save, then returns the titles in the order the public series page lists them. */
async function saveAndReadPublicOrder(page: Page, site: LiveSite): Promise<string[]> {
  await Promise.all([
    page.waitForURL(/\?done=series-saved$/),
    page.getByRole('button', { name: 'Save series' }).click(),
  ])
  assert.match(await visibleText(page.locator('main .flash')), /Series saved/)
  const saved = await partTitles(page)
  await page.goto(`${site.baseUrl}/series/fastify-from-scratch`)
  const shown = await page.locator('.series-list h2 a').allInnerTexts()
  assert.deepEqual(shown, saved, 'the editor and the public page agree')
  return shown
}

test('series: Move up reorders the parts from the keyboard, and Save keeps the new order', {
  timeout: 90_000,
}, async (t) => {
  if (!requireChromium(t)) return
  const { site, page } = await openEditor(t)

  assert.deepEqual(await partTitles(page), ['Alpha', 'Bravo', 'Charlie'])
  const up = page.getByRole('button', { name: /^Move up\W+Charlie$/ })
  await up.focus()
  await page.keyboard.press('Enter')
  await page.keyboard.press('Enter')

  assert.deepEqual(await partTitles(page), ['Charlie', 'Alpha', 'Bravo'])
  assert.deepEqual(await partNumbers(page), ['1', '2', '3'])
  assert.ok(await up.evaluate((button) => button === document.activeElement), 'focus stays on the button')
  assert.equal(await up.getAttribute('aria-disabled'), 'true', 'the first part cannot go further up')
  assert.match((await page.locator('#parts-status').textContent()) ?? '', /“Charlie” is now part 1 of 3/)

  assert.deepEqual(await saveAndReadPublicOrder(page, site), ['Charlie', 'Alpha', 'Bravo'])
})

test('series: dragging a part by its handle renumbers the parts, and Save keeps the new order', {
  timeout: 90_000,
}, async (t) => {
  if (!requireChromium(t)) return
  // Tall enough that every part is in view: the drag needs no scrolling on the way.
  const { site, page } = await openEditor(t, { height: 1400 })

  const rows = page.locator('.series-part')
  // Dropped on the lower half of the last row: the dragged part goes after it.
  const last = await rows.nth(2).boundingBox()
  assert.ok(last, 'the last part is on screen')
  await rows
    .nth(0)
    .locator('.series-part__handle')
    .dragTo(rows.nth(2), { targetPosition: { x: 20, y: last.height - 8 } })

  assert.deepEqual(await partTitles(page), ['Bravo', 'Charlie', 'Alpha'])
  assert.deepEqual(await partNumbers(page), ['1', '2', '3'])
  assert.deepEqual(await saveAndReadPublicOrder(page, site), ['Bravo', 'Charlie', 'Alpha'])
})

test('series: without JavaScript the part numbers alone reorder the parts', {
  timeout: 90_000,
}, async (t) => {
  if (!requireChromium(t)) return
  const { site, page } = await openEditor(t, { javaScript: false })

  assert.equal(await page.getByRole('button', { name: /Move up/ }).count(), 0, 'no buttons that do nothing')
  await page.getByLabel('Part number of “Alpha”').fill('3')
  await page.getByLabel('Part number of “Charlie”').fill('1')
  assert.deepEqual(await saveAndReadPublicOrder(page, site), ['Charlie', 'Bravo', 'Alpha'])
})

test('series: with JavaScript on, a refused form still shows the numbers as typed', {
  timeout: 90_000,
}, async (t) => {
  if (!requireChromium(t)) return
  const { page } = await openEditor(t)

  await page.getByLabel('Part number of “Bravo”').fill('1000')
  await page.getByLabel('Part number of “Charlie”').fill('1')
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name: 'Save series' }).click(),
  ])

  assert.equal(response?.status(), 422)
  assert.match(
    await visibleText(page.locator('#error-summary')),
    /Part “Bravo”: Enter a whole number from 1 to 999/,
  )
  assert.deepEqual(await partNumbers(page), ['1', '1000', '1'])
})
