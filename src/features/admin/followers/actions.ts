// Owns what the author does to followers: approving a pending one (Accept), refusing or removing one (Reject), each answer queued in the same transaction as the change it announces; and what a block of one names.
import { eq, inArray } from 'drizzle-orm'
import type { Db } from '../../../db/client.ts'
import { type BlockKind, type Follower, followers } from '../../../db/schema.ts'
import { followAnswer } from '../../federation/activities.ts'
import { queueDelivery } from '../../federation/deliveries.ts'
import { rememberProfile } from '../../federation/syndication.ts'
import { senderDomain } from '../../responses/moderation.ts'
import { followersByIds } from './queries.ts'

/** The Follow each answer names: the follower's own request, so their server can match it. */
const followOf = (f: Follower) => ({ id: f.followActivityId, actor: f.actorId })

/** Accepts the pending followers among `ids` and returns how many; accepted ones are left as they are. */
export function approveFollowers(db: Db, siteUrl: string, ids: readonly number[], now = new Date()): number {
  return db.transaction((tx) => {
    const pending = followersByIds(tx, ids, 'pending')
    for (const f of pending) {
      tx.update(followers).set({ status: 'accepted', updatedAt: now }).where(eq(followers.id, f.id)).run()
      queueDelivery(tx, followAnswer(siteUrl, 'Accept', followOf(f)), [f.inboxUrl], now)
    }
    if (pending.length > 0) rememberProfile(db, siteUrl)
    return pending.length
  })
}

/**
 * Removes the followers among `ids`, pending or accepted, and tells each one's server with a
 * Reject: Mastodon takes a Reject of an accepted Follow as "you no longer follow", so their
 * timeline stops getting the blog's posts. They may follow again; a block stops that.
 */
export function removeFollowers(db: Db, siteUrl: string, ids: readonly number[], now = new Date()): number {
  return db.transaction((tx) => {
    const found = followersByIds(tx, ids)
    if (found.length === 0) return 0
    tx.delete(followers)
      .where(
        inArray(
          followers.id,
          found.map((f) => f.id),
        ),
      )
      .run()
    for (const f of found) queueDelivery(tx, followAnswer(siteUrl, 'Reject', followOf(f)), [f.inboxUrl], now)
    return found.length
  })
}

/** What a block of this follower names: their actor, or their actor's domain (undefined if it has none). */
export function blockValueFor(follower: Pick<Follower, 'actorId'>, kind: BlockKind): string | undefined {
  return kind === 'actor' ? follower.actorId : senderDomain(follower.actorId)
}
