// Owns the tables of moving in from another blog: what each import brought in (so a second run changes nothing) and the old URLs that answer 301 (exported again by schema.ts).
import { sql } from 'drizzle-orm'
import { check, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { pages, posts } from './schema.ts'

export const IMPORTED_KINDS = ['post', 'page', 'comment', 'media'] as const
export type ImportedKind = (typeof IMPORTED_KINDS)[number]

/**
 * One row per thing an import created, keyed by where it came from: `source` names the old site
 * ("wordpress https://old.example", "ghost https://old.example"), `sourceId` its id there. A second
 * import of the same file finds every item here and changes nothing.
 */
export const importedItems = sqliteTable(
  'imported_items',
  {
    source: text('source').notNull(),
    kind: text('kind', { enum: IMPORTED_KINDS }).notNull(),
    sourceId: text('source_id').notNull(),
    /** The Folio row it became: a post, page, response or media id (by kind). */
    targetId: integer('target_id').notNull(),
    importedAt: integer('imported_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.source, t.kind, t.sourceId] }),
    check('imported_items_kind_check', sql`${t.kind} in ('post', 'page', 'comment', 'media')`),
  ],
)

/**
 * Old URLs that answer 301 (an imported blog's `/?p=123`, `/2019/03/slug/`, `/category/x/`, its
 * feeds…). `fromPath` is the path (with its query for `?p=` shapes), without a trailing slash. A
 * post or page target is followed at request time, so a later rename still lands and a draft
 * stays hidden; otherwise `toPath` is a fixed Folio path (a tag, a feed, the home page).
 */
export const redirects = sqliteTable(
  'redirects',
  {
    fromPath: text('from_path').primaryKey(),
    postId: integer('post_id').references(() => posts.id, { onDelete: 'cascade' }),
    pageId: integer('page_id').references(() => pages.id, { onDelete: 'cascade' }),
    toPath: text('to_path').notNull().default(''),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('redirects_post_idx').on(t.postId), index('redirects_page_idx').on(t.pageId)],
)

export type Redirect = typeof redirects.$inferSelect
