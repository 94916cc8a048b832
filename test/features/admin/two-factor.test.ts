// Checks two-step sign-in through the forms: setting up an app (after the password), the code prompt after the password, recovery codes, the throttle on codes, and changes that end the other sessions and half-finished sign-ins.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { generateSync } from 'otplib'
import type { Db } from '../../../src/db/client.ts'
import { createSession, SESSION_COOKIE } from '../../../src/features/auth/sessions.ts'
import { checkCode } from '../../../src/features/auth/throttle.ts'
import { createUser } from '../../../src/features/auth/users.ts'
import {
  type Browser,
  browser,
  cookiesFrom,
  fieldErrorIn,
  formErrorIn,
  signInWithForm,
  snapshotDb,
  TEST_PASSWORD,
} from '../../helpers/admin.ts'
import { createTestApp, rowCount } from '../../helpers/app.ts'

const AUTHOR = 'author@example.com'
const VERIFY = '/admin/login/verify'
const PENDING_COOKIE = 'folio_pending_sign_in'

const secretIn = (html: string): string =>
  (/<code id="totp-secret">([A-Z2-7 ]+)<\/code>/.exec(html)?.[1] ?? '').replace(/ /g, '')
const recoveryCodesIn = (html: string): string[] =>
  [
    ...(/<ul class="plain-list" id="recovery-codes">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '').matchAll(
      /<code>([a-z-]+)<\/code>/g,
    ),
  ].map((m) => m[1] ?? '')

/** The app's code now, after pretending the last code accepted is a minute old (the server keeps real time). */
function codeNow(db: Db, secret: string): string {
  const step = Math.floor(Date.now() / 30_000)
  db.$client.prepare('update totp_factors set last_step = min(last_step, ?)').run(step - 2)
  return generateSync({ secret })
}

/** A code that is surely wrong now: 123456, or the next number no nearby time step shows. */
function wrongCode(secret: string): string {
  const now = Math.floor(Date.now() / 1000)
  const near = new Set([-30, 0, 30, 60].map((s) => generateSync({ secret, epoch: now + s })))
  for (let i = 0; ; i++) {
    const code = String(123456 + i).padStart(6, '0')
    if (!near.has(code)) return code
  }
}

async function withAuthor(t: TestContext) {
  const { app, db } = await createTestApp(t)
  const user = await createUser(db, { name: 'Sam Rivera', email: AUTHOR, password: TEST_PASSWORD })
  const { visitor } = await signInWithForm(app, AUTHOR)
  return { app, db, userId: user.id, author: visitor }
}

/** Sets up an authenticator app from the account page, as the author would, and returns what they saved. */
async function enrol(author: Browser): Promise<{ secret: string; codes: string[] }> {
  const start = await author.post('/admin/account/two-factor/setup', { current_password: TEST_PASSWORD })
  assert.equal(start.statusCode, 303)
  const page = await author.get(start.headers.location ?? '')
  const secret = secretIn(page.body)
  const done = await author.post(
    '/admin/account/two-factor/confirm',
    { code: generateSync({ secret }) },
    {
      formUrl: '/admin/account/two-factor/setup',
    },
  )
  assert.equal(done.statusCode, 200)
  return { secret, codes: recoveryCodesIn(done.body) }
}

async function withTotp(t: TestContext) {
  const base = await withAuthor(t)
  return { ...base, ...(await enrol(base.author)) }
}

/** Password then code prompt: the visitor, holding a pending sign-in, and the password's answer. */
async function passwordStep(app: FastifyInstance, next?: string, remoteAddress?: string) {
  const { visitor, res } = await signInWithForm(app, AUTHOR, TEST_PASSWORD, { next, remoteAddress })
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, VERIFY)
  return { visitor, res }
}

const sendCode = (visitor: Browser, code: string, fields: Record<string, string> = {}) =>
  visitor.post(VERIFY, { code, ...fields }, { formUrl: VERIFY })

