// Checks what becomes of a newsletter copy when sending goes wrong: a send that cannot be recorded, an attempt that cannot be claimed, a recipient refused for good, a sender without a mailbox, and what counts against the rate.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import { SMTPServer } from 'smtp-server'
import type { Db } from '../../../src/db/client.ts'
import { outbox } from '../../../src/db/schema.ts'
import { newsletterSendTimes, SKIPPED } from '../../../src/features/mail/outbox.ts'
import { setSendNewsletter } from '../../../src/features/newsletter/issues.ts'
import { createTestDb } from '../../helpers/app.ts'
import { createPost } from '../../helpers/fixtures.ts'
import { headerOf, startSmtpServer } from '../../helpers/smtp.ts'
import { addSubscriber, copiesTo, newsletterRows, startWorkers, testClock } from './send-fixtures.ts'

const MINUTE = 60_000

const tickedPost = (db: Db) => setSendNewsletter(db, createPost(db, { title: 'A post for email' }).id, true)

/** A trigger making one kind of outbox write fail, as a full disk would. */
const failWrites = (db: Db, column: 'sent_at' | 'attempts') =>
  db.$client.exec(
    `create trigger fail_${column} before update of ${column} on outbox
     begin select raise(abort, 'simulated write failure'); end`,
  )

test('a copy sent but not recorded as sent is not sent again before its retry time', async (t) => {
  const smtp = await startSmtpServer(t)
  const clock = testClock()
  const { db, run } = await startWorkers(t, { smtpUrl: smtp.url, clock })
  addSubscriber(db, 'ada@example.com')
  tickedPost(db)
  failWrites(db, 'sent_at')

  await run()
  assert.equal(copiesTo(smtp.received, 'ada@example.com').length, 1)
  const [row] = newsletterRows(db)
  assert.equal(row?.sentAt, null, 'the server took it, but that could not be written down')
  for (let i = 0; i < 5; i++) {
    clock.advance(5_000)
    await run()
  }
  assert.equal(copiesTo(smtp.received, 'ada@example.com').length, 1, 'not again within the 30 s retry delay')

  // Once writes work again, it goes at its retry time at most once more, and is recorded.
  db.$client.exec('drop trigger fail_sent_at')
  clock.advance(MINUTE)
  await run()
  await run()
  assert.equal(copiesTo(smtp.received, 'ada@example.com').length, 2)
  assert.notEqual(newsletterRows(db)[0]?.sentAt, null)
})

test('nothing is sent when the attempt cannot be recorded first', async (t) => {
  const smtp = await startSmtpServer(t)
  const { db, run } = await startWorkers(t, { smtpUrl: smtp.url })
  addSubscriber(db, 'ada@example.com')
  tickedPost(db)
  failWrites(db, 'attempts')
  await run()
  await run()
  assert.equal(smtp.received.length, 0)
  assert.deepEqual(
    newsletterRows(db).map((row) => row.sentAt),
    [null],
  )
})

/** An SMTP server that refuses some recipients: `code` for each address given, accepting the rest. */
async function refusingServer(t: TestContext, refusals: Record<string, number>) {
  const accepted: string[] = []
  const tried: string[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      tried.push(address.address)
      const code = refusals[address.address]
      if (code === undefined) return callback()
      callback(
        Object.assign(new Error(`${code === 550 ? 'No such user' : 'Try later'}`), { responseCode: code }),
      )
    },
    onData(stream, session, callback) {
      stream.resume()
      stream.on('end', () => {
        accepted.push(...session.envelope.rcptTo.map((r) => r.address))
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const address = server.server.address()
  assert.ok(address && typeof address === 'object')
  return { url: `smtp://127.0.0.1:${address.port}`, accepted, tried }
}

test('a copy the server refuses for good (5xx) is done at once with the reason; a 4xx is retried', async (t) => {
  const smtp = await refusingServer(t, { 'gone@example.com': 550, 'busy@example.com': 450 })
  const clock = testClock()
  const { db, run } = await startWorkers(t, { smtpUrl: smtp.url, clock })
  for (const email of ['gone@example.com', 'busy@example.com', 'ada@example.com']) addSubscriber(db, email)
  tickedPost(db)

  await run()
  assert.deepEqual(smtp.accepted, ['ada@example.com'])
  const byAddress = new Map(newsletterRows(db).map((row) => [row.to, row]))
  const gone = byAddress.get('gone@example.com')
  assert.notEqual(gone?.sentAt, null, 'done: never tried again')
  assert.match(gone?.lastError ?? '', /550 .*No such user/)
  assert.equal(byAddress.get('busy@example.com')?.sentAt, null, 'a temporary refusal waits for a retry')

  clock.advance(2 * MINUTE)
  await run()
  const tries = (email: string) => smtp.tried.filter((address) => address === email).length
  assert.equal(tries('gone@example.com'), 1)
  assert.equal(tries('busy@example.com'), 2)
})

test('without NOTIFY_EMAIL, and an SMTP account that is not a mailbox, List-Unsubscribe offers the link alone', async (t) => {
  const smtp = await startSmtpServer(t)
  const { db, run } = await startWorkers(t, { smtpUrl: smtp.url, notifyEmail: null })
  addSubscriber(db, 'ada@example.com')
  tickedPost(db)
  await run()
  const [copy] = copiesTo(smtp.received, 'ada@example.com')
  assert.ok(copy)
  assert.match(
    headerOf(copy.raw, 'list-unsubscribe') ?? '',
    /^<https:\/\/blog\.example\.com\/unsubscribe\?token=[^>]+>$/,
    'no mailto: to notifications@…, which nobody reads',
  )
  assert.equal(headerOf(copy.raw, 'list-unsubscribe-post'), 'List-Unsubscribe=One-Click')
})

test('the rate carries over a restart from the newest copies sent in the last minute, not those skipped', (t) => {
  const { db } = createTestDb(t)
  const now = Date.parse('2026-03-01T12:00:00Z')
  const copy = (secondsAgo: number, lastError: string | null = null) =>
    db
      .insert(outbox)
      .values({
        kind: 'newsletter',
        to: 'x@example.com',
        subject: 's',
        text: '',
        createdAt: new Date(now - MINUTE),
        nextAttemptAt: new Date(now - MINUTE),
        sentAt: new Date(now - secondsAgo * 1000),
        lastError,
      })
      .run()
  copy(90)
  copy(50)
  copy(40, 'ECONNREFUSED (an earlier attempt failed; this one went)')
  copy(30)
  copy(20, SKIPPED.unsubscribed)
  copy(10, SKIPPED.erased)
  assert.deepEqual(
    newsletterSendTimes(db, new Date(now), 10),
    [50, 40, 30].map((s) => now - s * 1000),
  )
  assert.deepEqual(
    newsletterSendTimes(db, new Date(now), 2),
    [40, 30].map((s) => now - s * 1000),
    'the newest ones, oldest first',
  )
})
