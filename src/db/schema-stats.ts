// Owns the built-in stats' tables: daily aggregates only, never a raw event, an IP or a full User-Agent (exported again by schema.ts).
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/*
 * Kept small on purpose (a year of a busy blog is a few MB): a day is an integer (days since
 * 1970-01-01 of the site's calendar date: see features/stats/days.ts), every path and source value
 * is stored once in stats_labels and referred to by id, and the per-day tables are WITHOUT ROWID
 * (added by hand in the migration: drizzle cannot say it), so each row is stored once, in its key's
 * order. Written only by the background flush; a request never writes here.
 */

/** Every path, referrer and campaign the stats name, once each. */
export const statsLabels = sqliteTable('stats_labels', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  text: text('text').notNull().unique(),
})

/** The whole site per day: visitors here are unique across every page, which per-path rows cannot add up to. */
export const statsDays = sqliteTable('stats_days', {
  day: integer('day').primaryKey(),
  views: integer('views').notNull().default(0),
  visitors: integer('visitors').notNull().default(0),
  /** Page views by bots, crawlers and previews: counted apart so the author sees how many there were. */
  botViews: integer('bot_views').notNull().default(0),
})

/** One page per day: views, unique visitors, and readers who reached the end of a long article. */
export const statsPaths = sqliteTable(
  'stats_paths',
  {
    day: integer('day').notNull(),
    /** The URL path as served, without its query (a stats_labels id). */
    pathId: integer('path_id').notNull(),
    views: integer('views').notNull().default(0),
    visitors: integer('visitors').notNull().default(0),
    reads: integer('reads').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.day, t.pathId] }),
    // One page's history (the editor's Readers panel) without reading every day's rows.
    index('stats_paths_path_idx').on(t.pathId, t.day),
  ],
)

/** What a stats_sources row's value is: a referrer's host (plus a path on a few aggregators), or a campaign. */
export const STATS_SOURCE_KIND = { referrer: 1, campaign: 2 } as const
export type StatsSourceKind = keyof typeof STATS_SOURCE_KIND

/** Where views came from, per page and day: a referrer or a campaign (`utm_source` / `ref`). */
export const statsSources = sqliteTable(
  'stats_sources',
  {
    day: integer('day').notNull(),
    /** STATS_SOURCE_KIND: 1 referrer, 2 campaign. */
    kind: integer('kind').notNull(),
    /** The referrer or campaign (a stats_labels id). */
    valueId: integer('value_id').notNull(),
    pathId: integer('path_id').notNull(),
    views: integer('views').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.kind, t.valueId, t.pathId] })],
)

/** Feed fetches per reader (Feedly, Inoreader, NewsBlur …) per day, with the subscriber count it reported. */
export const statsFeeds = sqliteTable(
  'stats_feeds',
  {
    day: integer('day').notNull(),
    reader: text('reader').notNull(),
    fetches: integer('fetches').notNull().default(0),
    /** The highest "N subscribers" the reader's User-Agent gave that day; 0 when it gives none. */
    subscribers: integer('subscribers').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.reader] })],
)

/**
 * Today's visitor hashes (hash of the day's salt, site, IP and User-Agent), per path and 0 for the
 * site: a visitor is counted once a day however often the server restarts. Emptied with the salt
 * at midnight, after which no hash can be linked to anyone.
 */
export const statsVisitors = sqliteTable(
  'stats_visitors',
  {
    day: integer('day').notNull(),
    hash: text('hash').notNull(),
    /** A stats_labels id, or 0 for the site as a whole. */
    pathId: integer('path_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.hash, t.pathId] })],
)

/** The current day's random salt: one row, replaced (and the old one destroyed) at midnight. */
export const statsSalt = sqliteTable('stats_salt', {
  day: integer('day').primaryKey(),
  salt: text('salt').notNull(),
})
