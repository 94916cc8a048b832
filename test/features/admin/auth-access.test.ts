// Checks that the admin is closed to visitors who are not signed in: every page sends them to sign in, every change is refused.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SESSION_COOKIE } from '../../../src/features/auth/sessions.ts'
import { newToken } from '../../../src/features/auth/tokens.ts'
import { createUser } from '../../../src/features/auth/users.ts'
import {
  adminRoutesOf,
  browser,
  encodeForm,
  snapshotDb,
  TEST_PASSWORD,
  UNSAFE_METHODS,
} from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'

/** Pages anyone may open: signing in, and the first-run setup (which is a 404 without its token). */
const OPEN_PAGES = new Set(['/admin/login', '/admin/setup', '/admin/login/verify'])
/** Forms a visitor who is not signed in may send. */
const OPEN_FORMS = new Set([
  '/admin/login',
  '/admin/setup',
  '/admin/logout',
  '/admin/login/verify',
  '/admin/login/passkey/options',
  '/admin/login/passkey',
])

/** Field names from every admin form, so that a route which forgot its guard would have something to save. */
const FIELDS = {
  title: 'Changed by a stranger',
  slug: 'changed-by-a-stranger',
  body: 'Stranger text',
  kind: 'article',
  status: 'published',
  name: 'Stranger',
  email: 'stranger@example.com',
  password: 'stranger password 123',
  current_password: TEST_PASSWORD,
  new_password: 'stranger password 123',
  confirm_password: 'stranger password 123',
  alt: 'Stranger',
  site_title: 'Hacked',
}

async function withAuthor(t: import('node:test').TestContext) {
  const { app, db } = await createTestApp(t)
  await createUser(db, { name: 'Sam Rivera', email: 'author@example.com', password: TEST_PASSWORD })
  return { app, db }
}

test('every admin page except sign-in and setup sends a visitor to sign in, with `next` leading back', async (t) => {
  const { app } = await withAuthor(t)
  // Read from the app, so a page added later is checked too.
  const pages = (await adminRoutesOf(app, ['GET'])).filter((r) => !OPEN_PAGES.has(r.path))
  const paths = pages.map((r) => r.path)
  for (const known of ['/admin', '/admin/account']) assert.ok(paths.includes(known), `${known} in ${paths}`)

  const visitors = {
    'no cookie': browser(app),
    'an unknown session cookie': browser(app, { cookies: { [SESSION_COOKIE]: newToken() } }),
    'a malformed session cookie': browser(app, { cookies: { [SESSION_COOKIE]: `${'x'.repeat(300)}'";<>` } }),
  }
  for (const [who, visitor] of Object.entries(visitors)) {
    for (const page of pages) {
      for (const url of [page.url, `${page.url}?done=signed-in&q=a%20b`]) {
        const res = await visitor.get(url)
        const label = `${who}: GET ${url}`
        assert.equal(res.statusCode, 303, label)
        assert.equal(res.headers.location, `/admin/login?next=${encodeURIComponent(url)}`, label)
        assert.equal(res.headers['cache-control'], 'no-store', label)
        assert.equal(res.body, '', label)
      }
      const head = await visitor.send({ method: 'HEAD', url: page.url })
      assert.equal(head.statusCode, 303, `${who}: HEAD ${page.url}`)
    }
  }
})

test('sign-in and setup are the only admin pages open without a session', async (t) => {
  const { app } = await withAuthor(t)
  const res = await browser(app).get('/admin/login')
  assert.equal(res.statusCode, 200)
  assert.equal((await browser(app).get('/admin/setup')).statusCode, 404)
})

test('a visitor who is not signed in cannot change anything through any admin route', async (t) => {
  const { app, db } = await withAuthor(t)
  const routes = await adminRoutesOf(app, UNSAFE_METHODS)
  const paths = routes.map((r) => r.path)
  for (const known of ['/admin/logout', '/admin/account/password']) assert.ok(paths.includes(known), known)

  const before = snapshotDb(db)
  for (const route of routes) {
    const label = `${route.method} ${route.url}`
    // A stranger's page posting to the admin: no CSRF cookie, no token.
    const bare = await app.inject({
      method: route.method,
      url: route.url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: encodeForm(FIELDS),
    })
    assert.ok([401, 403].includes(bare.statusCode), `${label} without a token: ${bare.statusCode}`)

    // A visitor on this site with a good token from the sign-in page, but no session.
    if (OPEN_FORMS.has(route.path)) continue
    const visitor = browser(app)
    const withToken = await visitor.send({
      method: route.method,
      url: route.url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://blog.example.com' },
      payload: encodeForm({ ...FIELDS, _csrf: await visitor.csrfFrom('/admin/login') }),
    })
    assert.equal(withToken.statusCode, 401, `${label} with a token but no session`)
    assert.match(withToken.body, /You are not signed in, so nothing was changed/, label)
    assert.equal(withToken.headers['cache-control'], 'no-store', label)
  }
  const after = snapshotDb(db)
  assert.equal(after.rows, before.rows)
  assert.equal(after.changes, before.changes)
})

test('signing out without a session changes nothing and lands on the sign-in page', async (t) => {
  const { app, db } = await withAuthor(t)
  const before = snapshotDb(db)
  const res = await browser(app).post('/admin/logout', {})
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/admin/login?done=signed-out')
  assert.equal(snapshotDb(db).rows, before.rows)
})
