// Owns the newsletter's tables: subscribers and the posts emailed to them (exported again by schema.ts). Each email's delivery is an outbox row.
import { sql } from 'drizzle-orm'
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { posts } from './schema.ts'

export const SUBSCRIBER_STATUSES = ['pending', 'confirmed', 'unsubscribed'] as const
export type SubscriberStatus = (typeof SUBSCRIBER_STATUSES)[number]

export const SUBSCRIBER_SOURCES = ['form', 'admin', 'import'] as const
export type SubscriberSource = (typeof SUBSCRIBER_SOURCES)[number]

/**
 * People who asked for new posts by email. Double opt-in: `pending` until the confirmation's
 * button is pressed (pending rows expire after a week). An unsubscribed row is kept, so an import
 * never signs someone up again behind their back; the author may delete it.
 */
export const subscribers = sqliteTable(
  'subscribers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Stored lower-cased and trimmed: one row per address. */
    email: text('email').notNull().unique(),
    status: text('status', { enum: SUBSCRIBER_STATUSES }).notNull().default('pending'),
    source: text('source', { enum: SUBSCRIBER_SOURCES }).notNull().default('form'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    /** When the last confirmation email was queued: another is not sent within minutes of it. */
    confirmationSentAt: integer('confirmation_sent_at', { mode: 'timestamp_ms' }),
    confirmedAt: integer('confirmed_at', { mode: 'timestamp_ms' }),
    unsubscribedAt: integer('unsubscribed_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    index('subscribers_status_idx').on(t.status, t.createdAt),
    check('subscribers_status_check', sql`${t.status} in ('pending', 'confirmed', 'unsubscribed')`),
    check('subscribers_source_check', sql`${t.source} in ('form', 'admin', 'import')`),
  ],
)

/**
 * A post as emailed: made once, when the post (ticked "Email this post") is first public. The
 * unique post id is the marker that it never goes out twice; the HTML and text are the email's,
 * composed once for every recipient (each gets their own unsubscribe link at send time).
 */
export const newsletterIssues = sqliteTable('newsletter_issues', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  postId: integer('post_id')
    .unique()
    .references(() => posts.id, { onDelete: 'set null' }),
  subject: text('subject').notNull(),
  /** How many confirmed subscribers it was queued for. */
  recipients: integer('recipients').notNull().default(0),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  html: text('html').notNull(),
  text: text('text').notNull(),
})

export type Subscriber = typeof subscribers.$inferSelect
export type NewsletterIssue = typeof newsletterIssues.$inferSelect
