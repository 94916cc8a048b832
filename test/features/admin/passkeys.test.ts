// Checks passkeys through the routes, with a software authenticator: adding (after the password), signing in (a full sign-in, second factor or not), removing, reset-2fa, and every way a request is refused.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { generateSync } from 'otplib'
import type { Db } from '../../../src/db/client.ts'
import { PASSKEY_COOKIE } from '../../../src/features/admin/auth/passkey-routes.ts'
import { resetSecondFactor } from '../../../src/features/auth/reset.ts'
import { enableTotp } from '../../../src/features/auth/second-factor.ts'
import { SESSION_COOKIE } from '../../../src/features/auth/sessions.ts'
import { startTotpSetup } from '../../../src/features/auth/totp.ts'
import { createUser } from '../../../src/features/auth/users.ts'
import { MAX_LIVE_SIGN_IN_CHALLENGES } from '../../../src/features/auth/webauthn.ts'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { formatDateTime } from '../../../src/lib/dates.ts'
import { type Browser, browser, signInWithForm, TEST_PASSWORD } from '../../helpers/admin.ts'
import { createTestApp, rowCount } from '../../helpers/app.ts'
import {
  type Answer,
  type SoftwareAuthenticator,
  softwareAuthenticator,
} from '../../helpers/software-authenticator.ts'

const AUTHOR = 'author@example.com'
const SITE = 'https://blog.example.com'

async function withAuthor(t: TestContext, env: Record<string, string> = {}) {
  const { app, db } = await createTestApp(t, env)
  const user = await createUser(db, { name: 'Sam Rivera', email: AUTHOR, password: TEST_PASSWORD })
  const { visitor } = await signInWithForm(app, AUTHOR)
  return { app, db, user, author: visitor }
}

