// Owns receiving a contact message: stored (spam too) with its notification in one durable transaction.
import { and, count, eq, gt, min, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type Message, messages } from '../../db/schema.ts'
import { enqueueNotification } from '../mail/outbox.ts'
import type { SpamVerdict } from './spam.ts'

export const MESSAGES_PER_IP_PER_HOUR = 5

export interface ContactInput {
  readonly name: string
  readonly email: string
  readonly subject: string
  readonly body: string
}

const HOUR_MS = 60 * 60 * 1000

/**
 * How many messages this IP sent in the last hour (spam included), and when the oldest of them
 * stops counting; the rate limit reads this from the database, so it survives restarts.
 */
export function recentMessagesFrom(
  db: Db,
  ip: string,
  now = new Date(),
): { count: number; retryAfterSeconds: number } {
  const since = new Date(now.getTime() - HOUR_MS)
  const row = db
    .select({ n: count(), oldest: min(messages.createdAt) })
    .from(messages)
    .where(and(eq(messages.ip, ip), gt(messages.createdAt, since)))
    .get()
  const oldest = row?.oldest?.getTime() ?? now.getTime()
  return {
    count: row?.n ?? 0,
    retryAfterSeconds: Math.max(1, Math.ceil((oldest + HOUR_MS - now.getTime()) / 1000)),
  }
}

/** The same words from the same place within ten minutes: a double-click, not a second message. */
export function findRecentDuplicate(db: Db, ip: string, input: ContactInput, now = new Date()): boolean {
  const since = new Date(now.getTime() - 10 * 60 * 1000)
  const row = db
    .select({ id: messages.id })
    .from(messages)
    .where(
      and(
        eq(messages.ip, ip),
        eq(messages.email, input.email),
        eq(messages.subject, input.subject),
        eq(messages.body, input.body),
        gt(messages.createdAt, since),
      ),
    )
    .get()
  return row !== undefined
}

/**
 * Stores the message and, for non-spam when notifications are configured, queues its email, in
 * one transaction. With synchronous=FULL the commit is on disk before the visitor sees "thanks".
 */
export function receiveMessage(
  db: Db,
  input: ContactInput,
  meta: {
    readonly ip: string
    readonly userAgent: string
    readonly spam: SpamVerdict
    readonly notify?:
      | { readonly to: string; readonly siteTitle: string; readonly siteUrl: string }
      | undefined
  },
  now = new Date(),
): Message {
  return db.transaction((tx) => {
    const message = tx
      .insert(messages)
      .values({
        name: input.name,
        email: input.email,
        subject: input.subject,
        body: input.body,
        folder: meta.spam.isSpam ? 'spam' : 'inbox',
        spamScore: meta.spam.score,
        spamReasons: JSON.stringify(meta.spam.reasons),
        ip: meta.ip.slice(0, 64),
        userAgent: meta.userAgent.slice(0, 300),
        createdAt: now,
      })
      .returning()
      .get()
    if (!meta.spam.isSpam && meta.notify) {
      enqueueNotification(
        tx as unknown as Db,
        message,
        meta.notify.to,
        { title: meta.notify.siteTitle, siteUrl: meta.notify.siteUrl },
        now,
      )
    }
    return message
  })
}

export function countUnread(db: Db): number {
  return (
    db
      .select({ n: count() })
      .from(messages)
      .where(and(eq(messages.folder, 'inbox'), sql`${messages.readAt} is null`))
      .get()?.n ?? 0
  )
}
