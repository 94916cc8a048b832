// Checks that someone who unsubscribed is never signed up again without their own confirmation: not by an import, not by the author, not by their link expiring; and that an address never confirmed leaves no trace once it expires.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { importSubscribers } from '../../../src/features/newsletter/import.ts'
import { expirePendingSubscribers } from '../../../src/features/newsletter/subscribers.ts'
import { CONFIRM_TTL_MS } from '../../../src/features/newsletter/tokens.ts'
import { fieldErrorIn, signIn } from '../../helpers/admin.ts'
import { mainOf } from '../../helpers/html.ts'
import { addRow, rowOf } from './admin-fixtures.ts'
import { linkIn, newsletterApp, queuedMail, subscribeVisitor, targetOf } from './public-visitor.ts'

const READER = 'reader@example.com'
const LEFT_AT = Date.parse('2026-03-01T12:00:00Z')

/** Someone who unsubscribed on 1 March, and whose address was typed into the subscribe form today. */
async function leftAndAskedAgain(t: Parameters<typeof newsletterApp>[0]) {
  const built = await newsletterApp(t)
  addRow(built.db, READER, 'unsubscribed', { at: LEFT_AT })
  const visitor = subscribeVisitor(built.app, built.db)
  const res = await visitor.subscribe({ email: READER })
  assert.equal(res.statusCode, 303)
  const row = rowOf(built.db, READER)
  assert.equal(row?.status, 'pending')
  assert.equal(row?.unsubscribedAt?.getTime(), LEFT_AT)
  return { ...built, visitor }
}

const csv = (...emails: string[]) => Buffer.from(`email\n${emails.join('\n')}\n`)

test('someone who left and is typed into the form again is not signed up by an import or the author; only their own link does', async (t) => {
  const { app, db, visitor } = await leftAndAskedAgain(t)

  const report = await importSubscribers(db, csv(READER, 'new@example.com'))
  assert.equal(report.added, 1)
  assert.equal(report.confirmed, 0)
  assert.equal(report.unsubscribedCount, 1)
  assert.deepEqual(report.unsubscribed, [{ line: 2, value: READER }])
  assert.equal(rowOf(db, READER)?.status, 'pending')

  const author = await signIn(app, db)
  const add = await author.post('/admin/subscribers', { email: READER }, '/admin/subscribers')
  assert.equal(add.statusCode, 422)
  assert.match(
    fieldErrorIn(add.body, 'email') ?? '',
    /reader@example\.com unsubscribed on 1 March 2026\. They have asked to subscribe again: they are subscribed once they press the link/,
  )
  assert.equal(rowOf(db, READER)?.status, 'pending')
  const waiting = await author.get('/admin/subscribers?status=pending')
  assert.match(waiting.body, /Unsubscribed, then asked again <time/)

  // Their own confirmation is the one thing that signs them up, and puts the past behind them.
  const link = linkIn(queuedMail(db).at(-1)?.text ?? '', '/subscribe/confirm')
  assert.ok(link)
  const page = await visitor.inject({ method: 'GET', url: targetOf(link) })
  const token = /name="token" value="([^"]+)"/.exec(mainOf(page.body))?.[1] ?? ''
  const confirmed = await visitor.inject({
    method: 'POST',
    url: '/subscribe/confirm',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://blog.example.com' },
    payload: `token=${encodeURIComponent(token)}`,
  })
  assert.equal(confirmed.statusCode, 200)
  const row = rowOf(db, READER)
  assert.equal(row?.status, 'confirmed')
  assert.equal(row?.unsubscribedAt, null)
})

test('when their link expires unconfirmed they are unsubscribed again, as they were, and an import still does not add them', async (t) => {
  const { db } = await leftAndAskedAgain(t)
  const later = new Date(Date.now() + CONFIRM_TTL_MS + 60_000)
  assert.equal(expirePendingSubscribers(db, later), 1)
  const row = rowOf(db, READER)
  assert.equal(row?.status, 'unsubscribed')
  assert.equal(row?.unsubscribedAt?.getTime(), LEFT_AT)

  const report = await importSubscribers(db, csv(READER))
  assert.equal(report.added + report.confirmed, 0)
  assert.equal(report.unsubscribedCount, 1)
  assert.equal(rowOf(db, READER)?.status, 'unsubscribed')
})

test('an address never confirmed is deleted when its link expires, and the confirmation mail keeps no trace of it', async (t) => {
  const { app, db } = await newsletterApp(t)
  const visitor = subscribeVisitor(app, db)
  await visitor.subscribe({ email: 'sent@example.com' })
  await visitor.subscribe({ email: 'queued@example.com' })
  db.$client.prepare('update outbox set sent_at = ? where "to" = ?').run(Date.now(), 'sent@example.com')

  assert.equal(expirePendingSubscribers(db, new Date(Date.now() + CONFIRM_TTL_MS - 60_000)), 0, 'not yet')
  assert.equal(expirePendingSubscribers(db, new Date(Date.now() + CONFIRM_TTL_MS + 60_000)), 2)
  assert.equal(rowOf(db, 'sent@example.com'), undefined)
  assert.equal(rowOf(db, 'queued@example.com'), undefined)
  // The confirmation already sent is gone; the one still queued has lost its address and is skipped.
  assert.deepEqual(
    queuedMail(db).map((mail) => [mail.to, mail.kind]),
    [['', 'confirmation']],
  )
})
