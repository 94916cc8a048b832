// The editor's image dialog in real Chromium: after an upload it asks for alt text and a caption in the page, then inserts Markdown.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import type { Page } from 'playwright-core'
import sharp from 'sharp'
import { listMedia } from '../../src/features/media/service.ts'
import {
  authorSessionCookie,
  type LiveSite,
  launchBrowser,
  newContext,
  requireChromium,
  startSite,
} from '../helpers/browser.ts'

const ALT_LABEL = 'Alt text (describe the image for someone who cannot see it)'

/** The editor for a new post, signed in, with the scripts running. */
async function openEditor(t: TestContext, site: LiveSite): Promise<Page> {
  const context = await newContext(await launchBrowser(t))
  await context.addCookies([await authorSessionCookie(site)])
  const page = await context.newPage()
  await page.goto(`${site.baseUrl}/admin/posts/new`)
  await page.locator('.media-upload__button').waitFor()
  return page
}

async function choosePng(page: Page, site: LiveSite, name: string): Promise<void> {
  const file = join(site.dir, name)
  await sharp({ create: { width: 320, height: 200, channels: 3, background: '#2a6' } })
    .png()
    .toFile(file)
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('button', { name: 'Insert image…' }).click(),
  ])
  await chooser.setFiles(file)
}

const bodyValue = (page: Page) => page.locator('#body').inputValue()
const status = (page: Page) => page.locator('.media-upload__status')

test('after an upload the dialog asks for alt text and a caption, inserts a figure, and the preview shows it', {
  timeout: 60_000,
}, async (t) => {
  if (!requireChromium(t)) return
  const site = await startSite(t)
  const page = await openEditor(t, site)
  const body = page.locator('#body')
  await body.fill('An intro paragraph.')
  await body.press('End')

  await choosePng(page, site, 'garden.png')
  const dialog = page.getByRole('dialog', { name: 'Insert image' })
  await dialog.waitFor()
  const alt = page.getByLabel(ALT_LABEL)
  assert.equal(
    await page.evaluate(() => document.activeElement?.id),
    'image-alt',
    'focus is in the alt field',
  )
  assert.equal(await alt.inputValue(), 'garden', 'the file name is offered as a start')
  assert.equal(listMedia(site.db).total, 1, 'the image is already in the library')

  // Alt text is required unless the image is decorative.
  await alt.fill('   ')
  await dialog.getByRole('button', { name: 'Insert' }).click()
  assert.equal(await dialog.isVisible(), true, 'an empty description is refused')
  await page.getByText('Describe the image, or tick “Decorative”').waitFor()
  assert.equal(await alt.getAttribute('aria-invalid'), 'true')

  await alt.fill('Tomatoes ripening on the vine [2024]')
  await page.getByLabel('Caption').fill('My *first* harvest, from the [allotment](https://example.com)')
  await page.getByLabel('Caption').press('Enter')
  await dialog.waitFor({ state: 'hidden' })
  // The dialog's close event comes a task after it hides: the status line says when the text is in.
  await status(page).getByText('Inserted garden.png').waitFor()

  const [, url] = /\]\((\/media\/[^)]+)\)/.exec(await bodyValue(page)) ?? []
  assert.ok(url, await bodyValue(page))
  assert.equal(
    await bodyValue(page),
    `An intro paragraph.\n\n![Tomatoes ripening on the vine \\[2024\\]](${url})\n*My \\*first\\* harvest, from the [allotment](https://example.com)*`,
  )
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'body', 'back in the text')
  assert.match((await page.locator('.media-upload__status').textContent()) ?? '', /Inserted garden\.png/)

  // The live preview is a page of the public site in a frame.
  const figure = page.frameLocator('#post-preview-content').locator('figure')
  await figure.waitFor()
  assert.equal(await figure.locator('img').getAttribute('alt'), 'Tomatoes ripening on the vine [2024]')
  assert.equal(await figure.locator('figcaption').textContent(), 'My *first* harvest, from the allotment')
  assert.equal(await figure.locator('figcaption a').getAttribute('href'), 'https://example.com')
  // The first description given reaches the library too, in the background.
  const libraryAlt = () => listMedia(site.db).items[0]?.alt
  for (let tries = 0; tries < 50 && !libraryAlt(); tries++) await page.waitForTimeout(100)
  assert.equal(libraryAlt(), 'Tomatoes ripening on the vine [2024]')
})

test('Esc cancels: the image stays in the library and nothing is inserted; a decorative image needs no alt', {
  timeout: 60_000,
}, async (t) => {
  if (!requireChromium(t)) return
  const site = await startSite(t)
  const page = await openEditor(t, site)
  await page.locator('#body').fill('Text.')

  await choosePng(page, site, 'kept.png')
  const dialog = page.getByRole('dialog', { name: 'Insert image' })
  await dialog.waitFor()
  await page.keyboard.press('Escape')
  await dialog.waitFor({ state: 'hidden' })
  await status(page).getByText('kept.png is in the media library').waitFor()
  assert.equal(await bodyValue(page), 'Text.')
  assert.match(
    (await page.locator('.media-upload__status').textContent()) ?? '',
    /kept\.png is in the media library/,
  )
  assert.equal(listMedia(site.db).total, 1)

  await page.locator('#body').press('End')
  await choosePng(page, site, 'border.png')
  await dialog.waitFor()
  await page.getByLabel(ALT_LABEL).fill('')
  await page.getByLabel(/Decorative/).check()
  assert.equal(await page.getByLabel(ALT_LABEL).isDisabled(), true)
  await dialog.getByRole('button', { name: 'Insert' }).click()
  await dialog.waitFor({ state: 'hidden' })
  await status(page).getByText('Inserted border.png as a decorative image').waitFor()
  assert.match(await bodyValue(page), /^Text\.!\[\]\(\/media\/[^)]+-border\.png\)$/)
  assert.equal(listMedia(site.db).total, 2)
})
