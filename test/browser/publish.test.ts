// Publishing in real Chromium: the publish dialog with JavaScript, the same choice as a plain step without it, the
// bar that keeps the primary button on screen on a phone and a laptop, the settings beside the text from 1200 px,
// and a preview that is a page of the public site in both colour schemes.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Page } from 'playwright-core'
import { type LiveSite, requireChromium, startAuthorSite, visibleText } from '../helpers/browser.ts'
import { createPost } from '../helpers/fixtures.ts'

const TITLE = 'Shipping the new checkout'
const SLUG = 'shipping-the-new-checkout'
const BODY = 'We rebuilt the checkout.\n\n## What changed\n\n```ts\nconst total = items.reduce(sum, 0)\n```\n'

const rowOf = (site: LiveSite, slug: string) =>
  site.db.$client.prepare('select id, status, published_at from posts where slug = ?').get(slug) as
    | { id: number; status: string; published_at: number | null }
    | undefined

/** A datetime-local value a year from now: always in the future, whatever the site's timezone. */
const nextYear = () => `${new Date().getUTCFullYear() + 1}-06-15T09:30`

/** Clicks and waits for the page the click leads to. */
async function clickAndWait(page: Page, selector: string, url: RegExp) {
  await Promise.all([page.waitForURL(url), page.locator(selector).click()])
}

/** The bar's state as a person reads it. */
const stateOf = async (page: Page) => (await visibleText(page.locator('#post-state'))).replace(/\s+/g, ' ')

async function writeNewPost(page: Page, site: LiveSite) {
  await page.goto(`${site.baseUrl}/admin/posts/new`)
  await page.getByLabel('Title', { exact: true }).fill(TITLE)
  await page.locator('#body').fill(BODY)
}

test('with JavaScript, Publish… asks now or at a time in a dialog and confirms with the public address', {
  timeout: 60_000,
}, async (t) => {
  if (!requireChromium(t)) return
  const { site, author } = await startAuthorSite(t)
  const page = await author()
  await writeNewPost(page, site)
  assert.equal(await stateOf(page), 'Draft')

  // The dialog opens over the page with the focus inside it; Esc closes it and gives the focus back.
  const opener = page.getByRole('button', { name: 'Publish…' })
  await opener.click()
  const dialog = page.getByRole('dialog', { name: `Publish “${TITLE}”` })
  await dialog.waitFor()
  assert.equal(await dialog.evaluate((d) => d.matches(':modal')), true, 'a modal dialog')
  assert.equal(await page.evaluate(() => Boolean(document.activeElement?.closest('#publish-dialog'))), true)
  assert.equal(await page.locator('#publish-now').isChecked(), true, 'a draft starts from “Now”')
  assert.equal(await page.locator('#published_at').isDisabled(), true, 'the time only counts “at a time”')
  await page.keyboard.press('Escape')
  await dialog.waitFor({ state: 'hidden' })
  assert.equal(await opener.evaluate((b) => b === document.activeElement), true, 'focus back on Publish…')
  // Esc publishes nothing. The post may exist as a draft by now: autosave keeps one two seconds
  // after typing stops, and on a busy machine the steps above can take that long.
  const closed = rowOf(site, SLUG)
  assert.ok(
    !closed || (closed.status === 'draft' && closed.published_at === null),
    `Esc publishes nothing: ${JSON.stringify(closed)}`,
  )

  // The button says what it will do as the choice changes; "Now" wins whatever time is typed.
  await opener.click()
  await page.getByLabel('At a time').check()
  assert.equal(await page.locator('#published_at').isEnabled(), true)
  await page.locator('#published_at').fill(nextYear())
  assert.equal(await visibleText(page.locator('#confirm-publish')), 'Schedule')
  await page.getByLabel('Now').check()
  assert.equal(await visibleText(page.locator('#confirm-publish')), 'Publish now')
  await clickAndWait(page, '#confirm-publish', /\/admin\/posts\/\d+\?done=post-published$/)

  const url = `${site.baseUrl}/posts/${SLUG}`
  const done = await visibleText(page.locator('#publish-done'))
  assert.equal(done, `Post published. It is live at ${url}.`)
  assert.equal(await page.locator('#publish-done a').getAttribute('href'), url)
  assert.match(await stateOf(page), /^Published \d{1,2} \w+ \d{4}, \d\d:\d\d View on the site$/)
  assert.equal(rowOf(site, SLUG)?.status, 'published')
  assert.ok((rowOf(site, SLUG)?.published_at ?? 0) <= Date.now())

  const visitor = await page.request.get(url)
  assert.equal(visitor.status(), 200)
  assert.match(await visitor.text(), new RegExp(`<h1>${TITLE}</h1>`))

  // Unpublish says what happened, and the public page is gone.
  await clickAndWait(page, '#unpublish-button', /\?done=post-unpublished$/)
  assert.match(
    await visibleText(page.locator('#publish-done')),
    new RegExp(`^Post unpublished\\. It is a draft again: ${url} no longer shows it\\.$`),
  )
  assert.equal((await page.request.get(url)).status(), 404)
})

