// Owns the outbox: queueing mail inside the caller's transaction, which rows are due (the author's and visitors' mail before newsletter copies), and recording each attempt.
import { randomUUID } from 'node:crypto'
import {
  and,
  desc,
  eq,
  gte,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
  notInArray,
  or,
  type SQLWrapper,
} from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type Message, OUTBOX_KINDS, type OutboxKind, type OutboxMail, outbox } from '../../db/schema.ts'
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

const due = (now: Date) =>
  and(isNull(outbox.sentAt), lte(outbox.nextAttemptAt, now), lt(outbox.attempts, MAX_ATTEMPTS))

/** Every kind but newsletter copies: mail that never waits behind them. */
const FIRST_KINDS = OUTBOX_KINDS.filter((kind) => kind !== 'newsletter')

/**
 * Unsent mail of one kind still being retried, oldest first. `kind = ?` with `sent_at is null`
 * is what lets SQLite read outbox_unsent_kind_idx in id order: a handful of unsent rows, however
 * many hundred thousand sent ones there are. (Given `kind IN (…)` it walks outbox_due_idx
 * instead, through every unsent newsletter copy: measured 2.7 ms against 0.04 ms.)
 */
function dueOfKind(db: Db, kind: OutboxKind, now: Date, limit: number): OutboxMail[] {
  return db
    .select()
    .from(outbox)
    .where(and(due(now), eq(outbox.kind, kind)))
    .orderBy(outbox.id)
    .limit(limit)
    .all()
}

/**
 * Unsent mail still being retried, oldest first, newsletter copies excepted: a notification or a
 * confirmation never waits behind thousands of them. One process sends (the primary), and it
 * claims each row (claimMail) before sending it.
 */
export function dueMail(db: Db, now = new Date(), limit = 10): OutboxMail[] {
  return FIRST_KINDS.flatMap((kind) => dueOfKind(db, kind, now, limit))
    .sort((a, b) => a.id - b.id)
    .slice(0, limit)
}

/** Newsletter copies due now, oldest first: sent only when no other mail is waiting, at a limited rate. */
export const dueNewsletterCopies = (db: Db, now = new Date(), limit = 10): OutboxMail[] =>
  dueOfKind(db, 'newsletter', now, limit)

/** Why a row was marked done without being sent; such rows never count against the newsletter's rate. */
export const SKIPPED = {
  /** A newsletter copy whose reader left (or was removed) before it went. */
  unsubscribed: 'unsubscribed before sending',
  /** Mail whose address was erased (a reader deleted for good, an address that never confirmed). */
  erased: 'address erased before sending',
} as const

/**
 * When newsletter copies went in the minute before `now`, oldest first: the newest `limit` of
 * them, so the rate limit carries over a restart. Copies skipped without sending do not count.
 */
export function newsletterSendTimes(db: Db, now: Date, limit: number): number[] {
  return db
    .select({ sentAt: outbox.sentAt })
    .from(outbox)
    .where(
      and(
        gte(outbox.sentAt, new Date(now.getTime() - 60_000)),
        eq(outbox.kind, 'newsletter'),
        or(isNull(outbox.lastError), notInArray(outbox.lastError, Object.values(SKIPPED))),
      ),
    )
    .orderBy(desc(outbox.sentAt))
    .limit(limit)
    .all()
    .map((row) => row.sentAt?.getTime() ?? 0)
    .reverse()
}

/**
 * Records an attempt BEFORE it is made: one more attempt, and the retry time as if it failed.
 * Should the send succeed but recording it fail (a full disk), the row comes due again only after
 * that delay, never at the next pass; should this write fail, nothing is sent. Returns the row as
 * claimed.
 */
export function claimMail(db: Db, mail: OutboxMail, now = new Date()): OutboxMail {
  const attempts = mail.attempts + 1
  const nextAttemptAt = new Date(now.getTime() + retryDelayMs(attempts))
  db.update(outbox).set({ attempts, nextAttemptAt }).where(eq(outbox.id, mail.id)).run()
  return { ...mail, attempts, nextAttemptAt }
}

export function markMailSent(db: Db, id: number, now = new Date()): void {
  // lastError stays: it tells whoever looks later that this mail was delayed, and why.
  db.update(outbox).set({ sentAt: now }).where(eq(outbox.id, id)).run()
}

/**
 * Mail that must not go, or never can (its reader left, its address was erased, the server
 * refused it for good): done, never sent again, and `reason` says why.
 */
export function markMailSkipped(db: Db, id: number, reason: string, now = new Date()): void {
  db.update(outbox)
    .set({ sentAt: now, lastError: reason.slice(0, 500) })
    .where(eq(outbox.id, id))
    .run()
}

/**
 * Records why a claimed attempt failed, and retries it `retryDelayMs` from now. After the last
 * attempt the row stays as it is, unsent: mail is never deleted.
 */
export function markMailFailed(db: Db, claimed: OutboxMail, error: string, now = new Date()): void {
  db.update(outbox)
    .set({
      lastError: error.slice(0, 500),
      nextAttemptAt: new Date(now.getTime() + retryDelayMs(claimed.attempts)),
    })
    .where(eq(outbox.id, claimed.id))
    .run()
}

/** The kinds of mail sent to a subscriber (each row names them in subscriberId). Notifications and replies belong to the inbox's messages. */
const SUBSCRIBER_KINDS: OutboxKind[] = ['newsletter', 'confirmation']

/**
 * Forgets subscribers' addresses (ids, or a subquery of them) in the mail sent to them, in the
 * caller's transaction and before their rows go: sent copies and confirmations are deleted;
 * unsent ones keep their row with `to` blanked, and the worker marks them done without sending.
 * Found through outbox_subscriber_idx, not by scanning every row for the address.
 */
export function eraseSubscriberMail(db: Db, subscriberIds: number[] | SQLWrapper): void {
  const theirs = and(inArray(outbox.kind, SUBSCRIBER_KINDS), inArray(outbox.subscriberId, subscriberIds))
  db.delete(outbox)
    .where(and(theirs, isNotNull(outbox.sentAt)))
    .run()
  db.update(outbox)
    .set({ to: '' })
    .where(and(theirs, isNull(outbox.sentAt)))
    .run()
}
