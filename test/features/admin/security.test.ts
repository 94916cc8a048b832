// Checks the admin's defences against forged requests (CSRF token, Origin, Sec-Fetch-Site, odd content types) and its security headers.
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { test } from 'node:test'
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify'
import type { Db } from '../../../src/db/client.ts'
import { SESSION_COOKIE } from '../../../src/features/auth/sessions.ts'
import { issueSetupToken } from '../../../src/features/auth/users.ts'
import {
  type AppRoute,
  adminRoutesOf,
  type Browser,
  browser,
  encodeForm,
  routesOf,
  signIn,
  signInWithForm,
  snapshotDb,
  TEST_PASSWORD,
  UNSAFE_METHODS,
} from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'

const SITE = 'https://blog.example.com'
const FORM = 'application/x-www-form-urlencoded'

/** Field names from every admin form, so that a route that let a forged request through would have something to save. */
const FIELDS = {
  title: 'Forged',
  slug: 'forged',
  body: 'Forged text',
  kind: 'article',
  status: 'published',
  name: 'Forged',
  email: 'forged@example.com',
  password: 'forged password 123',
  current_password: TEST_PASSWORD,
  new_password: 'forged password 123',
  confirm_password: 'forged password 123',
  alt: 'Forged',
  site_title: 'Forged',
}

/** A signed-in author whose browser holds a CSRF cookie and a good token for it. */
async function authorWithToken(app: FastifyInstance, db: Db): Promise<{ author: Browser; csrf: string }> {
  const signed = await signIn(app, db)
  const author = browser(app, { cookies: signed.cookies })
  const csrf = await author.csrfFrom('/admin/account')
  return { author, csrf }
}

interface Attempt {
  readonly name: string
  readonly headers: Record<string, string>
  readonly csrf: string | undefined
  readonly withoutCsrfCookie?: boolean
}

/** Each way a forged request could arrive; each must be refused on its own, the others being right. */
function forgeries(csrf: string, otherVisitorsToken: string): Attempt[] {
  const sameOrigin = { origin: SITE, 'sec-fetch-site': 'same-origin' }
  const tampered = `${csrf.slice(0, -2)}${csrf.endsWith('AA') ? 'BB' : 'AA'}`
  return [
    { name: 'no _csrf field', headers: sameOrigin, csrf: undefined },
    { name: 'an empty _csrf', headers: sameOrigin, csrf: '' },
    { name: 'a tampered _csrf', headers: sameOrigin, csrf: tampered },
    { name: "another visitor's _csrf", headers: sameOrigin, csrf: otherVisitorsToken },
    { name: 'no CSRF cookie', headers: sameOrigin, csrf, withoutCsrfCookie: true },
    { name: 'Origin: https://evil.example', headers: { origin: 'https://evil.example' }, csrf },
    {
      name: 'Origin: http://blog.example.com (not https)',
      headers: { origin: 'http://blog.example.com' },
      csrf,
    },
    { name: 'Origin: null', headers: { origin: 'null' }, csrf },
    { name: 'Sec-Fetch-Site: cross-site', headers: { 'sec-fetch-site': 'cross-site' }, csrf },
    { name: 'Sec-Fetch-Site: same-site', headers: { 'sec-fetch-site': 'same-site' }, csrf },
    {
      name: 'Sec-Fetch-Site: cross-site with a matching Origin',
      headers: { origin: SITE, 'sec-fetch-site': 'cross-site' },
      csrf,
    },
  ]
}

/**
 * Sends every forgery to `route` and returns what went wrong: a status other than 403, a page
 * that does not say what happened, or any change to the database.
 */
