// Checks notification mail end to end: contact form → outbox → a real SMTP server, up, down and back.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type Socket } from 'node:net'
import { test } from 'node:test'
import Database from 'better-sqlite3'
import type { Db } from '../../../src/db/client.ts'
import { receiveMessage } from '../../../src/features/contact/service.ts'
import { MAX_ATTEMPTS } from '../../../src/features/mail/outbox.ts'
import { createTestApp } from '../../helpers/app.ts'
import { contactVisitor, GOOD_MESSAGE, storedMessages } from '../../helpers/contact.ts'
import { headerOf, headersOf, startSmtpServer, textOf } from '../../helpers/smtp.ts'

const AUTHOR = 'author@example.com'

interface OutboxRow {
  id: number
  messageId: number | null
  to: string
  replyTo: string | null
  subject: string
  attempts: number
  nextAttemptAt: number
  lastError: string | null
  sentAt: number | null
}

const outboxRows = (db: Db): OutboxRow[] =>
  db.$client
    .prepare(
      `select id, message_id as messageId, "to", reply_to as replyTo, subject, attempts,
              next_attempt_at as nextAttemptAt, last_error as lastError, sent_at as sentAt
       from outbox order by id`,
    )
    .all() as OutboxRow[]

/** Notifications not delivered yet, including ones given up on. */
const pendingMailCount = (db: Db) => outboxRows(db).filter((row) => row.sentAt === null).length

/** Time passing, without waiting: every unsent mail's retry becomes due now. */
const makeRetriesDue = (db: Db) =>
  db.$client.prepare('update outbox set next_attempt_at = ? where sent_at is null').run(Date.now())

async function appWithSmtp(t: Parameters<typeof createTestApp>[0], smtpUrl: string) {
  const built = await createTestApp(t, { SMTP_URL: smtpUrl, NOTIFY_EMAIL: AUTHOR })
  const outbox = built.app.outbox
  assert.ok(outbox, 'the mail worker runs when SMTP_URL and NOTIFY_EMAIL are set')
  return { ...built, outbox }
}