/** What passkeys.js sends: JSON, asking for JSON, with the page's CSRF token in a header. */
function postJson(
  visitor: Browser,
  url: string,
  body: unknown,
  csrf?: string,
): Promise<LightMyRequestResponse> {
  return visitor.send({
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(csrf === undefined ? {} : { 'csrf-token': csrf }),
    },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

async function addPasskey(
  author: Browser,
  key: SoftwareAuthenticator,
  name = 'Test key',
  answer: Answer = {},
) {
  const csrf = await author.csrfFrom('/admin/account')
  const options = await postJson(author, '/admin/account/passkeys/options', PASSWORD, csrf)
  assert.equal(options.statusCode, 200, options.body)
  return postJson(
    author,
    '/admin/account/passkeys',
    { name, response: key.register(options.json(), answer) },
    csrf,
  )
}

/** A new browser on the sign-in page asks for a challenge; `respond` answers it (by default, with `key`). */
async function passkeySignIn(
  app: FastifyInstance,
  key: SoftwareAuthenticator,
  answer: Answer = {},
  body: { next?: string } = {},
) {
  const visitor = browser(app)
  const csrf = await visitor.csrfFrom('/admin/login')
  const options = await postJson(visitor, '/admin/login/passkey/options', body, csrf)
  assert.equal(options.statusCode, 200, options.body)
  const response = key.signIn(options.json(), answer)
  const res = await postJson(visitor, '/admin/login/passkey', { response }, csrf)
  return { visitor, csrf, response, res }
}

/** What the "Add a passkey" form sends first: the author's current password. */
const PASSWORD = { current_password: TEST_PASSWORD }

const messageOf = (res: LightMyRequestResponse): string => (res.json() as { message: string }).message

const eventKinds = (db: Db): string[] =>
  (db.$client.prepare('select kind from security_events order by id').all() as { kind: string }[]).map(
    (e) => e.kind,
  )

test('an author adds a passkey named on the account page, and it is listed', async (t) => {
  const { db, author } = await withAuthor(t)
  const key = softwareAuthenticator(SITE)
  const csrf = await author.csrfFrom('/admin/account')
  const options = await postJson(author, '/admin/account/passkeys/options', PASSWORD, csrf)
  assert.equal(options.statusCode, 200)
  assert.equal(options.headers['cache-control'], 'no-store')
  const made = options.json()
  assert.equal(made.rp.id, 'blog.example.com')
  assert.equal(made.user.name, AUTHOR)
  assert.equal(made.authenticatorSelection.residentKey, 'required')
  assert.equal(made.authenticatorSelection.userVerification, 'required')
  assert.deepEqual(made.excludeCredentials, [])
  // EdDSA, ES256, RS256 on every Node (Node 24 would add ML-DSA-44, a passkey Node 20 cannot check).
  assert.deepEqual(
    made.pubKeyCredParams.map((p: { alg: number }) => p.alg),
    [-8, -7, -257],
  )

  const res = await postJson(
    author,
    '/admin/account/passkeys',
    { name: ' Test key ', response: key.register(made) },
    csrf,
  )
  assert.equal(res.statusCode, 201, res.body)
  assert.equal(res.json().redirect, '/admin/account?done=passkey-added#passkeys')
  const page = await author.get('/admin/account')
  assert.match(page.body, /<td>Test key<\/td>/)
  assert.match(page.body, /Never/)
  assert.deepEqual(eventKinds(db), ['passkey-added'])

  // The next registration tells the browser which passkeys it already has.
  const again = await postJson(author, '/admin/account/passkeys/options', PASSWORD, csrf)
  assert.deepEqual(
    again.json().excludeCredentials.map((c: { id: string }) => c.id),
    [key.credentialId],
  )
})

test('a passkey left unnamed is named after the browser it was added in', async (t) => {
  const { author } = await withAuthor(t)
  const res = await addPasskey(author, softwareAuthenticator(SITE), '')
  assert.equal(res.statusCode, 201, res.body)
  assert.match(res.json().message, /Unknown browser/)
})

test('adding a passkey needs a signed-in author and changes nothing otherwise', async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = browser(app)
  const csrf = await visitor.csrfFrom('/admin/login')
  const options = await postJson(visitor, '/admin/account/passkeys/options', PASSWORD, csrf)
  assert.equal(options.statusCode, 401)
  const verify = await postJson(visitor, '/admin/account/passkeys', { name: 'x', response: {} }, csrf)
  assert.equal(verify.statusCode, 401)
  assert.equal(rowCount(db, 'auth_challenges'), 0)
})

test('signing in with a passkey starts a session, goes to next, and records the use', async (t) => {
  const { app, db, author } = await withAuthor(t)
  const key = softwareAuthenticator(SITE)
  assert.equal((await addPasskey(author, key)).statusCode, 201)

  const { visitor, res } = await passkeySignIn(app, key, {}, { next: '/admin/posts?status=draft' })
  assert.equal(res.statusCode, 303, res.body)
  assert.equal(res.headers.location, '/admin/posts?status=draft')
  assert.ok(visitor.cookies[SESSION_COOKIE], 'a session cookie is set')
  assert.equal(visitor.cookies[PASSKEY_COOKIE], undefined, 'the challenge cookie is cleared')
  assert.equal((await visitor.get('/admin')).statusCode, 200)
  assert.equal(rowCount(db, 'auth_challenges'), 0)

  const row = db.$client.prepare('select counter, last_used_at from passkeys').get() as {
    counter: number
    last_used_at: number | null
  }
  assert.equal(row.counter, 2)
  assert.ok(row.last_used_at)
  assert.deepEqual(eventKinds(db), ['passkey-added', 'passkey-sign-in'])
  assert.doesNotMatch((await visitor.get('/admin/account')).body, /Never/)
})

test('a sign-in to another site is sent to the admin instead', async (t) => {
  const { app, author } = await withAuthor(t)
  const key = softwareAuthenticator(SITE)
  await addPasskey(author, key)
  const { res } = await passkeySignIn(app, key, {}, { next: 'https://evil.example/' })
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/admin')
})

test('a sign-in challenge answers once: replaying a good answer is refused', async (t) => {
  const { app, db, author } = await withAuthor(t)
  const key = softwareAuthenticator(SITE)
  await addPasskey(author, key)
  const visitor = browser(app)
  const csrf = await visitor.csrfFrom('/admin/login')
  const options = await postJson(visitor, '/admin/login/passkey/options', {}, csrf)
  const token = visitor.cookies[PASSKEY_COOKIE] ?? ''
  const response = key.signIn(options.json())
  assert.equal((await postJson(visitor, '/admin/login/passkey', { response }, csrf)).statusCode, 303)

  // The same cookie and answer again, as an attacker who copied both would send them.
  const replayer = browser(app, { cookies: { ...visitor.cookies, [PASSKEY_COOKIE]: token } })
  delete replayer.cookies[SESSION_COOKIE]
  const replay = await postJson(replayer, '/admin/login/passkey', { response }, csrf)
  assert.equal(replay.statusCode, 400)
  assert.match(messageOf(replay), /expired or was already used/)
  assert.equal(replayer.cookies[SESSION_COOKIE], undefined)
  assert.equal(rowCount(db, 'sessions'), 2)
})

test('a failed sign-in uses up the challenge too', async (t) => {
  const { app, author } = await withAuthor(t)
  const key = softwareAuthenticator(SITE)
  await addPasskey(author, key)
  const visitor = browser(app)
  const csrf = await visitor.csrfFrom('/admin/login')
  const options = (await postJson(visitor, '/admin/login/passkey/options', {}, csrf)).json()
  const cookie = visitor.cookies[PASSKEY_COOKIE] ?? ''
  const wrong = await postJson(
    visitor,
    '/admin/login/passkey',
    { response: key.signIn(options, { origin: 'https://evil.example' }) },
    csrf,
  )
  assert.equal(wrong.statusCode, 401)
  assert.match(messageOf(wrong), /another address than this site/)
  visitor.cookies[PASSKEY_COOKIE] = cookie
  const retry = await postJson(visitor, '/admin/login/passkey', { response: key.signIn(options) }, csrf)
  assert.equal(retry.statusCode, 400)
  assert.match(messageOf(retry), /expired or was already used/)
})

test('an expired sign-in challenge is refused', async (t) => {
  const { app, db, author } = await withAuthor(t)
  const key = softwareAuthenticator(SITE)
  await addPasskey(author, key)
  const visitor = browser(app)
  const csrf = await visitor.csrfFrom('/admin/login')
  const options = (await postJson(visitor, '/admin/login/passkey/options', {}, csrf)).json()
  db.$client.prepare('update auth_challenges set expires_at = ?').run(Date.now() - 1000)
  const res = await postJson(visitor, '/admin/login/passkey', { response: key.signIn(options) }, csrf)
  assert.equal(res.statusCode, 400)
  assert.match(messageOf(res), /expired/)
  assert.equal(visitor.cookies[SESSION_COOKIE], undefined)
})

test('a challenge belongs to the browser that asked for it', async (t) => {
  const { app, author } = await withAuthor(t)
  const key = softwareAuthenticator(SITE)
  await addPasskey(author, key)
  const asker = browser(app)
  const csrf = await asker.csrfFrom('/admin/login')
  const options = (await postJson(asker, '/admin/login/passkey/options', {}, csrf)).json()
  const other = browser(app)
  const otherCsrf = await other.csrfFrom('/admin/login')
  const res = await postJson(other, '/admin/login/passkey', { response: key.signIn(options) }, otherCsrf)
  assert.equal(res.statusCode, 400)
  assert.equal(other.cookies[SESSION_COOKIE], undefined)
})

test('a passkey this site does not know is refused with a message', async (t) => {
  const { app, db } = await withAuthor(t)
  const { res, visitor } = await passkeySignIn(app, softwareAuthenticator(SITE))
  assert.equal(res.statusCode, 401)
  assert.match(res.headers['content-type'] as string, /application\/json/)
  assert.match(messageOf(res), /not registered on this site/)
  assert.equal(visitor.cookies[SESSION_COOKIE], undefined)
  assert.deepEqual(eventKinds(db), [])
})

test('a passkey whose counter goes backwards is refused as a possible copy', async (t) => {
  const { app, author } = await withAuthor(t)
  const key = softwareAuthenticator(SITE)
  await addPasskey(author, key, 'Test key', { counter: 10 })
  const { res } = await passkeySignIn(app, key, { counter: 3 })
  assert.equal(res.statusCode, 401)
  assert.match(messageOf(res), /copied/)
})

test('a device that did not verify the person cannot sign in or be added', async (t) => {
  const { app, author } = await withAuthor(t)
  const unverified = await addPasskey(author, softwareAuthenticator(SITE), 'No PIN', { verified: false })
  assert.equal(unverified.statusCode, 400)
  assert.match(messageOf(unverified), /did not confirm it was you/)
  const key = softwareAuthenticator(SITE)
  await addPasskey(author, key)
  const { res } = await passkeySignIn(app, key, { verified: false })
  assert.equal(res.statusCode, 401)
  assert.match(messageOf(res), /did not confirm it was you/)
})

test('a registration answered for another address, or replayed, is refused', async (t) => {
  const { db, author } = await withAuthor(t)
  const wrong = await addPasskey(author, softwareAuthenticator(SITE), 'Phone', {
    origin: 'https://evil.example',
  })
  assert.equal(wrong.statusCode, 400)
  assert.match(messageOf(wrong), /another address than this site/)

  const key = softwareAuthenticator(SITE)
  const csrf = await author.csrfFrom('/admin/account')
  const options = (await postJson(author, '/admin/account/passkeys/options', PASSWORD, csrf)).json()
  const response = key.register(options)
  assert.equal(
    (await postJson(author, '/admin/account/passkeys', { name: 'A', response }, csrf)).statusCode,
    201,
  )
  const replay = await postJson(author, '/admin/account/passkeys', { name: 'B', response }, csrf)
  assert.equal(replay.statusCode, 400)
  assert.match(messageOf(replay), /expired or was already used/)
  assert.equal(rowCount(db, 'passkeys'), 1)
})

test('bad input gets a 400 with words to show, never a 500', async (t) => {
  const { author } = await withAuthor(t)
  const csrf = await author.csrfFrom('/admin/account')
  const key = softwareAuthenticator(SITE)
  const options = (await postJson(author, '/admin/account/passkeys/options', PASSWORD, csrf)).json()
  const cases: [string, unknown, RegExp][] = [
    ['/admin/account/passkeys', '{"name": "Test', /could not read/],
    ['/admin/account/passkeys', { name: 'x', response: 'nope' }, /could not read/],
    ['/admin/account/passkeys', { name: 'x'.repeat(61), response: key.register(options) }, /at most 60/],
    ['/admin/account/passkeys', { name: 'a\u0000b', response: key.register(options) }, /letters, numbers/],
    ['/admin/account/passkeys', { response: { ...key.register(options), id: '<script>' } }, /could not read/],
    ['/admin/login/passkey', { response: { id: 'x', rawId: 'x', type: 'public-key' } }, /could not read/],
    ['/admin/login/passkey', [], /could not read/],
    ['/admin/login/passkey', '{"__proto__": {"admin": true}, "response": {}}', /could not read/],
    ['/admin/login/passkey', '{"constructor": {"prototype": {"admin": true}}}', /could not read/],
    [
      '/admin/login/passkey',
      { response: key.signIn({ challenge: 'abc', rpId: 'blog.example.com' }) },
      /expired/,
    ],
  ]
  for (const [url, body, words] of cases) {
    const res = await postJson(author, url, body, csrf)
    assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(body).slice(0, 80)}: ${res.body}`)
    assert.match(messageOf(res), words)
  }
  const huge = await postJson(
    author,
    '/admin/account/passkeys',
    { name: 'x', pad: 'x'.repeat(100_000) },
    csrf,
  )
  assert.equal(huge.statusCode, 413)
})

test('state-changing passkey requests without the CSRF token, or from another site, are refused', async (t) => {
  const { app, db, author } = await withAuthor(t)
  const before = rowCount(db, 'auth_challenges')
  const visitor = browser(app)
  await visitor.csrfFrom('/admin/login')
  for (const url of ['/admin/login/passkey/options', '/admin/login/passkey']) {
    const res = await postJson(visitor, url, {})
    assert.equal(res.statusCode, 403, url)
    assert.match(messageOf(res), /too old, was sent from another site/)
  }
  const csrf = await visitor.csrfFrom('/admin/login')
  const crossSite = await visitor.send({
    method: 'POST',
    url: '/admin/login/passkey/options',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      'csrf-token': csrf,
      origin: 'https://evil.example',
    },
    payload: '{}',
  })
  assert.equal(crossSite.statusCode, 403)
  assert.equal((await postJson(author, '/admin/account/passkeys/options', {})).statusCode, 403)
  assert.equal(rowCount(db, 'auth_challenges'), before)
})

test('live anonymous sign-in challenges are capped, so visitors cannot fill the table', async (t) => {
  const { app, db } = await withAuthor(t)
  const insert = db.$client.prepare(
    "insert into auth_challenges (id, purpose, challenge, created_at, expires_at) values (?, 'passkey-sign-in', 'c', ?, ?)",
  )
  const now = Date.now()
  for (let i = 0; i < MAX_LIVE_SIGN_IN_CHALLENGES; i++) insert.run(`filler-${i}`, now, now + 60_000)
  insert.run('expired', now - 600_000, now - 300_000)
  const visitor = browser(app)
  const csrf = await visitor.csrfFrom('/admin/login')
  const res = await postJson(visitor, '/admin/login/passkey/options', {}, csrf)
  assert.equal(res.statusCode, 429)
  assert.match(messageOf(res), /sign in with your password/)
  const wait = Number(res.headers['retry-after'])
  assert.ok(wait > 0 && wait <= 60, `Retry-After ${wait}: when the first live challenge expires`)
  assert.equal(visitor.cookies[PASSKEY_COOKIE], undefined)
  assert.equal(rowCount(db, 'auth_challenges'), MAX_LIVE_SIGN_IN_CHALLENGES + 1)

  // One network alone cannot get near the cap either, whichever of its IPv6 addresses it uses.
  db.$client.prepare('delete from auth_challenges').run()
  const sender = browser(app, { remoteAddress: '2001:db8:5:6::1' })
  const senderCsrf = await sender.csrfFrom('/admin/login')
  let last: LightMyRequestResponse | undefined
  for (let i = 0; i < 31; i++) {
    last = await sender.send({
      method: 'POST',
      url: '/admin/login/passkey/options',
      remoteAddress: `2001:db8:5:6::${(i + 1).toString(16)}`,
      headers: { 'content-type': 'application/json', accept: 'application/json', 'csrf-token': senderCsrf },
      payload: '{}',
    })
  }
  assert.equal(last?.statusCode, 429)
  assert.ok(Number(last?.headers['retry-after']) > 0)
  // The browser's cookie names its last challenge, which each new one replaces.
  assert.equal(rowCount(db, 'auth_challenges'), 1)
  const neighbour = browser(app, { remoteAddress: '2001:db8:5:7::1' })
  const neighbourCsrf = await neighbour.csrfFrom('/admin/login')
  assert.equal((await postJson(neighbour, '/admin/login/passkey/options', {}, neighbourCsrf)).statusCode, 200)
})

test('adding and removing a passkey logs it and signs out every other browser', async (t) => {
  const { app, db, author } = await withAuthor(t)
  const { visitor: phone } = await signInWithForm(app, AUTHOR)
  const key = softwareAuthenticator(SITE)
  assert.equal((await addPasskey(author, key)).statusCode, 201)
  assert.equal((await phone.get('/admin')).statusCode, 303, 'the other browser was signed out')
  const { visitor: laptop } = await signInWithForm(app, AUTHOR)

  const id = (db.$client.prepare('select id from passkeys').get() as { id: number }).id
  const removed = await author.post(`/admin/account/passkeys/${id}/delete`, {})
  assert.equal(removed.statusCode, 303)
  assert.equal(removed.headers.location, '/admin/account?done=passkey-removed#passkeys')
  assert.equal(rowCount(db, 'passkeys'), 0)
  assert.equal((await laptop.get('/admin')).statusCode, 303)
  const page = await author.get('/admin/account')
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /Passkey removed: Test key/)
  assert.match(page.body, /Passkey added: Test key/)
  assert.deepEqual(eventKinds(db), ['passkey-added', 'passkey-removed'])

  // The removed passkey no longer signs in.
  const { res } = await passkeySignIn(app, key)
  assert.equal(res.statusCode, 401)
})

test('removing a passkey that is not there, or not a number, is a 404', async (t) => {
  const { author } = await withAuthor(t)
  assert.equal((await author.post('/admin/account/passkeys/999/delete', {})).statusCode, 404)
  assert.equal((await author.post('/admin/account/passkeys/abc/delete', {})).statusCode, 404)
})

test('passkeys refuse to start on a plain-HTTP site that is not localhost', async (t) => {
  const { author } = await withAuthor(t, { SITE_URL: 'http://blog.example.com' })
  const csrf = await author.csrfFrom('/admin/account')
  const res = await postJson(author, '/admin/account/passkeys/options', PASSWORD, csrf)
  assert.equal(res.statusCode, 400)
  assert.match(messageOf(res), /Passkeys need HTTPS/)
})

test('on http://localhost passkeys work, with localhost as the relying party', async (t) => {
  const { app, author } = await withAuthor(t, { SITE_URL: 'http://localhost:3000' })
  const key = softwareAuthenticator('http://localhost:3000')
  const csrf = await author.csrfFrom('/admin/account')
  const options = (await postJson(author, '/admin/account/passkeys/options', PASSWORD, csrf)).json()
  assert.equal(options.rp.id, 'localhost')
  const res = await postJson(
    author,
    '/admin/account/passkeys',
    { name: 'Dev', response: key.register(options) },
    csrf,
  )
  assert.equal(res.statusCode, 201, res.body)
  assert.equal((await passkeySignIn(app, key)).res.statusCode, 303)
})

test('the sign-in page offers passkeys in the email field and writes nothing', async (t) => {
  const { app, db } = await withAuthor(t)
  const before = db.$client.prepare('select total_changes()').pluck().get()
  const page = await browser(app).get('/admin/login')
  assert.match(page.body, /autocomplete="username webauthn"/)
  assert.match(page.body, /data-passkey-sign-in hidden/)
  assert.match(page.body, /<script src="\/static\/vendor\/simplewebauthn-browser\.[0-9a-f]{10}\.js" defer>/)
  assert.equal(db.$client.prepare('select total_changes()').pluck().get(), before)
})

test('the WebAuthn library for the browser is served from this origin with caching', async (t) => {
  const { app } = await createTestApp(t)
  const page = await app.inject({ url: '/admin/login' })
  const url = /<script src="(\/static\/vendor\/simplewebauthn-browser\.[0-9a-f]{10}\.js)"/.exec(
    page.body,
  )?.[1]
  assert.ok(url, 'the sign-in page names the library by a content-hashed URL')
  const res = await app.inject({ url })
  assert.equal(res.statusCode, 200)
  assert.match(res.headers['content-type'] as string, /text\/javascript/)
  assert.match(res.headers['cache-control'] as string, /max-age=31536000, immutable/)
  assert.match(res.body, /SimpleWebAuthnBrowser/)
  const again = await app.inject({
    url,
    headers: { 'if-none-match': String(res.headers.etag) },
  })
  assert.equal(again.statusCode, 304)
})

test('adding a passkey starts with the current password: missing or wrong is a 422 and makes no challenge', async (t) => {
  const { db, author } = await withAuthor(t)
  const csrf = await author.csrfFrom('/admin/account')
  const page = await author.get('/admin/account')
  assert.match(page.body, /<input id="passkey-password" name="current_password" type="password"/)
  assert.match(
    page.body,
    /<input id="passkey-name" name="name" type="text" autocomplete="off" maxlength="60"/,
  )
  const cases: [unknown, RegExp][] = [
    [{}, /^Enter your current password to add a passkey\.$/],
    [{ current_password: '' }, /^Enter your current password to add a passkey\.$/],
    [{ current_password: 'x'.repeat(5000) }, /^That is not your current password\.$/],
    [{ current_password: 'not my password' }, /^That is not your current password\.$/],
  ]
  for (const [body, words] of cases) {
    const res = await postJson(author, '/admin/account/passkeys/options', body, csrf)
    assert.equal(res.statusCode, 422, JSON.stringify(body).slice(0, 40))
    assert.match(res.headers['content-type'] as string, /application\/json/)
    assert.match(messageOf(res), words)
  }
  assert.equal(rowCount(db, 'auth_challenges'), 0)
  // Wrong passwords here count as at sign-in: after five from this address, even the right one waits.
  for (let i = 0; i < 4; i++)
    await postJson(author, '/admin/account/passkeys/options', { current_password: `guess ${i}` }, csrf)
  const blocked = await postJson(author, '/admin/account/passkeys/options', PASSWORD, csrf)
  assert.equal(blocked.statusCode, 429)
  assert.ok(Number(blocked.headers['retry-after']) > 0)
  assert.match(messageOf(blocked), /Too many wrong passwords from your network/)
  assert.equal(rowCount(db, 'auth_challenges'), 0)
})

test('the account page shows passkeys, sessions and changes in the site’s timezone', async (t) => {
  const { db, author } = await withAuthor(t)
  saveSettings(db, { timezone: 'America/New_York' })
  await addPasskey(author, softwareAuthenticator(SITE))
  const created = (db.$client.prepare('select created_at from passkeys').pluck().get() as number) ?? 0
  const page = await author.get('/admin/account')
  assert.equal(page.statusCode, 200)
  const shown = formatDateTime(new Date(created), 'America/New_York')
  assert.ok(page.body.includes(`<time datetime="${new Date(created).toISOString()}">${shown}</time>`), shown)
  assert.doesNotMatch(page.body, /\(UTC\)/)
  assert.match(page.body, /remove any passkey above that you do not recognise, then change your password/)
})

/** Turns the authenticator app on for `userId` straight in the database, as the account page would. */
function enableApp(db: Db, userId: number): void {
  const secret = startTotpSetup(db, userId) ?? assert.fail('no secret')
  const codes = enableTotp(db, { userId, keepSessionId: undefined, ip: '' }, generateSync({ secret }))
  assert.ok(codes)
}

test('a passkey sign-in on an account with the authenticator app on is a full sign-in, with no code asked', async (t) => {
  const { app, db, user, author } = await withAuthor(t)
  const key = softwareAuthenticator(SITE)
  assert.equal((await addPasskey(author, key)).statusCode, 201)
  enableApp(db, user.id)
  const password = await signInWithForm(app, AUTHOR)
  assert.equal(password.res.headers.location, '/admin/login/verify', 'the password alone asks for a code')

  const { visitor, res } = await passkeySignIn(app, key)
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/admin')
  assert.ok(visitor.cookies[SESSION_COOKIE])
  assert.equal((await visitor.get('/admin')).statusCode, 200)
})

test('after reset-2fa the password alone goes straight to the admin, and the old passkey is refused', async (t) => {
  const { app, db, user, author } = await withAuthor(t)
  const key = softwareAuthenticator(SITE)
  assert.equal((await addPasskey(author, key)).statusCode, 201)
  enableApp(db, user.id)
  assert.deepEqual(resetSecondFactor(db, user.id), {
    passkeys: 1,
    totp: true,
    recoveryCodes: 10,
    sessions: 0,
  })

  const { res } = await signInWithForm(app, AUTHOR)
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/admin')
  const passkey = await passkeySignIn(app, key)
  assert.equal(passkey.res.statusCode, 401)
  assert.match(messageOf(passkey.res), /not registered on this site/)
  assert.equal(passkey.visitor.cookies[SESSION_COOKIE], undefined)
})
