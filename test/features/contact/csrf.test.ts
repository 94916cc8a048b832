// Checks CSRF protection for a visitor with no session and no JavaScript: refused from elsewhere, never losing a message.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { csrfIn } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'
import {
  contactVisitor,
  inputValueIn,
  signedTimestamp,
  storedMessages,
  textareaIn,
  tsIn,
} from '../../helpers/contact.ts'
import { mainOf } from '../../helpers/html.ts'

const CSRF_COOKIE = 'folio_csrf'
const HOUR = 60 * 60 * 1000

const TYPED = {
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  subject: 'Quote for a rebuild',
  message: 'I left this tab open since the morning. We need a new site by "spring" & a budget <10k.',
}

/** The form came back with a 403, every word kept, a "please send again" notice and a new token. */
function assertGivenBack(res: LightMyRequestResponse) {
  assert.equal(res.statusCode, 403)
  assert.equal(res.headers['cache-control'], 'no-store')
  const main = mainOf(res.body)
  assert.match(
    main,
    /<p class="notice" role="alert">Sorry, this form had expired, so your message has not been sent yet\. It is all still here: please press Send again\.<\/p>/,
  )
  assert.equal(inputValueIn(main, 'name'), TYPED.name)
  assert.equal(inputValueIn(main, 'email'), TYPED.email)
  assert.equal(inputValueIn(main, 'subject'), TYPED.subject)
  assert.equal(
    textareaIn(main),
    'I left this tab open since the morning. We need a new site by &quot;spring&quot; &amp; a budget &lt;10k.',
  )
  assert.ok(csrfIn(main), 'a fresh token to send again with')
  assert.ok(tsIn(main), 'a fresh timestamp to send again with')
}

test('a visitor with no session can send a message: only the CSRF cookie is needed', async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = contactVisitor(app, db)
  const { res: form, csrf } = await visitor.openForm()
  assert.deepEqual(Object.keys(visitor.cookies), [CSRF_COOKIE])
  const setCookie = String(form.headers['set-cookie'])
  assert.match(setCookie, /HttpOnly/)
  assert.match(setCookie, /SameSite=Lax/)
  assert.match(setCookie, /Path=\//)
  assert.match(setCookie, /Secure/, 'SITE_URL is https, so the cookie is Secure')

  const res = await visitor.send({ ...TYPED, _csrf: csrf })
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/contact/thanks')
  assert.equal(storedMessages(db)[0]?.folder, 'inbox')
})

test('a message sent without the CSRF cookie comes back with every word kept, and sending again works', async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = contactVisitor(app, db)
  const { csrf } = await visitor.openForm()
  // The browser dropped the cookie (cleared, blocked, or expired with the browser session).
  delete visitor.cookies[CSRF_COOKIE]

  const refused = await visitor.send({ ...TYPED, _csrf: csrf })
  assertGivenBack(refused)
  assert.deepEqual(storedMessages(db), [])
  assert.ok(visitor.cookies[CSRF_COOKIE], 'the page that gave the form back set a new cookie')

  const again = await visitor.send({ ...TYPED, _csrf: csrfIn(refused.body) })
  assert.equal(again.statusCode, 303)
  assert.equal(again.headers.location, '/contact/thanks')
  const stored = storedMessages(db)
  assert.equal(stored.length, 1)
  assert.equal(stored[0]?.body, TYPED.message)
})

for (const [what, token] of [
  ['without the _csrf field', ''],
  ['with a wrong _csrf value', 'not-the-token'],
  ['with an empty-looking token', '-'],
] as const) {
  test(`a message sent ${what} comes back with every word kept, and sending again works`, async (t) => {
    const { app, db } = await createTestApp(t)
    const visitor = contactVisitor(app, db)
    await visitor.openForm()
    const refused = await visitor.send({ ...TYPED, _csrf: token })
    assertGivenBack(refused)
    assert.deepEqual(storedMessages(db), [])

    const again = await visitor.send({ ...TYPED, _csrf: csrfIn(refused.body) })
    assert.equal(again.statusCode, 303)
    assert.equal(storedMessages(db).length, 1)
  })
}

