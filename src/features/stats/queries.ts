// Owns reading the stats tables for a range of site days: daily totals, sums per page and per source, feed readers, one page's figures, and one day's page rows for an export. Read-only.
import type { Db } from '../../db/client.ts'
import { STATS_SOURCE_KIND, type StatsSourceKind } from '../../db/schema.ts'

/** A site calendar day as the stats tables key it: a day number (features/stats/days.ts). */
export type Day = number

/** An inclusive range of site days. */
export interface DayRange {
  readonly from: Day
  readonly to: Day
}

/** The `days` days ending with `lastDay`, `lastDay` included. */
export const daysEndingOn = (lastDay: Day, days: number): DayRange => ({
  from: lastDay - (days - 1),
  to: lastDay,
})

export interface DayFigures {
  readonly day: Day
  readonly views: number
  readonly visitors: number
  readonly bots: number
}

/** The whole site per day, every day of the range (a day nobody came is zeros), oldest first. */
export function siteDays(db: Db, range: DayRange): DayFigures[] {
  const rows = db.$client
    .prepare(
      'select day, views, visitors, bot_views as bots from stats_days where day between ? and ? order by day',
    )
    .all(range.from, range.to) as DayFigures[]
  const byDay = new Map(rows.map((r) => [r.day, r]))
  const list: DayFigures[] = []
  for (let day = range.from; day <= range.to; day++) {
    list.push(byDay.get(day) ?? { day, views: 0, visitors: 0, bots: 0 })
  }
  return list
}

export interface PageFigures {
  readonly views: number
  /** Each day's unique visitors added up: a reader who came on three days counts three times. */
  readonly visitors: number
  /** Readers who reached the end of the article (long articles only). */
  readonly reads: number
}

export interface PathTally extends PageFigures {
  readonly path: string
}

/** Views, visitors and reads per page over the range, most viewed first: summed by id, named after. */
export function sumByPath(db: Db, range: DayRange): PathTally[] {
  return db.$client
    .prepare(
      `select l.text as path, s.views, s.visitors, s.reads
       from (select path_id, sum(views) as views, sum(visitors) as visitors, sum(reads) as reads
             from stats_paths where day between ? and ? group by path_id) s
       join stats_labels l on l.id = s.path_id
       order by s.views desc, l.text`,
    )
    .all(range.from, range.to) as PathTally[]
}

export interface SourceTally {
  readonly value: string
  readonly views: number
}

/** Views per referrer (or campaign) over the range, every page together, most first. */
export function sumBySource(db: Db, kind: StatsSourceKind, range: DayRange): SourceTally[] {
  return db.$client
    .prepare(
      `select l.text as value, s.views
       from (select value_id, sum(views) as views from stats_sources
             where day between ? and ? and kind = ? group by value_id) s
       join stats_labels l on l.id = s.value_id
       order by s.views desc, l.text`,
    )
    .all(range.from, range.to, STATS_SOURCE_KIND[kind]) as SourceTally[]
}

export interface FeedReader {
  readonly reader: string
  readonly fetches: number
  /** What the reader reported on the last day it fetched within the range (0: it reports none). */
  readonly subscribers: number
  readonly lastDay: Day
}

/** Feed readers over the range, those reporting the most subscribers first. */
export function feedReaders(db: Db, range: DayRange): FeedReader[] {
  // With a single max(), SQLite takes the bare `subscribers` from the row holding that max: the latest day's figure.
  const rows = db.$client
    .prepare(
      `select reader, sum(fetches) as fetches, max(day) as lastDay, subscribers
       from stats_feeds where day between ? and ? group by reader`,
    )
    .all(range.from, range.to) as FeedReader[]
  return rows.sort(
    (a, b) => b.subscribers - a.subscribers || b.fetches - a.fetches || a.reader.localeCompare(b.reader),
  )
}

/** A path's label id, or undefined when it was never counted. */
const labelId = (db: Db, text: string): number | undefined =>
  db.$client.prepare('select id from stats_labels where text = ?').pluck().get(text) as number | undefined

const NOTHING: PageFigures = { views: 0, visitors: 0, reads: 0 }

/** One page's figures over the range, or since counting began when `from` is omitted: along the (path_id, day) index. */
export function pageFigures(db: Db, path: string, range: { from?: Day; to: Day }): PageFigures {
  const id = labelId(db, path)
  if (id === undefined) return NOTHING
  return db.$client
    .prepare(
      `select coalesce(sum(views), 0) as views, coalesce(sum(visitors), 0) as visitors,
       coalesce(sum(reads), 0) as reads from stats_paths where path_id = ? and day between ? and ?`,
    )
    .get(id, range.from ?? Number.MIN_SAFE_INTEGER, range.to) as PageFigures
}

/** One page's referrers (or campaigns) over the range, most first. */
export function pageSources(
  db: Db,
  path: string,
  kind: StatsSourceKind,
  range: DayRange,
  limit: number,
): SourceTally[] {
  const id = labelId(db, path)
  if (id === undefined) return []
  return db.$client
    .prepare(
      `select l.text as value, s.views
       from (select value_id, sum(views) as views from stats_sources
             where day between ? and ? and kind = ? and path_id = ? group by value_id) s
       join stats_labels l on l.id = s.value_id
       order by s.views desc, l.text limit ?`,
    )
    .all(range.from, range.to, STATS_SOURCE_KIND[kind], id, limit) as SourceTally[]
}

/**
 * One day's pages in path order, at most `limit` after the path `after`: an export walks a range a
 * day and a slice at a time. CROSS JOIN keeps SQLite on the day's own rows (the primary key's
 * prefix) rather than walking every label ever stored in text order.
 */
export function pathRowsOn(db: Db, day: Day, after: string | null, limit: number): PathTally[] {
  return db.$client
    .prepare(
      `select l.text as path, p.views, p.visitors, p.reads
       from stats_paths p cross join stats_labels l on l.id = p.path_id
       where p.day = ? and l.text > ? order by l.text limit ?`,
    )
    .all(day, after ?? '', limit) as PathTally[]
}

/** Whether anything was ever counted: the stats page explains how counting starts when not. */
export const hasAnyStats = (db: Db): boolean =>
  db.$client
    .prepare('select exists (select 1 from stats_days) or exists (select 1 from stats_feeds)')
    .pluck()
    .get() === 1
