// A post's feature image in real Chromium: picked from the library or uploaded into the picker, older images on
// demand, plain radios without JavaScript, shown above the text on the public page, and an accessible picker.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import type { Page } from 'playwright-core'
import sharp from 'sharp'
import type { Media } from '../../src/db/schema.ts'
import { saveUpload } from '../../src/features/media/service.ts'
import { axeViolationLines } from '../helpers/axe.ts'
import { type LiveSite, requireChromium, startAuthorSite, visibleText } from '../helpers/browser.ts'

const png = (n: number, width = 640, height = 400) =>
  sharp({
    create: { width, height, channels: 3, background: { r: (n * 37) % 256, g: 120, b: (n * 91) % 256 } },
  })
    .png()
    .toBuffer()

/** `count` library images "Photo 01"… oldest first, a second apart, so "newest" is certain. */
async function addImages(
  site: LiveSite,
  count: number,
  alt = (i: number) => `Photo ${String(i).padStart(2, '0')}`,
) {
  const start = Date.now() - count * 1000
  const images: Media[] = []
  for (let i = 1; i <= count; i++) {
    const buffer = await png(i)
    const now = new Date(start + i * 1000)
    images.push(
      await saveUpload(site.db, site.config.mediaDir, {
        buffer,
        originalName: `photo-${i}.png`,
        alt: alt(i),
        now,
      }),
    )
  }
  return images
}

const featureOf = (site: LiveSite, id: number) =>
  (
    site.db.$client.prepare('select feature_image_id from posts where id = ?').get(id) as {
      feature_image_id: number | null
    }
  ).feature_image_id

const picker = (page: Page) => page.locator('[data-feature-picker]')
const imageTiles = (page: Page) =>
  picker(page).locator('label.feature-picker__tile:not(.feature-picker__none)')
const tile = (page: Page, text: string) =>
  picker(page).locator('label.feature-picker__tile', { hasText: text })
const radioOf = (page: Page, id: number) => picker(page).locator(`input[name="feature_image"][value="${id}"]`)

/** Presses Save draft (or Update) and waits for the editor it leads to; returns the post's id. */
async function saveAndWait(page: Page): Promise<number> {
  await Promise.all([page.waitForURL(/\/admin\/posts\/\d+\?done=/), page.locator('#save-button').click()])
  return Number(/\/admin\/posts\/(\d+)/.exec(page.url())?.[1])
}

async function writeNewPost(page: Page, site: LiveSite, title: string) {
  await page.goto(`${site.baseUrl}/admin/posts/new`)
  await page.getByLabel('Title', { exact: true }).fill(title)
  await page.locator('#body').fill('The first paragraph of the post, which the feature image sits above.')
}

test('an author picks a library image, saves, publishes, and readers see it above the text', {
  timeout: 60_000,
}, async (t) => {
  if (!requireChromium(t)) return
  const { site, author } = await startAuthorSite(t)
  await addImages(site, 2)
  const hero = await saveUpload(site.db, site.config.mediaDir, {
    buffer: await png(99, 1600, 900),
    originalName: 'harbour.png',
    alt: 'Fishing boats in the harbour at dawn',
  })
  const page = await author()
  await writeNewPost(page, site, 'Morning at the harbour')
  assert.equal(await page.locator('#feature_image-none').isChecked(), true, 'a new post starts with None')
  await tile(page, 'Fishing boats in the harbour').click()
  assert.equal(await radioOf(page, hero.id).isChecked(), true)

  const id = await saveAndWait(page)
  assert.equal(await radioOf(page, hero.id).isChecked(), true, 'still chosen after saving')
  assert.equal(featureOf(site, id), hero.id)

  await page.getByRole('button', { name: 'Publish…' }).click()
  await page.getByRole('dialog', { name: /^Publish/ }).waitFor()
  await Promise.all([page.waitForURL(/\?done=post-published$/), page.locator('#confirm-publish').click()])

  await page.setViewportSize({ width: 390, height: 844 })
  await page.goto(`${site.baseUrl}/posts/morning-at-the-harbour`)
  const img = page.locator('img.post__feature')
  await img.waitFor({ state: 'visible' })
  assert.equal(await img.getAttribute('alt'), 'Fishing boats in the harbour at dawn')
  assert.equal(await img.getAttribute('fetchpriority'), 'high')
  await page.waitForFunction(() => (document.querySelector('img.post__feature') as HTMLImageElement).complete)
  const loaded = await img.evaluate((i: HTMLImageElement) => ({ natural: i.naturalWidth, src: i.currentSrc }))
  assert.ok(loaded.natural > 0, `the image really loaded (${loaded.src})`)
  assert.match(loaded.src, /\/media\//)
  const imgBox = await img.boundingBox()
  const textBox = await page.locator('.post__body').boundingBox()
  assert.ok(imgBox && textBox && imgBox.y + imgBox.height <= textBox.y, 'the image is above the text')
  assert.ok(imgBox.width <= 390 && imgBox.width > 300, `the image fits the phone (${imgBox.width} px)`)
  const scroll = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  )
  assert.equal(scroll, 0, 'no horizontal scroll at 390 px')
  assert.equal(
    await page.locator('meta[property="og:image"]').getAttribute('content'),
    `${site.baseUrl}/media/${hero.fileName}`,
  )
})

