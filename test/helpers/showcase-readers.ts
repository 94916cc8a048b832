// Owns the showcase's readers: subscribers in every state and a month of stats, so the browser tests see full pages.
import type { Db } from '../../src/db/client.ts'
import { STATS_SOURCE_KIND, subscribers } from '../../src/db/schema.ts'
import { confirmToken, newsletterSecret, unsubscribeToken } from '../../src/features/newsletter/tokens.ts'
import { siteDayNumber } from '../../src/features/stats/days.ts'

/** A mail server address nothing listens on: SMTP is configured (so the subscribe form shows) but nothing is due. */
export const SHOWCASE_SMTP_URL = 'smtp://127.0.0.1:9'

const DAY_MS = 24 * 60 * 60 * 1000

/** Subscribers (confirmed, pending, unsubscribed) and 30 days of counts over `paths`; returns a subscriber's links. */
export function seedReaders(db: Db, paths: readonly string[], now = new Date()) {
  const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY_MS)
  const rows = [
    { email: 'ada@example.com', status: 'confirmed' as const, createdAt: at(40), confirmedAt: at(40) },
    { email: 'grace@example.com', status: 'confirmed' as const, createdAt: at(3), confirmedAt: at(3) },
    { email: 'lin@example.com', status: 'pending' as const, createdAt: at(1), confirmationSentAt: at(1) },
    {
      email: 'ola@example.com',
      status: 'unsubscribed' as const,
      createdAt: at(90),
      confirmedAt: at(90),
      unsubscribedAt: at(10),
    },
  ]
  const ids = rows.map((row) => db.insert(subscribers).values(row).returning().get().id)

  const sql = db.$client
  const label = sql.prepare('insert into stats_labels (text) values (?) returning id').pluck()
  const pathIds = paths.map((path) => label.get(path) as number)
  const referrers = ['news.ycombinator.com/item', 'mastodon.social', 'www.google.com', 'lobste.rs'].map(
    (host) => label.get(host) as number,
  )
  const campaign = label.get('newsletter') as number
  const today = siteDayNumber('UTC', now)
  const day = sql.prepare('insert into stats_days (day, views, visitors, bot_views) values (?, ?, ?, ?)')
  const page = sql.prepare(
    'insert into stats_paths (day, path_id, views, visitors, reads) values (?, ?, ?, ?, ?)',
  )
  const source = sql.prepare(
    'insert into stats_sources (day, kind, value_id, path_id, views) values (?, ?, ?, ?, ?)',
  )
  const feed = sql.prepare('insert into stats_feeds (day, reader, fetches, subscribers) values (?, ?, ?, ?)')
  sql.transaction(() => {
    for (let ago = 29; ago >= 0; ago--) {
      const d = today - ago
      // A weekly rhythm with a spike when a post reached Hacker News.
      const base = 40 + ((d * 7) % 23) + (ago === 12 ? 400 : 0)
      day.run(d, base * 3, base, 15 + (d % 9))
      pathIds.forEach((id, i) => {
        const views = Math.max(1, Math.round((base * 3) / (i + 2)))
        page.run(d, id, views, Math.max(1, Math.round(views / 3)), i === 0 ? Math.round(views / 5) : 0)
        source.run(d, STATS_SOURCE_KIND.referrer, referrers[i % referrers.length], id, Math.ceil(views / 4))
      })
      source.run(d, STATS_SOURCE_KIND.campaign, campaign, pathIds[0], 5)
      feed.run(d, 'Feedly', 24, 120 + ago)
      feed.run(d, 'NetNewsWire', 12, 0)
    }
  })()

  const secret = newsletterSecret(db)
  const pending = ids[2] ?? 0
  const confirmed = ids[0] ?? 0
  return {
    confirmPath: `/subscribe/confirm?token=${encodeURIComponent(confirmToken(secret, pending, now.getTime()))}`,
    unsubscribePath: `/unsubscribe?token=${encodeURIComponent(unsubscribeToken(secret, confirmed))}`,
  }
}
