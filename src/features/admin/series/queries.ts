// Owns what the admin's series list reads: every series with how many parts it has, and how many readers see.
import { asc, count, eq, sql } from 'drizzle-orm'
import type { Db } from '../../../db/client.ts'
import { posts, series } from '../../../db/schema.ts'
import { isPublicPost } from '../../content/visibility.ts'

export interface AdminSeriesRow {
  readonly id: number
  readonly title: string
  readonly slug: string
  /** Every post in the series, drafts and scheduled ones included. */
  readonly parts: number
  /** The parts readers see at `now`. */
  readonly publicParts: number
}

/** Every series by title, empty ones included. */
export function listSeriesForAdmin(db: Db, now: Date): AdminSeriesRow[] {
  return db
    .select({
      id: series.id,
      title: series.title,
      slug: series.slug,
      parts: count(posts.id),
      publicParts: sql<number>`count(case when ${isPublicPost(now)} then 1 end)`.mapWith(Number),
    })
    .from(series)
    .leftJoin(posts, eq(posts.seriesId, series.id))
    .groupBy(series.id)
    .orderBy(asc(sql`${series.title} collate nocase`), asc(series.id))
    .all()
}
