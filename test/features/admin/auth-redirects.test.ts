// Checks where sign-in sends the author: any local admin path, whatever its characters, as an ASCII Location, and nowhere else.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import { safeNext } from '../../../src/features/admin/context.ts'
import { createSession, SESSION_COOKIE } from '../../../src/features/auth/sessions.ts'
import { createUser } from '../../../src/features/auth/users.ts'
import { browser, cookiesFrom, TEST_PASSWORD } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'

const SITE = 'https://blog.example.com'
const AUTHOR = 'author@example.com'

async function withAuthor(t: TestContext) {
  const { app, db } = await createTestApp(t)
  const user = await createUser(db, { name: 'Sam Rivera', email: AUTHOR, password: TEST_PASSWORD })
  return { app, db, user }
}

const sessionCount = (db: import('../../../src/db/client.ts').Db): number =>
  db.$client.prepare('select count(*) from sessions').pluck().get() as number

/** A Location a browser resolves to a path under /admin on this site, in characters a header may carry. */
function assertLocalAdmin(location: unknown, label: string): URL {
  assert.equal(typeof location, 'string', label)
  const value = String(location)
  assert.match(value, /^\/admin[\x21-\x7e]*$/, `${label} → ${value}: printable ASCII under /admin`)
  assert.ok(!value.startsWith('//') && !value.includes('\\'), `${label} → ${value}`)
  const resolved = new URL(value, SITE)
  assert.equal(resolved.origin, SITE, `${label} → ${value}`)
  assert.match(resolved.pathname, /^\/admin(\/|$)/, `${label} → ${value}`)
  return resolved
}

/** Local admin paths a person can reach with characters beyond Latin-1, and where each must land. */
const INTERNATIONAL_NEXT: { next: string; path: string; q?: string; hash?: string }[] = [
  { next: '/admin/posts?q=ünï', path: '/admin/posts', q: 'ünï' },
  { next: '/admin/✓', path: '/admin/✓' },
  { next: '/admin/posts?q=日本語の記事', path: '/admin/posts', q: '日本語の記事' },
  { next: '/admin/posts?q=🦊 fox', path: '/admin/posts', q: '🦊 fox' },
  { next: '/admin/posts?q=café', path: '/admin/posts', q: 'café' },
  { next: '/admin/posts#résumé', path: '/admin/posts', hash: '#résumé' },
  { next: '/admin/posts?q=%C3%BC', path: '/admin/posts', q: 'ü' },
]

test('after sign-in a `next` with any Unicode in it leads to that admin page, with the session cookie and one session', async (t) => {
  const { app, db } = await withAuthor(t)
  const visitor = browser(app)
  const csrf = await visitor.csrfFrom('/admin/login')
  for (const [i, { next, path, q, hash }] of INTERNATIONAL_NEXT.entries()) {
    const res = await visitor.send({
      method: 'POST',
      url: '/admin/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ email: AUTHOR, password: TEST_PASSWORD, next, _csrf: csrf }).toString(),
    })
    assert.equal(res.statusCode, 303, next)
    const resolved = assertLocalAdmin(res.headers.location, next)
    assert.equal(decodeURIComponent(resolved.pathname), path, next)
    if (q !== undefined) assert.equal(resolved.searchParams.get('q'), q, next)
    if (hash !== undefined) assert.equal(decodeURIComponent(resolved.hash), hash, next)
    assert.ok(cookiesFrom(res.headers['set-cookie'])[SESSION_COOKIE], `${next}: a session cookie`)
    assert.equal(sessionCount(db), i + 1, `${next}: exactly one new session, and it is the one in the cookie`)
  }
})

test('a signed-in author sent to the sign-in page with a Unicode `next` goes straight there', async (t) => {
  const { app, db, user } = await withAuthor(t)
  const { token } = createSession(db, user.id, { userAgent: 'x', ip: '127.0.0.1' })
  const signedIn = browser(app, { cookies: { [SESSION_COOKIE]: token } })
  for (const { next, path } of INTERNATIONAL_NEXT) {
    const res = await signedIn.get(`/admin/login?next=${encodeURIComponent(next)}`)
    assert.equal(res.statusCode, 303, next)
    assert.equal(decodeURIComponent(assertLocalAdmin(res.headers.location, next).pathname), path, next)
  }
})

