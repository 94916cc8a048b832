// Checks what the subscribe form refuses, and how: bots get the thanks page and nothing stored, people get their address back.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { issueFormTimestamp } from '../../../src/features/contact/form-token.ts'
import {
  CONFIRMATIONS_PER_HOUR,
  SUBSCRIBES_PER_IP_PER_HOUR,
} from '../../../src/features/newsletter/routes.ts'
import { inputValueIn } from '../../helpers/contact.ts'
import { mainOf } from '../../helpers/html.ts'
import {
  newsletterApp,
  queuedMail,
  subscriberRows,
  subscribeTimestamp,
  subscribeVisitor,
} from './public-visitor.ts'

const READER = 'reader@example.com'

test('a filled-in honeypot gets the same thanks page, and nothing is stored or sent', async (t) => {
  const { app, db } = await newsletterApp(t)
  const res = await subscribeVisitor(app, db).subscribe({ email: READER, website: 'https://spam.example' })
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/subscribe/thanks')
  assert.equal(subscriberRows(db).length, 0)
  assert.equal(queuedMail(db).length, 0)
})

test('a form sent faster than a person could gets the same thanks page, and nothing is stored or sent', async (t) => {
  const { app, db } = await newsletterApp(t)
  const res = await subscribeVisitor(app, db).subscribe({ email: READER, ts: subscribeTimestamp(db, 300) })
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/subscribe/thanks')
  assert.equal(subscriberRows(db).length, 0)
  assert.equal(queuedMail(db).length, 0)
})

test('a missing or forged timestamp gives the form back (400) with the address kept and nothing stored', async (t) => {
  const { app, db } = await newsletterApp(t)
  const visitor = subscribeVisitor(app, db)
  const forged = [
    '',
    'not-a-timestamp',
    `${Date.now() - 60_000}.forgedsignature`,
    issueFormTimestamp('another-secret', Date.now() - 60_000),
  ]
  for (const ts of forged) {
    const res = await visitor.subscribe({ email: READER, ts })
    assert.equal(res.statusCode, 400, `ts=${ts}`)
    assert.equal(res.headers['cache-control'], 'no-store')
    const main = mainOf(res.body)
    assert.match(
      main,
      /<p class="notice" role="alert">This form arrived without the check it carries[^<]*press Subscribe again\.<\/p>/,
    )
    assert.equal(inputValueIn(main, 'email'), READER)
    assert.match(main, /name="ts" value="\d+\.[\w-]+"/, 'a fresh, genuine timestamp to send again with')
  }
  assert.equal(subscriberRows(db).length, 0)
  assert.equal(queuedMail(db).length, 0)
})

test('an address that is not an email gets a 422 with the message and what was typed, escaped', async (t) => {
  const { app, db } = await newsletterApp(t)
  const visitor = subscribeVisitor(app, db)
  const cases: [string, RegExp][] = [
    ['', /Please give your email address\./],
    ['"><script>alert(1)</script>', /does not look like an email address/],
    [`${'a'.repeat(250)}@example.com`, /That email address is too long\./],
  ]
  for (const [email, message] of cases) {
    const res = await visitor.subscribe({ email })
    assert.equal(res.statusCode, 422, email)
    const main = mainOf(res.body)
    assert.match(main, message)
    assert.match(main, /<p class="field-error" id="subscribe-email-error">/)
    assert.match(main, /aria-invalid="true"/)
    assert.match(main, /<a href="#subscribe-email">Your email: /, 'the error summary links to the field')
    assert.doesNotMatch(res.body, /<script>alert/)
  }
  const hostile = await visitor.subscribe({ email: '"><script>alert(1)</script>' })
  assert.equal(inputValueIn(mainOf(hostile.body), 'email'), '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;')
  assert.equal(subscriberRows(db).length, 0)
})