test('without JavaScript, Publish… is a plain step with the same choice, and Reschedule… works the same way', {
  timeout: 60_000,
}, async (t) => {
  if (!requireChromium(t)) return
  const { site, author } = await startAuthorSite(t)
  const page = await author({ javaScript: false })
  await writeNewPost(page, site)

  // The step: the same choice on the page, with the text kept and nothing saved.
  await clickAndWait(page, '#publish-button', /\/admin\/posts$/)
  const step = page.locator('#publish-dialog')
  assert.equal(await step.isVisible(), true)
  assert.equal(await visibleText(step.locator('h2')), `Publish “${TITLE}”`)
  assert.equal(await page.locator('#publish-now').isChecked(), true)
  assert.equal(await page.locator('#publish-cancel').isVisible(), false, 'Cancel needs JavaScript')
  assert.equal(await page.locator('#body').inputValue(), BODY)
  assert.equal(rowOf(site, SLUG), undefined, 'the step saves nothing')

  // At a time: scheduled, with the address it will have.
  await page.getByLabel('At a time').check()
  await page.locator('#published_at').fill(nextYear())
  await clickAndWait(page, '#confirm-publish', /\/admin\/posts\/\d+\?done=post-scheduled$/)
  const url = `${site.baseUrl}/posts/${SLUG}`
  assert.match(
    await visibleText(page.locator('#publish-done')),
    new RegExp(`^Post scheduled\\. It goes live on 15 June \\d{4}, 09:30 \\(UTC\\), at ${url}\\.$`),
  )
  assert.match(await stateOf(page), /^Scheduled for 15 June \d{4}, 09:30$/)
  assert.equal(rowOf(site, SLUG)?.status, 'scheduled')
  assert.equal((await page.request.get(url)).status(), 404, 'not public before its time')

  // Reschedule…: the same step, starting from its time; "Now" publishes it at once.
  await clickAndWait(page, '#publish-button', /\/admin\/posts\/\d+$/)
  assert.equal(await visibleText(page.locator('#publish-dialog h2')), `Reschedule “${TITLE}”`)
  assert.equal(await page.locator('#publish-later').isChecked(), true)
  await page.getByLabel('Now').check()
  await clickAndWait(page, '#confirm-publish', /\?done=post-published$/)
  assert.equal(await visibleText(page.locator('#publish-done')), `Post published. It is live at ${url}.`)
  const visitor = await page.request.get(url)
  assert.equal(visitor.status(), 200)
  assert.match(await visitor.text(), /We rebuilt the checkout\./)
})

/** Where an element is on the screen. */
const boxOf = async (page: Page, selector: string) => {
  const box = await page.locator(selector).boundingBox()
  assert.ok(box, `${selector} is on the page`)
  return box
}

async function assertOnScreen(page: Page, selector: string, what: string) {
  const box = await boxOf(page, selector)
  const height = page.viewportSize()?.height ?? 0
  assert.ok(
    box.y >= 0 && box.y + box.height <= height,
    `${what}: ${selector} at y=${box.y} in a ${height} px window`,
  )
}