test("a visitor's message reaches the author as a plain-text email whose Reply-To is the visitor", async (t) => {
  const smtp = await startSmtpServer(t)
  const { app, db, outbox } = await appWithSmtp(t, smtp.url)

  const res = await contactVisitor(app, db).send({ ...GOOD_MESSAGE })
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/contact/thanks')
  await outbox.drain()

  assert.equal(smtp.received.length, 1)
  const [mail] = smtp.received
  assert.ok(mail)
  assert.deepEqual(mail.rcptTo, [AUTHOR])
  assert.equal(headerOf(mail.raw, 'to'), AUTHOR)
  assert.equal(headerOf(mail.raw, 'reply-to'), GOOD_MESSAGE.email)
  assert.equal(headerOf(mail.raw, 'subject'), `[Folio] ${GOOD_MESSAGE.subject}`)
  assert.match(headerOf(mail.raw, 'from') ?? '', /^"?Folio"? <notifications@blog\.example\.com>$/)
  assert.match(headerOf(mail.raw, 'content-type') ?? '', /^text\/plain/)
  assert.doesNotMatch(mail.raw, /text\/html|multipart\//i, 'no HTML part')
  const text = textOf(mail.raw)
  assert.ok(text.includes(GOOD_MESSAGE.message))
  assert.ok(text.includes(`https://blog.example.com/admin/inbox/${storedMessages(db)[0]?.id}`))

  const [row] = outboxRows(db)
  assert.equal(row?.attempts, 1, 'one attempt, recorded before it was made')
  assert.equal(typeof row?.sentAt, 'number', 'the outbox row is marked sent')
  assert.equal(pendingMailCount(db), 0)
})

test('a message caught as spam is stored but sends no email', async (t) => {
  const smtp = await startSmtpServer(t)
  const { app, db, outbox } = await appWithSmtp(t, smtp.url)

  const res = await contactVisitor(app, db).send({ ...GOOD_MESSAGE, website: 'https://cheap-pills.example' })
  assert.equal(res.statusCode, 303)
  await outbox.drain()

  assert.equal(storedMessages(db)[0]?.folder, 'spam')
  assert.deepEqual(outboxRows(db), [])
  assert.equal(smtp.received.length, 0)
})

test('an SMTP outage delays the notification and loses nothing; it arrives once the server is back', async (t) => {
  const smtp = await startSmtpServer(t)
  const { app, db, outbox } = await appWithSmtp(t, smtp.url)
  await smtp.stop()

  const res = await contactVisitor(app, db).send({ ...GOOD_MESSAGE })
  assert.equal(res.statusCode, 303, 'the visitor is thanked as usual')
  assert.equal(res.headers.location, '/contact/thanks')
  await outbox.drain()

  assert.equal(storedMessages(db).length, 1, 'the message is stored')
  const [failed] = outboxRows(db)
  assert.ok(failed)
  assert.equal(failed.attempts, 1)
  assert.equal(failed.sentAt, null)
  assert.match(failed.lastError ?? '', /ECONNREFUSED/)
  assert.ok(failed.nextAttemptAt > Date.now(), 'the retry waits a while')
  assert.equal(pendingMailCount(db), 1)

  // Draining again before the retry is due sends nothing and counts no attempt.
  await smtp.start()
  await outbox.drain()
  assert.equal(smtp.received.length, 0)
  assert.equal(outboxRows(db)[0]?.attempts, 1)

  makeRetriesDue(db)
  await outbox.drain()
  assert.equal(smtp.received.length, 1)
  assert.deepEqual(smtp.received[0]?.rcptTo, [AUTHOR])
  assert.ok(textOf(smtp.received[0]?.raw ?? '').includes(GOOD_MESSAGE.message))
  const [sent] = outboxRows(db)
  assert.equal(typeof sent?.sentAt, 'number')
  assert.equal(sent?.attempts, 2, 'the failed attempt and the one that worked')
  assert.equal(pendingMailCount(db), 0)
})

test('the visitor is thanked while the SMTP server has not even said hello', async (t) => {
  // A server that accepts the connection and then says nothing, like a hung mail relay.
  const sockets: Socket[] = []
  const hung = createServer((socket) => sockets.push(socket))
  hung.listen(0, '127.0.0.1')
  await once(hung, 'listening')
  t.after(() => {
    for (const socket of sockets) socket.destroy()
    hung.close()
  })
  const address = hung.address()
  assert.ok(address && typeof address === 'object')
  const connected = once(hung, 'connection')
  const { app, db, outbox } = await appWithSmtp(t, `smtp://127.0.0.1:${address.port}`)

  const res = await contactVisitor(app, db).send({ ...GOOD_MESSAGE })
  assert.equal(res.statusCode, 303)
  await connected
  const [inFlight] = outboxRows(db)
  assert.equal(inFlight?.sentAt, null, 'the send is still under way after the visitor was answered')
  assert.equal(inFlight?.attempts, 1, 'the attempt is recorded before it is made')
  assert.equal(inFlight?.lastError, null)

  for (const socket of sockets) socket.destroy()
  await outbox.drain()
  const [failed] = outboxRows(db)
  assert.equal(failed?.attempts, 1)
  assert.equal(failed?.sentAt, null)
  assert.ok(failed?.lastError)
})

test('line breaks in the name or subject cannot add a Bcc or any other recipient', async (t) => {
  const smtp = await startSmtpServer(t)
  const { app, db, outbox } = await appWithSmtp(t, smtp.url)
  const visitor = contactVisitor(app, db)

  await visitor.send({ ...GOOD_MESSAGE, name: 'Bob\r\nBcc: evil@example.com', subject: '' })
  await visitor.send({
    ...GOOD_MESSAGE,
    subject: 'Hello\r\nBcc: evil@example.com\r\nTo: evil@example.com',
  })
  await visitor.send({ ...GOOD_MESSAGE, name: 'Bob\nCc: evil@example.com\n\nInjected body' })
  await outbox.drain()

  assert.equal(smtp.received.length, 3, 'every message was sent, none taken for spam')
  for (const mail of smtp.received) {
    assert.deepEqual(mail.rcptTo, [AUTHOR])
    const headers = headersOf(mail.raw)
    assert.equal(headers.filter((h) => /^(bcc|cc):/i.test(h)).length, 0)
    assert.deepEqual(
      headers.filter((h) => /^to:/i.test(h)),
      [`To: ${AUTHOR}`],
    )
    assert.doesNotMatch(headerOf(mail.raw, 'subject') ?? '', /[\r\n]/)
  }
  assert.match(
    headerOf(smtp.received[0]?.raw ?? '', 'subject') ?? '',
    /Message from Bob Bcc: evil@example\.com/,
  )
})

test('without SMTP_URL and NOTIFY_EMAIL no mail is queued, and without SMTP_URL no worker runs', async (t) => {
  const smtp = await startSmtpServer(t)
  const envs: Record<string, string>[] = [{}, { SMTP_URL: smtp.url }, { NOTIFY_EMAIL: AUTHOR }]
  for (const env of envs) {
    const { app, db } = await createTestApp(t, env)
    const res = await contactVisitor(app, db).send({ ...GOOD_MESSAGE })
    assert.equal(res.statusCode, 303)
    // SMTP alone runs the worker, for replies from the inbox; it has nothing to send here.
    if (env.SMTP_URL) await app.outbox?.drain()
    assert.equal(app.outbox === undefined, !env.SMTP_URL, `worker with ${JSON.stringify(env)}`)
    assert.equal(storedMessages(db).length, 1)
    assert.deepEqual(outboxRows(db), [])
    assert.equal(pendingMailCount(db), 0)
  }
  assert.equal(smtp.received.length, 0)
})

test('a crash right after "thanks" loses nothing: the message and its email are committed before the 303', async (t) => {
  const smtp = await startSmtpServer(t)
  const { app, db, config, outbox } = await appWithSmtp(t, smtp.url)
  await smtp.stop()

  const res = await contactVisitor(app, db).send({ ...GOOD_MESSAGE })
  assert.equal(res.statusCode, 303)

  // Another process opening the file sees both rows: they are committed, not held in memory.
  const other = new Database(config.databasePath, { readonly: true })
  t.after(() => other.close())
  const message = other.prepare('select id, body from messages').get() as { id: number; body: string }
  assert.equal(message.body, GOOD_MESSAGE.message)
  const queued = other.prepare('select message_id as messageId, sent_at as sentAt from outbox').all()
  assert.deepEqual(queued, [{ messageId: message.id, sentAt: null }])

  await smtp.start()
  await outbox.drain()
  makeRetriesDue(db)
  await outbox.drain()
  assert.equal(smtp.received.length, 1)
})

test('mail left unsent by a previous run goes out when the app starts', async (t) => {
  const smtp = await startSmtpServer(t)
  const { app, db, outbox } = await appWithSmtp(t, smtp.url)
  // Queued as the contact route does, before this process was ready (think: just restarted).
  receiveMessage(
    db,
    { name: 'Ada', email: 'ada@example.com', subject: '', body: 'Written before the restart.' },
    {
      ip: '203.0.113.9',
      userAgent: 'test',
      spam: { score: 0, reasons: [], isSpam: false },
      notify: { to: AUTHOR, siteTitle: 'Folio', siteUrl: 'https://blog.example.com' },
    },
  )
  await app.ready()
  await outbox.drain()
  assert.equal(smtp.received.length, 1)
  assert.ok(textOf(smtp.received[0]?.raw ?? '').includes('Written before the restart.'))
})

test('overlapping drains send each mail exactly once', async (t) => {
  const smtp = await startSmtpServer(t)
  const { app, db, outbox } = await appWithSmtp(t, smtp.url)
  const visitor = contactVisitor(app, db)
  for (const subject of ['One', 'Two', 'Three']) {
    assert.equal((await visitor.send({ ...GOOD_MESSAGE, subject })).statusCode, 303)
  }
  await Promise.all([outbox.drain(), outbox.drain(), outbox.drain()])
  await outbox.drain()

  const subjects = smtp.received.map((m) => headerOf(m.raw, 'subject'))
  assert.deepEqual(subjects, ['[Folio] One', '[Folio] Two', '[Folio] Three'])
  assert.ok(outboxRows(db).every((row) => row.sentAt !== null))
})

test('after the last retry a mail stays in the outbox, unsent, and is not tried again', async (t) => {
  const smtp = await startSmtpServer(t)
  const { app, db, outbox } = await appWithSmtp(t, smtp.url)
  await smtp.stop()
  await contactVisitor(app, db).send({ ...GOOD_MESSAGE })
  await outbox.drain()
  db.$client.prepare('update outbox set attempts = ?, next_attempt_at = ?').run(MAX_ATTEMPTS - 1, Date.now())

  await outbox.drain()
  assert.equal(outboxRows(db)[0]?.attempts, MAX_ATTEMPTS)

  await smtp.start()
  makeRetriesDue(db)
  await outbox.drain()
  assert.equal(smtp.received.length, 0)
  const [row] = outboxRows(db)
  assert.equal(row?.attempts, MAX_ATTEMPTS)
  assert.equal(row?.sentAt, null)
  assert.equal(pendingMailCount(db), 1, 'still counted, so the author can be told')
})

test('a stored SMTP error never contains the password or user name from SMTP_URL', async (t) => {
  // Nothing listens on port 1; the address carries credentials, percent-encoded as in a real SMTP_URL.
  const { app, db, outbox } = await appWithSmtp(t, 'smtp://me%40example.com:s3cr%2Ft%40pw@127.0.0.1:1')
  await contactVisitor(app, db).send({ ...GOOD_MESSAGE })
  await outbox.drain()
  const [row] = outboxRows(db)
  assert.equal(row?.attempts, 1)
  assert.ok(row?.lastError)
  for (const secret of ['s3cr/t@pw', 's3cr%2Ft%40pw', 'me@example.com']) {
    assert.ok(!row.lastError.includes(secret))
  }
})