test('setting up an app shows a QR code and the secret; a wrong code leaves it off, the right one shows ten recovery codes once', async (t) => {
  const { db, userId, author } = await withAuthor(t)
  const elsewhere = createSession(db, userId, { userAgent: 'phone', ip: '198.51.100.7' })
  assert.match((await author.get('/admin/account')).body, /Set up an authenticator app/)

  const start = await author.post('/admin/account/two-factor/setup', { current_password: TEST_PASSWORD })
  assert.equal(start.statusCode, 303)
  assert.equal(start.headers.location, '/admin/account/two-factor/setup')
  const page = await author.get('/admin/account/two-factor/setup')
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /<svg role="img" aria-labelledby="qr-caption" [^>]*width="200"/)
  assert.doesNotMatch(page.body, /<script/)
  assert.match(String(page.headers['content-security-policy']), /script-src 'self'/)
  const secret = secretIn(page.body)
  assert.match(secret, /^[A-Z2-7]{32}$/)
  assert.match(page.body, /<code id="totp-secret">[A-Z2-7]{4}( [A-Z2-7]{4}){7}<\/code>/)
  assert.match(page.body, /href="otpauth:\/\/totp\/Folio:author%40example\.com\?secret=[A-Z2-7]{32}/)

  const confirm = (code: string) =>
    author.post('/admin/account/two-factor/confirm', { code }, { formUrl: '/admin/account/two-factor/setup' })
  for (const bad of ['', 'letters', '1234567']) {
    const res = await confirm(bad)
    assert.equal(res.statusCode, 422, `"${bad}"`)
    assert.equal(fieldErrorIn(res.body, 'code'), 'Enter the 6 digits your authenticator app shows.')
    assert.equal(secretIn(res.body), secret, 'the same secret is shown again')
  }
  const wrong = await confirm(wrongCode(secret))
  assert.equal(wrong.statusCode, 422)
  assert.match(fieldErrorIn(wrong.body, 'code') ?? '', /That code is not right/)
  assert.match((await author.get('/admin/account')).body, /did not finish/)

  const on = await confirm(generateSync({ secret }))
  assert.equal(on.statusCode, 200)
  assert.equal(on.headers['cache-control'], 'no-store')
  const codes = recoveryCodesIn(on.body)
  assert.equal(codes.length, 10)
  for (const code of codes) assert.match(code, /^[a-z]{4}-[a-z]{4}-[a-z]{2}$/)
  assert.match(on.body, /href="\/admin\/account">I have saved them</)

  const account = await author.get('/admin/account')
  assert.match(account.body, /<strong>On\.<\/strong>/)
  assert.match(account.body, /10 unused recovery codes/)
  assert.match(account.body, /Authenticator app turned on/)
  for (const code of codes) assert.ok(!account.body.includes(code), 'the codes are never shown again')
  assert.equal((await author.get('/admin/account/two-factor/setup')).headers.location, '/admin/account')
  assert.equal(
    db.$client.prepare('select count(*) from sessions where id = ?').pluck().get(elsewhere.session.id),
    0,
    'the other session was ended',
  )
})

