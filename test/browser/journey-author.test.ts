// Journeys 3 and 4 in real Chromium: the author's whole day, from the setup link to signing out, with
// JavaScript on (live preview, pasted image) and off (Preview button, the media library's upload form).
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
import { issueSetupToken } from '../../src/features/auth/users.ts'
import {
  countMessages,
  type LiveSite,
  launchBrowserWithBackForwardCache,
  openPage,
  requireChromium,
  startSite,
  visibleText,
} from '../helpers/browser.ts'
import { storedMessages } from '../helpers/contact.ts'

const AUTHOR = { name: 'Sam Rivera', email: 'sam@example.com', password: 'correct horse battery staple' }
const TITLE = 'Notes from a slow phone'
const FIRST_TEXT = 'The first version of this post, written on a train.'
const LIVE_TEXT = 'Typed while the preview watched.'
const SECOND_TEXT = 'The second version, rewritten at the desk.'
const ALT = 'A red square on a white background'
const OLD_SLUG = 'notes-from-a-slow-phone'
const NEW_SLUG = 'slow-phone-notes'
const VISITOR_MESSAGE = {
  name: 'Grace Hopper',
  email: 'grace@example.com',
  subject: 'Maintenance for a Fastify app',
  message: 'Do you take on maintenance work for existing Fastify apps? Ours needs an upgrade.',
}
/** The contact form's signed timestamp must be at least 3 s old, or the message counts as a bot's. */
const HUMAN_DELAY_MS = 3100

/** A datetime-local value a year from now: always in the future, whatever the site's timezone. */
function nextYear(): string {
  const year = new Date().getUTCFullYear() + 1
  return `${year}-06-15T09:30`
}

/** Clicks a submit button and waits for the page it leads to. */
async function submitAndWait(page: Page, button: ReturnType<Page['locator']>, url: RegExp | string) {
  await Promise.all([page.waitForURL(url), button.click()])
}

/** The flash message an admin page shows after a redirect. */
const flash = (page: Page) => visibleText(page.locator('main .flash'))

const saveButton = (page: Page) => page.locator('#post-form button[name="intent"][value="save"]')

/** The post's state in the editor's publishing bar. */
const postState = (page: Page) => visibleText(page.locator('#post-state .status'))

/**
 * Publish… or Reschedule… in the bar, then "Now" or "At a time": a dialog with JavaScript, a step on
 * the page without it. `time` picks "At a time".
 */
async function publish(page: Page, javaScript: boolean, done: RegExp, time?: string) {
  if (javaScript) await page.locator('#publish-button').click()
  else await submitAndWait(page, page.locator('#publish-button'), /\/admin\/posts\/\d+$/)
  await page.locator('#publish-dialog').waitFor()
  if (time) {
    await page.getByLabel('At a time').check()
    await page.getByLabel('Publish date and time', { exact: true }).fill(time)
  } else await page.getByLabel('Now').check()
  await submitAndWait(page, page.locator('#confirm-publish'), done)
}

interface Visitor {
  readonly page: Page
  readonly loadedAt: number
}

/** A visitor in their own browser opens the contact form early, so by the time they send it they are not "too fast". */
async function openContactForm(browser: Browser, site: LiveSite): Promise<Visitor> {
  const { page } = await openPage(browser)
  await page.goto(`${site.baseUrl}/contact`)
  const loadedAt = Date.now()
  await page.getByLabel('Your name', { exact: true }).fill(VISITOR_MESSAGE.name)
  await page.getByLabel('Your email').fill(VISITOR_MESSAGE.email)
  await page.getByLabel('Subject').fill(VISITOR_MESSAGE.subject)
  await page.getByLabel('Message').fill(VISITOR_MESSAGE.message)
  return { page, loadedAt }
}

async function sendContactForm(visitor: Visitor, site: LiveSite) {
  await sleep(Math.max(0, visitor.loadedAt + HUMAN_DELAY_MS - Date.now()))
  await submitAndWait(
    visitor.page,
    visitor.page.getByRole('button', { name: 'Send message' }),
    `${site.baseUrl}/contact/thanks`,
  )
  const [message] = storedMessages(site.db)
  assert.equal(message?.folder, 'inbox', `not spam: ${message?.spamReasons.join('; ')}`)
}

/** The admin as the author sees it: a page whose text includes admin-only things. */
async function assertNoAdminContent(page: Page) {
  assert.equal(await page.locator('.admin-header').count(), 0, 'no admin navigation after signing out')
  assert.equal(await page.locator('#post-form').count(), 0, 'no editor after signing out')
  // All the text, hidden or not: nothing of the admin may be in the page at all.
  const text = (await page.locator('body').textContent()) ?? ''
  for (const secret of [VISITOR_MESSAGE.message, 'Drafts in progress', FIRST_TEXT, SECOND_TEXT])
    assert.ok(!text.includes(secret), `“${secret}” is not on the page after signing out`)
}

