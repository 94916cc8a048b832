// Checks the newsletter's sending: scheduled posts, the rate limit, mail to the author first, a crash mid-send, readers who leave meanwhile, replicas.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { ConfigError, loadConfig } from '../../../src/config.ts'
import { closeDatabase, openDatabase } from '../../../src/db/client.ts'
import { outbox } from '../../../src/db/schema.ts'
import { SKIPPED } from '../../../src/features/mail/outbox.ts'
import { setSendNewsletter } from '../../../src/features/newsletter/issues.ts'
import { deleteSubscriber } from '../../../src/features/newsletter/manage.ts'
import { unsubscribeSubscriber } from '../../../src/features/newsletter/subscribers.ts'
import { createTestDb, rowCount } from '../../helpers/app.ts'
import { createPost } from '../../helpers/fixtures.ts'
import { headerOf, startSmtpServer } from '../../helpers/smtp.ts'
import { AUTHOR, addSubscriber, copiesTo, newsletterRows, startWorkers, testClock } from './send-fixtures.ts'

const MINUTE = 60 * 1000
const HOUR = 60 * MINUTE

/** A published post ticked "Email this post". */
function tickedPost(db: Parameters<typeof createPost>[0], fields: Parameters<typeof createPost>[1] = {}) {
  const post = createPost(db, { title: 'A post for email', ...fields })
  setSendNewsletter(db, post.id, true)
  return post
}

const readers = (n: number) => Array.from({ length: n }, (_, i) => `reader${i + 1}@example.com`)

test('NEWSLETTER_PER_MINUTE is 60 unless set, and a bad value stops start-up with one line naming it', () => {
  assert.equal(loadConfig({}).newsletterPerMinute, 60)
  assert.equal(loadConfig({ NEWSLETTER_PER_MINUTE: '600' }).newsletterPerMinute, 600)
  for (const bad of ['0', '-5', '2.5', 'lots', '100000'])
    assert.throws(
      () => loadConfig({ NEWSLETTER_PER_MINUTE: bad }),
      (err: Error) =>
        err instanceof ConfigError &&
        err.message ===
          `Invalid NEWSLETTER_PER_MINUTE="${bad}": expected a whole number of emails per minute, 1 to 10000`,
    )
})

test('a scheduled post ticked for email goes out when it goes live, not before', async (t) => {
  const smtp = await startSmtpServer(t)
  const clock = testClock()
  const { db, run } = await startWorkers(t, { smtpUrl: smtp.url, clock })
  addSubscriber(db, 'ada@example.com')
  tickedPost(db, { status: 'scheduled', publishedAt: new Date(clock.now().getTime() + HOUR) })

  await run()
  clock.advance(HOUR - MINUTE)
  await run()
  assert.equal(smtp.received.length, 0, 'nothing goes before the post is public')
  assert.equal(rowCount(db, 'newsletter_issues'), 0)

  clock.advance(2 * MINUTE)
  await run()
  assert.equal(copiesTo(smtp.received, 'ada@example.com').length, 1)
})

test('posts never ticked, drafts, and posts from before the newsletter existed are not emailed', async (t) => {
  const smtp = await startSmtpServer(t)
  const { db, run } = await startWorkers(t, { smtpUrl: smtp.url })
  addSubscriber(db, 'ada@example.com')
  createPost(db, { title: 'Old post' })
  tickedPost(db, { title: 'Ticked draft', status: 'draft', publishedAt: undefined })
  await run()
  assert.equal(smtp.received.length, 0)
  assert.equal(rowCount(db, 'newsletter_issues'), 0)
})

test('newsletter copies go at most NEWSLETTER_PER_MINUTE in any minute; the rest wait for the window', async (t) => {
  const smtp = await startSmtpServer(t)
  const clock = testClock()
  const { db, run } = await startWorkers(t, {
    smtpUrl: smtp.url,
    clock,
    env: { NEWSLETTER_PER_MINUTE: '3' },
  })
  for (const email of readers(7)) addSubscriber(db, email)
  tickedPost(db)

  await run()
  assert.equal(smtp.received.length, 3)
  await run()
  clock.advance(30_000)
  await run()
  assert.equal(smtp.received.length, 3, 'still the same minute')
  clock.advance(30_001)
  await run()
  assert.equal(smtp.received.length, 6)
  clock.advance(60_001)
  await run()
  assert.equal(smtp.received.length, 7)
  for (const email of readers(7)) assert.equal(copiesTo(smtp.received, email).length, 1, email)
})

