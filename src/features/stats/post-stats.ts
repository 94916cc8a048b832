// Owns one post's figures for its editor: views, visitors and reads over the last 30 days and since counting began, and where its readers came from.
import type { Db } from '../../db/client.ts'
import { siteDayNumber } from './days.ts'
import { daysEndingOn, type PageFigures, pageFigures, pageSources } from './queries.ts'
import { fediverseHosts, referrerGroup } from './sources.ts'

/** How many referrers the editor lists: the few that matter for one post. */
const TOP_REFERRERS = 5

export interface PostReferrer {
  /** The host, with the path on a few aggregators (news.ycombinator.com/item …). */
  readonly value: string
  /** Search, Fediverse, Hacker News, Newsletters, Social or Other. */
  readonly group: string
  readonly views: number
}

export interface PostStats {
  readonly last30Days: PageFigures
  readonly allTime: PageFigures
  /** Over the last 30 days, most first. */
  readonly referrers: readonly PostReferrer[]
}

/** `path` is the post's address as counted (postUrl(slug)); days are the site's (`timeZone`). */
export function postStats(db: Db, path: string, now: Date, timeZone: string): PostStats {
  const today = siteDayNumber(timeZone, now)
  const month = daysEndingOn(today, 30)
  const referrers = pageSources(db, path, 'referrer', month, TOP_REFERRERS)
  const fediverse = referrers.length > 0 ? fediverseHosts(db) : undefined
  return {
    last30Days: pageFigures(db, path, month),
    allTime: pageFigures(db, path, { to: today }),
    referrers: referrers.map((r) => ({ ...r, group: referrerGroup(r.value, fediverse) })),
  }
}
