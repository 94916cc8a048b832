// Owns the inbox's tables: contact messages, the mail outbox and the author's replies (exported again by schema.ts).
import { sql } from 'drizzle-orm'
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { newsletterIssues, subscribers } from './schema-newsletter.ts'

export const MESSAGE_FOLDERS = ['inbox', 'archived', 'spam'] as const
export type MessageFolder = (typeof MESSAGE_FOLDERS)[number]

export const OUTBOX_KINDS = ['notification', 'reply', 'confirmation', 'newsletter'] as const
export type OutboxKind = (typeof OUTBOX_KINDS)[number]

/** Messages sent through the contact form. Spam is kept too, in its own folder, never dropped. */
export const messages = sqliteTable(
  'messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    email: text('email').notNull(),
    subject: text('subject').notNull().default(''),
    body: text('body').notNull(),
    folder: text('folder', { enum: MESSAGE_FOLDERS }).notNull().default('inbox'),
    readAt: integer('read_at', { mode: 'timestamp_ms' }),
    spamScore: integer('spam_score').notNull().default(0),
    /** JSON array of the reasons the spam filter gave, for the author to judge. */
    spamReasons: text('spam_reasons').notNull().default('[]'),
    ip: text('ip').notNull().default(''),
    userAgent: text('user_agent').notNull().default(''),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    /** When the author first answered: a reply queued from the inbox, or "Mark as replied". */
    repliedAt: integer('replied_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    index('messages_folder_idx').on(t.folder, t.createdAt),
    index('messages_ip_idx').on(t.ip, t.createdAt),
    check('messages_folder_check', sql`${t.folder} in ('inbox', 'archived', 'spam')`),
  ],
)

/**
 * Mail waiting to be sent. A message is committed with its notification in one transaction;
 * a worker sends afterwards with retries, so an SMTP outage delays mail but loses nothing.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    messageId: integer('message_id').references(() => messages.id, { onDelete: 'set null' }),
    /**
     * A notification to the author, the author's reply to a visitor, a newsletter confirmation, or
     * one subscriber's copy of a newsletter issue.
     */
    kind: text('kind', { enum: OUTBOX_KINDS }).notNull().default('notification'),
    to: text('to').notNull(),
    replyTo: text('reply_to'),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull(),
    lastError: text('last_error'),
    sentAt: integer('sent_at', { mode: 'timestamp_ms' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    /** The Message-ID header, chosen when queued so replies can refer to it; null on older rows. */
    headerMessageId: text('header_message_id'),
    /** Threading headers of a reply: the mail it answers, and the whole chain before it. */
    inReplyTo: text('in_reply_to'),
    references: text('references'),
    /**
     * A newsletter copy: the issue and the subscriber; its text and HTML are the issue's, built at
     * send time. A confirmation names its subscriber too (and no issue).
     */
    issueId: integer('issue_id').references(() => newsletterIssues.id, { onDelete: 'cascade' }),
    subscriberId: integer('subscriber_id').references(() => subscribers.id, { onDelete: 'set null' }),
    /** The HTML part, when the mail has one (a confirmation); newsletter copies take the issue's. */
    html: text('html'),
  },
  (t) => [
    index('outbox_due_idx').on(t.sentAt, t.nextAttemptAt),
    // The few unsent rows by kind, in order, however many sent ones pile up (dueMail, dueNewsletterCopies).
    index('outbox_unsent_kind_idx').on(t.kind, t.id).where(sql`"sent_at" is null`),
    // A subscriber's mail: erasing an address, and the `on delete set null` of each subscriber
    // deleted (without it, every such delete scans the whole outbox: 33 ms at 300,000 rows).
    index('outbox_subscriber_idx').on(t.subscriberId).where(sql`"subscriber_id" is not null`),
    // One copy of an issue per subscriber, whatever happens: the per-recipient record.
    uniqueIndex('outbox_issue_subscriber_idx').on(t.issueId, t.subscriberId),
  ],
)

/** What the author wrote back to a message from the inbox; its delivery is the outbox row. */
export const messageReplies = sqliteTable(
  'message_replies',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    messageId: integer('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    outboxId: integer('outbox_id').references(() => outbox.id, { onDelete: 'set null' }),
    body: text('body').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('message_replies_message_idx').on(t.messageId, t.id)],
)

export type Message = typeof messages.$inferSelect
export type OutboxMail = typeof outbox.$inferSelect
export type MessageReply = typeof messageReplies.$inferSelect
