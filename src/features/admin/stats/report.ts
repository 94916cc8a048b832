// Owns gathering the stats page's figures for a range: daily totals, top pages, referrers by group, campaigns and feed readers, with the sums over settled days kept in memory so a year costs a few ms.
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Db } from '../../../db/client.ts'
import {
  type Day,
  type DayFigures,
  type DayRange,
  daysEndingOn,
  type FeedReader,
  feedReaders,
  type PathTally,
  type SourceTally,
  siteDays,
  sumByPath,
  sumBySource,
} from '../../stats/queries.ts'
import { fediverseHosts, referrerGroup } from '../../stats/sources.ts'

/**
 * Only today and yesterday still change: the flush just after midnight (or a replica's late batch)
 * writes the last minutes of yesterday. Older days are settled, so their sums are kept in memory
 * and only the two live days are read on every view: adding up a busy year (about 100,000 page rows
 * and 130,000 source rows) takes some 60 to 75 ms of reads, SQLite's GROUP BY sorting most of it, once
 * a day per range, a week at a time; the two live days take well under 1 ms.
 */
const LIVE_DAYS = 2
/** How many pages, referrers and campaigns a settled sum keeps: far more than the page shows. */
const KEEP = 1000
/** The settled sums kept: a few ranges, each replaced by the next day's. */
const MAX_SETTLED = 6
/** Settled days are read a week at a time (a few ms each), letting other requests run in between. */
const SLICE_DAYS = 7

interface GroupTally {
  readonly group: string
  readonly views: number
}

interface Sums {
  readonly pages: readonly PathTally[]
  readonly reads: number
  readonly referrers: readonly SourceTally[]
  readonly groups: readonly GroupTally[]
  readonly campaigns: readonly SourceTally[]
}

export interface StatsReport {
  readonly range: DayRange
  readonly days: readonly DayFigures[]
  readonly totals: { views: number; visitors: number; bots: number; reads: number }
  /** Most viewed first; at most `limits.pages`. */
  readonly pages: readonly PathTally[]
  readonly referrers: readonly (SourceTally & { group: string })[]
  /** Every group with views, most first; views with no referrer are not in any. */
  readonly groups: readonly GroupTally[]
  readonly referredViews: number
  readonly campaigns: readonly SourceTally[]
  readonly feeds: readonly FeedReader[]
}

const settled = new WeakMap<Db, Map<string, Promise<Sums>>>()

function addUp<K extends string, T extends Record<K, string> & { views: number }>(
  key: K,
  lists: readonly (readonly T[])[],
  merge: (a: T, b: T) => T,
): T[] {
  const byKey = new Map<string, T>()
  for (const list of lists) {
    for (const row of list) {
      const seen = byKey.get(row[key])
      byKey.set(row[key], seen ? merge(seen, row) : row)
    }
  }
  return [...byKey.values()].sort((a, b) => b.views - a.views || (a[key] < b[key] ? -1 : 1))
}

const addPages = (lists: readonly (readonly PathTally[])[]) =>
  addUp('path', lists, (a, b) => ({
    path: a.path,
    views: a.views + b.views,
    visitors: a.visitors + b.visitors,
    reads: a.reads + b.reads,
  }))

const addSources = (lists: readonly (readonly SourceTally[])[]) =>
  addUp('value', lists, (a, b) => ({ value: a.value, views: a.views + b.views }))

/** Groups need the servers the blog's followers are on: their readers' clicks come from there. */
type Fediverse = ReadonlySet<string>

function groupsOf(referrers: readonly SourceTally[], fediverse: Fediverse): GroupTally[] {
  const rows = referrers.map((r) => ({ group: referrerGroup(r.value, fediverse), views: r.views }))
  return addUp('group', [rows], (a, b) => ({ group: a.group, views: a.views + b.views }))
}

