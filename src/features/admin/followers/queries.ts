// Owns reading the blog's followers for the admin: a status's page, the counts for the tabs and the dashboard, one follower, and which ids still exist.
import { and, count, desc, eq, inArray } from 'drizzle-orm'
import type { Db } from '../../../db/client.ts'
import { type Follower, type FollowerStatus, followers } from '../../../db/schema.ts'
import { pageWindow } from '../../../lib/paging.ts'

export const FOLLOWERS_PAGE_SIZE = 25

export type FollowerCounts = Record<FollowerStatus, number>

/** How many followers each status holds, in one query (followers_status_idx). */
export function followerCounts(db: Db): FollowerCounts {
  const counts: FollowerCounts = { accepted: 0, pending: 0 }
  const rows = db
    .select({ status: followers.status, n: count() })
    .from(followers)
    .groupBy(followers.status)
    .all()
  for (const row of rows) counts[row.status] = row.n
  return counts
}

export interface FollowerPage {
  readonly followers: Follower[]
  readonly total: number
  /** The page shown: the one asked for, or the last one when it asked beyond the end. */
  readonly page: number
  readonly totalPages: number
}

/** One status's followers, newest first, a page at a time. */
export function listFollowers(db: Db, options: { status: FollowerStatus; page?: number }): FollowerPage {
  const where = eq(followers.status, options.status)
  const total = db.select({ n: count() }).from(followers).where(where).get()?.n ?? 0
  const { page, totalPages, offset } = pageWindow(total, options.page, FOLLOWERS_PAGE_SIZE)
  const rows = db
    .select()
    .from(followers)
    .where(where)
    .orderBy(desc(followers.createdAt), desc(followers.id))
    .limit(FOLLOWERS_PAGE_SIZE)
    .offset(offset)
    .all()
  return { followers: rows, total, page, totalPages }
}

export function findFollower(db: Db, id: number): Follower | undefined {
  return db.select().from(followers).where(eq(followers.id, id)).get()
}

/** The followers among `ids` that still exist, optionally only those in `status`. */
export function followersByIds(
  db: Pick<Db, 'select'>,
  ids: readonly number[],
  status?: FollowerStatus,
): Follower[] {
  if (ids.length === 0) return []
  const selected = inArray(followers.id, [...ids])
  return db
    .select()
    .from(followers)
    .where(status ? and(selected, eq(followers.status, status)) : selected)
    .all()
}