test('with the app on, the right password leads to the code prompt, and the right code signs in to next', async (t) => {
  const { app, db, secret } = await withTotp(t)
  const lastSignIn = () => db.$client.prepare('select last_sign_in_at from users').pluck().get()
  db.$client.prepare('update users set last_sign_in_at = null').run()
  const { visitor, res } = await passwordStep(app, '/admin/posts?page=2')
  const jar = cookiesFrom(res.headers['set-cookie'])
  assert.equal(jar[SESSION_COOKIE], undefined, 'no session before the code')
  const pendingCookie =
    [res.headers['set-cookie']].flat().find((c) => c?.startsWith(`${PENDING_COOKIE}=`)) ?? ''
  for (const part of [
    /; HttpOnly/i,
    /; SameSite=Lax/i,
    /; Secure/i,
    /; Path=\/admin\/login/,
    /; Max-Age=300/,
  ]) {
    assert.match(pendingCookie, part)
  }
  assert.equal(lastSignIn(), null, 'the password alone is not a sign-in yet')

  const before = snapshotDb(db)
  const prompt = await visitor.get(VERIFY)
  assert.equal(prompt.statusCode, 200)
  assert.deepEqual(snapshotDb(db), before, 'the prompt writes nothing')
  assert.match(prompt.body, /<input id="code" name="code" autocomplete="one-time-code" inputmode="numeric"/)
  assert.match(prompt.body, /href="\/admin\/login\/verify\?recovery=1">Use a recovery code instead</)
  assert.match(prompt.body, /name="_csrf"/)
  assert.equal((await visitor.get('/admin/account')).statusCode, 303, 'not signed in yet')

  const code = codeNow(db, secret)
  const done = await sendCode(visitor, code)
  assert.equal(done.statusCode, 303)
  assert.equal(done.headers.location, '/admin/posts?page=2')
  assert.ok(cookiesFrom(done.headers['set-cookie'])[SESSION_COOKIE])
  assert.equal(visitor.cookies[PENDING_COOKIE], undefined, 'the pending cookie is cleared')
  assert.equal(rowCount(db, 'auth_challenges'), 0)
  assert.ok(lastSignIn())
  assert.equal((await visitor.get('/admin/account')).statusCode, 200)

  // The same code, seen over a shoulder, does not work twice.
  const again = await passwordStep(app)
  const reused = await sendCode(again.visitor, code)
  assert.equal(reused.statusCode, 401)
  assert.equal(
    fieldErrorIn(reused.body, 'code'),
    'That code was used already. Wait for your app to show a new one.',
  )
  assert.equal(cookiesFrom(reused.headers['set-cookie'])[SESSION_COOKIE], undefined)
})

test('a recovery code signs in once, the page after says how many are left, and it is refused the second time', async (t) => {
  const { app, db, userId, codes } = await withTotp(t)
  const { visitor } = await passwordStep(app, '/admin/media')
  const page = await visitor.get(`${VERIFY}?recovery=1`)
  assert.match(page.body, /Use a recovery code/)
  assert.match(page.body, /href="\/admin\/login\/verify">Use your authenticator app instead</)

  const first = codes[0] ?? ''
  const done = await sendCode(visitor, first.toUpperCase(), { recovery: '1' })
  assert.equal(done.statusCode, 303)
  assert.equal(done.headers.location, '/admin/account/two-factor/recovery-code-used?next=%2Fadmin%2Fmedia')
  const after = await visitor.get(done.headers.location ?? '')
  assert.equal(after.statusCode, 200)
  assert.match(after.body, /You have <strong>9 recovery codes<\/strong> left/)
  assert.match(after.body, /href="\/admin\/media">Continue</)
  const account = await visitor.get('/admin/account')
  assert.match(account.body, /Signed in with a recovery code/)
  assert.match(account.body, /9 unused recovery codes/)

  const again = await passwordStep(app)
  const refused = await sendCode(again.visitor, first)
  assert.equal(refused.statusCode, 401)
  assert.equal(fieldErrorIn(refused.body, 'code'), 'That is not one of your unused recovery codes.')
  assert.equal(
    db.$client
      .prepare('select count(*) from recovery_codes where user_id = ? and used_at is null')
      .pluck()
      .get(userId),
    9,
  )
})

/** Pretends `ms` have passed for the throttle and the pending sign-ins (the server keeps real time). */
function letTimePass(db: Db, ms: number): void {
  db.$client.prepare('update login_failures set at = at - ?').run(ms)
  db.$client.prepare('update auth_challenges set created_at = created_at - ?').run(ms)
  // Failures before the last sign-in would not count: make the author's last sign-in older than all of them.
  db.$client.prepare('update users set last_sign_in_at = null').run()
}

