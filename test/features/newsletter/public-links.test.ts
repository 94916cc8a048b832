// Checks the links in newsletter emails: confirm and unsubscribe pages, RFC 8058 one-click POSTs, forged and old tokens.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Db } from '../../../src/db/client.ts'
import {
  confirmSubscriber,
  expirePendingSubscribers,
  unsubscribeSubscriber,
} from '../../../src/features/newsletter/subscribers.ts'
import {
  CONFIRM_TTL_MS,
  confirmToken,
  newsletterSecret,
  unsubscribeToken,
} from '../../../src/features/newsletter/tokens.ts'
import { encodeForm, snapshotDb } from '../../helpers/admin.ts'
import { createTestDb } from '../../helpers/app.ts'
import { mainOf } from '../../helpers/html.ts'
import { folioApp, newsletterApp, subscriberRows } from './public-visitor.ts'

const DAY = 24 * 60 * 60 * 1000

function addSubscriber(
  db: Db,
  email: string,
  status: 'pending' | 'confirmed' | 'unsubscribed',
  at = Date.now(),
): number {
  return Number(
    db.$client
      .prepare(
        'insert into subscribers (email, status, source, created_at, confirmation_sent_at, confirmed_at) values (?, ?, ?, ?, ?, ?)',
      )
      .run(email, status, 'form', at, at, status === 'confirmed' ? at : null).lastInsertRowid,
  )
}

const unsubscribePath = (db: Db, id: number) =>
  `/unsubscribe?token=${encodeURIComponent(unsubscribeToken(newsletterSecret(db), id))}`
const confirmPath = (db: Db, id: number, issuedAt = Date.now()) =>
  `/subscribe/confirm?token=${encodeURIComponent(confirmToken(newsletterSecret(db), id, issuedAt))}`

test('the unsubscribe link opens a page with a button and writes nothing; the button unsubscribes at once', async (t) => {
  const { app, db } = await newsletterApp(t)
  const id = addSubscriber(db, 'reader@example.com', 'confirmed')
  const before = snapshotDb(db)
  const page = await app.inject(unsubscribePath(db, id))
  assert.equal(page.statusCode, 200)
  assert.equal(page.headers['cache-control'], 'no-store')
  const main = mainOf(page.body)
  assert.match(main, /<form class="subscribe-action" method="post" action="\/unsubscribe">/)
  assert.match(main, /<button type="submit">Unsubscribe<\/button>/)
  assert.match(main, /reader@example\.com/)
  assert.deepEqual(snapshotDb(db), before, 'GET /unsubscribe writes nothing')

  const token = /name="token" value="([^"]+)"/.exec(main)?.[1] ?? ''
  const done = await app.inject({
    method: 'POST',
    url: '/unsubscribe',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://blog.example.com' },
    payload: encodeForm({ token }),
  })
  assert.equal(done.statusCode, 200)
  const doneMain = mainOf(done.body)
  assert.match(doneMain, /You’re unsubscribed/)
  assert.match(doneMain, /Done: no more emails/)
  assert.match(doneMain, /<a href="\/subscribe">subscribe again<\/a>/)
  const [row] = subscriberRows(db)
  assert.equal(row?.status, 'unsubscribed')
  assert.equal(typeof row?.unsubscribedAt, 'number')

  const again = await app.inject(unsubscribePath(db, id))
  assert.match(mainOf(again.body), /No emails from/)
  assert.doesNotMatch(mainOf(again.body), /<button/)
})

