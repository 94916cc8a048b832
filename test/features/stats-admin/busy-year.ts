// Owns a year of a busy blog's stats rows (about 1,000,000 views), written straight into the stats tables, for checking and measuring the admin's queries at that size.
import type { Db } from '../../../src/db/client.ts'
import { STATS_SOURCE_KIND } from '../../../src/db/schema.ts'
import { labelOf } from './seed.ts'

const REFERRERS = [
  'google.com',
  'duckduckgo.com',
  'bing.com',
  'news.ycombinator.com/item',
  'reddit.com/r/programming',
  'lobste.rs/s/abc123',
  'mastodon.social',
  'fosstodon.org',
  'hachyderm.io',
  'twitter.com',
  'linkedin.com',
  'github.com',
  'newsletter.example.com',
]

/** A small deterministic generator, so the same data comes out every time. */
function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

/**
 * 365 days ending on `lastDay` (a day number): ~2,740 views a day over 300 paths (Zipf-like: a few posts get most),
 * ~400 referrer hosts in a long tail, a handful of campaigns and feed readers.
 */
export function seedBusyYear(db: Db, lastDay: number, options: { days?: number; paths?: number } = {}) {
  const days = options.days ?? 365
  const pathCount = options.paths ?? 300
  const next = random(42)
  const paths = Array.from({ length: pathCount }, (_, i) => (i === 0 ? '/' : `/posts/post-${i}`))
  const weights = paths.map((_, i) => 1 / (i + 1))
  const total = weights.reduce((a, b) => a + b, 0)
  const sqlite = db.$client
  const label = new Map<string, number>()
  const idOf = (text: string): number => {
    const id = label.get(text) ?? labelOf(db, text)
    label.set(text, id)
    return id
  }
  const day = sqlite.prepare('insert into stats_days (day, views, visitors, bot_views) values (?, ?, ?, ?)')
  const path = sqlite.prepare(
    'insert into stats_paths (day, path_id, views, visitors, reads) values (?, ?, ?, ?, ?)',
  )
  const source = sqlite.prepare(
    `insert into stats_sources (day, path_id, kind, value_id, views) values (?, ?, ?, ?, ?)
     on conflict do update set views = views + excluded.views`,
  )
  const feed = sqlite.prepare(
    'insert into stats_feeds (day, reader, fetches, subscribers) values (?, ?, ?, ?)',
  )
  let views = 0
  sqlite.transaction(() => {
    for (let d = 0; d < days; d++) {
      const date = lastDay - d
      let dayViews = 0
      let dayVisitors = 0
      for (let p = 0; p < paths.length; p++) {
        const expected = (2740 * (weights[p] ?? 0)) / total
        const n = Math.floor(expected * (0.5 + next()))
        if (n === 0) continue
        const visitors = Math.max(1, Math.floor(n * 0.7))
        dayViews += n
        dayVisitors += visitors
        path.run(date, idOf(paths[p] ?? '/'), n, visitors, p > 0 ? Math.floor(visitors * 0.3) : 0)
        // Roughly a third of views come with a referrer; spread over known hosts and a long tail.
        const referred = Math.floor(n / 3)
        const kinds = Math.min(referred, 6)
        for (let r = 0; r < kinds; r++) {
          const host =
            next() < 0.6
              ? (REFERRERS[Math.floor(next() * REFERRERS.length)] ?? 'google.com')
              : `site-${Math.floor(next() * 400)}.example`
          source.run(
            date,
            idOf(paths[p] ?? '/'),
            STATS_SOURCE_KIND.referrer,
            idOf(host),
            Math.max(1, Math.floor(referred / kinds)),
          )
        }
        if (next() < 0.05) {
          source.run(
            date,
            idOf(paths[p] ?? '/'),
            STATS_SOURCE_KIND.campaign,
            idOf(`campaign-${Math.floor(next() * 8)}`),
            1,
          )
        }
      }
      day.run(date, dayViews, Math.floor(dayVisitors * 0.8), Math.floor(dayViews * 0.4))
      for (const reader of ['Feedly', 'Inoreader', 'NewsBlur', 'Feedbin', 'Other']) {
        feed.run(date, reader, 20 + Math.floor(next() * 50), reader === 'Other' ? 0 : 100 + d)
      }
      views += dayViews
    }
  })()
  return { views }
}
