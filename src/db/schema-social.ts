// Owns the social web's tables: responses to posts (Webmention now, ActivityPub later), the mentions waiting to be checked, and blocked senders (exported again by schema.ts).
import { sql } from 'drizzle-orm'
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { posts } from './schema.ts'

export const RESPONSE_KINDS = ['reply', 'like', 'repost', 'mention'] as const
export type ResponseKind = (typeof RESPONSE_KINDS)[number]

/** Every response waits for the author: nothing a stranger sends shows on the site unapproved. */
export const RESPONSE_STATUSES = ['pending', 'approved', 'rejected', 'spam'] as const
export type ResponseStatus = (typeof RESPONSE_STATUSES)[number]

export const RESPONSE_SOURCES = ['webmention', 'activitypub', 'import'] as const
export type ResponseSource = (typeof RESPONSE_SOURCES)[number]

/**
 * What others said about a post: replies, likes, reposts and mentions, from Webmention (and later
 * ActivityPub). One row per source and post: a mention sent again updates its row.
 */
export const responses = sqliteTable(
  'responses',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    postId: integer('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    source: text('source', { enum: RESPONSE_SOURCES }).notNull(),
    /** The page (Webmention source) or object id (ActivityPub) the response lives at. */
    sourceUrl: text('source_url').notNull(),
    kind: text('kind', { enum: RESPONSE_KINDS }).notNull(),
    status: text('status', { enum: RESPONSE_STATUSES }).notNull().default('pending'),
    authorName: text('author_name').notNull().default(''),
    /** The author's own page or profile: what their name links to. Never an image: no hotlinked avatars. */
    authorUrl: text('author_url').notNull().default(''),
    /** The ActivityPub actor that sent it (only that actor may update or delete it); empty for Webmention. */
    actorId: text('actor_id').notNull().default(''),
    /** What a reply answers: the post's object or another response's `sourceUrl`; empty when it answers the post. */
    inReplyTo: text('in_reply_to').notNull().default(''),
    /** Sanitised with the posts' allowlist when received; empty for likes and reposts. */
    contentHtml: text('content_html').notNull().default(''),
    /** When the source says it was written; null when it does not say. */
    publishedAt: integer('published_at', { mode: 'timestamp_ms' }),
    spamScore: integer('spam_score').notNull().default(0),
    /** JSON array of the reasons the spam filter gave, for the author to judge. */
    spamReasons: text('spam_reasons').notNull().default('[]'),
    receivedAt: integer('received_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    uniqueIndex('responses_source_post_idx').on(t.sourceUrl, t.postId),
    // The post page reads its approved responses; the admin reads a status newest first.
    index('responses_post_idx').on(t.postId, t.status, t.receivedAt),
    index('responses_status_idx').on(t.status, t.receivedAt),
    check('responses_kind_check', sql`${t.kind} in ('reply', 'like', 'repost', 'mention')`),
    check('responses_status_check', sql`${t.status} in ('pending', 'approved', 'rejected', 'spam')`),
  ],
)

/**
 * Webmentions received and not yet checked: the endpoint answers 202 at once and a worker fetches
 * the source later, off the request path. A row stays until it is checked or gives up.
 */
export const incomingMentions = sqliteTable(
  'incoming_mentions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    sourceUrl: text('source_url').notNull(),
    targetUrl: text('target_url').notNull(),
    /** The host that sent it, for the per-host limit. */
    senderIp: text('sender_ip').notNull().default(''),
    receivedAt: integer('received_at', { mode: 'timestamp_ms' }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull(),
    lastError: text('last_error').notNull().default(''),
  },
  (t) => [
    // The same source and target sent twice before the first was checked: one check.
    uniqueIndex('incoming_mentions_pair_idx').on(t.sourceUrl, t.targetUrl),
    index('incoming_mentions_due_idx').on(t.nextAttemptAt),
  ],
)

export const BLOCK_KINDS = ['domain', 'actor'] as const
export type BlockKind = (typeof BLOCK_KINDS)[number]

/** Senders the author blocked: a whole domain (and its subdomains), or one actor or page URL. */
export const blockedSenders = sqliteTable(
  'blocked_senders',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: BLOCK_KINDS }).notNull(),
    /** A lowercase host name for a domain; an absolute URL for an actor. */
    value: text('value').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    uniqueIndex('blocked_senders_value_idx').on(t.kind, t.value),
    check('blocked_senders_kind_check', sql`${t.kind} in ('domain', 'actor')`),
  ],
)

export type Response = typeof responses.$inferSelect
export type IncomingMention = typeof incomingMentions.$inferSelect