test('Upload an image… puts a new image straight into the picker, chosen, and Save draft keeps it', {
  timeout: 60_000,
}, async (t) => {
  if (!requireChromium(t)) return
  const { site, author } = await startAuthorSite(t)
  await addImages(site, 3)
  const page = await author()
  await writeNewPost(page, site, 'A post with a fresh picture')
  const file = join(site.dir, 'lighthouse.png')
  await sharp(await png(7, 800, 500)).toFile(file)
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('button', { name: 'Upload an image…' }).click(),
  ])
  await chooser.setFiles(file)
  const status = page.locator('.feature-image__status')
  await status.getByText('lighthouse.png is the feature image. Save to keep it.').waitFor()
  const row = site.db.$client.prepare("select id from media where original_name = 'lighthouse.png'").get() as
    | { id: number }
    | undefined
  assert.ok(row, 'the upload is in the library')
  // Without alt text, the status line says where to give one.
  const describe = status.getByRole('link', { name: 'describe it in the media library' })
  assert.equal(await describe.getAttribute('href'), `/admin/media/${row.id}`)

  const second = picker(page).locator('label.feature-picker__tile').nth(1)
  assert.equal(await second.locator('input').getAttribute('value'), String(row.id), 'right after None')
  assert.equal(await second.locator('input').isChecked(), true)
  assert.equal(await imageTiles(page).count(), 4)

  const id = await saveAndWait(page)
  assert.equal(featureOf(site, id), row.id)
  assert.equal(await radioOf(page, row.id).isChecked(), true)
  assert.match(await visibleText(page.locator('.feature-image__alt-note')), /has no alt text/)
})

test('Show older images adds the rest of the library; an older image chosen comes first on the next visit', {
  timeout: 60_000,
}, async (t) => {
  if (!requireChromium(t)) return
  const { site, author } = await startAuthorSite(t)
  const images = await addImages(site, 30)
  const page = await author()
  await writeNewPost(page, site, 'An old photo')
  assert.equal(await imageTiles(page).count(), 24, 'the 24 newest first')
  assert.equal(await tile(page, 'Photo 30').count(), 1)
  assert.equal(await tile(page, 'Photo 03').count(), 0, 'an old one is not shown yet')
  const summary = page.locator('[data-feature-summary]')
  assert.equal(await visibleText(summary), 'The 24 newest of 30 images in the library.')

  const more = page.getByRole('button', { name: 'Show older images' })
  await more.click()
  await page.locator('.feature-image__status').getByText('6 older images shown.').waitFor()
  assert.equal(await imageTiles(page).count(), 30)
  assert.equal(await more.count(), 0, 'the button is gone when nothing is left')
  assert.equal(await summary.count(), 0)
  const labels = await imageTiles(page).locator('.feature-picker__label').allTextContents()
  assert.equal(new Set(labels).size, 30, 'no image twice')

  const old = images[2]
  assert.ok(old)
  await tile(page, 'Photo 03').click()
  const id = await saveAndWait(page)
  assert.equal(featureOf(site, id), old.id)

  await page.goto(`${site.baseUrl}/admin/posts/${id}`)
  assert.equal(await radioOf(page, old.id).isChecked(), true)
  assert.equal(await imageTiles(page).first().locator('input').getAttribute('value'), String(old.id), 'first')
  assert.equal(await imageTiles(page).count(), 25, 'the chosen one and the 24 newest')
  // Older images still come on demand, without the chosen one twice.
  await page.getByRole('button', { name: 'Show older images' }).click()
  await page.locator('.feature-image__status').getByText('5 older images shown.').waitFor()
  assert.equal(await imageTiles(page).count(), 30)
})

test('without JavaScript the picker is plain radios: an image, then None, saved with the post', {
  timeout: 60_000,
}, async (t) => {
  if (!requireChromium(t)) return
  const { site, author } = await startAuthorSite(t)
  const [, pier] = await addImages(site, 3)
  assert.ok(pier)
  const page = await author({ javaScript: false })
  await writeNewPost(page, site, 'Written without scripts')
  assert.equal(await page.getByRole('button', { name: 'Upload an image…' }).count(), 0)
  await tile(page, 'Photo 02').click()
  const id = await saveAndWait(page)
  assert.equal(featureOf(site, id), pier.id)
  assert.equal(await radioOf(page, pier.id).isChecked(), true)

  await page.getByLabel('None (the generated card)').check()
  await saveAndWait(page)
  assert.equal(featureOf(site, id), null)
  assert.equal(await page.locator('#feature_image-none').isChecked(), true)
})

test('axe finds no violation in the editor with the picker, light and dark', {
  timeout: 60_000,
}, async (t) => {
  if (!requireChromium(t)) return
  const { site, author } = await startAuthorSite(t)
  // One image without alt text, chosen, so the note about it shows too.
  const [bare] = await addImages(site, 4, (i) => (i === 1 ? '' : `Photo ${i}`))
  assert.ok(bare)
  const page = await author()
  await writeNewPost(page, site, 'Accessible picker')
  await tile(page, 'photo-1.png').click()
  const id = await saveAndWait(page)
  await page.context().close()

  const failures: string[] = []
  for (const colorScheme of ['light', 'dark'] as const) {
    const scheme = await author({ colorScheme })
    for (const path of ['/admin/posts/new', `/admin/posts/${id}`]) {
      await scheme.goto(`${site.baseUrl}${path}`)
      await scheme.getByRole('button', { name: 'Upload an image…' }).waitFor()
      for (const line of await axeViolationLines(scheme)) failures.push(`[${path} · ${colorScheme}] ${line}`)
    }
    await scheme.context().close()
  }
  assert.deepEqual(failures, [])
})