test('an unsigned visitor at a page with Unicode in its address comes back to it after signing in', async (t) => {
  const { app } = await withAuthor(t)
  const visitor = browser(app)
  const bounce = await visitor.get(`/admin/posts?q=${encodeURIComponent('ünï ✓')}`)
  assert.equal(bounce.statusCode, 303)
  const login = new URL(String(bounce.headers.location), SITE)
  assert.equal(login.pathname, '/admin/login')
  const next = login.searchParams.get('next') ?? ''
  const page = await visitor.get(`${login.pathname}${login.search}`)
  assert.equal(page.statusCode, 200)
  const res = await visitor.post('/admin/login', { email: AUTHOR, password: TEST_PASSWORD, next })
  assert.equal(res.statusCode, 303)
  const back = assertLocalAdmin(res.headers.location, next)
  assert.equal(back.pathname, '/admin/posts')
  assert.equal(back.searchParams.get('q'), 'ünï ✓')
})

const HOSTILE_NEXT = [
  '//evil.example',
  '/\\evil.example',
  '/admin/\\evil.example',
  'https://evil.example',
  'https://evil.example/admin',
  '/admin\r\nSet-Cookie: x=1',
  '/admin/\u0000',
  '/admin/\u007f',
  '/admin/\u0085x',
  '/admin\u2028x',
  '/admin/../evil',
  '/admin/%2e%2e/evil',
  '/admin/%2E%2E%2Fevil',
  '/admin/./../../evil',
  '/admin/\uD800',
  `/admin/${'a'.repeat(10_000)}`,
  `/admin/posts?q=${'✓'.repeat(5_000)}`,
  '/ädmin',
  '/admin\u200b/evil',
]

test('`next` never leads off the site or out of the admin, whatever characters it holds', () => {
  for (const next of HOSTILE_NEXT) {
    assertLocalAdmin(safeNext(next), JSON.stringify(next).slice(0, 80))
  }
  assert.equal(safeNext('//evil.example'), '/admin')
  assert.equal(safeNext('/\\evil.example'), '/admin')
  assert.equal(safeNext('https://evil.example'), '/admin')
  assert.equal(safeNext('/admin\r\nSet-Cookie: x=1'), '/admin')
  assert.equal(safeNext('/admin/../evil'), '/admin')
  assert.equal(safeNext(`/admin/${'a'.repeat(10_000)}`), '/admin')
  assert.equal(safeNext(undefined), '/admin')
  assert.equal(safeNext(['/admin/posts']), '/admin')
  // Safe ones pass unchanged, or percent-encoded only where a header needs it.
  assert.equal(safeNext('/admin/posts?status=draft'), '/admin/posts?status=draft')
  assert.equal(safeNext('/admin/✓'), '/admin/%E2%9C%93')
  assert.equal(safeNext(safeNext('/admin/posts?q=ünï')), safeNext('/admin/posts?q=ünï'))
})

test('a hostile `next` through the sign-in form ends at /admin with a session, never an error page', async (t) => {
  const { app, db } = await withAuthor(t)
  const visitor = browser(app)
  const csrf = await visitor.csrfFrom('/admin/login')
  for (const [i, next] of HOSTILE_NEXT.entries()) {
    const label = JSON.stringify(next).slice(0, 80)
    const res = await visitor.send({
      method: 'POST',
      url: '/admin/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ email: AUTHOR, password: TEST_PASSWORD, next, _csrf: csrf }).toString(),
    })
    assert.equal(res.statusCode, 303, label)
    assertLocalAdmin(res.headers.location, label)
    assert.ok(cookiesFrom(res.headers['set-cookie'])[SESSION_COOKIE], label)
    assert.equal(sessionCount(db), i + 1, label)
  }
})
