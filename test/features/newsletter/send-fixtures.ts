// Owns what the newsletter sending tests share: subscribers, the two workers on a test clock, and reading the copies that arrived.
import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Db } from '../../../src/db/client.ts'
import { type SubscriberStatus, subscribers } from '../../../src/db/schema.ts'
import mailWorker from '../../../src/features/mail/worker.ts'
import newsletterWorker from '../../../src/features/newsletter/worker.ts'
import { createTestDb, testConfig } from '../../helpers/app.ts'
import { headerOf, type ReceivedMail } from '../../helpers/smtp.ts'
import { mailParts } from './public-visitor.ts'

export const AUTHOR = 'author@example.com'

/** A subscriber as the admin or the confirm button leaves one; returns its id. */
export function addSubscriber(db: Db, email: string, status: SubscriberStatus = 'confirmed'): number {
  const now = new Date()
  return db
    .insert(subscribers)
    .values({
      email,
      status,
      source: 'admin',
      createdAt: now,
      confirmedAt: status === 'confirmed' ? now : null,
      unsubscribedAt: status === 'unsubscribed' ? now : null,
    })
    .returning({ id: subscribers.id })
    .get().id
}

/** A clock the test moves: scheduled posts go live and the rate window opens without waiting. */
export function testClock(start = Date.now()) {
  let current = start
  return {
    now: () => new Date(current),
    advance(ms: number) {
      current += ms
    },
  }
}

export interface Workers {
  readonly app: FastifyInstance
  readonly db: Db
  /** The newsletter pass, then every due mail: what a few seconds of a running server would do. */
  run(): Promise<void>
}

/**
 * The mail worker and the newsletter pass alone on a database (a fresh one unless given), on
 * `clock`; their intervals never fire, so only run() does work. Closed before the database is.
 */
export async function startWorkers(
  t: TestContext,
  options: {
    smtpUrl: string
    clock?: ReturnType<typeof testClock>
    env?: Record<string, string>
    db?: { db: Db; dir: string }
    /** NOTIFY_EMAIL; AUTHOR unless given, null for none. */
    notifyEmail?: string | null
  },
): Promise<Workers> {
  const app = Fastify({ logger: false })
  t.after(() => app.close())
  const { db, dir } = options.db ?? createTestDb(t)
  const notify: Record<string, string> =
    options.notifyEmail === null ? {} : { NOTIFY_EMAIL: options.notifyEmail ?? AUTHOR }
  const config = testConfig(dir, { SMTP_URL: options.smtpUrl, ...notify, ...options.env })
  const now = options.clock?.now
  const common = { db, config, intervalMs: 24 * 60 * 60 * 1000, ...(now ? { now } : {}) }
  await app.register(mailWorker, common)
  await app.register(newsletterWorker, common)
  await app.ready()
  return {
    app,
    db,
    async run() {
      assert.ok(app.newsletter && app.outbox)
      await app.newsletter.drain()
      await app.outbox.drain()
    },
  }
}

/** The copies of newsletters one address received, in order. */
export const copiesTo = (received: readonly ReceivedMail[], email: string): ReceivedMail[] =>
  received.filter((mail) => mail.rcptTo.includes(email) && headerOf(mail.raw, 'list-unsubscribe'))

/** A received message's plain-text and HTML parts. */
export function partsOf(mail: ReceivedMail): { text: string; html: string } {
  const parts = mailParts(mail.raw)
  return {
    text: parts.find((part) => part.type === 'text/plain')?.text ?? '',
    html: parts.find((part) => part.type === 'text/html')?.text ?? '',
  }
}

export interface OutboxCopy {
  readonly id: number
  readonly to: string
  readonly issueId: number | null
  readonly subscriberId: number | null
  readonly sentAt: number | null
  readonly lastError: string | null
}

export const newsletterRows = (db: Db): OutboxCopy[] =>
  db.$client
    .prepare(
      `select id, "to", issue_id as issueId, subscriber_id as subscriberId, sent_at as sentAt, last_error as lastError
       from outbox where kind = 'newsletter' order by id`,
    )
    .all() as OutboxCopy[]