test('a one-click unsubscribe from a mail client (cross-origin, no cookie, token in the URL) takes effect at once', async (t) => {
  const { app, db } = await newsletterApp(t)
  const formId = addSubscriber(db, 'form@example.com', 'confirmed')
  const multipartId = addSubscriber(db, 'multi@example.com', 'confirmed')

  const res = await app.inject({
    method: 'POST',
    url: unsubscribePath(db, formId),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'https://mail.example.net',
      'sec-fetch-site': 'cross-site',
    },
    payload: 'List-Unsubscribe=One-Click',
  })
  assert.equal(res.statusCode, 200)

  const boundary = '----folio-test'
  const multipart = await app.inject({
    method: 'POST',
    url: unsubscribePath(db, multipartId),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`,
  })
  assert.equal(multipart.statusCode, 200)

  assert.deepEqual(
    subscriberRows(db).map((row) => row.status),
    ['unsubscribed', 'unsubscribed'],
  )
})

test('unsubscribing works even where the newsletter is no longer offered, and for a removed subscriber says it is done', async (t) => {
  const { app, db } = await folioApp(t)
  const id = addSubscriber(db, 'reader@example.com', 'confirmed')
  const res = await app.inject({
    method: 'POST',
    url: unsubscribePath(db, id),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'List-Unsubscribe=One-Click',
  })
  assert.equal(res.statusCode, 200)
  assert.equal(subscriberRows(db)[0]?.status, 'unsubscribed')
  assert.doesNotMatch(mainOf(res.body), /subscribe again/, 'no link to a form that is not offered')

  db.$client.prepare('delete from subscribers').run()
  const gone = await app.inject({ method: 'POST', url: unsubscribePath(db, id) })
  assert.equal(gone.statusCode, 200)
  assert.match(mainOf(gone.body), /You’re unsubscribed/)
})

test('forged, truncated or missing tokens get a 400 page that explains, and change nothing', async (t) => {
  const { app, db } = await newsletterApp(t)
  const id = addSubscriber(db, 'reader@example.com', 'confirmed')
  const pending = addSubscriber(db, 'pending@example.com', 'pending')
  const good = unsubscribeToken(newsletterSecret(db), id)
  const before = snapshotDb(db)
  const unsubscribeTokens = [
    undefined,
    '',
    good.slice(0, -3),
    `${id + 1}.${good.split('.')[1]}`,
    unsubscribeToken('not-the-secret', id),
    '<script>alert(1)</script>',
    'x'.repeat(5000),
  ]
  for (const token of unsubscribeTokens) {
    const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`
    for (const method of ['GET', 'POST'] as const) {
      const res = await app.inject({ method, url: `/unsubscribe${query}` })
      assert.equal(res.statusCode, 400, `${method} ${query.slice(0, 40)}`)
      assert.match(mainOf(res.body), /This link does not work/)
      assert.doesNotMatch(res.body, /<script>alert/)
    }
  }
  const forgedConfirm = [confirmToken('not-the-secret', pending, Date.now()), 'abc', '1.2.3.4']
  for (const token of forgedConfirm) {
    const get = await app.inject(`/subscribe/confirm?token=${encodeURIComponent(token)}`)
    assert.equal(get.statusCode, 400)
    assert.match(mainOf(get.body), /This confirmation link is incomplete or was changed/)
    assert.match(mainOf(get.body), /<a class="button" href="\/subscribe">Subscribe again<\/a>/)
    const post = await app.inject({
      method: 'POST',
      url: '/subscribe/confirm',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: encodeForm({ token }),
    })
    assert.equal(post.statusCode, 400)
  }
  assert.equal(snapshotDb(db).rows, before.rows, 'nobody was unsubscribed or confirmed')
})

test('a confirmation link older than 7 days gets a 410 page offering to subscribe again; the subscriber stays pending', async (t) => {
  const { app, db } = await newsletterApp(t)
  const id = addSubscriber(db, 'reader@example.com', 'pending')
  const old = confirmPath(db, id, Date.now() - CONFIRM_TTL_MS - 60_000)
  const page = await app.inject(old)
  assert.equal(page.statusCode, 410)
  assert.match(mainOf(page.body), /This link has expired/)
  assert.match(mainOf(page.body), /href="\/subscribe">Subscribe again/)

  const token = new URL(old, 'https://blog.example.com').searchParams.get('token') ?? ''
  const post = await app.inject({
    method: 'POST',
    url: '/subscribe/confirm',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: encodeForm({ token }),
  })
  assert.equal(post.statusCode, 410)
  assert.equal(subscriberRows(db)[0]?.status, 'pending')
})

