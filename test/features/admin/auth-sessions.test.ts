// Checks sessions through the admin: sign-out, expiry, GET never writing, the sessions list, and password changes.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import type { Db } from '../../../src/db/client.ts'
import { createSession, SESSION_COOKIE } from '../../../src/features/auth/sessions.ts'
import { hashToken } from '../../../src/features/auth/tokens.ts'
import { createUser } from '../../../src/features/auth/users.ts'
import {
  adminRoutesOf,
  type Browser,
  browser,
  cookiesFrom,
  fieldErrorIn,
  signInWithForm,
  snapshotDb,
  TEST_PASSWORD,
} from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'

const AUTHOR = 'author@example.com'
const DAY = 24 * 60 * 60 * 1000
const FIREFOX_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0'
const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36'
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'

async function withAuthor(t: TestContext) {
  const { app, db } = await createTestApp(t)
  const user = await createUser(db, { name: 'Sam Rivera', email: AUTHOR, password: TEST_PASSWORD })
  return { app, db, user }
}

async function signedIn(app: FastifyInstance, userAgent: string, remoteAddress: string): Promise<Browser> {
  const { visitor, res } = await signInWithForm(app, AUTHOR, TEST_PASSWORD, { userAgent, remoteAddress })
  assert.equal(res.statusCode, 303)
  return visitor
}

const sessionRows = (db: Db) =>
  db.$client.prepare('select * from sessions order by id').all() as {
    id: number
    user_id: number
    last_seen_at: number
    expires_at: number
    ip: string
    user_agent: string
  }[]

const sessionIdOf = (db: Db, visitor: Browser): number => {
  const row = db.$client
    .prepare('select id from sessions where token_hash = ?')
    .get(hashToken(visitor.cookies[SESSION_COOKIE] ?? '')) as { id: number } | undefined
  if (!row) throw new Error('no session for this browser')
  return row.id
}

function assertSentToLogin(res: { statusCode: number; headers: Record<string, unknown> }, path = '/admin') {
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, `/admin/login?next=${encodeURIComponent(path)}`)
  assert.equal(res.headers['cache-control'], 'no-store')
}

test('signing out deletes the session, and the old cookie no longer opens the admin', async (t) => {
  const { app, db } = await withAuthor(t)
  const visitor = await signedIn(app, FIREFOX_MAC, '203.0.113.7')
  const oldCookie = visitor.cookies[SESSION_COOKIE] ?? ''
  const dashboard = await visitor.get('/admin')
  assert.equal(dashboard.statusCode, 200)
  assert.equal(dashboard.headers['cache-control'], 'no-store')
  assert.equal(sessionRows(db).length, 1)

  const out = await visitor.post('/admin/logout', {}, { formUrl: '/admin' })
  assert.equal(out.statusCode, 303)
  assert.equal(out.headers.location, '/admin/login?done=signed-out')
  const cleared = [out.headers['set-cookie']].flat().find((c) => c?.startsWith(`${SESSION_COOKIE}=`)) ?? ''
  assert.match(cleared, /^folio_session=;/)
  assert.match(cleared, /Expires=Thu, 01 Jan 1970|Max-Age=0/i)
  assert.equal(sessionRows(db).length, 0)
  assert.equal(visitor.cookies[SESSION_COOKIE], undefined)

  const page = await visitor.get('/admin/login?done=signed-out')
  assert.match(page.body, /You are signed out\./)

  // Someone who kept a copy of the cookie gets nothing with it, and nothing is served from a cache.
  const replay = browser(app, { cookies: { [SESSION_COOKIE]: oldCookie } })
  assertSentToLogin(await replay.get('/admin'))
  assertSentToLogin(await replay.get('/admin/account'), '/admin/account')
})

test('a session idle for more than 14 days, or older than 30, no longer opens the admin', async (t) => {
  const { app, db } = await withAuthor(t)
  const visitor = await signedIn(app, FIREFOX_MAC, '203.0.113.7')
  const id = sessionIdOf(db, visitor)
  const setLastSeen = (ms: number) =>
    db.$client.prepare('update sessions set last_seen_at = ? where id = ?').run(ms, id)

  setLastSeen(Date.now() - 13 * DAY)
  assert.equal((await visitor.get('/admin')).statusCode, 200)
  setLastSeen(Date.now() - 15 * DAY)
  assertSentToLogin(await visitor.get('/admin'))

  setLastSeen(Date.now())
  assert.equal((await visitor.get('/admin')).statusCode, 200)
  db.$client.prepare('update sessions set expires_at = ? where id = ?').run(Date.now() - 1000, id)
  assertSentToLogin(await visitor.get('/admin'))
  // An expired session cannot change anything either.
  const res = await visitor.post('/admin/account/password', {
    _csrf: 'irrelevant',
    current_password: TEST_PASSWORD,
    new_password: 'a new password for this',
    confirm_password: 'a new password for this',
  })
  assert.ok(res.statusCode === 401 || res.statusCode === 403, String(res.statusCode))
})

