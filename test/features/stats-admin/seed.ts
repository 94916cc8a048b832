// Owns writing stats rows for the admin's tests straight into the tables, as the background flush would leave them: days as day numbers, paths and sources as labels.
import type { Db } from '../../../src/db/client.ts'
import { STATS_SOURCE_KIND, statsDays, statsFeeds, statsPaths, statsSources } from '../../../src/db/schema.ts'
import { getSettings } from '../../../src/features/settings/service.ts'
import { dayNumber, dayStampOf, siteDayNumber } from '../../../src/features/stats/days.ts'

/** The site's day `n` days before today (0 is today), in the settings' timezone, as `YYYY-MM-DD`. */
export const daysAgo = (db: Db, n: number): string => dayStampOf(siteDayNumber(getSettings(db).timezone) - n)

/** The stats_labels id of `text`, added when new, as the flush's label cache does. */
export function labelOf(db: Db, text: string): number {
  db.$client.prepare('insert or ignore into stats_labels (text) values (?)').run(text)
  return db.$client.prepare('select id from stats_labels where text = ?').pluck().get(text) as number
}

export interface PathDay {
  /** `YYYY-MM-DD`, the site's calendar day. */
  readonly day: string
  readonly path: string
  readonly views: number
  readonly visitors?: number
  readonly reads?: number
}

/**
 * Per-path rows, and the day rows that go with them: a day's views are its paths' views added up,
 * its visitors `siteVisitors` (default: the largest path's), as the flush writes them.
 */
export function seedPaths(
  db: Db,
  rows: readonly PathDay[],
  days: Record<string, { visitors?: number; bots?: number }> = {},
) {
  db.transaction(() => insertPaths(db, rows, days))
}

function insertPaths(
  db: Db,
  rows: readonly PathDay[],
  days: Record<string, { visitors?: number; bots?: number }>,
) {
  for (const r of rows) {
    db.insert(statsPaths)
      .values({
        day: dayNumber(r.day),
        pathId: labelOf(db, r.path),
        views: r.views,
        visitors: r.visitors ?? r.views,
        reads: r.reads ?? 0,
      })
      .run()
  }
  const byDay = new Map<string, { views: number; visitors: number }>()
  for (const r of rows) {
    const seen = byDay.get(r.day) ?? { views: 0, visitors: 0 }
    byDay.set(r.day, {
      views: seen.views + r.views,
      visitors: Math.max(seen.visitors, r.visitors ?? r.views),
    })
  }
  for (const [day, sums] of byDay) {
    db.insert(statsDays)
      .values({
        day: dayNumber(day),
        views: sums.views,
        visitors: days[day]?.visitors ?? sums.visitors,
        botViews: days[day]?.bots ?? 0,
      })
      .run()
  }
}

export function seedSource(
  db: Db,
  row: { day: string; path: string; kind: 'referrer' | 'campaign'; value: string; views: number },
) {
  db.insert(statsSources)
    .values({
      day: dayNumber(row.day),
      kind: STATS_SOURCE_KIND[row.kind],
      valueId: labelOf(db, row.value),
      pathId: labelOf(db, row.path),
      views: row.views,
    })
    .run()
}

export function seedFeed(db: Db, row: { day: string; reader: string; fetches: number; subscribers: number }) {
  db.insert(statsFeeds)
    .values({ ...row, day: dayNumber(row.day) })
    .run()
}