test('an old confirmation link cannot sign up someone who unsubscribed since', async (t) => {
  const { app, db } = await newsletterApp(t)
  const id = addSubscriber(db, 'reader@example.com', 'unsubscribed')
  const path = confirmPath(db, id, Date.now() - DAY)
  const page = await app.inject(path)
  assert.equal(page.statusCode, 410)
  assert.match(mainOf(page.body), /You unsubscribed after this link was sent/)
  const token = new URL(path, 'https://blog.example.com').searchParams.get('token') ?? ''
  const post = await app.inject({
    method: 'POST',
    url: '/subscribe/confirm',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: encodeForm({ token }),
  })
  assert.equal(post.statusCode, 410)
  assert.equal(subscriberRows(db)[0]?.status, 'unsubscribed')
})

test('the confirm button refuses a form posted from another site', async (t) => {
  const { app, db } = await newsletterApp(t)
  const id = addSubscriber(db, 'reader@example.com', 'pending')
  const token = confirmToken(newsletterSecret(db), id, Date.now())
  const res = await app.inject({
    method: 'POST',
    url: '/subscribe/confirm',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    },
    payload: encodeForm({ token }),
  })
  assert.equal(res.statusCode, 403)
  assert.equal(subscriberRows(db)[0]?.status, 'pending')
})

test('a subscriber address is escaped on the confirm and unsubscribe pages', async (t) => {
  const { app, db } = await newsletterApp(t)
  // Not an address the form accepts, but the admin import or a hand-edited row might hold anything.
  const id = addSubscriber(db, '"<b>x</b>"@example.com', 'pending')
  for (const path of [confirmPath(db, id), unsubscribePath(db, id)]) {
    const res = await app.inject(path)
    assert.equal(res.statusCode, 200)
    assert.ok(res.body.includes('&quot;&lt;b&gt;x&lt;/b&gt;&quot;@example.com'), path)
    assert.doesNotMatch(res.body, /<b>x<\/b>/)
  }
})

test('confirm and unsubscribe as services: each says what happened, and repeating changes nothing', (t) => {
  const { db } = createTestDb(t)
  const id = addSubscriber(db, 'reader@example.com', 'pending')
  const at = new Date('2030-01-02T03:04:05Z')
  assert.equal(confirmSubscriber(db, id, at), 'confirmed')
  assert.equal(confirmSubscriber(db, id), 'already-confirmed')
  assert.equal(subscriberRows(db)[0]?.confirmedAt, at.getTime())
  assert.equal(unsubscribeSubscriber(db, id, at), 'unsubscribed')
  assert.equal(unsubscribeSubscriber(db, id), 'already-unsubscribed')
  assert.equal(confirmSubscriber(db, id), 'unsubscribed')
  assert.equal(confirmSubscriber(db, 999), 'missing')
  assert.equal(unsubscribeSubscriber(db, 999), 'missing')
})

test('pending addresses expire a week after their last confirmation email; confirmed and unsubscribed ones stay', (t) => {
  const { db } = createTestDb(t)
  const now = Date.now()
  addSubscriber(db, 'old-pending@example.com', 'pending', now - 8 * DAY)
  addSubscriber(db, 'new-pending@example.com', 'pending', now - 6 * DAY)
  addSubscriber(db, 'old-confirmed@example.com', 'confirmed', now - 30 * DAY)
  addSubscriber(db, 'old-unsubscribed@example.com', 'unsubscribed', now - 30 * DAY)
  const resent = addSubscriber(db, 'resent@example.com', 'pending', now - 8 * DAY)
  db.$client.prepare('update subscribers set confirmation_sent_at = ? where id = ?').run(now - DAY, resent)

  assert.equal(expirePendingSubscribers(db, new Date(now)), 1)
  assert.deepEqual(
    subscriberRows(db).map((row) => row.email),
    [
      'new-pending@example.com',
      'old-confirmed@example.com',
      'old-unsubscribed@example.com',
      'resent@example.com',
    ],
  )
  assert.equal(expirePendingSubscribers(db, new Date(now)), 0)
})