test('while the account waits after three wrong codes, even the right code from another address gets 429 and is not spent', async (t) => {
  const { app, db, secret } = await withTotp(t)
  const { visitor } = await passwordStep(app, undefined, '198.51.100.20')
  for (let i = 1; i <= 3; i++) {
    const res = await sendCode(visitor, wrongCode(secret))
    assert.equal(res.statusCode, 401, `wrong code ${i}`)
    assert.match(fieldErrorIn(res.body, 'code') ?? '', /That code is not right/)
  }
  const elsewhere = browser(app, { remoteAddress: '203.0.113.50', cookies: visitor.cookies })
  const code = codeNow(db, secret)
  const waiting = await sendCode(elsewhere, code)
  assert.equal(waiting.statusCode, 429)
  assert.ok(Number(waiting.headers['retry-after']) > 0)
  assert.match(
    formErrorIn(waiting.body) ?? '',
    /Too many wrong codes or passwords for this account\. Wait \d+ seconds/,
  )
  assert.equal(cookiesFrom(waiting.headers['set-cookie'])[SESSION_COOKIE], undefined)
  assert.equal(rowCount(db, 'login_failures'), 3, 'the refused code was not even counted')

  // A wrong password waits too: wrong codes and wrong passwords are one account's.
  const password = await browser(app, { remoteAddress: '203.0.113.51' }).post('/admin/login', {
    email: AUTHOR,
    password: 'a wrong guess',
  })
  assert.equal(password.statusCode, 429)

  letTimePass(db, 60_000)
  const done = await sendCode(elsewhere, code)
  assert.equal(done.statusCode, 303, 'the code, never looked at, works once the wait is over')
  assert.ok(cookiesFrom(done.headers['set-cookie'])[SESSION_COOKIE])
})

test('after five wrong codes the sign-in stops: the sign-in form asks for the password again, and a sixth code is sent back to sign in', async (t) => {
  const { app, db, secret } = await withTotp(t)
  const { visitor } = await passwordStep(app, '/admin/media', '198.51.100.21')
  const prompt = await visitor.get(VERIFY)
  assert.match(prompt.body, /After 5 wrong codes you will need to type your password again\./)
  const cookie = visitor.cookies[PENDING_COOKIE] ?? ''
  for (let i = 1; i <= 4; i++) {
    assert.equal((await sendCode(visitor, wrongCode(secret))).statusCode, 401, `wrong code ${i}`)
    letTimePass(db, 60_000)
  }
  const fifth = await sendCode(visitor, wrongCode(secret))
  assert.equal(fifth.statusCode, 401)
  assert.match(
    formErrorIn(fifth.body) ?? '',
    /^Too many wrong codes \(5\), so that sign-in was stopped\. Type your email and password again/,
  )
  assert.match(fifth.body, /<form method="post" action="\/admin\/login"/)
  assert.match(fifth.body, /name="next" value="\/admin\/media"/)
  assert.match(fifth.body, /name="email"[^>]*value="author@example\.com"/)
  assert.equal(visitor.cookies[PENDING_COOKIE], undefined, 'the pending cookie is cleared')
  assert.equal(rowCount(db, 'auth_challenges'), 0)

  // Whoever kept the old cookie gets nowhere with a sixth code, even the right one.
  const keeper = browser(app, {
    remoteAddress: '203.0.113.60',
    cookies: { ...visitor.cookies, [PENDING_COOKIE]: cookie },
  })
  const csrf = await keeper.csrfFrom('/admin/login')
  const sixth = await keeper.post(VERIFY, { code: codeNow(db, secret), _csrf: csrf })
  assert.equal(sixth.statusCode, 303)
  assert.equal(sixth.headers.location, '/admin/login?done=sign-in-expired')
  assert.equal(cookiesFrom(sixth.headers['set-cookie'])[SESSION_COOKIE], undefined)

  // Five failures from one address block it, on the password form too.
  const blocked = await browser(app, { remoteAddress: '198.51.100.21' }).post('/admin/login', {
    email: AUTHOR,
    password: TEST_PASSWORD,
  })
  assert.equal(blocked.statusCode, 429)
  assert.match(formErrorIn(blocked.body) ?? '', /Too many failed sign-ins from your network/)

  // Typing the password again, elsewhere and later, leads to a fresh prompt that takes the right code.
  letTimePass(db, 5 * 60_000)
  const again = await passwordStep(app, undefined, '203.0.113.61')
  assert.equal((await sendCode(again.visitor, codeNow(db, secret))).statusCode, 303)
})

