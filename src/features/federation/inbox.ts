// Owns what the inbox does with an activity whose signature checked out: follows and unfollows here, replies, likes and boosts in inbox-responses.ts.
import { eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type FollowerStatus, followers } from '../../db/schema.ts'
import { getSettings } from '../settings/service.ts'
import { actorId, followAnswer } from './activities.ts'
import { queueDelivery } from './deliveries.ts'
import {
  type Activity,
  accepted,
  actorUnavailable,
  handleOf,
  type InboxContext,
  idOf,
  malformed,
  type Outcome,
  readActivity,
  typeOf,
} from './inbox-activity.ts'
import { receiveNote, receiveReaction, withdrawResponse } from './inbox-responses.ts'
import type { RemoteActors } from './remote-actors.ts'
import { rememberProfile } from './syndication.ts'

/** Acts on one verified activity from its own actor; anything Folio has no use for is accepted and dropped. */
export function handleActivity(ctx: InboxContext, activity: Activity): Promise<Outcome> | Outcome {
  switch (activity.type) {
    case 'Follow':
      return follow(ctx, activity)
    case 'Undo':
      return undo(ctx, activity)
    case 'Delete':
      return remove(ctx, activity)
    case 'Update':
      if (idOf(activity.object) === activity.actor) return refreshFollower(ctx, activity.actor)
      return receiveNote(ctx, activity)
    case 'Create':
      return receiveNote(ctx, activity)
    case 'Like':
      return receiveReaction(ctx, activity, 'like')
    case 'Announce':
      return receiveReaction(ctx, activity, 'repost')
    default:
      return accepted('Ignored: Folio does not act on this type of activity.')
  }
}

/**
 * A Follow of the blog. With automatic approval the follower is accepted and the Accept queued in
 * the same transaction; with manual approval it waits for the author, and nothing is sent until
 * then. Someone already accepted who follows again (their server lost track) gets a new Accept.
 */
async function follow(ctx: InboxContext, activity: Activity): Promise<Outcome> {
  if (idOf(activity.object) !== actorId(ctx.siteUrl))
    return accepted('Ignored: only this blog can be followed here.')
  if (activity.id === undefined) return malformed('A Follow needs an id, for the Accept to name.')
  const actor = await ctx.actors.fetchActor(activity.actor)
  if (!actor) return actorUnavailable()
  const manual = getSettings(ctx.db).followApproval === 'manual'
  const answer = followAnswer(ctx.siteUrl, 'Accept', { id: activity.id, actor: actor.id })
  const status = ctx.db.transaction((tx): FollowerStatus => {
    const existing = tx
      .select({ status: followers.status })
      .from(followers)
      .where(eq(followers.actorId, actor.id))
      .get()
    const status: FollowerStatus = existing?.status === 'accepted' || !manual ? 'accepted' : 'pending'
    const fields = {
      inboxUrl: actor.inbox,
      sharedInboxUrl: actor.sharedInbox,
      handle: handleOf(actor),
      name: actor.name,
      profileUrl: actor.url,
      followActivityId: activity.id ?? '',
      status,
      updatedAt: ctx.now,
    }
    tx.insert(followers)
      .values({ actorId: actor.id, ...fields, createdAt: ctx.now })
      .onConflictDoUpdate({ target: followers.actorId, set: fields })
      .run()
    if (status === 'accepted') {
      queueDelivery(tx, answer, [actor.inbox], ctx.now)
      rememberProfile(ctx.db, ctx.siteUrl)
    }
    return status
  })
  if (status === 'pending') return accepted('Accepted: the author approves new followers.')
  ctx.wake()
  return accepted('Accepted: you follow this blog.')
}

function unfollow(ctx: InboxContext, actor: string): Outcome {
  const { changes } = ctx.db.delete(followers).where(eq(followers.actorId, actor)).run()
  return accepted(
    changes > 0 ? 'Removed: you no longer follow this blog.' : 'Ignored: you did not follow this blog.',
  )
}

/** Whether `id` is the Follow that `actor`'s follow was made with (an Undo may name it alone). */
function isFollowBy(ctx: InboxContext, actor: string, id: string): boolean {
  const row = ctx.db
    .select({ followActivityId: followers.followActivityId })
    .from(followers)
    .where(eq(followers.actorId, actor))
    .get()
  return row?.followActivityId === id
}

/** Undo of a Follow (unfollow), a Like or an Announce; only ever what the sender itself did. */
function undo(ctx: InboxContext, activity: Activity): Outcome {
  const inner = activity.object as { actor?: unknown; object?: unknown } | undefined
  const innerId = idOf(inner)
  const innerActor = idOf(inner?.actor)
  if (innerActor !== undefined && innerActor !== activity.actor) {
    return accepted('Ignored: an actor can only undo its own activities.')
  }
  const type = typeOf(inner)
  if (type === 'Follow') {
    const target = idOf(inner?.object)
    return target === undefined || target === actorId(ctx.siteUrl)
      ? unfollow(ctx, activity.actor)
      : accepted('Ignored: that Follow was not of this blog.')
  }
  if (innerId === undefined) return malformed('An Undo needs the id of what it undoes.')
  if (type === undefined && isFollowBy(ctx, activity.actor, innerId)) return unfollow(ctx, activity.actor)
  return withdrawResponse(ctx, activity, innerId)
}

/**
 * Delete of the actor itself (the account is gone): it no longer follows; what it said stays for
 * the author to moderate. Delete of anything else: the sender's reply with that id, if any.
 */
function remove(ctx: InboxContext, activity: Activity): Outcome {
  const target = idOf(activity.object)
  if (target === undefined) return malformed('A Delete needs the id of what it deletes.')
  if (target === activity.actor) return unfollow(ctx, activity.actor)
  return withdrawResponse(ctx, activity, target)
}

/**
 * An actor's Update of itself (a new name, handle or server address): the follower row is brought
 * up to date from a fresh copy of the actor, never from what the activity claims.
 */
async function refreshFollower(ctx: InboxContext, actor: string): Promise<Outcome> {
  const exists = ctx.db.select({ id: followers.id }).from(followers).where(eq(followers.actorId, actor)).get()
  if (!exists) return accepted('Ignored: you do not follow this blog.')
  const fresh = await ctx.actors.fetchActor(actor, { refresh: true })
  if (!fresh) return actorUnavailable()
  ctx.db
    .update(followers)
    .set({
      inboxUrl: fresh.inbox,
      sharedInboxUrl: fresh.sharedInbox,
      handle: handleOf(fresh),
      name: fresh.name,
      profileUrl: fresh.url,
      updatedAt: ctx.now,
    })
    .where(eq(followers.id, exists.id))
    .run()
  return accepted('Accepted: your profile is up to date here.')
}

/**
 * For an unverifiable Delete of an account by itself: if that account follows the blog and its own
 * server answers 410 for it now, the follow ends. Nothing the body says is believed on its own.
 */
export async function isGoneFollower(db: Db, actors: RemoteActors, body: Buffer): Promise<boolean> {
  let activity: Activity | undefined
  try {
    activity = readActivity(JSON.parse(body.toString('utf8')))
  } catch {
    return false
  }
  if (activity?.type !== 'Delete' || idOf(activity.object) !== activity.actor) return false
  const follower = db
    .select({ id: followers.id })
    .from(followers)
    .where(eq(followers.actorId, activity.actor))
    .get()
  if (!follower || !(await actors.isGone(activity.actor))) return false
  db.delete(followers).where(eq(followers.id, follower.id)).run()
  return true
}