test('GET requests never write to the database, signed in or not', async (t) => {
  const { app, db, user } = await withAuthor(t)
  const visitor = await signedIn(app, FIREFOX_MAC, '203.0.113.7')
  const anonymous = browser(app)
  const expired = browser(app, {
    cookies: {
      [SESSION_COOKIE]: createSession(
        db,
        user.id,
        { userAgent: 'x', ip: '127.0.0.1' },
        new Date(Date.now() - 20 * DAY),
      ).token,
    },
  })
  // Warm up once: the first request may set a CSRF cookie, which lives in the browser, not the database.
  await visitor.get('/admin')
  await anonymous.get('/admin/login')

  const before = snapshotDb(db)
  const urls = [
    '/admin',
    '/admin?done=signed-in',
    '/admin/account',
    '/admin/account?done=session-ended',
    '/admin/login',
    '/admin/login?next=/admin/account',
    '/admin/setup?token=anything',
    '/',
    '/no-such-page',
    ...(await adminRoutesOf(app, ['GET'])).map((r) => r.url),
  ]
  for (const url of urls) {
    await visitor.get(url)
    await anonymous.get(url)
    await expired.get(url)
    await visitor.send({ method: 'HEAD', url })
  }
  const after = snapshotDb(db)
  assert.equal(after.changes, before.changes, 'total_changes() moved')
  assert.equal(after.rows, before.rows)
})

test('a state-changing request records when and from where the session was last used', async (t) => {
  const { app, db } = await withAuthor(t)
  const visitor = await signedIn(app, FIREFOX_MAC, '203.0.113.7')
  const id = sessionIdOf(db, visitor)
  const dayAgo = Date.now() - DAY
  db.$client.prepare('update sessions set last_seen_at = ? where id = ?').run(dayAgo, id)

  const moved = browser(app, {
    userAgent: FIREFOX_MAC,
    remoteAddress: '203.0.113.99',
    cookies: visitor.cookies,
  })
  // A harmless POST: ending a session that does not exist.
  const res = await moved.post('/admin/account/sessions/999999/delete', {})
  assert.equal(res.statusCode, 303)
  const row = sessionRows(db).find((s) => s.id === id)
  assert.ok(row && row.last_seen_at > dayAgo)
  assert.equal(row?.ip, '203.0.113.99')
})

test('the account page lists every session with its device and IP, and a button to end each', async (t) => {
  const { app, db } = await withAuthor(t)
  const firefox = await signedIn(app, FIREFOX_MAC, '203.0.113.7')
  const chrome = await signedIn(app, CHROME_WINDOWS, '198.51.100.20')
  await signedIn(app, SAFARI_IPHONE, '2001:db8::1')

  const page = await firefox.get('/admin/account')
  assert.equal(page.statusCode, 200)
  assert.equal(page.headers['cache-control'], 'no-store')
  assert.match(page.body, /Firefox on macOS <strong>\(this browser\)<\/strong>/)
  assert.match(page.body, /Chrome on Windows/)
  assert.match(page.body, /Safari on iOS/)
  for (const ip of ['203.0.113.7', '198.51.100.20', '2001:db8::1']) assert.ok(page.body.includes(ip), ip)
  for (const session of sessionRows(db)) {
    assert.match(
      page.body,
      new RegExp(
        `<form method="post" action="/admin/account/sessions/${session.id}/delete"[^>]*>\\s*<input type="hidden" name="_csrf" value="[^"]+">\\s*<button`,
      ),
    )
  }
  assert.equal((page.body.match(/\(this browser\)/g) ?? []).length, 1)
  assert.equal(chrome.cookies[SESSION_COOKIE]?.length, 43)
})

test('ending another session signs that browser out and leaves this one signed in', async (t) => {
  const { app, db } = await withAuthor(t)
  const firefox = await signedIn(app, FIREFOX_MAC, '203.0.113.7')
  const chrome = await signedIn(app, CHROME_WINDOWS, '198.51.100.20')
  const chromeId = sessionIdOf(db, chrome)

  const res = await firefox.post(`/admin/account/sessions/${chromeId}/delete`, {})
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/admin/account?done=session-ended')
  assert.ok(!sessionRows(db).some((s) => s.id === chromeId))
  assertSentToLogin(await chrome.get('/admin'))
  const page = await firefox.get('/admin/account?done=session-ended')
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /That session has been signed out\./)
  assert.doesNotMatch(page.body, /Chrome on Windows/)
})

