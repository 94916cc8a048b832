// Owns ActivityPub's tables: the blog actor's key pair, its followers, the delivery queue, and what each post last told the social web (exported again by schema.ts).
import { sql } from 'drizzle-orm'
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/**
 * The blog actor's RSA key pair, made once. One row (id 1). `createdAt` is also when the blog
 * joined the social web: posts published before it are never sent (no backfill storm).
 */
export const federationKeys = sqliteTable(
  'federation_keys',
  {
    id: integer('id').primaryKey(),
    publicKeyPem: text('public_key_pem').notNull(),
    /** Never logged, never shown; a plain backup carries it (the README says so). */
    privateKeyPem: text('private_key_pem').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    /** A hash of the actor document followers were last sent (an Update follows a new name or handle). */
    actorVersion: text('actor_version').notNull().default(''),
  },
  (t) => [check('federation_keys_one_row', sql`${t.id} = 1`)],
)

export const FOLLOWER_STATUSES = ['pending', 'accepted'] as const
export type FollowerStatus = (typeof FOLLOWER_STATUSES)[number]

/** Fediverse accounts that follow the blog; `pending` ones wait for the author (manual approval). */
export const followers = sqliteTable(
  'followers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** The follower's actor id. */
    actorId: text('actor_id').notNull(),
    inboxUrl: text('inbox_url').notNull(),
    /** Their server's shared inbox, when it has one: one delivery per server, not per follower. */
    sharedInboxUrl: text('shared_inbox_url').notNull().default(''),
    /** `@name@host`, as people write it. */
    handle: text('handle').notNull().default(''),
    name: text('name').notNull().default(''),
    /** Their profile page (the actor's `url`), what the admin links to. */
    profileUrl: text('profile_url').notNull().default(''),
    /** The Follow activity's id: an Accept or Reject names it. */
    followActivityId: text('follow_activity_id').notNull().default(''),
    status: text('status', { enum: FOLLOWER_STATUSES }).notNull().default('accepted'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    uniqueIndex('followers_actor_idx').on(t.actorId),
    index('followers_status_idx').on(t.status, t.createdAt),
    check('followers_status_check', sql`${t.status} in ('pending', 'accepted')`),
  ],
)

/**
 * Activities waiting to be delivered, one row per activity and inbox (a shared inbox once). Written
 * in the same transaction as whatever caused it, so a `kill -9` loses none; a worker sends them.
 */
export const deliveries = sqliteTable(
  'deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    inboxUrl: text('inbox_url').notNull(),
    activityId: text('activity_id').notNull(),
    /** The activity's JSON, exactly as it will be sent; signed at sending time. */
    body: text('body').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull(),
    lastError: text('last_error').notNull().default(''),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    uniqueIndex('deliveries_activity_inbox_idx').on(t.activityId, t.inboxUrl),
    index('deliveries_due_idx').on(t.nextAttemptAt),
  ],
)

export const SYNDICATION_STATES = ['live', 'deleted'] as const
export type SyndicationState = (typeof SYNDICATION_STATES)[number]

/**
 * What the social web was last told about each post published since `federation_keys.created_at`:
 * the version of its public form that was sent (Create, then Update when it changes), and the
 * external links it last sent Webmentions to. No foreign key: a deleted post's row is what says
 * a Delete (and the Webmentions' re-sending) is still owed.
 */
export const syndicatedPosts = sqliteTable(
  'syndicated_posts',
  {
    postId: integer('post_id').primaryKey(),
    /** A hash of everything the post's public form shows; a new one means an Update is owed. */
    version: text('version').notNull(),
    state: text('state', { enum: SYNDICATION_STATES }).notNull().default('live'),
    /**
     * How many times the post was deleted from the fediverse and sent again. Servers keep a
     * tombstone for a deleted object and ignore a later Create of the same id, so a post that is
     * unpublished and published again comes back as a new object (`/ap/posts/:id/:generation`).
     */
    generation: integer('generation').notNull().default(0),
    /** JSON array of the absolute URLs the post linked to when Webmentions were last sent. */
    linkTargets: text('link_targets').notNull().default('[]'),
    /** The post's address when Webmentions were last sent: once a post is deleted its slug is gone, yet its targets are still owed one. */
    sourceUrl: text('source_url').notNull().default(''),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [check('syndicated_posts_state_check', sql`${t.state} in ('live', 'deleted')`)],
)

/** Webmentions this site owes other sites: the endpoint is discovered and the mention sent off the request path. */
export const outgoingWebmentions = sqliteTable(
  'outgoing_webmentions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    sourceUrl: text('source_url').notNull(),
    targetUrl: text('target_url').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull(),
    lastError: text('last_error').notNull().default(''),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    uniqueIndex('outgoing_webmentions_pair_idx').on(t.sourceUrl, t.targetUrl),
    index('outgoing_webmentions_due_idx').on(t.nextAttemptAt),
  ],
)

export type Follower = typeof followers.$inferSelect
export type Delivery = typeof deliveries.$inferSelect
export type SyndicatedPost = typeof syndicatedPosts.$inferSelect
export type OutgoingWebmention = typeof outgoingWebmentions.$inferSelect
