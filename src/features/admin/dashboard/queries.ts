// Owns what the dashboard reads: drafts in progress, scheduled posts, the latest published and how many there are, the inbox's news, the followers, and the readers (last week's visits, subscribers).
import { asc, count, desc } from 'drizzle-orm'
import type { Db } from '../../../db/client.ts'
import { posts } from '../../../db/schema.ts'
import { isDraftPost, isPublicPost, isScheduledPost } from '../../content/visibility.ts'
import { folderCounts, newestUnread } from '../../inbox/queries.ts'
import { subscriberSummary } from '../../newsletter/summary.ts'
import { siteDayNumber } from '../../stats/days.ts'
import { daysEndingOn, siteDays } from '../../stats/queries.ts'
import { followerCounts } from '../followers/queries.ts'

export function dashboardPosts(db: Db, now = new Date()) {
  const drafts = db
    .select({ id: posts.id, title: posts.title, updatedAt: posts.updatedAt })
    .from(posts)
    .where(isDraftPost())
    .orderBy(desc(posts.updatedAt))
    .limit(10)
    .all()
  const scheduled = db
    .select({ id: posts.id, title: posts.title, publishedAt: posts.publishedAt })
    .from(posts)
    .where(isScheduledPost(now))
    .orderBy(asc(posts.publishedAt))
    .limit(10)
    .all()
  const recent = db
    .select({ id: posts.id, title: posts.title, slug: posts.slug, publishedAt: posts.publishedAt })
    .from(posts)
    .where(isPublicPost(now))
    .orderBy(desc(posts.publishedAt))
    .limit(5)
    .all()
  const published = db.select({ n: count() }).from(posts).where(isPublicPost(now)).get()?.n ?? 0
  return { drafts, scheduled, recent, published }
}

export type DashboardPosts = ReturnType<typeof dashboardPosts>

/** The newest unread messages, how many are unread in all, and how many sit in Spam. */
export function dashboardInbox(db: Db) {
  const counts = folderCounts(db)
  return { latest: newestUnread(db, 5), unread: counts.inbox.unread, spam: counts.spam.total }
}

export type DashboardInbox = ReturnType<typeof dashboardInbox>

/** How many follow the blog, and how many wait for the author's approval. */
export const dashboardFollowers = (db: Db) => followerCounts(db)

export type DashboardFollowers = ReturnType<typeof dashboardFollowers>

/** Visitors and page views over the last 7 site days (today included), and the subscribers. */
export function dashboardReaders(db: Db, timeZone: string, now = new Date()) {
  const week = siteDays(db, daysEndingOn(siteDayNumber(timeZone, now), 7))
  return {
    visitors: week.reduce((n, d) => n + d.visitors, 0),
    views: week.reduce((n, d) => n + d.views, 0),
    subscribers: subscriberSummary(db, now),
  }
}

export type DashboardReaders = ReturnType<typeof dashboardReaders>
