// Checks signing in: a new session cookie stored only as a hash, one answer for every wrong guess, and `next` kept local.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { createSession, SESSION_COOKIE } from '../../../src/features/auth/sessions.ts'
import { createUser } from '../../../src/features/auth/users.ts'
import {
  argonParams,
  browser,
  cookiesFrom,
  fieldErrorIn,
  formErrorIn,
  signInWithForm,
  TEST_PASSWORD,
} from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'

const SITE = 'https://blog.example.com'
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex')

async function withAuthor(t: import('node:test').TestContext) {
  const { app, db } = await createTestApp(t)
  const user = await createUser(db, {
    name: 'Sam Rivera',
    email: 'author@example.com',
    password: TEST_PASSWORD,
  })
  return { app, db, user }
}

test('the right password signs in with a new session cookie whose hash alone is stored', async (t) => {
  const { app, db, user } = await withAuthor(t)
  const page = await browser(app).get('/admin/login')
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /name="email"/)
  assert.match(page.body, /name="password" type="password"/)
  assert.doesNotMatch(page.body, /No account exists yet/)

  const { visitor, res } = await signInWithForm(app, 'author@example.com')
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/admin')
  const setCookie = [res.headers['set-cookie']].flat().find((c) => c?.startsWith(`${SESSION_COOKIE}=`)) ?? ''
  assert.match(setCookie, /; HttpOnly/i)
  assert.match(setCookie, /; SameSite=Lax/i)
  assert.match(setCookie, /; Secure/i)
  const token = cookiesFrom(setCookie)[SESSION_COOKIE] ?? ''
  assert.match(token, /^[A-Za-z0-9_-]{43}$/, '256 random bits')

  const rows = db.$client.prepare('select * from sessions where user_id = ?').all(user.id) as {
    token_hash: string
  }[]
  assert.equal(rows.length, 1)
  assert.equal(rows[0]?.token_hash, sha256(token))
  assert.ok(!JSON.stringify(db.$client.prepare('select * from sessions').all()).includes(token))

  const dashboard = await visitor.get('/admin')
  assert.equal(dashboard.statusCode, 200)
  assert.match(dashboard.body, /Dashboard/)

  // Every sign-in makes a new token, so a cookie planted before sign-in is worth nothing after it.
  const planted = browser(app, { cookies: { [SESSION_COOKIE]: token } })
  const second = await planted.post(
    '/admin/login',
    { email: 'author@example.com', password: TEST_PASSWORD },
    {
      formUrl: '/admin/account',
    },
  )
  assert.equal(second.statusCode, 303)
  const secondToken = cookiesFrom(second.headers['set-cookie'])[SESSION_COOKIE]
  assert.ok(secondToken && secondToken !== token)
})

test('the stored password is an argon2id hash at OWASP strength and never the password itself', async (t) => {
  const { app, db } = await withAuthor(t)
  await signInWithForm(app, 'author@example.com', 'a wrong password guess')
  await signInWithForm(app, 'author@example.com')
  const hash = db.$client.prepare('select password_hash from users').pluck().get() as string
  assert.match(hash, /^\$argon2id\$/)
  const params = argonParams(hash)
  assert.ok(params.m >= 19456 && params.t >= 2 && params.p >= 1, JSON.stringify(params))
  const tables = db.$client
    .prepare("select name from sqlite_schema where type = 'table' and name not like 'sqlite_%'")
    .pluck()
    .all() as string[]
  for (const table of tables) {
    const dump = JSON.stringify(db.$client.prepare(`select * from "${table}"`).all())
    assert.ok(!dump.includes(TEST_PASSWORD), table)
    assert.ok(!dump.includes('a wrong password guess'), table)
  }
})

test('a wrong password and an unknown email get the same status and the same message', async (t) => {
  const { app } = await withAuthor(t)
  const wrongPassword = await signInWithForm(app, 'author@example.com', 'not the password at all')
  const unknownEmail = await signInWithForm(app, 'nobody@example.com', TEST_PASSWORD)
  assert.equal(wrongPassword.res.statusCode, 401)
  assert.equal(unknownEmail.res.statusCode, 401)
  const message = formErrorIn(wrongPassword.res.body)
  assert.ok(message)
  assert.equal(formErrorIn(unknownEmail.res.body), message)
  assert.match(message, /do not match/)
  assert.equal(cookiesFrom(wrongPassword.res.headers['set-cookie'])[SESSION_COOKIE], undefined)
  // The e-mail is kept in the form; the password is not.
  assert.match(wrongPassword.res.body, /value="author@example.com"/)
  assert.ok(!wrongPassword.res.body.includes('not the password at all'))
  assert.equal(wrongPassword.res.headers['cache-control'], 'no-store')
})

test('an empty sign-in form is answered with 422 and messages beside the fields', async (t) => {
  const { app, db } = await withAuthor(t)
  const res = await browser(app).post('/admin/login', { email: '', password: '' })
  assert.equal(res.statusCode, 422)
  assert.match(fieldErrorIn(res.body, 'email') ?? '', /Enter your email/)
  assert.match(fieldErrorIn(res.body, 'password') ?? '', /Enter your password/)
  assert.equal(db.$client.prepare('select count(*) from login_failures').pluck().get(), 0)
})

test('the email address is matched without regard to case or surrounding spaces', async (t) => {
  const { app } = await withAuthor(t)
  const { res } = await signInWithForm(app, '  Author@EXAMPLE.com ')
  assert.equal(res.statusCode, 303)
})

