// Owns the one rule for what the public sees: a post is public once it is not a draft and its time has come; a page once published.
import { and, eq, gt, lte, type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type PostStatus, pages, posts } from '../../db/schema.ts'

/** Where a post stands for its author: the stored status alone cannot say, time decides. */
export type PostState = 'draft' | 'scheduled' | 'published'

// The literal 'draft' (not a bound parameter) lets SQLite match the partial index posts_public_idx.
const notDraft = sql`${posts.status} != 'draft'`

/** Posts a visitor may see at `now`: every page, feed, search result and the sitemap use this. */
export const isPublicPost = (now: Date): SQL => sql`${notDraft} and ${lte(posts.publishedAt, now)}`

/**
 * The ids of posts a visitor may not see at `now`, read from the (status, published_at) index
 * alone. A count or ranking over thousands of posts sets these few aside instead of reading every
 * post's row to test it; `is not 1` also sets aside a post whose visibility is unknown (null).
 */
export const notPublicPostIds = (db: Db, now: Date) =>
  db
    .select({ id: posts.id })
    .from(posts)
    .where(sql`(${isPublicPost(now)}) is not 1`)

/** Posts whose time has not come yet: they go live by themselves, no cron (ADR 0002). */
export const isScheduledPost = (now: Date): SQL => and(notDraft, gt(posts.publishedAt, now)) as SQL

export const isDraftPost = (): SQL => eq(posts.status, 'draft')

/** Pages a visitor may see. */
export const isPublicPage = (): SQL => eq(pages.status, 'published')

/** The same rules for statements written in SQL by hand, on `posts` under the alias `p`. */
export const PUBLIC_POST_SQL = `p.status != 'draft' and p.published_at <= @now`
/** notPublicPostIds in SQL written by hand. */
export const NOT_PUBLIC_POST_IDS_SQL = `select p.id from posts p where (${PUBLIC_POST_SQL}) is not 1`

/** When the next scheduled post goes live after `now` (ms since the epoch), or null if none is waiting. */
export function nextScheduledAfter(db: Db, now: number): number | null {
  return db.$client
    .prepare(`select min(published_at) from posts where status != 'draft' and published_at > ?`)
    .pluck()
    .get(now) as number | null
}

/** The state a post is in at `now`, matching the conditions above. */
export function postState(post: { status: PostStatus; publishedAt: Date | null }, now: Date): PostState {
  if (post.status === 'draft') return 'draft'
  return post.publishedAt && post.publishedAt.getTime() > now.getTime() ? 'scheduled' : 'published'
}

/** The SQL condition for a state, as the admin's status filter asks for it. */
export function isPostInState(state: PostState, now: Date): SQL {
  if (state === 'draft') return isDraftPost()
  return state === 'scheduled' ? isScheduledPost(now) : isPublicPost(now)
}