test('a token from another visitor does not work with this visitor cookie', async (t) => {
  const { app, db } = await createTestApp(t)
  const attacker = contactVisitor(app, db, { remoteAddress: '192.0.2.66' })
  const { csrf: attackerToken } = await attacker.openForm()
  const victim = contactVisitor(app, db)
  await victim.openForm()
  const res = await victim.send({ ...TYPED, _csrf: attackerToken })
  assertGivenBack(res)
  assert.deepEqual(storedMessages(db), [])
})

test('a tampered CSRF cookie is refused, and the form given back works', async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = contactVisitor(app, db)
  const { csrf } = await visitor.openForm()
  const cookie = visitor.cookies[CSRF_COOKIE] ?? ''
  // Change the first character, whatever it was (a random secret may already start with 'x').
  visitor.cookies[CSRF_COOKIE] = `${cookie.startsWith('x') ? 'y' : 'x'}${cookie.slice(1)}`

  const refused = await visitor.send({ ...TYPED, _csrf: csrf })
  assertGivenBack(refused)
  assert.deepEqual(storedMessages(db), [])
  const again = await visitor.send({ ...TYPED, _csrf: csrfIn(refused.body) })
  assert.equal(again.statusCode, 303)
})

test('a form left open for six hours still sends, to the inbox', async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = contactVisitor(app, db)
  const { csrf, ts } = await visitor.openForm()
  const cookieBefore = visitor.cookies[CSRF_COOKIE]

  t.mock.timers.enable({ apis: ['Date'], now: Date.now() + 6 * HOUR })
  const res = await visitor.send({ ...TYPED, _csrf: csrf, ts })
  t.mock.timers.reset()

  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/contact/thanks')
  assert.equal(visitor.cookies[CSRF_COOKIE], cookieBefore, 'the same cookie and token pair was used')
  const [stored] = storedMessages(db)
  assert.equal(stored?.folder, 'inbox', `not spam: ${stored?.spamReasons}`)
})

test('a person who presses Send again at once on the form given back is not taken for a bot', {}, async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = contactVisitor(app, db)
  const { csrf } = await visitor.openForm()
  delete visitor.cookies[CSRF_COOKIE]
  // The tab has been open for an hour: the original timestamp is old and genuine.
  const refused = await visitor.send({ ...TYPED, _csrf: csrf, ts: signedTimestamp(db, HOUR) })
  assert.equal(refused.statusCode, 403)

  const again = await visitor.send({ ...TYPED, _csrf: csrfIn(refused.body), ts: tsIn(refused.body) })
  assert.equal(again.statusCode, 303)
  const [stored] = storedMessages(db)
  assert.equal(stored?.folder, 'inbox', `reasons: ${stored?.spamReasons}`)
})

// ---- A form posted from another site never gets as far as its token.

for (const [what, headers] of [
  ['an Origin of another site', { origin: 'https://evil.example' }],
  ['an Origin that only looks like this site', { origin: 'https://blog.example.com.evil.example' }],
  ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
  [
    'Sec-Fetch-Site: cross-site and this site as Origin',
    { 'sec-fetch-site': 'cross-site', origin: 'https://blog.example.com' },
  ],
] as const) {
  test(`a POST with ${what} is refused with 403 and nothing is stored, even with a valid token`, async (t) => {
    const { app, db } = await createTestApp(t)
    const visitor = contactVisitor(app, db)
    const res = await visitor.send({ ...TYPED }, { headers })
    assert.equal(res.statusCode, 403)
    assert.match(String(res.headers['content-type']), /^text\/html/)
    assert.match(mainOf(res.body), /This form could not be accepted/)
    assert.deepEqual(storedMessages(db), [])
  })
}

for (const [what, headers] of [
  ['this site as Origin', { origin: 'https://blog.example.com' }],
  ['Sec-Fetch-Site: same-origin', { 'sec-fetch-site': 'same-origin', origin: 'https://blog.example.com' }],
  ['no Origin at all (an older browser)', {}],
] as const) {
  test(`a POST with ${what} is accepted`, async (t) => {
    const { app, db } = await createTestApp(t)
    const res = await contactVisitor(app, db).send({ ...TYPED }, { headers })
    assert.equal(res.statusCode, 303)
    assert.equal(storedMessages(db).length, 1)
  })
}