async function forgeryProblems(
  app: FastifyInstance,
  db: Db,
  author: Browser,
  attempts: Attempt[],
  route: AppRoute,
): Promise<string[]> {
  const problems: string[] = []
  for (const attempt of attempts) {
    const label = `${route.method} ${route.url} with ${attempt.name}`
    const fields = attempt.csrf === undefined ? FIELDS : { ...FIELDS, _csrf: attempt.csrf }
    const cookies = { ...author.cookies }
    if (attempt.withoutCsrfCookie) delete cookies.folio_csrf
    const before = snapshotDb(db)
    const res = await app.inject({
      method: route.method,
      url: route.url,
      cookies,
      headers: { 'content-type': FORM, accept: 'text/html', ...attempt.headers },
      payload: encodeForm(fields),
    })
    const after = snapshotDb(db)
    if (res.statusCode !== 403) problems.push(`${label}: status ${res.statusCode}`)
    else if (
      !/^text\/html/.test(String(res.headers['content-type'])) ||
      !/nothing was changed/.test(res.body)
    )
      problems.push(`${label}: the 403 page does not say what happened`)
    if (after.rows !== before.rows || after.changes !== before.changes)
      problems.push(`${label}: the database changed`)
  }
  return problems
}

async function setUp(t: import('node:test').TestContext) {
  const { app, db } = await createTestApp(t)
  const { author, csrf } = await authorWithToken(app, db)
  const stranger = browser(app)
  const otherVisitorsToken = await stranger.csrfFrom('/admin/login')
  return { app, db, author, csrf, attempts: forgeries(csrf, otherVisitorsToken) }
}

test('every state-changing admin route refuses a forged request with a 403 page and changes nothing', async (t) => {
  const { app, db, author, attempts } = await setUp(t)
  // Read from the app: a route added later without CSRF protection fails here.
  const routes = await adminRoutesOf(app, UNSAFE_METHODS)
  const paths = routes.map((r) => r.path)
  for (const known of ['/admin/login', '/admin/logout', '/admin/setup', '/admin/account/password']) {
    assert.ok(paths.includes(known), `${known} is among ${paths.join(', ')}`)
  }
  const problems: string[] = []
  for (const route of routes) problems.push(...(await forgeryProblems(app, db, author, attempts, route)))
  assert.deepEqual(problems, [])
  // The author is still signed in: nothing above ended the session.
  assert.equal((await author.get('/admin')).statusCode, 200)
})

test('the forgery check finds a route that was added without protection', async (t) => {
  const { app, db } = await createTestApp(t)
  // Registered after buildApp, outside the /admin scope's hooks: exactly the mistake to catch.
  app.post('/admin/unguarded', async (_request, reply) => {
    db.$client.prepare("insert into settings (key, value, updated_at) values ('unguarded', '1', 0)").run()
    return reply.code(200).send('ok')
  })
  const { author, csrf } = await authorWithToken(app, db)
  const routes = await adminRoutesOf(app, UNSAFE_METHODS)
  const unguarded = routes.find((r) => r.path === '/admin/unguarded')
  assert.ok(unguarded, 'the new route is enumerated')
  const problems = await forgeryProblems(app, db, author, forgeries(csrf, csrf), unguarded)
  assert.ok(problems.some((p) => /status 200/.test(p)))
  assert.ok(problems.some((p) => /database changed/.test(p)))
})

test('the route listing the security tests rely on finds routes of every shape', async (t) => {
  const app = Fastify()
  t.after(() => app.close())
  const ok = async () => 'ok'
  app.get('/', ok)
  app.get('/admin/things/:id', ok)
  app.get('/admin/things/:thingId/parts/:part', ok)
  app.get('/admin/numbered/:n(^\\d+$)', ok)
  app.get('/admin/hosted', { constraints: { host: 'blog.example.com' } }, ok)
  app.get('/admin/hosted', ok)
  app.get('/files/*', ok)
  app.post('/admin/things/:id/delete', ok)
  app.delete('/admin/things/:id', ok)
  assert.deepEqual(
    (await routesOf(app, 'GET')).map((r) => `${r.path} ${r.url}`),
    [
      '/ /',
      '/admin/hosted /admin/hosted',
      '/admin/numbered/:n(^\\d+$) /admin/numbered/1',
      '/admin/things/:id /admin/things/1',
      '/admin/things/:id/parts/:part /admin/things/1/parts/1',
      '/files/* /files/x',
    ],
  )
  assert.deepEqual(
    (await adminRoutesOf(app, UNSAFE_METHODS)).map((r) => `${r.method} ${r.path}`),
    ['POST /admin/things/:id/delete', 'DELETE /admin/things/:id'],
  )
})