test('mail to the author is not held behind newsletter copies', async (t) => {
  const smtp = await startSmtpServer(t)
  const clock = testClock()
  const { db, run } = await startWorkers(t, {
    smtpUrl: smtp.url,
    clock,
    env: { NEWSLETTER_PER_MINUTE: '2' },
  })
  for (const email of readers(30)) addSubscriber(db, email)
  tickedPost(db)
  const notify = (subject: string) =>
    db
      .insert(outbox)
      .values({
        to: AUTHOR,
        subject,
        text: 'A visitor wrote.',
        nextAttemptAt: clock.now(),
        createdAt: clock.now(),
      })
      .run()

  await run()
  assert.equal(smtp.received.length, 2, 'the rate limit holds the copies')
  // Queued after 30 copies, and while the rate limit holds them: it goes at once, first in line.
  notify('[Sam Writes] New message')
  await run()
  assert.equal(smtp.received.length, 3)
  assert.deepEqual(smtp.received[2]?.rcptTo, [AUTHOR])
  assert.equal(headerOf(smtp.received[2]?.raw ?? '', 'subject'), '[Sam Writes] New message')
})

test('a restart mid-send sends the rest and nobody twice', async (t) => {
  const smtp = await startSmtpServer(t)
  const { db, dir, path } = createTestDb(t)
  const everyone = readers(8)
  for (const email of everyone) addSubscriber(db, email)
  tickedPost(db)

  // The server stops after the third copy has been accepted, as a deploy or a crash would.
  const first = await startWorkers(t, { smtpUrl: smtp.url, db: { db, dir } })
  let stopped: Promise<void> | undefined
  const push = smtp.received.push.bind(smtp.received)
  smtp.received.push = (...mail) => {
    const n = push(...mail)
    if (n === 3) stopped = first.app.close()
    return n
  }
  await first.run()
  await stopped
  assert.equal(smtp.received.length, 3)
  assert.equal(newsletterRows(db).filter((row) => row.sentAt !== null).length, 3, 'each one sent is recorded')

  // A new process on the same database file.
  const reopened = openDatabase(path)
  t.after(() => closeDatabase(reopened))
  const second = await startWorkers(t, { smtpUrl: smtp.url, db: { db: reopened, dir } })
  await second.run()
  assert.equal(smtp.received.length, everyone.length)
  for (const email of everyone) assert.equal(copiesTo(smtp.received, email).length, 1, email)
  assert.ok(newsletterRows(reopened).every((row) => row.sentAt !== null))
})

test('a reader who leaves, or is deleted for good, after the post was queued gets no copy', async (t) => {
  const smtp = await startSmtpServer(t)
  const { app, db } = await startWorkers(t, { smtpUrl: smtp.url })
  addSubscriber(db, 'stays@example.com')
  const leaves = addSubscriber(db, 'leaves@example.com')
  const removed = addSubscriber(db, 'removed@example.com')
  tickedPost(db)

  assert.ok(app.newsletter && app.outbox)
  await app.newsletter.drain()
  assert.equal(newsletterRows(db).length, 3, 'a copy is queued for each confirmed reader')
  unsubscribeSubscriber(db, leaves)
  assert.ok(deleteSubscriber(db, removed))
  await app.outbox.drain()

  assert.deepEqual(
    smtp.received.map((mail) => mail.rcptTo),
    [['stays@example.com']],
  )
  const skipped = newsletterRows(db).filter((row) => row.to !== 'stays@example.com')
  assert.deepEqual(
    skipped.map((row) => [row.to, row.lastError]),
    [
      ['leaves@example.com', SKIPPED.unsubscribed],
      ['', SKIPPED.erased],
    ],
    'the deleted address is gone from its copy, which is skipped without an error',
  )
  assert.ok(
    skipped.every((row) => row.sentAt !== null),
    'done, so never tried again',
  )
})

test('on a LiteFS read replica the newsletter pass neither queues nor sends', async (t) => {
  const smtp = await startSmtpServer(t)
  const testDb = createTestDb(t)
  writeFileSync(join(testDb.dir, '.primary'), 'primary.internal')
  const { db, run } = await startWorkers(t, { smtpUrl: smtp.url, db: testDb })
  addSubscriber(db, 'ada@example.com')
  tickedPost(db)
  await run()
  assert.equal(rowCount(db, 'newsletter_issues'), 0)
  assert.equal(smtp.received.length, 0)
})