test('after ten wrong codes in an hour no code is accepted, recovery codes included, but the password still proves it is you', async (t) => {
  const { app, db, author, codes } = await withTotp(t)
  db.$client.prepare('update users set last_sign_in_at = null').run()
  // Ten wrong codes over the last hour, five minutes apart and from many addresses, as a patient guesser would.
  const now = Date.now()
  for (let i = 0; i < 10; i++) {
    const at = new Date(now - (55 - 5 * i) * 60_000)
    await checkCode(
      db,
      { ip: `203.0.113.${i}`, email: AUTHOR },
      () => false,
      () => at,
    )
  }
  const { visitor } = await passwordStep(app)
  const refused = await sendCode(visitor, codes[0] ?? '', { recovery: '1' })
  assert.equal(refused.statusCode, 429)
  const wait = Number(refused.headers['retry-after'])
  assert.ok(wait > 0 && wait <= 5 * 60, `Retry-After ${wait}`)
  assert.match(
    formErrorIn(refused.body) ?? '',
    /Too many wrong codes for this account in the last hour, so no code \(recovery codes included\) is accepted for 5 minutes\. Sign in with a passkey/,
  )
  assert.equal(
    db.$client.prepare('select count(*) from recovery_codes where used_at is null').pluck().get(),
    10,
  )

  const turnOff = await author.post(
    '/admin/account/two-factor/turn-off',
    { current_password: TEST_PASSWORD },
    { formUrl: '/admin/account/two-factor/turn-off' },
  )
  assert.equal(turnOff.statusCode, 303, 'the password is not a code')
})

test('racing codes on one pending sign-in give exactly one session', async (t) => {
  const { app, db, userId, secret, codes } = await withTotp(t)
  const { visitor } = await passwordStep(app)
  const csrf = await visitor.csrfFrom(VERIFY)
  const sessionsOf = () =>
    db.$client.prepare('select count(*) from sessions where user_id = ?').pluck().get(userId) as number
  const before = sessionsOf()
  const code = codeNow(db, secret)
  const answers = await Promise.all(
    [code, code, codes[0] ?? '', codes[1] ?? ''].map((c) => visitor.post(VERIFY, { code: c, _csrf: csrf })),
  )
  const signedIn = answers.filter((res) => cookiesFrom(res.headers['set-cookie'])[SESSION_COOKIE])
  assert.equal(signedIn.length, 1, answers.map((res) => res.statusCode).join(' '))
  assert.equal(sessionsOf(), before + 1)
  for (const res of answers) {
    if (signedIn.includes(res)) continue
    assert.ok(res.statusCode === 303 || res.statusCode === 401, String(res.statusCode))
    if (res.statusCode === 303) assert.equal(res.headers.location, '/admin/login?done=sign-in-expired')
  }
  assert.ok(
    (db.$client
      .prepare('select count(*) from recovery_codes where used_at is null')
      .pluck()
      .get() as number) >= 9,
    'at most one recovery code was spent',
  )
})

test('changing the password ends a half-finished sign-in made with the old one', async (t) => {
  const { app, db, secret, author } = await withTotp(t)
  const { visitor } = await passwordStep(app)
  const csrf = await visitor.csrfFrom(VERIFY)
  const NEW = 'a completely new password'
  const changed = await author.post('/admin/account/password', {
    current_password: TEST_PASSWORD,
    new_password: NEW,
    confirm_password: NEW,
  })
  assert.equal(changed.statusCode, 303)
  const late = await visitor.post(VERIFY, { code: codeNow(db, secret), _csrf: csrf })
  assert.equal(late.statusCode, 303)
  assert.equal(late.headers.location, '/admin/login?done=sign-in-expired')
  assert.equal(cookiesFrom(late.headers['set-cookie'])[SESSION_COOKIE], undefined)
})