test('a genuine form from this site passes the same checks', async (t) => {
  const { author, csrf } = await setUp(t)
  const headerSets: Record<string, string>[] = [
    { origin: SITE, 'sec-fetch-site': 'same-origin' },
    { origin: SITE },
    { 'sec-fetch-site': 'same-origin' },
    { 'sec-fetch-site': 'none' },
    {},
  ]
  for (const headers of headerSets) {
    // Two different new passwords: past the CSRF checks, the form itself answers 422 and saves
    // nothing (a wrong current password would soon be throttled instead).
    const res = await author.send({
      method: 'POST',
      url: '/admin/account/password',
      headers: { 'content-type': FORM, ...headers },
      payload: encodeForm({
        _csrf: csrf,
        current_password: 'not the password',
        new_password: 'a new password 1',
        confirm_password: 'a new password 2',
      }),
    })
    assert.equal(res.statusCode, 422, JSON.stringify(headers))
  }
  // Also as a header, as a script would send it.
  const res = await author.send({
    method: 'POST',
    url: '/admin/account/sessions/999999/delete',
    headers: { 'content-type': FORM, 'x-csrf-token': csrf, origin: SITE },
    payload: '',
  })
  assert.equal(res.statusCode, 303)
  assert.equal((await author.get('/admin')).statusCode, 200)
})

const FORM_TYPE_VARIANTS = [
  'Application/X-WWW-Form-URLencoded',
  'APPLICATION/X-WWW-FORM-URLENCODED; CHARSET=UTF-8',
  ' application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded ',
  'application/x-www-form-urlencoded;charset=utf-8',
  'application/x-www-form-urlencoded; charset=utf-8',
  'application/x-www-form-urlencoded\t; charset=UTF-8',
  'application/x-www-form-urlencoded ;charset=UTF-8',
  'application/x-www-form-urlencoded;charset=latin1',
  'application/x-www-form-urlencoded, application/json',
  'application/x-www-form-urlencodedx',
  'application/x-www-form-urlencoded\u000b',
]

/** Bodies in other formats that carry a _csrf field a form parser might pick up. */
function otherBodies(wrongToken: string): { contentType: string; payload: string }[] {
  const form = encodeForm({ ...FIELDS, _csrf: wrongToken })
  return [
    { contentType: 'text/plain', payload: form },
    { contentType: 'text/plain; charset=utf-8', payload: `_csrf=${wrongToken}` },
    { contentType: 'application/json', payload: JSON.stringify({ ...FIELDS, _csrf: wrongToken }) },
    { contentType: 'application/json', payload: JSON.stringify(FIELDS) },
    { contentType: 'application/json', payload: JSON.stringify({ ...FIELDS, _csrf: [wrongToken] }) },
    { contentType: 'application/json', payload: JSON.stringify({ ...FIELDS, _csrf: { toString: 'x' } }) },
    { contentType: 'application/json', payload: '{"__proto__": {"_csrf": "x"}, "title": "Forged"}' },
    { contentType: 'application/json', payload: '{"_csrf": ' },
    { contentType: 'application/json; charset=utf-8', payload: 'null' },
    { contentType: 'Application/JSON', payload: JSON.stringify({ ...FIELDS, _csrf: wrongToken }) },
    {
      contentType: 'multipart/form-data; boundary=x',
      payload: multipart({ alt: 'Forged', _csrf: wrongToken }),
    },
    { contentType: 'multipart/form-data; boundary=x', payload: multipart({ alt: 'Forged' }) },
    { contentType: 'application/octet-stream', payload: form },
    { contentType: '', payload: form },
  ]
}

