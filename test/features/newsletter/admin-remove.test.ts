// Checks taking someone off the subscriber list (unsubscribe, or delete for good with every trace in the outbox), CSRF refusals, and the email set-up note.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type OutboxKind, outbox } from '../../../src/db/schema.ts'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { signIn, snapshotDb } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'
import { startSmtpServer } from '../../helpers/smtp.ts'
import { addRow, BASE, flashIn, rowOf, subscribersNow } from './admin-fixtures.ts'

test('removing asks first: the author can unsubscribe the address (kept) or delete it for good', async (t) => {
  const { app, db } = await createTestApp(t)
  const kept = addRow(db, 'kept@example.com')
  const erased = addRow(db, 'erased@example.com')
  const author = await signIn(app, db)

  const list = await author.get('/admin/subscribers')
  assert.match(list.body, new RegExp(`href="/admin/subscribers/${kept.id}/remove">Remove…`))

  const before = snapshotDb(db)
  const page = await author.get(`/admin/subscribers/${kept.id}/remove`)
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /<h1>Remove <bdi>kept@example\.com<\/bdi>\?<\/h1>/)
  assert.match(page.body, /Unsubscribe <bdi>kept@example\.com<\/bdi>/)
  assert.match(page.body, /Delete <bdi>kept@example\.com<\/bdi> for good/)
  assert.deepEqual(snapshotDb(db), before, 'the question writes nothing')

  const url = `/admin/subscribers/${kept.id}/remove`
  const unsub = await author.post(url, { action: 'unsubscribe' }, url)
  assert.equal(unsub.statusCode, 303)
  assert.equal(unsub.headers.location, '/admin/subscribers?done=subscriber-unsubscribed')
  assert.equal(rowOf(db, 'kept@example.com')?.status, 'unsubscribed')
  assert.ok(rowOf(db, 'kept@example.com')?.unsubscribedAt)
  const after = await author.get(String(unsub.headers.location))
  assert.match(flashIn(after.body) ?? '', /^Unsubscribed\. They get no more emails/)

  // An unsubscribed address can only be deleted.
  const again = await author.get(url)
  assert.doesNotMatch(again.body, /value="unsubscribe"/)

  const eraseUrl = `/admin/subscribers/${erased.id}/remove`
  const del = await author.post(eraseUrl, { action: 'delete' }, eraseUrl)
  assert.equal(del.statusCode, 303)
  assert.equal(del.headers.location, '/admin/subscribers?done=subscriber-deleted')
  assert.equal(rowOf(db, 'erased@example.com'), undefined)
})

test('a remove form without a known action changes nothing and says so; an unknown subscriber is a 404 page', async (t) => {
  const { app, db } = await createTestApp(t)
  const row = addRow(db, 'reader@example.com')
  const author = await signIn(app, db)
  const url = `/admin/subscribers/${row.id}/remove`
  const before = subscribersNow(db)
  const res = await author.post(url, { action: 'explode' }, url)
  assert.equal(res.statusCode, 422)
  assert.match(res.body, /Nothing was changed\. Choose one of the buttons below\./)
  assert.equal(subscribersNow(db), before)
  for (const id of ['9999', 'abc', '0']) {
    const missing = await author.get(`/admin/subscribers/${id}/remove`)
    assert.equal(missing.statusCode, 404, id)
    assert.match(missing.body, /Subscriber not found/)
    const post = await author.post(
      `/admin/subscribers/${id}/remove`,
      { action: 'delete' },
      '/admin/subscribers',
    )
    assert.equal(post.statusCode, 404, id)
  }
})

