// Journey 2 in real Chromium: a visitor writes to the author, fixes a mistake the form points out, and sends once.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  countMessages,
  launchBrowser,
  openPage,
  requireChromium,
  startSite,
  visibleText,
} from '../helpers/browser.ts'
import { storedMessages } from '../helpers/contact.ts'

/** The form's signed timestamp must be at least 3 s old, or the message counts as sent by a bot. */
const HUMAN_DELAY_MS = 3100

const MESSAGE =
  'Hello! Our shop takes eight seconds to load on a phone.\nCould you have a look at it next month?'

test('a visitor sends a message: a bad email is pointed out beside the field, the fix is sent once', {
  timeout: 60_000,
}, async (t) => {
  if (!requireChromium(t)) return
  const site = await startSite(t)
  const browser = await launchBrowser(t)
  const { page } = await openPage(browser)

  // From the home page's "Need some help?" block.
  await page.goto(`${site.baseUrl}/`)
  await page.locator('aside.services').getByRole('link', { name: 'Get in touch' }).click()
  await page.waitForURL(`${site.baseUrl}/contact`)
  const formLoadedAt = Date.now()
  assert.equal(await visibleText(page.locator('main h1')), 'Get in touch')

  await page.getByLabel('Your name').fill('Ada Lovelace')
  await page.getByLabel('Your email').fill('ada-at-example.com')
  await page.getByLabel('Subject').fill('A performance audit')
  await page.getByLabel('Message').fill(MESSAGE)
  await page.getByRole('button', { name: 'Send message' }).click()

  // The form comes back with the problem beside the email field, and everything typed kept.
  const error = page.locator('#contact-email-error')
  assert.match(await visibleText(error), /does not look like an email address/)
  const email = page.locator('#contact-email')
  assert.equal(await email.getAttribute('aria-invalid'), 'true')
  assert.ok((await email.getAttribute('aria-describedby'))?.split(' ').includes('contact-email-error'))
  assert.equal(
    await error.evaluate((el) => el.closest('.field')?.querySelector('input')?.id),
    'contact-email',
  )
  assert.equal(await page.locator('#contact-message').inputValue(), MESSAGE)
  assert.equal(await page.locator('#contact-name').inputValue(), 'Ada Lovelace')
  assert.equal(await page.locator('#contact-subject').inputValue(), 'A performance audit')
  assert.equal(await email.inputValue(), 'ada-at-example.com')
  // The summary at the top links to the field.
  assert.equal(
    await page.locator('.form-summary a', { hasText: 'does not look like an email' }).getAttribute('href'),
    '#contact-email',
  )
  assert.equal(countMessages(site.db), 0)

  // A person takes a few seconds to read the error and fix it; the form keeps its first timestamp.
  await email.fill('ada@example.com')
  await sleep(Math.max(0, formLoadedAt + HUMAN_DELAY_MS - Date.now()))
  await page.getByRole('button', { name: 'Send message' }).click()
  await page.waitForURL(`${site.baseUrl}/contact/thanks`)
  assert.equal(await visibleText(page.locator('main h1')), 'Thanks for your message')

  const [stored, ...others] = storedMessages(site.db)
  assert.equal(others.length, 0)
  assert.equal(stored?.folder, 'inbox', `not spam: ${stored?.spamReasons.join('; ')}`)
  assert.equal(stored?.email, 'ada@example.com')
  assert.equal(stored?.subject, 'A performance audit')
  assert.equal(stored?.body, MESSAGE)

  // Reloading the thanks page sends nothing again.
  const again = await page.reload()
  assert.equal(again?.status(), 200)
  assert.equal(page.url(), `${site.baseUrl}/contact/thanks`)
  assert.equal(await visibleText(page.locator('main h1')), 'Thanks for your message')
  assert.equal(countMessages(site.db), 1)
})