test('setting up an app starts with the password; the account page and the setup pages write nothing', async (t) => {
  const { db, author } = await withAuthor(t)
  let before = snapshotDb(db)
  const account = await author.get('/admin/account')
  assert.match(account.body, /href="\/admin\/account\/two-factor\/setup">Set up an authenticator app</)
  const ask = await author.get('/admin/account/two-factor/setup')
  assert.equal(ask.statusCode, 200)
  assert.match(ask.body, /To show it is you, type your password\./)
  assert.doesNotMatch(ask.body, /name="code"/)
  assert.deepEqual(snapshotDb(db), before, 'GETs wrote nothing')

  const setup = (fields: Record<string, string>) =>
    author.post('/admin/account/two-factor/setup', fields, { formUrl: '/admin/account/two-factor/setup' })
  const empty = await setup({ current_password: '' })
  assert.equal(empty.statusCode, 422)
  assert.equal(fieldErrorIn(empty.body, 'current_password'), 'Enter your current password.')
  const wrong = await setup({ current_password: 'not my password' })
  assert.equal(wrong.statusCode, 422)
  assert.equal(fieldErrorIn(wrong.body, 'current_password'), 'That is not your current password.')
  assert.equal(rowCount(db, 'totp_factors'), 0, 'nothing was started')
  assert.equal(rowCount(db, 'login_failures'), 1, 'a wrong password counts as one at sign-in does')

  const started = await setup({ current_password: TEST_PASSWORD })
  assert.equal(started.statusCode, 303)
  assert.equal(started.headers.location, '/admin/account/two-factor/setup')
  before = snapshotDb(db)
  assert.match((await author.get('/admin/account/two-factor/setup')).body, /<code id="totp-secret">/)
  assert.match((await author.get('/admin/account')).body, /did not finish/)
  assert.deepEqual(snapshotDb(db), before, 'the QR page and the account page wrote nothing')
})

test('bad input on the code prompt gets 422 with a message and the page, and is not counted as a guess', async (t) => {
  const { app, db } = await withTotp(t)
  const { visitor } = await passwordStep(app)
  const cases: [string, RegExp][] = [
    ['', /Enter the 6-digit code/],
    ['   ', /Enter the 6-digit code/],
    ['letters', /Enter the 6 digits your authenticator app shows, or a recovery code/],
    ['12345', /Enter the 6 digits/],
    ['<script>alert(1)</script>', /Enter the 6 digits/],
    ['9'.repeat(5000), /too long for a code/],
  ]
  for (const [code, message] of cases) {
    const res = await sendCode(visitor, code)
    assert.equal(res.statusCode, 422, code.slice(0, 20))
    assert.match(String(res.headers['content-type']), /^text\/html/)
    assert.match(fieldErrorIn(res.body, 'code') ?? '', message)
    assert.doesNotMatch(res.body, /<script>alert/)
  }
  assert.equal(rowCount(db, 'login_failures'), 0)
  const kept = await sendCode(visitor, 'letters')
  assert.match(kept.body, /name="code"[^>]*value="letters"/, 'the input is kept')
})

test('the code prompt without a pending sign-in, or after five minutes, sends back to sign in', async (t) => {
  const { app, db, secret } = await withTotp(t)
  const stranger = browser(app)
  const none = await stranger.get(VERIFY)
  assert.equal(none.statusCode, 303)
  assert.equal(none.headers.location, '/admin/login?done=sign-in-expired')
  const csrf = await stranger.csrfFrom('/admin/login')
  const posted = await stranger.post(VERIFY, { code: '123456', _csrf: csrf })
  assert.equal(posted.statusCode, 303)
  assert.equal(posted.headers.location, '/admin/login?done=sign-in-expired')

  const { visitor } = await passwordStep(app)
  const csrfVerify = await visitor.csrfFrom(VERIFY)
  db.$client.prepare('update auth_challenges set expires_at = ?').run(Date.now() - 1)
  assert.equal((await visitor.get(VERIFY)).headers.location, '/admin/login?done=sign-in-expired')
  const late = await visitor.post(VERIFY, { code: codeNow(db, secret), _csrf: csrfVerify })
  assert.equal(late.statusCode, 303)
  assert.equal(late.headers.location, '/admin/login?done=sign-in-expired')
  assert.equal(cookiesFrom(late.headers['set-cookie'])[SESSION_COOKIE], undefined)
  assert.equal(visitor.cookies[PENDING_COOKIE], undefined)
})

