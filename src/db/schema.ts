// Owns every table of Folio's SQLite database; drizzle-kit generates migrations/ from this file.
import { sql } from 'drizzle-orm'
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

export const POST_KINDS = ['article', 'link'] as const
export const POST_STATUSES = ['draft', 'published', 'scheduled'] as const
export const PAGE_STATUSES = ['draft', 'published'] as const

export type PostKind = (typeof POST_KINDS)[number]
export type PostStatus = (typeof POST_STATUSES)[number]
export type PageStatus = (typeof PAGE_STATUSES)[number]

const timestamps = {
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
}

export const series = sqliteTable('series', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  slug: text('slug').notNull().unique(),
  title: text('title').notNull(),
  descriptionMd: text('description_md').notNull().default(''),
  descriptionHtml: text('description_html').notNull().default(''),
  ...timestamps,
})

export const posts = sqliteTable(
  'posts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: POST_KINDS }).notNull().default('article'),
    title: text('title').notNull(),
    slug: text('slug').notNull().unique(),
    linkUrl: text('link_url'),
    status: text('status', { enum: POST_STATUSES }).notNull().default('draft'),
    /** When the post is (or will be) public; null for a draft that was never given a date. */
    publishedAt: integer('published_at', { mode: 'timestamp_ms' }),
    metaDescription: text('meta_description').notNull().default(''),
    readingMinutes: integer('reading_minutes').notNull().default(1),
    seriesId: integer('series_id').references(() => series.id, { onDelete: 'set null' }),
    seriesPart: integer('series_part'),
    /** The picture at the top of the article and in link previews; none: the generated social card. */
    featureImageId: integer('feature_image_id').references(() => media.id, { onDelete: 'set null' }),
    /** Goes up with every save from the editor, so a save based on an older version is caught. */
    version: integer('version').notNull().default(1),
    /** "Email this post to subscribers": sent once, when the post is first public (see newsletter_issues). */
    sendNewsletter: integer('send_newsletter', { mode: 'boolean' }).notNull().default(false),
    ...timestamps,
    // Large columns last: SQLite keeps them in overflow pages, and reading the small columns
    // above (status, dates, slug) then never has to walk those pages.
    /** True when the list excerpt is shorter than the post, so lists offer "Read more". */
    hasMore: integer('has_more', { mode: 'boolean' }).notNull().default(false),
    /** What lists show: the manual excerpt, the part before <!--more-->, or the first paragraph. */
    excerptHtml: text('excerpt_html').notNull().default(''),
    quoteHtml: text('quote_html').notNull().default(''),
    /** The author's excerpt as Markdown; empty means "derive it from the body". */
    excerptMd: text('excerpt_md').notNull().default(''),
    quoteMd: text('quote_md').notNull().default(''),
    bodyHtml: text('body_html').notNull().default(''),
    bodyMd: text('body_md').notNull().default(''),
  },
  (t) => [
    index('posts_visibility_idx').on(t.status, t.publishedAt),
    // Lists filter and order by these two columns alone; a partial index answers them without
    // reading rows, whose large Markdown/HTML columns sit in overflow pages.
    index('posts_public_idx').on(t.publishedAt, t.id).where(sql`${t.status} != 'draft'`),
    index('posts_series_idx').on(t.seriesId, t.seriesPart),
    index('posts_feature_image_idx').on(t.featureImageId),
    check('posts_kind_check', sql`${t.kind} in ('article', 'link')`),
    check('posts_status_check', sql`${t.status} in ('draft', 'published', 'scheduled')`),
  ],
)

/** Old slugs of renamed posts, so that links people shared keep working. */
export const postRedirects = sqliteTable('post_redirects', {
  oldSlug: text('old_slug').primaryKey(),
  postId: integer('post_id')
    .notNull()
    .references(() => posts.id, { onDelete: 'cascade' }),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
})

export const tags = sqliteTable('tags', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
})

export const postTags = sqliteTable(
  'post_tags',
  {
    postId: integer('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    tagId: integer('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.postId, t.tagId] }), index('post_tags_tag_idx').on(t.tagId, t.postId)],
)

export const pages = sqliteTable(
  'pages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    title: text('title').notNull(),
    slug: text('slug').notNull(),
    bodyMd: text('body_md').notNull().default(''),
    bodyHtml: text('body_html').notNull().default(''),
    status: text('status', { enum: PAGE_STATUSES }).notNull().default('draft'),
    metaDescription: text('meta_description').notNull().default(''),
    /** Position in the site navigation; null keeps the page out of it. */
    navOrder: integer('nav_order'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('pages_slug_unique').on(t.slug),
    check('pages_status_check', sql`${t.status} in ('draft', 'published')`),
  ],
)