test('the primary button is on screen without scrolling, and after, on a phone and a laptop; settings sit beside the text from 1200 px', {
  timeout: 60_000,
}, async (t) => {
  if (!requireChromium(t)) return
  const { site, author } = await startAuthorSite(t)
  const long = Array.from({ length: 60 }, (_, i) => `Paragraph ${i + 1} of a long post.`).join('\n\n')
  const published = createPost(site.db, { title: 'A long published post', bodyMd: long })
  const drafted = createPost(site.db, {
    title: 'A long draft',
    bodyMd: long,
    status: 'draft',
    publishedAt: undefined,
  })

  for (const [width, height] of [
    [390, 844],
    [1280, 800],
  ] as const) {
    const page = await author({ width, height })
    for (const [url, primary] of [
      ['/admin/posts/new', '#publish-button'],
      [`/admin/posts/${drafted.id}`, '#publish-button'],
      [`/admin/posts/${published.id}`, '#save-button'],
    ] as const) {
      await page.goto(`${site.baseUrl}${url}`)
      const where = `${url} at ${width}×${height}`
      await assertOnScreen(page, primary, where)
      // Scrolled to the settings at the end, the bar is still there.
      await page.locator('.editor-side__title').scrollIntoViewIfNeeded()
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight))
      await assertOnScreen(page, primary, `${where}, scrolled to the end`)
      assert.ok(await page.evaluate(() => window.scrollY > 0), `${where} scrolls`)
    }
    await page.context().close()
  }

  for (const [width, beside] of [
    [1280, true],
    [1200, true],
    [1024, false],
  ] as const) {
    const page = await author({ width, height: 800 })
    await page.goto(`${site.baseUrl}/admin/posts/${published.id}`)
    const main = await boxOf(page, '.editor-layout__main')
    const side = await boxOf(page, '.editor-layout__side')
    if (beside) {
      assert.ok(side.x >= main.x + main.width, `at ${width} px the settings are right of the text`)
      assert.ok(side.y < main.y + 100, `at ${width} px the settings start beside the title`)
    } else {
      assert.ok(side.y >= main.y + main.height, `at ${width} px the settings follow the text`)
    }
    await page.context().close()
  }
})

/** Computed styles of the same things on the public page and in the preview frame. */
async function looks(page: Page, root: 'page' | 'frame') {
  const frame = root === 'frame' ? page.frameLocator('#post-preview-content') : page
  const body = frame.locator('body')
  const heading = frame.locator('.prose.post__body h2').first()
  const keyword = frame.locator('.post__body .hljs-keyword').first()
  await heading.waitFor()
  const style = (el: Element, name: string) => getComputedStyle(el).getPropertyValue(name)
  return {
    background: await body.evaluate(style, 'background-color'),
    text: await body.evaluate(style, 'color'),
    headingFont: await heading.evaluate(style, 'font-family'),
    keyword: await keyword.evaluate(style, 'color'),
    anchor: await frame.locator('.post__body h2 a.anchor').count(),
  }
}

async function previewLooksLikeThePage(
  author: (o: { colorScheme: 'light' | 'dark' }) => Promise<Page>,
  site: LiveSite,
) {
  for (const colorScheme of ['light', 'dark'] as const) {
    const page = await author({ colorScheme })
    const published = rowOf(site, SLUG)
    assert.ok(published)
    await page.goto(`${site.baseUrl}/posts/${SLUG}`)
    const reader = await looks(page, 'page')
    await page.goto(`${site.baseUrl}/admin/posts/${published.id}`)
    const preview = await looks(page, 'frame')
    assert.deepEqual(preview, reader, `the preview looks like the page (${colorScheme})`)
    // The admin's own stylesheet stays out of the frame, and the public one out of the admin.
    const sheets = await page
      .frameLocator('#post-preview-content')
      .locator('link[rel="stylesheet"]')
      .evaluateAll((links) => links.map((l) => l.getAttribute('href')))
    assert.equal(sheets.length, 1)
    assert.match(sheets[0] ?? '', /^\/static\/css\/site\.[0-9a-f]+\.css$/)
    assert.equal(await page.locator('head link[href*="/css/site."]').count(), 0)
    // A heading's # link stays in the preview: no new tab, no other page.
    const editorUrl = page.url()
    await page.frameLocator('#post-preview-content').locator('.post__body h2 a.anchor').click()
    assert.equal(page.context().pages().length, 1)
    assert.equal(page.url(), editorUrl)
    await page.context().close()
  }
}

test('the preview frame is a page of the public site: same stylesheet, code colours and heading anchors, light and dark', {
  timeout: 60_000,
}, async (t) => {
  if (!requireChromium(t)) return
  const { site, author } = await startAuthorSite(t)
  createPost(site.db, { title: TITLE, bodyMd: BODY })
  await previewLooksLikeThePage(author, site)
})
