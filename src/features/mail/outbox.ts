// Owns queueing mail in the outbox (notifications to the author, replies to visitors), inside the caller's transaction.
import { randomUUID } from 'node:crypto'
import { and, asc, eq, isNull, lt, lte } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type Message, type OutboxMail, outbox } from '../../db/schema.ts'
import { replaceControlCharacters } from '../../lib/text.ts'

/** Header values never carry line breaks or control characters, whatever a visitor typed. */
export const headerSafe = (value: string, max = 200): string =>
  replaceControlCharacters(value).replace(/\s+/g, ' ').trim().slice(0, max)

/** The notification for a new message: plain text only, so nothing a visitor wrote can become markup. */
function notificationFor(message: Message, site: { title: string; siteUrl: string }) {
  const subject = headerSafe(
    `[${site.title}] ${message.subject ? message.subject : `Message from ${message.name}`}`,
  )
  const text = [
    `${headerSafe(message.name)} <${headerSafe(message.email, 254)}> wrote through the contact form:`,
    '',
    message.subject ? `Subject: ${message.subject}` : null,
    message.subject ? '' : null,
    message.body,
    '',
    '—',
    `Read it in the inbox: ${site.siteUrl}/admin/inbox/${message.id}`,
    'Reply to this email to answer the sender directly.',
  ]
    .filter((line) => line !== null)
    .join('\n')
  return { subject, text }
}

/**
 * A Message-ID of Folio's own, chosen when the mail is queued (not when sent), so a reply can
 * name it in In-Reply-To before it has gone out, and every retry sends the same one.
 */
export const newMessageId = (siteUrl: string): string => `<${randomUUID()}@${new URL(siteUrl).hostname}>`

/** Adds the notification to the outbox; call it in the same transaction that stores the message. */
export function enqueueNotification(
  db: Db,
  message: Message,
  to: string,
  site: { title: string; siteUrl: string },
  now = new Date(),
): void {
  const { subject, text } = notificationFor(message, site)
  db.insert(outbox)
    .values({
      messageId: message.id,
      to,
      replyTo: headerSafe(message.email, 254),
      subject,
      text,
      nextAttemptAt: now,
      createdAt: now,
      headerMessageId: newMessageId(site.siteUrl),
    })
    .run()
}

export interface QueuedReply {
  readonly messageId: number
  readonly to: string
  readonly replyTo: string | null
  readonly subject: string
  readonly text: string
  readonly headerMessageId: string
  readonly inReplyTo: string | null
  readonly references: string | null
}

/** Adds the author's reply to a visitor; call it in the transaction that stores the reply. */
export function enqueueReply(db: Db, reply: QueuedReply, now = new Date()): OutboxMail {
  return db
    .insert(outbox)
    .values({
      ...reply,
      kind: 'reply',
      to: headerSafe(reply.to, 254),
      replyTo: reply.replyTo ? headerSafe(reply.replyTo, 254) : null,
      subject: headerSafe(reply.subject),
      nextAttemptAt: now,
      createdAt: now,
    })
    .returning()
    .get()
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The mail worker, when SMTP is configured: `wake()` sends what is due now rather than at the next tick. */
    outbox?: OutboxWorker
  }
}

export interface OutboxWorker {
  /** Schedules a send of whatever is due, after the current request has been answered. */
  wake(): void
  /** Sends everything due now; resolves when done (tests, shutdown). Never rejects. */
  drain(): Promise<void>
}

/**
 * After this many failed attempts a mail is no longer retried, but kept. With the backoff below
 * (30 s doubling to an hourly cap) that is about three days: a long weekend of SMTP outage.
 */
export const MAX_ATTEMPTS = 72
const FIRST_RETRY_MS = 30_000
const MAX_RETRY_MS = 60 * 60 * 1000

/** How long to wait after the `attempts`-th failure: 30 s · 2^(attempts−1), capped at an hour, ±10 % jitter. */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, Math.min(attempts - 1, 20)))
  return Math.round(base * (0.9 + 0.2 * random()))
}

/** Unsent mail still being retried, oldest first. One process sends (the primary), so reading is claiming. */
export function dueMail(db: Db, now = new Date(), limit = 10): OutboxMail[] {
  return db
    .select()
    .from(outbox)
    .where(and(isNull(outbox.sentAt), lte(outbox.nextAttemptAt, now), lt(outbox.attempts, MAX_ATTEMPTS)))
    .orderBy(asc(outbox.id))
    .limit(limit)
    .all()
}

export function markMailSent(db: Db, id: number, now = new Date()): void {
  // lastError stays: it tells whoever looks later that this mail was delayed, and why.
  db.update(outbox).set({ sentAt: now }).where(eq(outbox.id, id)).run()
}

/**
 * Records a failed attempt and when to try again; returns the attempt count. After the last
 * attempt the row stays as it is, unsent: mail is never deleted.
 */
export function markMailFailed(db: Db, mail: OutboxMail, error: string, now = new Date()): number {
  const attempts = mail.attempts + 1
  db.update(outbox)
    .set({
      attempts,
      lastError: error.slice(0, 500),
      nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts)),
    })
    .where(eq(outbox.id, mail.id))
    .run()
  return attempts
}