/** Site settings as key/value rows; src/features/settings validates and fills defaults. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
})

export type Post = typeof posts.$inferSelect
export type Page = typeof pages.$inferSelect
export type Tag = typeof tags.$inferSelect
export type Series = typeof series.$inferSelect

export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** Stored lower-cased, so sign-in is case-insensitive. */
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  passwordChangedAt: integer('password_changed_at', { mode: 'timestamp_ms' }).notNull(),
  /** The last successful sign-in: failed attempts before it no longer slow the account down. */
  lastSignInAt: integer('last_sign_in_at', { mode: 'timestamp_ms' }),
  ...timestamps,
})

/** Signed-in browsers. Only the SHA-256 of the cookie's token is stored. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    tokenHash: text('token_hash').notNull().unique(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    /** Moved only by state-changing requests: GET never writes. */
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    userAgent: text('user_agent').notNull().default(''),
    ip: text('ip').notNull().default(''),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
)

/** The first-run setup link; only its hash is kept, and it works once. */
export const setupTokens = sqliteTable('setup_tokens', {
  tokenHash: text('token_hash').primaryKey(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
})

/** Failed sign-ins, for throttling by IP and by account; kept in the database so a restart forgets nothing. */
export const loginFailures = sqliteTable(
  'login_failures',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    ip: text('ip').notNull(),
    email: text('email').notNull(),
    /** What was wrong: a password, or a second-factor code (codes also have an hourly cap of their own). */
    kind: text('kind', { enum: ['password', 'code'] })
      .notNull()
      .default('password'),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('login_failures_ip_idx').on(t.ip, t.at), index('login_failures_email_idx').on(t.email, t.at)],
)

/** Every saved version of a post, newest last, so the author can compare and restore. */
export const postRevisions = sqliteTable(
  'post_revisions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    postId: integer('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    slug: text('slug').notNull(),
    kind: text('kind', { enum: POST_KINDS }).notNull(),
    status: text('status', { enum: POST_STATUSES }).notNull(),
    publishedAt: integer('published_at', { mode: 'timestamp_ms' }),
    linkUrl: text('link_url'),
    tags: text('tags').notNull().default(''),
    series: text('series').notNull().default(''),
    seriesPart: integer('series_part'),
    metaDescription: text('meta_description').notNull().default(''),
    excerptMd: text('excerpt_md').notNull().default(''),
    quoteMd: text('quote_md').notNull().default(''),
    bodyMd: text('body_md').notNull().default(''),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('post_revisions_post_idx').on(t.postId, t.id)],
)

/**
 * The editor's autosave slot: the author's latest unsaved fields beside a post, never its content.
 * A save from the editor clears it.
 */
export const postAutosaves = sqliteTable('post_autosaves', {
  postId: integer('post_id')
    .primaryKey()
    .references(() => posts.id, { onDelete: 'cascade' }),
  /** The editor's fields as typed: a JSON object of strings keyed by the form's field names. */
  fields: text('fields').notNull(),
  /** The post's version the typed text started from. */
  baseVersion: integer('base_version').notNull(),
  savedAt: integer('saved_at', { mode: 'timestamp_ms' }).notNull(),
})

/** Application secrets generated on first start (the cookie-signing key). */
export const secrets = sqliteTable('secrets', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
})

export type User = typeof users.$inferSelect
export type Session = typeof sessions.$inferSelect

/** Uploaded images. Files live in MEDIA_DIR, named by content hash; `variants` lists the resized copies. */
export const media = sqliteTable('media', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** The original's stored file name, e.g. "3f2a9c1b7d-screenshot.png". */
  fileName: text('file_name').notNull().unique(),
  originalName: text('original_name').notNull(),
  mimeType: text('mime_type').notNull(),
  width: integer('width').notNull(),
  height: integer('height').notNull(),
  bytes: integer('bytes').notNull(),
  alt: text('alt').notNull().default(''),
  /** JSON array of { width, height, format, fileName } for the srcset copies. */
  variants: text('variants').notNull().default('[]'),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
})

export type Media = typeof media.$inferSelect

// Passkeys, the TOTP second factor, recovery codes, sign-in challenges and the security log.
export * from './schema-auth.ts'
// ActivityPub: the actor's keys, followers, the delivery queue; what each post last told the social web.
export * from './schema-federation.ts'
// Imports from WordPress and Ghost: what each brought in, and the old URLs that redirect.
export * from './schema-imports.ts'
// The inbox's tables (messages, the outbox, replies) live beside this file; migrations see them through this export.
export * from './schema-inbox.ts'
// The newsletter: subscribers and the issues emailed to them.
export * from './schema-newsletter.ts'
// Responses from the social web, the mentions waiting to be checked, blocked senders.
export * from './schema-social.ts'
// The built-in stats: daily aggregates, today's visitor hashes and salt.
export * from './schema-stats.ts'
