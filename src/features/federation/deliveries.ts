// Owns queueing activities for delivery: one row per activity and inbox, written in the caller's transaction; delivery-worker.ts sends them.
import { eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { deliveries, followers } from '../../db/schema.ts'
import type { ApObject } from './activities.ts'

/** A transaction or the database: queueing belongs in the same transaction as what caused it. */
type Writer = Pick<Db, 'insert' | 'selectDistinct'>

/**
 * Where the accepted followers are delivered to: a server's shared inbox once for all its
 * followers, else each follower's own inbox.
 */
export function followerInboxes(db: Pick<Db, 'selectDistinct'>): string[] {
  const inbox = sql<string>`case when ${followers.sharedInboxUrl} != '' then ${followers.sharedInboxUrl} else ${followers.inboxUrl} end`
  return db
    .selectDistinct({ inbox })
    .from(followers)
    .where(eq(followers.status, 'accepted'))
    .all()
    .map((row) => row.inbox)
}

/** Queues `activity` for each of `inboxes`; the same activity is never queued twice for one inbox. */
export function queueDelivery(
  db: Writer,
  activity: ApObject,
  inboxes: readonly string[],
  now = new Date(),
): number {
  let queued = 0
  const body = JSON.stringify(activity)
  for (const inboxUrl of new Set(inboxes)) {
    const { changes } = db
      .insert(deliveries)
      .values({ inboxUrl, activityId: activity.id, body, nextAttemptAt: now, createdAt: now })
      .onConflictDoNothing()
      .run()
    queued += changes
  }
  return queued
}

/** Queues `activity` for every accepted follower; returns how many inboxes it went to. */
export const queueToFollowers = (db: Writer, activity: ApObject, now = new Date()): number =>
  queueDelivery(db, activity, followerInboxes(db), now)
