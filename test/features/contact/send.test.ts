// Checks sending a good message: stored in the inbox, then 303 to the thanks page, so a refresh never sends twice.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { snapshotDb } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'
import { contactVisitor, GOOD_MESSAGE, storedMessages } from '../../helpers/contact.ts'
import { mainOf } from '../../helpers/html.ts'

test('a good message is stored in the inbox, unread, and the visitor is sent to /contact/thanks with a 303', async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = contactVisitor(app, db, { remoteAddress: '198.51.100.23' })
  const res = await visitor.send({ ...GOOD_MESSAGE })

  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/contact/thanks')
  assert.equal(res.headers['cache-control'], 'no-store')

  const stored = storedMessages(db)
  assert.equal(stored.length, 1)
  const [message] = stored
  assert.equal(message?.folder, 'inbox')
  assert.equal(message?.name, GOOD_MESSAGE.name)
  assert.equal(message?.email, GOOD_MESSAGE.email)
  assert.equal(message?.subject, GOOD_MESSAGE.subject)
  assert.equal(message?.body, GOOD_MESSAGE.message)
  assert.equal(message?.ip, '198.51.100.23')
  assert.equal(message?.userAgent, 'Mozilla/5.0 (test)')
  assert.deepEqual(message?.spamReasons, [])
  const readAt = db.$client.prepare('select read_at from messages').pluck().get()
  assert.equal(readAt, null, 'a new message is unread')
})

test('following the redirect shows the thanks page, and refreshing it never sends the message again', async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = contactVisitor(app, db)
  const sent = await visitor.send({ ...GOOD_MESSAGE })
  assert.equal(sent.statusCode, 303)
  const before = snapshotDb(db)

  for (let refresh = 0; refresh < 3; refresh++) {
    const thanks = await visitor.inject({ method: 'GET', url: sent.headers.location ?? '' })
    assert.equal(thanks.statusCode, 200)
    assert.match(mainOf(thanks.body), /Thanks for your message/)
  }
  assert.deepEqual(snapshotDb(db), before, 'GET /contact/thanks writes nothing')
  assert.equal(storedMessages(db).length, 1)
})

test('the thanks page shows nothing the visitor sent', async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = contactVisitor(app, db)
  await visitor.send({ ...GOOD_MESSAGE, name: 'Unmistakable Name' })
  const thanks = await visitor.inject({ method: 'GET', url: '/contact/thanks' })
  assert.doesNotMatch(thanks.body, /Unmistakable Name/)
})

test('two messages from the same open page are both stored: the token is not single-use', async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = contactVisitor(app, db)
  const { csrf } = await visitor.openForm()
  const first = await visitor.send({ ...GOOD_MESSAGE, _csrf: csrf })
  const second = await visitor.send({ ...GOOD_MESSAGE, subject: 'One more thing', _csrf: csrf })
  assert.equal(first.statusCode, 303)
  assert.equal(second.statusCode, 303)
  assert.deepEqual(
    storedMessages(db).map((m) => m.subject),
    [GOOD_MESSAGE.subject, 'One more thing'],
  )
})

test('a message in any script at the full 5,000-character limit fits under the body size limit', async (t) => {
  const { app, db } = await createTestApp(t)
  // Four bytes in UTF-8 and twelve once percent-encoded: the most a character can cost.
  const message = '𝄞'.repeat(2500)
  assert.equal(message.length, 5000)
  const res = await contactVisitor(app, db).send({ ...GOOD_MESSAGE, name: '名'.repeat(100), message })
  assert.equal(res.statusCode, 303)
  assert.equal(storedMessages(db)[0]?.body, message)
})

test('with notifications configured, a good message queues its email in the same step as storing it', async (t) => {
  const { app, db } = await createTestApp(t, {
    SMTP_URL: 'smtp://127.0.0.1:1',
    NOTIFY_EMAIL: 'author@example.com',
  })
  const res = await contactVisitor(app, db).send({ ...GOOD_MESSAGE })
  assert.equal(res.statusCode, 303)
  const [message] = storedMessages(db)
  const mail = db.$client
    .prepare('select message_id as messageId, "to", reply_to as replyTo from outbox')
    .all()
  assert.deepEqual(mail, [{ messageId: message?.id, to: 'author@example.com', replyTo: GOOD_MESSAGE.email }])
})

test('without SMTP configured, a message is stored and nothing is queued', async (t) => {
  const { app, db } = await createTestApp(t)
  await contactVisitor(app, db).send({ ...GOOD_MESSAGE })
  assert.equal(storedMessages(db).length, 1)
  assert.equal(db.$client.prepare('select count(*) from outbox').pluck().get(), 0)
})

test('a double-click that sends the same words twice stores one message and thanks both times', async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = contactVisitor(app, db)
  const first = await visitor.send({ ...GOOD_MESSAGE })
  const second = await visitor.send({ ...GOOD_MESSAGE })
  assert.equal(first.statusCode, 303)
  assert.equal(second.statusCode, 303)
  assert.equal(second.headers.location, '/contact/thanks')
  assert.equal(storedMessages(db).length, 1)
})