test('adding and removing without a CSRF token are refused with 403 and change nothing', async (t) => {
  const { app, db } = await createTestApp(t)
  const row = addRow(db, 'reader@example.com')
  const author = await signIn(app, db)
  await author.csrfFrom('/admin/subscribers')
  const before = snapshotDb(db)
  for (const [url, fields] of [
    ['/admin/subscribers', { email: 'forged@example.com' }],
    [`/admin/subscribers/${row.id}/remove`, { action: 'delete' }],
    ['/admin/subscribers', { email: 'forged@example.com', _csrf: 'forged-token' }],
  ] as const) {
    const res = await author.post(url, { _csrf: '', ...fields })
    assert.equal(res.statusCode, 403, url)
  }
  assert.deepEqual(snapshotDb(db), before)
})

test('without SMTP_URL the page says what to set, and still lets the author manage the list', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const res = await author.get('/admin/subscribers')
  assert.match(res.body, /Email is not set up yet/)
  assert.match(res.body, /set <code>SMTP_URL<\/code> in the server’s environment/)
  assert.match(res.body, /readers do not see the subscribe form/)
  assert.match(res.body, /action="\/admin\/subscribers"/)
  assert.match(res.body, /action="\/admin\/subscribers\/import"/)
  const add = await author.post('/admin/subscribers', { email: 'reader@example.com' }, '/admin/subscribers')
  assert.equal(add.statusCode, 303)
})

test('with SMTP_URL set there is no set-up note, unless the subscribe form is turned off in Settings', async (t) => {
  const smtp = await startSmtpServer(t)
  const { app, db } = await createTestApp(t, { SMTP_URL: smtp.url })
  const author = await signIn(app, db)
  const on = await author.get('/admin/subscribers')
  assert.doesNotMatch(on.body, /Email is not set up yet/)
  assert.doesNotMatch(on.body, /subscribe form is turned off/)
  saveSettings(db, { newsletterEnabled: false })
  const off = await author.get('/admin/subscribers')
  assert.match(off.body, /The subscribe form is turned off/)
  assert.match(off.body, /href="\/admin\/settings"/)
})

test('deleting for good erases the address from the newsletter’s mail too; the inbox’s own mail is left alone', async (t) => {
  const { app, db } = await createTestApp(t)
  const erased = addRow(db, 'erased@example.com')
  const kept = addRow(db, 'kept@example.com')
  const at = new Date(BASE)
  const queue = (to: string, kind: OutboxKind, sent: boolean, subscriberId: number | null = null) =>
    db
      .insert(outbox)
      .values({
        kind,
        to,
        subject: kind,
        text: '',
        nextAttemptAt: at,
        createdAt: at,
        subscriberId,
        sentAt: sent ? at : null,
      })
      .run()
  queue('erased@example.com', 'confirmation', true, erased.id)
  queue('erased@example.com', 'newsletter', true, erased.id)
  queue('erased@example.com', 'confirmation', false, erased.id)
  queue('erased@example.com', 'newsletter', false, erased.id)
  queue('erased@example.com', 'notification', true)
  queue('kept@example.com', 'newsletter', true, kept.id)
  queue('kept@example.com', 'newsletter', false, kept.id)
  const author = await signIn(app, db)

  const url = `/admin/subscribers/${erased.id}/remove`
  const res = await author.post(url, { action: 'delete' }, url)
  assert.equal(res.statusCode, 303)
  assert.equal(rowOf(db, 'erased@example.com'), undefined)
  const rows = db
    .select({ to: outbox.to, kind: outbox.kind, sent: outbox.sentAt, subscriberId: outbox.subscriberId })
    .from(outbox)
    .orderBy(outbox.id)
    .all()
    .map((row) => [row.to, row.kind, row.sent !== null, row.subscriberId])
  assert.deepEqual(rows, [
    // Sent confirmations and copies are gone; the two still queued keep no address, and are skipped.
    ['', 'confirmation', false, null],
    ['', 'newsletter', false, null],
    // A contact form notification belongs to the inbox's message, which the author deletes there.
    ['erased@example.com', 'notification', true, null],
    ['kept@example.com', 'newsletter', true, kept.id],
    ['kept@example.com', 'newsletter', false, kept.id],
  ])
})