/** The sums over `range`, read in one go: fine for the two live days. */
function sumsOver(db: Db, range: DayRange, fediverse: Fediverse): Sums {
  const pages = sumByPath(db, range)
  const referrers = sumBySource(db, 'referrer', range)
  return {
    pages,
    reads: pages.reduce((n, p) => n + p.reads, 0),
    referrers,
    groups: groupsOf(referrers, fediverse),
    campaigns: sumBySource(db, 'campaign', range),
  }
}

/** The sums over settled days, read a slice at a time with a turn of the event loop in between. */
async function settledSums(db: Db, range: DayRange, fediverse: Fediverse): Promise<Sums> {
  const pages: PathTally[][] = []
  const referrers: SourceTally[][] = []
  const campaigns: SourceTally[][] = []
  for (let from = range.from; from <= range.to; from += SLICE_DAYS) {
    const slice = { from, to: Math.min(from + SLICE_DAYS - 1, range.to) }
    pages.push(sumByPath(db, slice))
    referrers.push(sumBySource(db, 'referrer', slice))
    campaigns.push(sumBySource(db, 'campaign', slice))
    await nextTurn()
  }
  const allPages = addPages(pages)
  const allReferrers = addSources(referrers)
  return {
    pages: allPages.slice(0, KEEP),
    reads: allPages.reduce((n, p) => n + p.reads, 0),
    referrers: allReferrers.slice(0, KEEP),
    groups: groupsOf(allReferrers, fediverse),
    campaigns: addSources(campaigns).slice(0, KEEP),
  }
}

const NO_SUMS: Sums = { pages: [], reads: 0, referrers: [], groups: [], campaigns: [] }

/** Two pages opened at once share one reading; a failed reading is not kept. */
function settledFor(db: Db, range: DayRange, fediverse: Fediverse): Promise<Sums> {
  if (range.from > range.to) return Promise.resolve(NO_SUMS)
  let kept = settled.get(db)
  if (!kept) {
    kept = new Map()
    settled.set(db, kept)
  }
  const key = `${range.from} ${range.to}`
  const found = kept.get(key)
  if (found) return found
  const sums = settledSums(db, range, fediverse)
  kept.set(key, sums)
  sums.catch(() => kept.delete(key))
  // Oldest out first: yesterday's ranges are never asked for again.
  for (const old of kept.keys()) {
    if (kept.size <= MAX_SETTLED) break
    kept.delete(old)
  }
  return sums
}

/** The figures for the `days` days ending `today` (a site day), the page showing `limits` of each list. */
export async function statsReport(
  db: Db,
  today: Day,
  days: number,
  limits = { pages: 20, referrers: 20, campaigns: 10 },
): Promise<StatsReport> {
  const range = daysEndingOn(today, days)
  const firstLive = Math.max(today + 1 - LIVE_DAYS, range.from)
  const fediverse = fediverseHosts(db)
  const old = await settledFor(db, { from: range.from, to: firstLive - 1 }, fediverse)
  const live = sumsOver(db, { from: firstLive, to: today }, fediverse)
  const dayRows = siteDays(db, range)
  const referrers = addSources([old.referrers, live.referrers])
  return {
    range,
    days: dayRows,
    totals: {
      views: dayRows.reduce((n, d) => n + d.views, 0),
      visitors: dayRows.reduce((n, d) => n + d.visitors, 0),
      bots: dayRows.reduce((n, d) => n + d.bots, 0),
      reads: old.reads + live.reads,
    },
    pages: addPages([old.pages, live.pages]).slice(0, limits.pages),
    referrers: referrers
      .slice(0, limits.referrers)
      .map((r) => ({ ...r, group: referrerGroup(r.value, fediverse) })),
    groups: addUp('group', [old.groups, live.groups], (a, b) => ({
      group: a.group,
      views: a.views + b.views,
    })),
    referredViews: [...old.groups, ...live.groups].reduce((n, g) => n + g.views, 0),
    campaigns: addSources([old.campaigns, live.campaigns]).slice(0, limits.campaigns),
    feeds: feedReaders(db, range),
  }
}
