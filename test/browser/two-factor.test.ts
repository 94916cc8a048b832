// Two-step sign-in in real Chromium with JavaScript off: set up an app from the QR page, sign in with a code computed here, a reused code refused, a recovery code accepted once.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { generateSync } from 'otplib'
import type { Page } from 'playwright-core'
import type { Db } from '../../src/db/client.ts'
import { createUser } from '../../src/features/auth/users.ts'
import { launchBrowser, openPage, requireChromium, startSite, visibleText } from '../helpers/browser.ts'

const AUTHOR = { name: 'Sam Rivera', email: 'sam@example.com', password: 'correct horse battery staple' }

async function go(page: Page, action: () => Promise<unknown>, url: RegExp) {
  await Promise.all([page.waitForURL(url), action()])
}

/** The app's code now, after pretending the last code accepted is a minute old (the server keeps real time). */
function codeNow(db: Db, secret: string): string {
  db.$client
    .prepare('update totp_factors set last_step = min(last_step, ?)')
    .run(Math.floor(Date.now() / 30_000) - 2)
  return generateSync({ secret })
}

async function signInWithPassword(page: Page, baseUrl: string) {
  await page.goto(`${baseUrl}/admin/login`)
  await page.getByLabel('Email').fill(AUTHOR.email)
  await page.getByLabel('Password').fill(AUTHOR.password)
  await go(
    page,
    () => page.getByRole('button', { name: 'Sign in', exact: true }).click(),
    /\/admin(\/login\/verify)?$/,
  )
}

const signOut = (page: Page) =>
  go(page, () => page.getByRole('button', { name: 'Sign out', exact: true }).click(), /\/admin\/login/)

async function enterCode(page: Page, code: string, url: RegExp) {
  await page.locator('#code').fill(code)
  await go(page, () => page.getByRole('button', { name: 'Sign in', exact: true }).click(), url)
}

test('an author sets up an app, signs in with its codes, and uses a recovery code once', {
  timeout: 60_000,
}, async (t) => {
  if (!requireChromium(t)) return
  const { db, baseUrl } = await startSite(t)
  await createUser(db, AUTHOR)
  const browser = await launchBrowser(t)
  const { page } = await openPage(browser, { javaScript: false })
  const blocked: string[] = []
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) blocked.push(message.text())
  })

  await signInWithPassword(page, baseUrl)
  await page.goto(`${baseUrl}/admin/account`)
  await go(
    page,
    () => page.getByRole('link', { name: 'Set up an authenticator app' }).click(),
    /two-factor\/setup$/,
  )
  // Setting up starts with the password.
  await page.getByLabel('Password').fill(AUTHOR.password)
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.locator('#totp-secret').waitFor()
  const qr = page.getByRole('img', { name: /QR code for/ })
  const box = await qr.boundingBox()
  assert.ok(box && box.width >= 150 && box.height >= 150, `the QR code is drawn: ${JSON.stringify(box)}`)
  const secret = (await visibleText(page.locator('#totp-secret'))).replace(/ /g, '')
  assert.match(secret, /^[A-Z2-7]{32}$/)

  await page.getByLabel('Code from the app').fill(generateSync({ secret }))
  await go(page, () => page.getByRole('button', { name: 'Turn on' }).click(), /two-factor\/confirm$/)
  const codes = (await page.locator('#recovery-codes code').allInnerTexts()).map((c) => c.trim())
  assert.equal(codes.length, 10)
  await go(page, () => page.getByRole('link', { name: 'I have saved them' }).click(), /\/admin\/account$/)
  assert.match(await visibleText(page.locator('#two-factor-title + p')), /^On\./)

  // Sign out; the password now leads to the code prompt, and the code computed here signs in.
  await signOut(page)
  await signInWithPassword(page, baseUrl)
  assert.ok(page.url().endsWith('/admin/login/verify'), page.url())
  const code = codeNow(db, secret)
  await enterCode(page, code, /\/admin$/)

  // The same code again is refused.
  await signOut(page)
  await signInWithPassword(page, baseUrl)
  await enterCode(page, code, /\/admin\/login\/verify$/)
  assert.match(await visibleText(page.locator('#code-error')), /used already/)

  // A recovery code works once.
  await go(page, () => page.getByRole('link', { name: 'Use a recovery code instead' }).click(), /recovery=1$/)
  await enterCode(page, codes[0] ?? '', /recovery-code-used/)
  assert.match(await visibleText(page.locator('main')), /You have 9 recovery codes left/)
  await go(page, () => page.getByRole('link', { name: 'Continue' }).click(), /\/admin$/)
  await signOut(page)
  await signInWithPassword(page, baseUrl)
  await enterCode(page, codes[0] ?? '', /\/admin\/login\/verify$/)
  assert.match(await visibleText(page.locator('#code-error')), /not one of your unused recovery codes/)
  assert.deepEqual(blocked, [], 'nothing on these pages was blocked by the CSP')
})
