// Passkeys in real Chromium with the DevTools virtual authenticator (add one with the password, sign out, sign in with it, see its use, remove it), and what the pages say where passkeys cannot work.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import { chromium, type Page } from 'playwright-core'
import { buildApp } from '../../src/app.ts'
import { createUser } from '../../src/features/auth/users.ts'
import { createTestDb, testConfig } from '../helpers/app.ts'
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  requireChromium,
  STEP_TIMEOUT_MS,
  startSite,
  visibleText,
} from '../helpers/browser.ts'
import { freePort } from '../helpers/processes.ts'

const AUTHOR = { name: 'Sam Rivera', email: 'sam@example.com', password: 'correct horse battery staple' }

/**
 * Folio on a real port, addressed by a host name (startSite uses 127.0.0.1, and an IP address is no
 * relying-party ID): WebAuthn needs HTTPS or localhost.
 */
async function startNamedSite(t: TestContext, host: string) {
  const { db, dir } = createTestDb(t)
  const port = await freePort()
  const baseUrl = `http://${host}:${port}`
  const app = await buildApp({ config: testConfig(dir, { SITE_URL: baseUrl }), db })
  await app.listen({ port, host: '127.0.0.1' })
  t.after(async () => {
    const closing = app.close()
    app.server.closeAllConnections()
    await closing
  })
  await createUser(db, AUTHOR)
  return { db, baseUrl }
}

