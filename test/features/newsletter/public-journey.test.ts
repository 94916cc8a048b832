// Checks double opt-in end to end against a real SMTP server: subscribe, the confirmation email, confirm with a POST.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { snapshotDb } from '../../helpers/admin.ts'
import { mainOf } from '../../helpers/html.ts'
import { headerOf, startSmtpServer } from '../../helpers/smtp.ts'
import {
  linkIn,
  mailParts,
  newsletterApp,
  queuedMail,
  subscriberRows,
  subscribeVisitor,
  targetOf,
} from './public-visitor.ts'

const READER = 'reader@example.com'

test('subscribing sends a confirmation email whose link opens a page with a button; only the POST confirms', async (t) => {
  const smtp = await startSmtpServer(t)
  const { app, db } = await newsletterApp(t, smtp.url)
  saveSettings(db, { title: 'Sam Writes' })
  const visitor = subscribeVisitor(app, db)

  const res = await visitor.subscribe({ email: '  Reader@Example.com ' })
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/subscribe/thanks')
  assert.deepEqual(
    subscriberRows(db).map((row) => [row.email, row.status, row.source]),
    [[READER, 'pending', 'form']],
  )

  const thanks = await visitor.inject({ method: 'GET', url: '/subscribe/thanks' })
  assert.equal(thanks.statusCode, 200)
  assert.match(mainOf(thanks.body), /Check your inbox/)
  assert.match(mainOf(thanks.body), /We sent a link to confirm/)

  assert.ok(app.outbox)
  await app.outbox.drain()
  assert.equal(smtp.received.length, 1)
  const [mail] = smtp.received
  assert.ok(mail)
  assert.deepEqual(mail.rcptTo, [READER])
  assert.equal(headerOf(mail.raw, 'subject'), 'Confirm your subscription to Sam Writes')
  assert.match(headerOf(mail.raw, 'from') ?? '', /Sam/)
  const parts = mailParts(mail.raw)
  const text = parts.find((part) => part.type === 'text/plain')?.text ?? ''
  const html = parts.find((part) => part.type === 'text/html')?.text ?? ''
  assert.match(text, /press "Confirm subscription"/)
  assert.match(html, /Confirm your subscription<\/a>/)
  const link = linkIn(text, '/subscribe/confirm')
  assert.ok(link, 'the plain-text part carries the confirmation link')
  assert.ok(html.includes(link.replaceAll('&', '&amp;')), 'the HTML part carries the same link')

  // A mail scanner opening the link changes nothing.
  const before = snapshotDb(db)
  const page = await visitor.inject({ method: 'GET', url: targetOf(link) })
  assert.equal(page.statusCode, 200)
  assert.equal(page.headers['cache-control'], 'no-store')
  const main = mainOf(page.body)
  assert.match(main, /<form class="subscribe-action" method="post" action="\/subscribe\/confirm">/)
  assert.match(main, /<button type="submit">Confirm subscription<\/button>/)
  assert.match(main, new RegExp(READER))
  assert.deepEqual(snapshotDb(db), before, 'GET /subscribe/confirm writes nothing')
  assert.equal(subscriberRows(db)[0]?.status, 'pending')

  const token = /name="token" value="([^"]+)"/.exec(main)?.[1] ?? ''
  const confirmed = await visitor.inject({
    method: 'POST',
    url: '/subscribe/confirm',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://blog.example.com' },
    payload: `token=${encodeURIComponent(token)}`,
  })
  assert.equal(confirmed.statusCode, 200)
  assert.match(mainOf(confirmed.body), /You’re subscribed/)
  const [row] = subscriberRows(db)
  assert.equal(row?.status, 'confirmed')
  assert.equal(typeof row?.confirmedAt, 'number')

  // Pressing again (a refresh) changes nothing and still says so.
  const again = await visitor.inject({
    method: 'POST',
    url: '/subscribe/confirm',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `token=${encodeURIComponent(token)}`,
  })
  assert.equal(again.statusCode, 200)
  assert.match(mainOf(again.body), /You’re subscribed/)
  assert.equal(subscriberRows(db)[0]?.confirmedAt, row?.confirmedAt)
  const reopened = await visitor.inject({ method: 'GET', url: targetOf(link) })
  assert.match(mainOf(reopened.body), /You’re subscribed/)
  assert.doesNotMatch(mainOf(reopened.body), /<button/)
})

test('subscribing again within ten minutes sends no second email; after ten minutes it does', async (t) => {
  const { app, db } = await newsletterApp(t)
  const visitor = subscribeVisitor(app, db)
  for (let i = 0; i < 3; i++) {
    const res = await visitor.subscribe({ email: READER })
    assert.equal(res.statusCode, 303)
    assert.equal(res.headers.location, '/subscribe/thanks')
  }
  assert.equal(queuedMail(db).length, 1)
  assert.equal(subscriberRows(db).length, 1)

  db.$client.prepare('update subscribers set confirmation_sent_at = ?').run(Date.now() - 11 * 60 * 1000)
  await visitor.subscribe({ email: READER })
  assert.deepEqual(
    queuedMail(db).map((mail) => [mail.to, mail.kind]),
    [
      [READER, 'confirmation'],
      [READER, 'confirmation'],
    ],
  )
})

test('a confirmed subscriber who subscribes again gets the same thanks page and no email', async (t) => {
  const { app, db } = await newsletterApp(t)
  db.$client
    .prepare(
      "insert into subscribers (email, status, source, created_at, confirmed_at) values (?, 'confirmed', 'admin', ?, ?)",
    )
    .run(READER, Date.now(), Date.now())
  const res = await subscribeVisitor(app, db).subscribe({ email: READER })
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/subscribe/thanks')
  assert.equal(queuedMail(db).length, 0)
  assert.equal(subscriberRows(db)[0]?.status, 'confirmed')
})

test('someone who unsubscribed and subscribes again is pending again, still marked as having left, and gets a new confirmation', async (t) => {
  const { app, db } = await newsletterApp(t)
  const leftAt = Date.now() - 3_600_000
  db.$client
    .prepare(
      "insert into subscribers (email, status, source, created_at, unsubscribed_at) values (?, 'unsubscribed', 'form', ?, ?)",
    )
    .run(READER, Date.now() - 86_400_000, leftAt)
  await subscribeVisitor(app, db).subscribe({ email: READER })
  const [row] = subscriberRows(db)
  assert.equal(row?.status, 'pending')
  assert.equal(row?.unsubscribedAt, leftAt, 'until their own link confirms, they count as unsubscribed')
  assert.equal(queuedMail(db).length, 1)
})

test('the confirmation email escapes the site title in its HTML part', async (t) => {
  const { app, db } = await newsletterApp(t)
  saveSettings(db, { title: 'Tom & <Jerry>' })
  await subscribeVisitor(app, db).subscribe({ email: READER })
  const [mail] = queuedMail(db)
  assert.ok(mail?.html)
  assert.ok(mail.html.includes('Tom &amp; &lt;Jerry&gt;'))
  assert.ok(!mail.html.includes('<Jerry>'))
  assert.equal(mail.subject, 'Confirm your subscription to Tom & <Jerry>')
})