test("an author cannot end another account's session, and ending their own current one signs them out", async (t) => {
  const { app, db } = await withAuthor(t)
  const firefox = await signedIn(app, FIREFOX_MAC, '203.0.113.7')
  const other = await createUser(db, {
    name: 'Kim',
    email: 'kim@example.com',
    password: 'another long password',
  })
  const theirs = createSession(db, other.id, { userAgent: 'x', ip: '192.0.2.1' }).session

  await firefox.post(`/admin/account/sessions/${theirs.id}/delete`, {})
  assert.ok(sessionRows(db).some((s) => s.id === theirs.id))
  for (const id of ['abc', '1.5', '-1']) {
    const res = await firefox.post(`/admin/account/sessions/${id}/delete`, {})
    assert.ok([303, 404].includes(res.statusCode), `${id}: ${res.statusCode}`)
    assert.notEqual(res.statusCode, 500)
  }
  assert.equal(sessionRows(db).length, 2)

  const own = sessionIdOf(db, firefox)
  const out = await firefox.post(`/admin/account/sessions/${own}/delete`, {})
  assert.equal(out.statusCode, 303)
  assert.equal(out.headers.location, '/admin/login')
  assert.match(String([out.headers['set-cookie']].flat().join('\n')), /folio_session=;/)
  assert.ok(!sessionRows(db).some((s) => s.id === own))
  assertSentToLogin(await firefox.get('/admin'))
})

test('a password change needs the current password, then ends every other session and keeps this one', async (t) => {
  const { app, db } = await withAuthor(t)
  const here = await signedIn(app, FIREFOX_MAC, '203.0.113.7')
  const laptop = await signedIn(app, CHROME_WINDOWS, '198.51.100.20')
  const phone = await signedIn(app, SAFARI_IPHONE, '2001:db8::1')
  const hashBefore = db.$client.prepare('select password_hash from users').pluck().get()
  const NEW = 'a brand new passphrase'

  const wrong = await here.post('/admin/account/password', {
    current_password: 'not my password at all',
    new_password: NEW,
    confirm_password: NEW,
  })
  assert.equal(wrong.statusCode, 422)
  assert.equal(fieldErrorIn(wrong.body, 'current_password'), 'That is not your current password.')
  assert.match(wrong.body, /id="current_password"[^>]*aria-invalid="true"/)
  assert.ok(!wrong.body.includes(NEW) && !wrong.body.includes('not my password at all'))
  assert.equal(db.$client.prepare('select password_hash from users').pluck().get(), hashBefore)
  assert.equal(sessionRows(db).length, 3)

  const mismatch = await here.post('/admin/account/password', {
    current_password: TEST_PASSWORD,
    new_password: NEW,
    confirm_password: `${NEW}!`,
  })
  assert.equal(mismatch.statusCode, 422)
  assert.match(fieldErrorIn(mismatch.body, 'confirm_password') ?? '', /not the same/)

  const short = await here.post('/admin/account/password', {
    current_password: TEST_PASSWORD,
    new_password: 'elevenchars',
    confirm_password: 'elevenchars',
  })
  assert.equal(short.statusCode, 422)
  assert.match(fieldErrorIn(short.body, 'new_password') ?? '', /at least 12 characters/)
  assert.equal(db.$client.prepare('select password_hash from users').pluck().get(), hashBefore)
  assert.equal(sessionRows(db).length, 3)

  const done = await here.post('/admin/account/password', {
    current_password: TEST_PASSWORD,
    new_password: NEW,
    confirm_password: NEW,
  })
  assert.equal(done.statusCode, 303)
  assert.equal(done.headers.location, '/admin/account?done=password-changed')
  assert.equal(
    cookiesFrom(done.headers['set-cookie'])[SESSION_COOKIE],
    undefined,
    'this session is kept as it is',
  )
  assert.deepEqual(
    sessionRows(db).map((s) => s.id),
    [sessionIdOf(db, here)],
  )
  const page = await here.get('/admin/account?done=password-changed')
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /Password changed/)
  assertSentToLogin(await laptop.get('/admin'))
  assertSentToLogin(await phone.get('/admin'))

  assert.equal((await signInWithForm(app, AUTHOR, TEST_PASSWORD)).res.statusCode, 401)
  assert.equal((await signInWithForm(app, AUTHOR, NEW)).res.statusCode, 303)
})