async function authorJourney(t: TestContext, javaScript: boolean) {
  if (!requireChromium(t)) return
  const site = await startSite(t)
  const { db, baseUrl } = site
  const token = issueSetupToken(db)
  assert.ok(token, 'a fresh site has a setup token')
  // With the back/forward cache on, as in a person's browser, so Back after signing out is realistic.
  const browser = await launchBrowserWithBackForwardCache(t)
  const visitor = await openContactForm(browser, site)

  const { page } = await openPage(browser, { javaScript })
  // The browser's own dialogs (prompt, "leave the page?") never appear: the alt text is asked in the page.
  const dialogs: string[] = []
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.type())
    await (dialog.type() === 'prompt' ? dialog.accept(ALT) : dialog.accept())
  })

  // Setup: the one-time link creates the account and signs the author in.
  await page.goto(`${baseUrl}/admin/setup?token=${encodeURIComponent(token)}`)
  assert.equal(await visibleText(page.locator('main h1')), 'Welcome to Folio')
  await page.getByLabel('Your name', { exact: true }).fill(AUTHOR.name)
  await page.getByLabel('Email', { exact: true }).fill(AUTHOR.email)
  await page.getByLabel('Password', { exact: true }).fill(AUTHOR.password)
  await submitAndWait(page, page.getByRole('button', { name: 'Create account' }), /\/admin\?done=set-up$/)
  assert.match(await flash(page), /Your account is ready/)
  assert.equal(await visibleText(page.locator('main h1')), 'Dashboard')
  assert.equal(await visibleText(page.locator('.admin-user a[href="/admin/account"]')), AUTHOR.name)

  // Without JavaScript the image goes through the media library first; its page gives the Markdown.
  let imageMarkdown = ''
  if (!javaScript) {
    const png = join(site.dir, 'red-square.png')
    await sharp({ create: { width: 64, height: 48, channels: 3, background: '#cc0000' } })
      .png()
      .toFile(png)
    await page.locator('.admin-nav').getByRole('link', { name: 'Media' }).click()
    await page.waitForURL(`${baseUrl}/admin/media`)
    await page.getByLabel('Image file', { exact: true }).setInputFiles(png)
    await page.getByLabel('Alt text', { exact: true }).fill(ALT)
    await submitAndWait(
      page,
      page.getByRole('button', { name: 'Upload' }),
      /\/admin\/media\?done=media-uploaded$/,
    )
    assert.equal(await flash(page), 'Image uploaded.')
    await page.locator('.media-item__title a', { hasText: 'red-square.png' }).click()
    await page.waitForURL(/\/admin\/media\/\d+$/)
    imageMarkdown = await page.getByLabel('Markdown to copy', { exact: true }).inputValue()
    assert.match(imageMarkdown, /^!\[A red square on a white background\]\(\/media\/[^)]+\)$/)
  }

  // Posts → New post.
  await page.locator('.admin-nav').getByRole('link', { name: 'Posts' }).click()
  await page.waitForURL(`${baseUrl}/admin/posts`)
  await page.locator('main').getByRole('link', { name: 'New post' }).click()
  await page.waitForURL(`${baseUrl}/admin/posts/new`)
  await page.getByLabel('Title', { exact: true }).fill(TITLE)
  const body = page.locator('#body')
  await body.fill(`${FIRST_TEXT}\n\n`)

  // The preview is a page of the public site in a frame.
  const preview = page.frameLocator('#post-preview-content').locator('body')
  if (javaScript) {
    // Paste a PNG made in the page, as a screenshot tool would put it on the clipboard.
    await body.focus()
    await body.evaluate(async (textarea: HTMLTextAreaElement) => {
      textarea.setSelectionRange(textarea.value.length, textarea.value.length)
      const canvas = document.createElement('canvas')
      canvas.width = 64
      canvas.height = 48
      const context = canvas.getContext('2d')
      if (!context) throw new Error('no 2d canvas')
      context.fillStyle = '#cc0000'
      context.fillRect(0, 0, 64, 48)
      const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'))
      if (!blob) throw new Error('the canvas made no PNG')
      const data = new DataTransfer()
      data.items.add(new File([blob], 'red-square.png', { type: 'image/png' }))
      textarea.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
      )
    })
    // Once uploaded, the page's own dialog asks for the alt text.
    await page.getByLabel('Alt text (describe the image for someone who cannot see it)').fill(ALT)
    await page.locator('#image-dialog').getByRole('button', { name: 'Insert' }).click()
    await page.waitForFunction(() =>
      /!\[A red square on a white background\]\(\/media\/[^)]+\)/.test(
        (document.getElementById('body') as HTMLTextAreaElement).value,
      ),
    )
    assert.match(await visibleText(page.locator('.media-upload__status')), /Inserted red-square\.png/)
    // Keep typing below the image; the live preview follows without pressing anything.
    await body.press('Control+End')
    await body.pressSequentially(`\n\n${LIVE_TEXT}`)
    await preview.getByText(LIVE_TEXT).waitFor()
    await preview.locator('img[src^="/media/"]').waitFor({ state: 'attached' })
    assert.match(await visibleText(preview), new RegExp(FIRST_TEXT))
    assert.equal(await preview.locator('img').getAttribute('alt'), ALT)
  } else {
    await body.fill(`${FIRST_TEXT}\n\n${imageMarkdown}\n`)
    assert.equal(await page.locator('#post-preview').isHidden(), true, 'no live preview without JavaScript')
    // Without JavaScript, "Preview" sends the form back rendered, saving nothing.
    await submitAndWait(page, page.locator('#preview-button'), `${baseUrl}/admin/posts`)
    assert.match(
      await visibleText(page.locator('main .notice')),
      /This is a preview\. Nothing has been saved/,
    )
    await preview.locator('img[src^="/media/"]').waitFor({ state: 'attached' })
    assert.match(await visibleText(preview), new RegExp(FIRST_TEXT))
    assert.equal(await preview.locator('img').getAttribute('alt'), ALT)
    assert.equal(
      await page.getByLabel('Title', { exact: true }).inputValue(),
      TITLE,
      'the preview keeps the title',
    )
    assert.match(await body.inputValue(), new RegExp(FIRST_TEXT), 'the preview keeps the text')
    assert.equal(
      (db.$client.prepare('select count(*) as n from posts').get() as { n: number }).n,
      0,
      'a preview saves nothing',
    )
  }
  assert.ok((await preview.locator('img').getAttribute('src'))?.startsWith('/media/'))

  // Save as a draft.
  await submitAndWait(page, saveButton(page), /\/admin\/posts\/\d+\?done=post-saved$/)
  assert.equal(await flash(page), 'Post saved.')
  assert.equal(await postState(page), 'Draft')
  const editUrl = page.url().replace(/\?.*$/, '')
  const postId = Number(editUrl.split('/').pop())
  assert.ok(postId > 0)
  assert.match(await page.locator('#body').inputValue(), /!\[A red square on a white background\]\(\/media\//)

  // Schedule it for next year.
  await publish(page, javaScript, /\?done=post-scheduled$/, nextYear())
  assert.match(
    await visibleText(page.locator('#publish-done')),
    new RegExp(
      `^Post scheduled\\. It goes live on 15 June \\d{4}, 09:30 \\(UTC\\), at ${baseUrl}/posts/${OLD_SLUG}\\.$`,
    ),
  )
  assert.equal(await postState(page), 'Scheduled')
  const whileScheduled = await page.request.get(`${baseUrl}/`)
  assert.ok(!(await whileScheduled.text()).includes(TITLE), 'a scheduled post is not on the home page yet')

  // Publish it now (Reschedule… → Now), with a second version of the text.
  await body.fill((await body.inputValue()).replace(FIRST_TEXT, SECOND_TEXT))
  await publish(page, javaScript, /\?done=post-published$/)
  assert.equal(
    await visibleText(page.locator('#publish-done')),
    `Post published. It is live at ${baseUrl}/posts/${OLD_SLUG}.`,
  )
  assert.equal(await postState(page), 'Published')

  // The public home page shows it.
  await page.getByRole('link', { name: 'View site' }).click()
  await page.waitForURL(`${baseUrl}/`)
  const card = page.locator('article.post-card').filter({ hasText: TITLE })
  assert.equal(await visibleText(card.locator('.post-card__title a')), TITLE)
  assert.equal(await card.locator('.post-card__title a').getAttribute('href'), `/posts/${OLD_SLUG}`)
  assert.match(await visibleText(card), new RegExp(SECOND_TEXT))

  // Rename its address; the old one redirects (301) to the new one.
  await page.goto(editUrl)
  await page.getByLabel('Address (slug)', { exact: true }).fill(NEW_SLUG)
  await submitAndWait(page, saveButton(page), /\?done=post-renamed$/)
  assert.match(await flash(page), /the old address now redirects to the new one/)
  const landed = await page.goto(`${baseUrl}/posts/${OLD_SLUG}`)
  assert.equal(page.url(), `${baseUrl}/posts/${NEW_SLUG}`)
  assert.equal(landed?.status(), 200)
  assert.equal((await landed?.request().redirectedFrom()?.response())?.status(), 301)
  assert.equal(await visibleText(page.locator('main h1')), TITLE)
  assert.match(await visibleText(page.locator('.post__body')), new RegExp(SECOND_TEXT))
  const publicImage = page.locator('.post__body img')
  assert.equal(await publicImage.getAttribute('alt'), ALT)
  assert.ok((await publicImage.getAttribute('src'))?.startsWith('/media/'))

  // Revisions: open the first save and restore it.
  await page.goto(editUrl)
  await page.locator('.editor-side__more').getByRole('link', { name: 'Revisions' }).click()
  await page.waitForURL(`${editUrl}/revisions`)
  const rows = page.locator('main table tbody tr')
  assert.equal(await rows.count(), 4, 'one revision per save: draft, scheduled, published, renamed')
  await rows.last().locator('a').click()
  await page.waitForURL(new RegExp(`${editUrl}/revisions/\\d+$`))
  assert.match(await visibleText(page.locator('main')), new RegExp(FIRST_TEXT))
  await submitAndWait(
    page,
    page.getByRole('button', { name: 'Restore this revision' }),
    `${editUrl}?done=revision-restored`,
  )
  assert.match(await flash(page), /Revision restored/)
  const restored = await page.locator('#body').inputValue()
  assert.match(restored, new RegExp(FIRST_TEXT))
  assert.ok(!restored.includes(SECOND_TEXT))
  assert.equal(
    await page.getByLabel('Address (slug)', { exact: true }).inputValue(),
    NEW_SLUG,
    'the address is kept',
  )
  assert.equal(await postState(page), 'Published')

  // A visitor writes in; the author reads it, marks it read and archives it.
  await sendContactForm(visitor, site)
  await page.locator('.admin-nav').getByRole('link', { name: /Inbox/ }).click()
  await page.waitForURL(`${baseUrl}/admin/inbox`)
  assert.match(await visibleText(page.locator('.admin-nav .badge')), /^1/)
  await page.locator('.inbox-table').getByRole('link', { name: VISITOR_MESSAGE.subject }).click()
  await page.waitForURL(/\/admin\/inbox\/\d+$/)
  assert.equal(await visibleText(page.locator('main h1')), VISITOR_MESSAGE.subject)
  assert.equal(await visibleText(page.locator('.message-body')), VISITOR_MESSAGE.message)
  if (javaScript) {
    // Opening the message marks it read (inbox.js posts the form).
    assert.equal(await visibleText(page.locator('main p.mark-read')), 'Marked as read.')
    assert.equal(await page.locator('.admin-nav .badge').count(), 0)
  } else {
    await submitAndWait(page, page.getByRole('button', { name: 'Mark as read' }), /\?done=inbox-read$/)
    assert.equal(await flash(page), 'Marked as read.')
  }
  const readAt = db.$client.prepare('select read_at from messages').pluck().get()
  assert.ok(readAt, 'the message is marked read in the database')
  await submitAndWait(
    page,
    page.getByRole('button', { name: 'Archive' }),
    /\/admin\/inbox\?done=inbox-archived$/,
  )
  assert.match(await flash(page), /^Archived\./)
  assert.equal(countMessages(db, 'archived'), 1)
  assert.equal(countMessages(db, 'inbox'), 0)
  assert.match(await visibleText(page.locator('main .card')), /No messages in the inbox/)

  // Sign out; Back asks the server again (no-store) and gets the sign-in page, not the inbox.
  await submitAndWait(
    page,
    page.getByRole('button', { name: 'Sign out' }),
    /\/admin\/login\?done=signed-out$/,
  )
  assert.equal(await flash(page), 'You are signed out.')
  await page.goBack()
  await page.locator('#login-title').waitFor()
  assert.match(page.url(), /\/admin\/login(\?|$)/)
  await assertNoAdminContent(page)
  await page.goto(editUrl)
  await page.locator('#login-title').waitFor()
  await assertNoAdminContent(page)
  assert.deepEqual(dialogs, [], 'no browser dialog (such as “leave the page?”) appeared')
}

test('the author, with JavaScript: setup, a post with a pasted image and live preview, through to sign-out', {
  timeout: 60_000,
}, async (t) => {
  await authorJourney(t, true)
})

test('the author, without JavaScript: the same journey with the Preview button and the media library', {
  timeout: 60_000,
}, async (t) => {
  await authorJourney(t, false)
})