test('a form posted from another site is refused (403) with the address given back, and nothing stored', async (t) => {
  const { app, db } = await newsletterApp(t)
  const visitor = subscribeVisitor(app, db)
  for (const headers of [
    { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    { origin: 'https://evil.example', 'sec-fetch-site': '' },
    { origin: 'null', 'sec-fetch-site': '' },
  ]) {
    const res = await visitor.subscribe({ email: 'victim@example.com' }, headers)
    assert.equal(res.statusCode, 403, JSON.stringify(headers))
    const main = mainOf(res.body)
    assert.match(main, /This form was sent from another site, so nobody was subscribed\./)
    assert.equal(inputValueIn(main, 'email'), 'victim@example.com')
  }
  assert.equal(subscriberRows(db).length, 0)
  assert.equal(queuedMail(db).length, 0)
})

test(`the ${SUBSCRIBES_PER_IP_PER_HOUR + 1}th attempt from one address in an hour gets a 429 with Retry-After and the address kept`, async (t) => {
  const { app, db } = await newsletterApp(t)
  const visitor = subscribeVisitor(app, db, { remoteAddress: '192.0.2.77' })
  for (let i = 1; i <= SUBSCRIBES_PER_IP_PER_HOUR; i++) {
    const res = await visitor.subscribe({ email: `reader${i}@example.com` })
    assert.equal(res.statusCode, 303, `attempt ${i}`)
  }
  const res = await visitor.subscribe({ email: 'one-more@example.com' })
  assert.equal(res.statusCode, 429)
  const retryAfter = Number(res.headers['retry-after'])
  assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 3600, `Retry-After ${retryAfter}`)
  const main = mainOf(res.body)
  assert.match(main, /Your address is still here: please try again later\./)
  assert.equal(inputValueIn(main, 'email'), 'one-more@example.com')
  assert.equal(subscriberRows(db).length, SUBSCRIBES_PER_IP_PER_HOUR)

  const neighbour = await subscribeVisitor(app, db, { remoteAddress: '192.0.2.78' }).subscribe({
    email: 'neighbour@example.com',
  })
  assert.equal(neighbour.statusCode, 303, 'another address is not affected')
})

test('a body the form would never send gets a clear 4xx page, never a 500', async (t) => {
  const { app, db } = await newsletterApp(t)
  const visitor = subscribeVisitor(app, db)
  for (const [contentType, payload] of [
    ['application/json', '{"email":"reader@example.com"}'],
    ['text/plain', 'email=reader@example.com'],
    ['application/x-www-form-urlencoded', 'email=%E0%A4%A&ts=1'],
    ['application/x-www-form-urlencoded', 'email=a@example.com&email=b@example.com'],
  ] as const) {
    const res = await visitor.inject({
      method: 'POST',
      url: '/subscribe',
      headers: { 'content-type': contentType, origin: 'https://blog.example.com' },
      payload,
    })
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${contentType} ${payload}: ${res.statusCode}`)
    assert.match(String(res.headers['content-type']), /^text\/html/)
  }
  assert.equal(subscriberRows(db).length, 0)
})

test(`after ${CONFIRMATIONS_PER_HOUR} confirmation emails in an hour, the site pauses new ones with a 503, the address kept`, async (t) => {
  const { app, db } = await newsletterApp(t)
  let n = 0
  for (let network = 0; n < CONFIRMATIONS_PER_HOUR; network++) {
    const visitor = subscribeVisitor(app, db, { remoteAddress: `10.${network >> 8}.${network & 255}.1` })
    for (let i = 0; i < SUBSCRIBES_PER_IP_PER_HOUR && n < CONFIRMATIONS_PER_HOUR; i++) {
      const res = await visitor.subscribe({ email: `reader${++n}@example.com` })
      assert.equal(res.statusCode, 303)
    }
  }
  const res = await subscribeVisitor(app, db, { remoteAddress: '198.51.100.1' }).subscribe({
    email: 'late@example.com',
  })
  assert.equal(res.statusCode, 503)
  assert.ok(Number(res.headers['retry-after']) > 0)
  assert.match(mainOf(res.body), /confirmation emails are paused for a while/)
  assert.equal(inputValueIn(mainOf(res.body), 'email'), 'late@example.com')
  assert.equal(queuedMail(db).length, CONFIRMATIONS_PER_HOUR)
  assert.equal(subscriberRows(db).length, CONFIRMATIONS_PER_HOUR)
})
