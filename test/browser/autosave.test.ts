// Autosave in real Chromium: a new post is saved as the author types, and a reload mid-sentence offers the text back exactly.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Page } from 'playwright-core'
import type { Db } from '../../src/db/client.ts'
import {
  authorSessionCookie,
  launchBrowser,
  openPage,
  requireChromium,
  STEP_TIMEOUT_MS,
  startSite,
  visibleText,
} from '../helpers/browser.ts'

const TITLE = 'What autosave is for'
const FIRST = 'Autosave keeps “quotes”, <angle brackets> & ümlauts.\n\nThen a second paragraph'
const MORE = ', typed after the first save, cut off mid-sen'
const LAST = 'tence by closing the tab'

/** The body the post's autosave slot holds, or undefined. */
function slotBody(db: Db): string | undefined {
  const json = db.$client.prepare('select fields from post_autosaves').pluck().get() as string | undefined
  return json === undefined ? undefined : (JSON.parse(json) as { body?: string }).body
}

/** Waits until the server holds `body` in the slot: what "Saved" promises. */
async function slotHolds(db: Db, body: string): Promise<void> {
  const until = Date.now() + STEP_TIMEOUT_MS
  while (slotBody(db) !== body) {
    if (Date.now() > until) assert.fail(`the slot never held the text; it holds: ${slotBody(db)}`)
    await sleep(100)
  }
}

const statusLine = (page: Page) => page.locator('#autosave-status')
const restorePrompt = (page: Page) => page.locator('#autosave-restore')

test('autosave survives a reload mid-sentence: Restore brings the text back exactly', {
  timeout: 90_000,
}, async (t) => {
  if (!requireChromium(t)) return
  const site = await startSite(t)
  const { db, baseUrl } = site
  const { context, page } = await openPage(await launchBrowser(t))
  await context.addCookies([await authorSessionCookie(site)])
  // Reloading with unsaved text asks "leave the page?" (editor.js); the author says yes.
  page.on('dialog', (dialog) => dialog.accept())

  await page.goto(`${baseUrl}/admin/posts/new`)
  assert.equal(await visibleText(statusLine(page)), 'Changes are saved as you type.')
  assert.equal(await statusLine(page).locator('[aria-live="polite"]').count(), 1)
  await page.getByLabel('Title', { exact: true }).fill(TITLE)
  const body = page.locator('#body')
  await body.fill(FIRST)

  // The first autosave makes the draft; the editor's address and form become the post's.
  await page.waitForURL(/\/admin\/posts\/\d+$/)
  const editorUrl = page.url()
  const postId = Number(editorUrl.split('/').pop())
  assert.equal(await page.locator('#post-form').getAttribute('action'), `/admin/posts/${postId}`)
  await statusLine(page)
    .filter({ hasText: /^Saved/ })
    .waitFor()
  const row = db.$client.prepare('select title, status, body_md from posts').all()
  assert.deepEqual(row, [{ title: TITLE, status: 'draft', body_md: FIRST }], 'one draft, with what was typed')

  // Typing goes on; the next autosave goes into the slot beside the post, not the post.
  await body.press('Control+End')
  await body.pressSequentially(MORE)
  await slotHolds(db, FIRST + MORE)
  await statusLine(page)
    .filter({ hasText: /^Saved/ })
    .waitFor()
  assert.equal(db.$client.prepare('select body_md from posts').pluck().get(), FIRST, 'the post is unchanged')
  assert.equal(db.$client.prepare('select count(*) from post_revisions').pluck().get(), 0)

  // Reload mid-sentence: the editor offers the newer text.
  await page.reload()
  assert.match(
    await visibleText(restorePrompt(page)),
    /^Restore unsaved changes from \d{1,2} \w+ \d{4}, \d{2}:\d{2}\?/,
  )
  assert.equal(await body.inputValue(), FIRST, 'until Restore, the editor shows the saved post')
  await Promise.all([
    page.waitForURL(/\?restore=1$/),
    restorePrompt(page).getByRole('link', { name: 'Restore' }).click(),
  ])
  await page.waitForURL(editorUrl)
  assert.equal(await body.inputValue(), FIRST + MORE, 'Restore brings the text back exactly')
  assert.equal(await page.getByLabel('Title', { exact: true }).inputValue(), TITLE)
  assert.equal(await restorePrompt(page).count(), 0)

  // Closing mid-word: the last keystrokes leave with the page (keepalive), not 2 s later.
  await body.press('Control+End')
  await body.pressSequentially(LAST)
  await page.reload()
  await slotHolds(db, FIRST + MORE + LAST)
  await page.reload()
  await Promise.all([
    page.waitForURL(/\?restore=1$/),
    restorePrompt(page).getByRole('link', { name: 'Restore' }).click(),
  ])
  assert.equal(await body.inputValue(), FIRST + MORE + LAST)

  // Saving keeps it for good and empties the slot: nothing left to offer.
  await Promise.all([page.waitForURL(/\?done=/), page.locator('#save-button').click()])
  assert.equal(db.$client.prepare('select body_md from posts').pluck().get(), FIRST + MORE + LAST)
  assert.equal(db.$client.prepare('select count(*) from post_autosaves').pluck().get(), 0)
  assert.equal(await restorePrompt(page).count(), 0)
  assert.equal(db.$client.prepare('select count(*) from posts').pluck().get(), 1, 'one post all along')
})

test('Save while a new post’s first autosave is on its way updates that draft: one post, no browser dialog', {
  timeout: 60_000,
}, async (t) => {
  if (!requireChromium(t)) return
  const site = await startSite(t)
  const { db, baseUrl } = site
  const { context, page } = await openPage(await launchBrowser(t))
  await context.addCookies([await authorSessionCookie(site)])
  const dialogs: string[] = []
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.type())
    return dialog.accept()
  })
  // The first autosave takes its time, so Save is pressed while it is on its way.
  let markSent = () => {}
  const sent = new Promise<void>((resolve) => {
    markSent = resolve
  })
  await page.route('**/admin/posts/new/autosave', async (route) => {
    markSent()
    await sleep(1500)
    await route.continue()
  })

  await page.goto(`${baseUrl}/admin/posts/new`)
  await page.getByLabel('Title', { exact: true }).fill(TITLE)
  await page.locator('#body').fill(FIRST)
  await page.waitForFunction(() => document.getElementById('autosave-status')?.textContent === 'Saving…')
  // The status changes just before the request leaves: wait until it has, then press Save.
  await sent
  await Promise.all([
    page.waitForURL(/\/admin\/posts\/\d+\?done=post-saved$/),
    page.locator('#save-button').click(),
  ])

  assert.equal(db.$client.prepare('select count(*) from posts').pluck().get(), 1, 'one post, not two')
  assert.equal(db.$client.prepare('select body_md from posts').pluck().get(), FIRST)
  assert.equal(
    db.$client.prepare('select count(*) from post_revisions').pluck().get(),
    1,
    'one save, one revision',
  )
  assert.equal(db.$client.prepare('select version from posts').pluck().get(), 2)
  assert.equal(db.$client.prepare('select count(*) from post_autosaves').pluck().get(), 0)
  assert.deepEqual(dialogs, [], 'no “leave the page?” on Save')
})