/** A page in a fresh Chromium that finds `host` on this machine (the server listens on IPv4 only). */
async function openPageFor(t: TestContext, host: string) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${host} 127.0.0.1`],
  })
  t.after(() => browser.close())
  const context = await browser.newContext()
  context.setDefaultTimeout(STEP_TIMEOUT_MS)
  return { context, page: await context.newPage() }
}

/** A page whose "device" holds passkeys and verifies its user at once (the DevTools virtual authenticator). */
async function pageWithAuthenticator(t: TestContext) {
  const { context, page } = await openPageFor(t, 'localhost')
  const devtools = await context.newCDPSession(page)
  await devtools.send('WebAuthn.enable')
  const { authenticatorId } = await devtools.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  })
  const credentials = async () =>
    (await devtools.send('WebAuthn.getCredentials', { authenticatorId })).credentials
  return { page, credentials }
}

async function go(page: Page, action: () => Promise<unknown>, url: RegExp) {
  await Promise.all([page.waitForURL(url), action()])
}

const passkeyRows = (page: Page) => page.locator('#passkeys tbody tr')

test('an author adds a passkey, signs in with it, sees it used, and removes it', async (t) => {
  if (!requireChromium(t)) return
  const { baseUrl, db } = await startNamedSite(t, 'localhost')
  const { page, credentials } = await pageWithAuthenticator(t)

  // Signed in with the password first; the sign-in page offers a passkey too.
  await page.goto(`${baseUrl}/admin/login`)
  await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor()
  await page.getByLabel('Email').fill(AUTHOR.email)
  await page.getByLabel('Password').fill(AUTHOR.password)
  await go(page, () => page.getByRole('button', { name: 'Sign in', exact: true }).click(), /\/admin$/)

  // Add a passkey named "Test key" on the account page.
  await page.goto(`${baseUrl}/admin/account`)
  assert.equal(
    await visibleText(page.locator('#passkeys p').filter({ hasText: 'No passkeys' })),
    'No passkeys yet.',
  )
  await page.getByLabel('Name (optional)').fill('Test key')
  // A wrong password is refused before the browser is asked for anything.
  await page.getByLabel('Your current password').fill('not my password')
  await page.getByRole('button', { name: 'Add a passkey' }).click()
  assert.match(
    await visibleText(page.locator('#passkeys [data-passkey-message] .form-error')),
    /not your current password/,
  )
  assert.equal((await credentials()).length, 0)
  await page.getByLabel('Your current password').fill(AUTHOR.password)
  await go(page, () => page.getByRole('button', { name: 'Add a passkey' }).click(), /done=passkey-added/)
  assert.equal(await passkeyRows(page).count(), 1)
  assert.match(await visibleText(passkeyRows(page).first()), /^Test key\s.*Never/)
  assert.equal((await credentials()).length, 1, 'the authenticator holds the new passkey')

  // Signed out, the sign-in page asks for passkeys in the email field's autofill (conditional UI);
  // the virtual device answers at once, as a person picking their passkey from the list would.
  await go(page, () => page.getByRole('button', { name: 'Sign out', exact: true }).click(), /\/admin$/)

  // A browser without that autofill gets the button: sign out, and in again with it.
  await page.addInitScript('PublicKeyCredential.isConditionalMediationAvailable = async () => false')
  await go(page, () => page.getByRole('button', { name: 'Sign out', exact: true }).click(), /\/admin\/login/)
  await go(page, () => page.getByRole('button', { name: 'Sign in with a passkey' }).click(), /\/admin$/)
  assert.equal(await visibleText(page.locator('h1')), 'Dashboard')

  // The account page shows when it was last used, and the sign-in in the log.
  await page.goto(`${baseUrl}/admin/account`)
  const row = await visibleText(passkeyRows(page).first())
  const when = String.raw`\d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d`
  assert.match(row, new RegExp(`^Test key\\s+${when}\\s+${when}`))
  assert.match(
    await visibleText(page.locator('#security-title + p + table')),
    /Signed in with a passkey: Test key/,
  )

  // Remove it: the list is empty, and the passkey the device still holds no longer signs in.
  await go(page, () => page.getByRole('button', { name: 'Remove Test key' }).click(), /done=passkey-removed/)
  assert.equal(await passkeyRows(page).count(), 0)
  await go(page, () => page.getByRole('button', { name: 'Sign out', exact: true }).click(), /\/admin\/login/)
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
  assert.match(
    await visibleText(page.locator('[data-passkey-message] .form-error')),
    /not registered on this site/,
  )
  assert.ok(page.url().includes('/admin/login'))
  const passkeys = db.$client.prepare('select count(*) from passkeys').pluck().get()
  assert.equal(passkeys, 0)
})

test('on plain HTTP away from localhost, the pages say passkeys need HTTPS and the password still works', async (t) => {
  if (!requireChromium(t)) return
  const { baseUrl } = await startNamedSite(t, 'folio.test')
  const { page } = await openPageFor(t, 'folio.test')
  await page.goto(`${baseUrl}/admin/login`)
  assert.match(await visibleText(page.locator('[data-passkey-message]')), /Passkeys need HTTPS/)
  assert.equal(await page.getByRole('button', { name: 'Sign in with a passkey' }).isVisible(), false)
  await page.getByLabel('Email').fill(AUTHOR.email)
  await page.getByLabel('Password').fill(AUTHOR.password)
  await go(page, () => page.getByRole('button', { name: 'Sign in', exact: true }).click(), /\/admin$/)
  await page.goto(`${baseUrl}/admin/account`)
  assert.match(await visibleText(page.locator('#passkeys [data-passkey-message]')), /Passkeys need HTTPS/)
  assert.equal(await page.getByRole('button', { name: 'Add a passkey' }).isVisible(), false)
})

test('a site at an IP address keeps quiet about passkeys until the button is pressed, then says why', async (t) => {
  if (!requireChromium(t)) return
  const site = await startSite(t)
  const { page } = await openPageFor(t, 'localhost')
  const [autofill] = await Promise.all([
    page.waitForResponse((res) => res.url().endsWith('/admin/login/passkey/options')),
    page.goto(`${site.baseUrl}/admin/login`),
  ])
  assert.equal(autofill.status(), 400)
  assert.equal(await page.locator('[data-passkey-message]').textContent(), '')
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
  assert.match(
    await visibleText(page.locator('[data-passkey-message] .form-error')),
    /Passkeys need HTTPS\. SITE_URL is http:\/\/127\.0\.0\.1/,
  )
})