test('the code form needs its CSRF token, and the account pages need a signed-in author', async (t) => {
  const { app } = await withTotp(t)
  const { visitor } = await passwordStep(app)
  const forged = await visitor.post(VERIFY, { code: '123456', _csrf: 'forged' })
  assert.equal(forged.statusCode, 403)
  const stranger = browser(app)
  assert.match(
    (await stranger.get('/admin/account/two-factor/turn-off')).headers.location ?? '',
    /^\/admin\/login\?next=/,
  )
  const csrf = await stranger.csrfFrom('/admin/login')
  for (const path of ['setup', 'confirm', 'cancel', 'turn-off', 'recovery-codes']) {
    const res = await stranger.post(`/admin/account/two-factor/${path}`, { code: '123456', _csrf: csrf })
    assert.equal(res.statusCode, 401, path)
  }
})

test('turning the app off needs a code or the password, ends the other sessions, and the password alone signs in again', async (t) => {
  const { app, db, userId, author, secret } = await withTotp(t)
  const elsewhere = createSession(db, userId, { userAgent: 'phone', ip: '198.51.100.7' })
  const form = await author.get('/admin/account/two-factor/turn-off')
  assert.equal(form.statusCode, 200)
  assert.match(form.body, /name="code"/)
  assert.match(form.body, /name="current_password"/)
  const turnOff = (fields: Record<string, string>) =>
    author.post('/admin/account/two-factor/turn-off', fields, {
      formUrl: '/admin/account/two-factor/turn-off',
    })

  const empty = await turnOff({ code: '', current_password: '' })
  assert.equal(empty.statusCode, 422)
  assert.match(
    fieldErrorIn(empty.body, 'code') ?? '',
    /Enter a code from your authenticator app, or your password/,
  )
  assert.equal((await turnOff({ code: 'abc' })).statusCode, 422)
  const wrongPassword = await turnOff({ current_password: 'not my password' })
  assert.equal(wrongPassword.statusCode, 422)
  assert.equal(fieldErrorIn(wrongPassword.body, 'current_password'), 'That is not your current password.')
  assert.equal((await turnOff({ code: wrongCode(secret) })).statusCode, 422)
  assert.equal(rowCount(db, 'totp_factors'), 1, 'still on')

  const off = await turnOff({ current_password: TEST_PASSWORD })
  assert.equal(off.statusCode, 303)
  assert.equal(off.headers.location, '/admin/account?done=two-factor-off')
  assert.equal(rowCount(db, 'totp_factors'), 0)
  assert.equal(rowCount(db, 'recovery_codes'), 0)
  assert.equal(
    db.$client.prepare('select count(*) from sessions where id = ?').pluck().get(elsewhere.session.id),
    0,
  )
  const account = await author.get('/admin/account')
  assert.equal(account.statusCode, 200, 'this session stays signed in')
  assert.match(account.body, /Authenticator app turned off/)
  assert.match(account.body, /<strong>Off\.<\/strong>/)

  const { res } = await signInWithForm(app, AUTHOR)
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/admin')
})

test('new recovery codes need a current code, are shown once, and the old ones stop working', async (t) => {
  const { app, db, userId, author, secret, codes } = await withTotp(t)
  const elsewhere = createSession(db, userId, { userAgent: 'phone', ip: '198.51.100.7' })
  const res = await author.post(
    '/admin/account/two-factor/recovery-codes',
    { code: codeNow(db, secret) },
    { formUrl: '/admin/account/two-factor/recovery-codes' },
  )
  assert.equal(res.statusCode, 200)
  const fresh = recoveryCodesIn(res.body)
  assert.equal(fresh.length, 10)
  assert.ok(fresh.every((code) => !codes.includes(code)))
  assert.equal(
    db.$client.prepare('select count(*) from sessions where id = ?').pluck().get(elsewhere.session.id),
    0,
  )
  assert.match((await author.get('/admin/account')).body, /New recovery codes made/)

  const { visitor } = await passwordStep(app)
  assert.equal((await sendCode(visitor, codes[1] ?? '')).statusCode, 401, 'an old code')
  assert.equal((await sendCode(visitor, fresh[1] ?? '')).statusCode, 303, 'a new code')
})
