// Owns answering a message: who may be written to, the reply's subject, quote and threading headers, queueing it with the message marked replied, and the thread.
import { and, asc, eq, isNotNull, isNull } from 'drizzle-orm'
import * as z from 'zod'
import type { Db } from '../../db/client.ts'
import { type Message, type MessageReply, messageReplies, messages, outbox } from '../../db/schema.ts'
import { formatDateTime } from '../../lib/dates.ts'
import { LIMITS } from '../contact/forms.ts'
import { enqueueReply, headerSafe, MAX_ATTEMPTS, newMessageId } from '../mail/outbox.ts'

/** A reply is a letter, not a manuscript: this keeps every mail a sensible size. */
export const REPLY_MAX_CHARS = 20_000
/** How much of the visitor's message a reply quotes: all of it, as the contact form caps it. */
const QUOTE_MAX_CHARS: number = LIMITS.message
/** References keeps the root and the latest replies: enough to thread, short enough for any server. */
const MAX_REFERENCES = 20

/**
 * The contact form's own address rule (zod's email shape): nothing in such an address (?, &, #,
 * %, a colon, a line break) can add a header, a second recipient or a scheme after `mailto:`.
 */
const plainEmail = z.email().max(LIMITS.email)

export const isPlainEmail = (email: string): boolean => plainEmail.safeParse(email).success

/** A lone half of a surrogate pair (the `u` flag skips whole pairs) cannot be URL-encoded or mailed. */
const wellFormed = (text: string): string => text.replace(/[\uD800-\uDFFF]/gu, '\uFFFD')

/** "Re: <their subject>", on one line, whatever they typed; "Re: Your message" when they gave none. */
export function replySubject(subject: string): string {
  const line = headerSafe(wellFormed(subject), 150)
  if (!line) return 'Re: Your message'
  return /^re:/i.test(line) ? line : `Re: ${line}`
}

/** "On 4 December 2026, 14:05, Jane wrote:" and their message as "> " lines, cut after `maxChars`. */
export function quoteOf(
  message: Pick<Message, 'name' | 'body' | 'createdAt'>,
  timeZone: string,
  maxChars = QUOTE_MAX_CHARS,
): string {
  const chars = Array.from(wellFormed(message.body.replace(/\r\n?/g, '\n').trimEnd()))
  const lines = chars
    .slice(0, maxChars)
    .join('')
    .split('\n')
    .map((line) => (line ? `> ${line}` : '>'))
  if (chars.length > maxChars) lines.push('> […]')
  const said = `On ${formatDateTime(message.createdAt, timeZone)}, ${headerSafe(wellFormed(message.name), 100)} wrote:`
  return [said, ...lines].join('\n')
}

/**
 * In-Reply-To names the latest mail of the thread; References the whole chain, oldest first,
 * starting at `root` (the notification the author got) when there is one. Long chains keep the
 * root and the newest ids, as RFC 5322 suggests.
 */
export function threadHeaders(
  root: string | null,
  earlier: readonly string[],
): { inReplyTo: string | null; references: string | null } {
  const chain = root ? [root, ...earlier] : [...earlier]
  const last = chain.at(-1)
  if (last === undefined) return { inReplyTo: null, references: null }
  const kept = chain.length > MAX_REFERENCES ? [chain[0], ...chain.slice(1 - MAX_REFERENCES)] : chain
  return { inReplyTo: last, references: kept.join(' ') }
}

/** The Message-ID of the notification the author got about this message, when Folio stored one. */
function notificationMessageId(db: Db, messageId: number): string | null {
  return (
    db
      .select({ id: outbox.headerMessageId })
      .from(outbox)
      .where(
        and(
          eq(outbox.messageId, messageId),
          eq(outbox.kind, 'notification'),
          isNotNull(outbox.headerMessageId),
        ),
      )
      .orderBy(asc(outbox.id))
      .get()?.id ?? null
  )
}

export type ReplyState = 'sent' | 'queued' | 'failed'

export interface ThreadReply {
  readonly id: number
  readonly body: string
  readonly createdAt: Date
  readonly headerMessageId: string | null
  readonly state: ReplyState
  readonly sentAt: Date | null
  readonly attempts: number
  readonly lastError: string | null
  readonly nextAttemptAt: Date | null
}

/**
 * Sent once the server took it; queued while the outbox still tries (an outage included);
 * failed when the outbox gave up, or the mail is gone.
 */
function stateOf(row: { sentAt: Date | null; attempts: number | null }): ReplyState {
  if (row.sentAt) return 'sent'
  return row.attempts === null || row.attempts >= MAX_ATTEMPTS ? 'failed' : 'queued'
}

/** Every reply to a message, oldest first, with how its mail is doing. */
export function replyThread(db: Db, messageId: number): ThreadReply[] {
  return db
    .select({
      id: messageReplies.id,
      body: messageReplies.body,
      createdAt: messageReplies.createdAt,
      headerMessageId: outbox.headerMessageId,
      sentAt: outbox.sentAt,
      attempts: outbox.attempts,
      lastError: outbox.lastError,
      nextAttemptAt: outbox.nextAttemptAt,
    })
    .from(messageReplies)
    .leftJoin(outbox, eq(outbox.id, messageReplies.outboxId))
    .where(eq(messageReplies.messageId, messageId))
    .orderBy(asc(messageReplies.id))
    .all()
    .map((row) => ({ ...row, state: stateOf(row), attempts: row.attempts ?? 0 }))
}

export interface ReplyOptions {
  /** Where the visitor's answer should go: the author's own mailbox, or null for the From address. */
  readonly replyTo: string | null
  readonly siteUrl: string
  readonly timeZone: string
}

/**
 * Stores the reply, queues its mail and marks the message replied, in one transaction: once the
 * author sees "queued", the reply survives a crash and goes out when SMTP answers. The visitor's
 * address must be a plain one (see isPlainEmail); anything else is a caller's bug.
 */
export function sendReply(
  db: Db,
  message: Message,
  body: string,
  options: ReplyOptions,
  now = new Date(),
): MessageReply {
  if (!isPlainEmail(message.email)) throw new Error(`message ${message.id} has no plain address to reply to`)
  return db.transaction((tx) => {
    const t = tx as unknown as Db
    const earlier = replyThread(t, message.id).flatMap((r) => (r.headerMessageId ? [r.headerMessageId] : []))
    const mail = enqueueReply(
      t,
      {
        messageId: message.id,
        to: message.email,
        replyTo: options.replyTo,
        subject: replySubject(message.subject),
        text: `${body}\n\n${quoteOf(message, options.timeZone)}\n`,
        headerMessageId: newMessageId(options.siteUrl),
        ...threadHeaders(notificationMessageId(t, message.id), earlier),
      },
      now,
    )
    const reply = t
      .insert(messageReplies)
      .values({ messageId: message.id, outboxId: mail.id, body, createdAt: now })
      .returning()
      .get()
    markReplied(t, message.id, now)
    return reply
  })
}

/** Marks a message replied (the author answered some other way); the first answer's time is kept. */
export function markReplied(db: Db, messageId: number, now = new Date()): number {
  return db
    .update(messages)
    .set({ repliedAt: now })
    .where(and(eq(messages.id, messageId), isNull(messages.repliedAt)))
    .run().changes
}