test('after sign-in the author goes to `next` when it is a local admin path', async (t) => {
  const { app } = await withAuthor(t)
  for (const next of ['/admin/posts', '/admin/posts?status=draft', '/admin/account']) {
    const { res } = await signInWithForm(app, 'author@example.com', TEST_PASSWORD, { next })
    assert.equal(res.statusCode, 303, next)
    assert.equal(res.headers.location, next)
  }
})

const HOSTILE_NEXT = [
  'https://evil.example',
  'https://evil.example/admin',
  '//evil.example',
  '//evil.example/admin',
  '/\\evil.example',
  '\\\\evil.example',
  '/admin@evil.example',
  '/admin\\@evil.example',
  '/admin/\\\\evil.example',
  '/admin.evil.example',
  'javascript:alert(1)',
  'JavaScript:alert(1)//admin',
  'data:text/html,<script>alert(1)</script>',
  '/admin%0d%0aLocation:https://evil.example',
  '/admin\r\nLocation: https://evil.example',
  '/admin\tx',
  '/posts',
  'admin',
  ' /admin',
  'https:/evil.example',
  '/%2F%2Fevil.example',
  '',
]

/** A Location is safe when a browser would resolve it to a path under /admin on this site. */
function assertLocalAdmin(location: unknown, label: string) {
  assert.equal(typeof location, 'string', label)
  const value = String(location)
  assert.ok(value.startsWith('/admin'), `${label} → ${value}`)
  assert.ok(!value.startsWith('//') && !value.includes('\\'), `${label} → ${value}`)
  assert.ok(![...value].some((ch) => ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127), label)
  const resolved = new URL(value, SITE)
  assert.equal(resolved.origin, SITE, `${label} → ${value}`)
  assert.match(resolved.pathname, /^\/admin(\/|$)/, `${label} → ${value}`)
}

test('a `next` that leads anywhere but a local admin path ends at /admin after sign-in', async (t) => {
  const { app } = await withAuthor(t)
  // One browser, so the argon2 cost is paid per attempt only, and every attempt signs in afresh.
  const visitor = browser(app)
  const csrf = await visitor.csrfFrom('/admin/login')
  for (const next of HOSTILE_NEXT) {
    const res = await visitor.send({
      method: 'POST',
      url: '/admin/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        email: 'author@example.com',
        password: TEST_PASSWORD,
        next,
        _csrf: csrf,
      }).toString(),
    })
    assert.equal(res.statusCode, 303, JSON.stringify(next))
    assertLocalAdmin(res.headers.location, JSON.stringify(next))
    assert.equal(res.headers.location, '/admin', JSON.stringify(next))
  }
})

test('a hostile `next` on the sign-in page is neither followed nor echoed into the form', async (t) => {
  const { app, db, user } = await withAuthor(t)
  const anonymous = browser(app)
  for (const next of HOSTILE_NEXT) {
    const res = await anonymous.get(`/admin/login?next=${encodeURIComponent(next)}`)
    assert.equal(res.statusCode, 200, JSON.stringify(next))
    assert.match(res.body, /name="next" value="\/admin"/, JSON.stringify(next))
  }
  // Already signed in, the login page sends the author on, to a local path only.
  const { token } = createSession(db, user.id, { userAgent: 'x', ip: '127.0.0.1' })
  const signedIn = browser(app, { cookies: { [SESSION_COOKIE]: token } })
  for (const next of HOSTILE_NEXT) {
    const res = await signedIn.get(`/admin/login?next=${encodeURIComponent(next)}`)
    assert.equal(res.statusCode, 303, JSON.stringify(next))
    assertLocalAdmin(res.headers.location, JSON.stringify(next))
  }
  const kept = await signedIn.get(`/admin/login?next=${encodeURIComponent('/admin/posts')}`)
  assert.equal(kept.headers.location, '/admin/posts')
})

test('an unsigned visitor sent to sign in comes back to the page they asked for', async (t) => {
  const { app } = await withAuthor(t)
  const visitor = browser(app)
  const bounce = await visitor.get('/admin/account')
  assert.equal(bounce.statusCode, 303)
  const location = new URL(String(bounce.headers.location), SITE)
  assert.equal(location.pathname, '/admin/login')
  const next = location.searchParams.get('next') ?? ''
  assert.equal(next, '/admin/account')
  const login = await visitor.get(`${location.pathname}${location.search}`)
  assert.match(login.body, /name="next" value="\/admin\/account"/)
  const res = await visitor.post('/admin/login', {
    email: 'author@example.com',
    password: TEST_PASSWORD,
    next,
  })
  assert.equal(res.headers.location, '/admin/account')
  assert.equal((await visitor.get('/admin/account')).statusCode, 200)
})

test('a local `next` with markup in it is escaped in the sign-in form', async (t) => {
  const { app } = await withAuthor(t)
  const next = '/admin/posts?q="><script>alert(1)</script>'
  const res = await browser(app).get(`/admin/login?next=${encodeURIComponent(next)}`)
  assert.equal(res.statusCode, 200)
  assert.ok(!res.body.includes('<script>alert(1)'))
  // Kept as the address a browser would send for it, so it still leads back to the same search.
  assert.match(res.body, /name="next" value="\/admin\/posts\?q=%22%3E%3Cscript%3Ealert\(1\)%3C\/script%3E"/)
})