/** A multipart body with boundary `x`; with `file`, an image part comes after the fields, as browsers send it. */
function multipart(
  fields: Record<string, string>,
  file?: { name: string; type: string; bytes: Buffer },
): string {
  const parts = Object.entries(fields).map(
    ([name, value]) => `--x\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  )
  if (file) {
    parts.push(
      `--x\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n${file.bytes.toString('latin1')}\r\n`,
    )
  }
  return `${parts.join('')}--x--\r\n`
}

/** A 1×1 transparent PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
)

test('a forged upload is refused like any other form: multipart bodies need the token and the same origin', async (t) => {
  const { app, db, author, csrf } = await setUp(t)
  const routes = await adminRoutesOf(app, UNSAFE_METHODS)
  const wrong = `${csrf.slice(0, -2)}${csrf.endsWith('AA') ? 'BB' : 'AA'}`
  const file = { name: 'pixel.png', type: 'image/png', bytes: PNG }
  const attempts = [
    { what: 'no _csrf', payload: multipart({ alt: 'A pixel' }, file), headers: { origin: SITE } },
    {
      what: 'a wrong _csrf',
      payload: multipart({ alt: 'A pixel', _csrf: wrong }, file),
      headers: { origin: SITE },
    },
    {
      what: 'a good _csrf from another site',
      payload: multipart({ alt: 'A pixel', _csrf: csrf }, file),
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    },
  ]
  const problems: string[] = []
  const before = snapshotDb(db)
  for (const route of routes) {
    for (const attempt of attempts) {
      const res = await author.send({
        method: route.method,
        url: route.url,
        headers: { 'content-type': 'multipart/form-data; boundary=x', ...attempt.headers },
        payload: Buffer.from(attempt.payload, 'latin1'),
      })
      // A route that takes no uploads may refuse the format itself (415); any other answer must be the 403.
      if (res.statusCode !== 403 && res.statusCode !== 415) {
        problems.push(`${route.method} ${route.url} with ${attempt.what}: status ${res.statusCode}`)
      }
      if (route.path === '/admin/media' && res.statusCode !== 403) {
        problems.push(`the upload form with ${attempt.what}: status ${res.statusCode}`)
      }
    }
  }
  const after = snapshotDb(db)
  assert.deepEqual(problems, [])
  assert.equal(after.rows, before.rows)
  assert.equal(after.changes, before.changes)
  assert.deepEqual(
    readdirSync(app.config.mediaDir).filter((f) => !f.startsWith('.')),
    [],
    'no file was stored',
  )
})

test('no spelling of the content type, and no other body format, gets a forged request past CSRF or causes a 500', async (t) => {
  const { app, db, author, csrf } = await setUp(t)
  const routes = await adminRoutesOf(app, UNSAFE_METHODS)
  const wrong = `${csrf.slice(0, -2)}${csrf.endsWith('AA') ? 'BB' : 'AA'}`
  const problems: string[] = []
  const before = snapshotDb(db)
  for (const route of routes) {
    const requests: { label: string; options: InjectOptions }[] = []
    for (const contentType of FORM_TYPE_VARIANTS) {
      for (const [what, fields] of [
        ['no _csrf', FIELDS],
        ['a wrong _csrf', { ...FIELDS, _csrf: wrong }],
      ] as const) {
        requests.push({
          label: `${JSON.stringify(contentType)} with ${what}`,
          options: { headers: { 'content-type': contentType }, payload: encodeForm(fields) },
        })
      }
    }
    for (const body of otherBodies(wrong)) {
      requests.push({
        label: `${JSON.stringify(body.contentType)} body ${JSON.stringify(body.payload.slice(0, 40))}`,
        options: { headers: { 'content-type': body.contentType }, payload: body.payload },
      })
    }
    for (const { label, options } of requests) {
      const res = await author.send({
        method: route.method,
        url: route.url,
        ...options,
        headers: { origin: SITE, 'sec-fetch-site': 'same-origin', ...options.headers },
      })
      if (res.statusCode < 400 || res.statusCode >= 500) {
        problems.push(`${route.method} ${route.url}, ${label}: status ${res.statusCode}`)
      }
    }
  }
  const after = snapshotDb(db)
  assert.deepEqual(problems, [])
  assert.equal(after.rows, before.rows)
  assert.equal(after.changes, before.changes)
})

test('a form sent with the content type in capitals or with a charset is still read, so its token is checked', async (t) => {
  const { author, csrf } = await setUp(t)
  for (const contentType of [
    'Application/X-WWW-Form-URLencoded',
    'application/x-www-form-urlencoded;charset=utf-8',
    'application/x-www-form-urlencoded; charset=UTF-8',
  ]) {
    const fields = {
      current_password: 'not it',
      new_password: 'a new password 1',
      confirm_password: 'a new password 1',
    }
    const good = await author.send({
      method: 'POST',
      url: '/admin/account/password',
      headers: { 'content-type': contentType, origin: SITE },
      payload: encodeForm({ ...fields, _csrf: csrf }),
    })
    assert.equal(good.statusCode, 422, contentType)
    const bad = await author.send({
      method: 'POST',
      url: '/admin/account/password',
      headers: { 'content-type': contentType, origin: SITE },
      payload: encodeForm(fields),
    })
    assert.equal(bad.statusCode, 403, contentType)
  }
})

/** The directives of a Content-Security-Policy header, by name. */
function cspDirectives(header: unknown): Map<string, string[]> {
  const directives = new Map<string, string[]>()
  for (const part of String(header ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/)
    if (name) directives.set(name.toLowerCase(), values)
  }
  return directives
}

function assertSecurityHeaders(res: { headers: Record<string, unknown> }, label: string, https: boolean) {
  const csp = cspDirectives(res.headers['content-security-policy'])
  const scripts = csp.get('script-src') ?? csp.get('default-src')
  assert.ok(scripts, `${label}: CSP limits scripts`)
  assert.ok(
    !scripts.includes("'unsafe-inline'") && !scripts.includes("'unsafe-eval'"),
    `${label}: ${scripts}`,
  )
  assert.ok(!scripts.includes('*') && !scripts.includes('data:'), `${label}: ${scripts}`)
  assert.deepEqual(csp.get('frame-ancestors'), ["'none'"], label)
  assert.equal(res.headers['x-content-type-options'], 'nosniff', label)
  assert.ok(
    ['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin'].includes(
      String(res.headers['referrer-policy']),
    ),
    `${label}: referrer-policy ${res.headers['referrer-policy']}`,
  )
  const hsts = res.headers['strict-transport-security']
  if (https) assert.match(String(hsts), /max-age=\d{7,}/, `${label}: HSTS`)
  else assert.equal(hsts, undefined, `${label}: no HSTS on plain http`)
}

async function responsesToCheck(app: FastifyInstance, db: Db) {
  const token = issueSetupToken(db) ?? ''
  const anonymous = browser(app)
  const setup = await anonymous.get(`/admin/setup?token=${token}`)
  const signed = await signIn(app, db)
  const author = browser(app, { cookies: signed.cookies })
  return {
    'the setup page': setup,
    'the sign-in page': await anonymous.get('/admin/login'),
    'a failed sign-in': await anonymous.post('/admin/login', {
      email: 'x@example.com',
      password: 'wrong password',
    }),
    'the redirect to sign in': await anonymous.get('/admin/account'),
    'the refusal of a change without a session': await anonymous.post('/admin/account/password', {}),
    'the dashboard': await author.get('/admin'),
    'the account page': await author.get('/admin/account'),
    'the 403 page': await author.send({
      method: 'POST',
      url: '/admin/account/password',
      headers: { 'content-type': FORM },
      payload: '',
    }),
    'the home page': await anonymous.get('/'),
    'a missing page': await anonymous.get('/no-such-page'),
    'a stylesheet': await anonymous.get('/static/css/admin.css'),
  }
}

test('admin and public responses carry a strict CSP, nosniff, a strict referrer policy and HSTS on https', async (t) => {
  const { app, db } = await createTestApp(t)
  for (const [label, res] of Object.entries(await responsesToCheck(app, db)))
    assertSecurityHeaders(res, label, true)
})

test('on a plain-http site (local development) there is no HSTS and the cookies are not marked Secure', async (t) => {
  const { app, db } = await createTestApp(t, { SITE_URL: 'http://localhost:3000' })
  for (const [label, res] of Object.entries(await responsesToCheck(app, db)))
    assertSecurityHeaders(res, label, false)
  const { res } = await signInWithForm(app, 'author@example.com')
  assert.equal(res.statusCode, 303)
  for (const cookie of [res.headers['set-cookie']].flat()) {
    assert.doesNotMatch(String(cookie), /; Secure/i)
    assert.match(String(cookie), /; HttpOnly/i)
  }
})

test('the CSRF cookie is signed, HttpOnly, SameSite=Lax and Secure on https', async (t) => {
  const { app } = await createTestApp(t)
  const res = await app.inject('/admin/login')
  const cookie = [res.headers['set-cookie']].flat().find((c) => c?.startsWith('folio_csrf=')) ?? ''
  assert.match(cookie, /; HttpOnly/i)
  assert.match(cookie, /; SameSite=Lax/i)
  assert.match(cookie, /; Secure/i)
  // A signed cookie ends with a signature after a dot, so a planted secret is rejected.
  assert.match(decodeURIComponent(cookie.split(';')[0] ?? ''), /^folio_csrf=[^.]+\.[A-Za-z0-9+/_-]+=*$/)
})

test('no admin page may be kept by a browser or shared cache', async (t) => {
  const { app, db } = await createTestApp(t)
  const signed = await signIn(app, db)
  const author = browser(app, { cookies: signed.cookies })
  const anonymous = browser(app)
  const urls = [
    ...(await adminRoutesOf(app, ['GET'])).map((r) => r.url),
    '/admin?done=signed-in',
    '/admin/no-such-admin-page',
  ]
  for (const url of urls) {
    for (const [who, visitor] of [
      ['author', author],
      ['visitor', anonymous],
    ] as const) {
      const res = await visitor.get(url)
      const cacheControl = String(res.headers['cache-control'])
      assert.match(cacheControl, /no-store/, `${who} GET ${url} (${res.statusCode}): ${cacheControl}`)
      assert.doesNotMatch(cacheControl, /public/, `${who} GET ${url}`)
    }
  }
})

test('after signing out, the dashboard is neither served from a cache nor revalidated, but redirects', async (t) => {
  const { app, db } = await createTestApp(t)
  const signed = await signIn(app, db)
  const author = browser(app, { cookies: signed.cookies })
  const dashboard = await author.get('/admin')
  assert.equal(dashboard.statusCode, 200)
  assert.equal(dashboard.headers['cache-control'], 'no-store')
  const etag = dashboard.headers.etag
  const kept = { ...author.cookies }
  assert.equal((await author.post('/admin/logout', {}, { formUrl: '/admin' })).statusCode, 303)

  for (const cookies of [author.cookies, kept]) {
    const res = await app.inject({
      url: '/admin',
      cookies,
      headers: etag ? { 'if-none-match': String(etag) } : {},
    })
    assert.equal(res.statusCode, 303)
    assert.equal(res.headers.location, '/admin/login?next=%2Fadmin')
    assert.equal(res.headers['cache-control'], 'no-store')
    assert.doesNotMatch(res.body, /Dashboard/)
  }
  assert.equal(author.cookies[SESSION_COOKIE], undefined)
})

test('behind a TLS proxy, a form from the plain-http address of the https site is refused', async (t) => {
  const { db, author, csrf } = await setUp(t)
  const before = snapshotDb(db)
  const res = await author.send({
    method: 'POST',
    url: '/admin/account/password',
    // What the proxy forwards: the public Host, over plain http to Folio.
    headers: { host: 'blog.example.com', origin: 'http://blog.example.com', 'content-type': FORM },
    payload: encodeForm({
      _csrf: csrf,
      current_password: 'not the password',
      new_password: 'a new password 1',
      confirm_password: 'a new password 1',
    }),
  })
  assert.equal(res.statusCode, 403)
  assert.equal(snapshotDb(db).rows, before.rows)
})
