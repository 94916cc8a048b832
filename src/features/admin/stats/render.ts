// Owns the stats pages' view models: the range tabs, totals, chart, daily table and top lists, the empty state, the refused range, and the editor's per-post panel.
import { ADMIN_STATS_URL, isSitePath } from '../../../lib/urls.ts'
import { dailyChart, formatNumber, longDay } from '../../stats/chart.ts'
import { dayStampOf } from '../../stats/days.ts'
import type { PostStats } from '../../stats/post-stats.ts'
import type { Day, PageFigures } from '../../stats/queries.ts'
import { carriesReadMark, READ_MARK_MINUTES } from '../../stats/read-mark.ts'
import type { CountedContent } from './content.ts'
import { DEFAULT_RANGE, STATS_RANGES, type StatsRange } from './forms.ts'
import type { StatsReport } from './report.ts'

/** The stats page for a range; the default range has the plain address. */
export const statsUrl = (range: StatsRange = DEFAULT_RANGE): string =>
  range === DEFAULT_RANGE ? ADMIN_STATS_URL : `${ADMIN_STATS_URL}?range=${range.days}`

export const statsCsvUrl = (range: StatsRange): string => `${ADMIN_STATS_URL}.csv?range=${range.days}`

/** "stats-last-30-days-2026-06-30.csv": what the download is saved as, dated with its last day. */
export const statsCsvFileName = (range: StatsRange, lastDay: Day): string =>
  `stats-${range.label.toLowerCase().replace(/\s+/g, '-')}-${dayStampOf(lastDay)}.csv`

const tabs = (current: StatsRange | null) =>
  STATS_RANGES.map((r) => ({ label: r.tab, url: statsUrl(r), current: r === current }))

/** A share of a whole as "42%", or "" when there is no whole. */
const share = (part: number, whole: number): string =>
  whole > 0 ? `${Math.round((part / whole) * 100)}%` : ''

/**
 * Ends reached as a share of views, as "42% of views". Never over 100%: a read is not tied to a
 * view (a reader may scroll to the end twice, or get the page from a cache).
 */
const readShare = (reads: number, views: number): string =>
  views > 0 ? `${Math.min(100, Math.round((reads / views) * 100))}% of views` : ''

function pageRow(page: StatsReport['pages'][number], content: CountedContent | undefined) {
  const countsReads = content?.countsReads ?? false
  return {
    path: page.path,
    title: content?.title ?? (page.path === '/' ? 'Home' : ''),
    url: isSitePath(page.path) ? page.path : null,
    editUrl: content?.editUrl ?? null,
    views: formatNumber(page.views),
    visitors: formatNumber(page.visitors),
    reads: countsReads ? formatNumber(page.reads) : '',
    readShare: countsReads ? readShare(page.reads, page.views) : '',
  }
}

export interface StatsPageOptions {
  readonly range: StatsRange
  readonly content: ReadonlyMap<string, CountedContent>
  /** Nothing was ever counted: the page explains how counting starts. */
  readonly neverCounted: boolean
  /** Counting by the CSS beacon (Settings) rather than on the server. */
  readonly beacon: boolean
}

export function statsPageView(report: StatsReport, options: StatsPageOptions) {
  const { range } = options
  const { totals } = report
  const empty = totals.views === 0 && totals.bots === 0 && report.feeds.length === 0
  const unreferred = Math.max(0, totals.views - report.referredViews)
  const feedSubscribers = report.feeds.reduce((n, f) => n + f.subscribers, 0)
  return {
    title: 'Stats',
    section: 'stats',
    heading: range.label,
    tabs: tabs(range),
    csvUrl: statsCsvUrl(range),
    empty,
    neverCounted: options.neverCounted,
    beacon: options.beacon,
    span: `${longDay(report.range.from)} to ${longDay(report.range.to)}`,
    totals: [
      {
        label: 'Visitors',
        value: formatNumber(totals.visitors),
        note: 'each day’s unique visitors, added up',
      },
      { label: 'Page views', value: formatNumber(totals.views), note: 'by people, not bots' },
      {
        label: 'Reached the end',
        value: formatNumber(totals.reads),
        note: `times a reader got to the end (or near it) of an article of ${READ_MARK_MINUTES} minutes or more`,
      },
      { label: 'Bots', value: formatNumber(totals.bots), note: 'crawlers and link previews, counted apart' },
    ],
    readMarkMinutes: READ_MARK_MINUTES,
    chart: dailyChart(report.days),
    // Newest first: the days the author asks about most come before a year of history.
    daily: [...report.days].reverse().map((d) => ({
      day: dayStampOf(d.day),
      label: longDay(d.day),
      views: formatNumber(d.views),
      visitors: formatNumber(d.visitors),
      bots: formatNumber(d.bots),
    })),
    pages: report.pages.map((p) => pageRow(p, options.content.get(p.path))),
    groups: [
      ...report.groups.map((g) => ({
        label: g.group,
        views: formatNumber(g.views),
        share: share(g.views, totals.views),
      })),
      ...(unreferred > 0
        ? [
            {
              label: 'No referrer (typed, bookmarked, from an app, or hidden by the browser)',
              views: formatNumber(unreferred),
              share: share(unreferred, totals.views),
            },
          ]
        : []),
    ],
    referrers: report.referrers.map((r) => ({
      value: r.value,
      group: r.group,
      views: formatNumber(r.views),
    })),
    campaigns: report.campaigns.map((c) => ({ value: c.value, views: formatNumber(c.views) })),
    feeds: report.feeds.map((f) => ({
      reader: f.reader,
      fetches: formatNumber(f.fetches),
      subscribers: f.subscribers > 0 ? formatNumber(f.subscribers) : '',
    })),
    feedSubscribers: feedSubscribers > 0 ? formatNumber(feedSubscribers) : '',
  }
}

export type StatsPageView = ReturnType<typeof statsPageView>

/** A range the page does not show: what was asked, why not, and the ranges it does show. */
export const badRangeView = (given: string, error: string) => ({
  title: 'No such range',
  section: 'stats',
  given,
  error,
  tabs: tabs(null),
})

const figures = (f: PageFigures, countsReads: boolean) => ({
  views: formatNumber(f.views),
  visitors: formatNumber(f.visitors),
  reads: countsReads ? formatNumber(f.reads) : '',
  readShare: countsReads ? readShare(f.reads, f.views) : '',
})

/**
 * The editor's "Readers" panel for a post (views/admin/posts/stats-panel.eta, as `it.readers`);
 * null for a post that was never public, which has nothing to show.
 */
export function postStatsPanel(
  stats: PostStats,
  post: { kind: string; readingMinutes: number; isPublic: boolean },
) {
  if (!post.isPublic && stats.allTime.views === 0) return null
  const countsReads = carriesReadMark(post)
  return {
    last30Days: figures(stats.last30Days, countsReads),
    allTime: figures(stats.allTime, countsReads),
    countsReads,
    readMarkMinutes: READ_MARK_MINUTES,
    referrers: stats.referrers.map((r) => ({ value: r.value, group: r.group, views: formatNumber(r.views) })),
    statsUrl: statsUrl(),
  }
}

export type PostStatsPanel = NonNullable<ReturnType<typeof postStatsPanel>>
