// Owns the shapes of the activities Folio sends: who they come from, who they go to, and their ids.
import { randomUUID } from 'node:crypto'
import { ACTOR_PATH, absoluteUrl, FOLLOWERS_PATH } from '../../lib/urls.ts'

export const AS_CONTEXT = 'https://www.w3.org/ns/activitystreams'
/** The context Folio's actor and objects carry: ActivityStreams plus the key vocabulary Mastodon reads. */
export const ACTOR_CONTEXT = [AS_CONTEXT, 'https://w3id.org/security/v1'] as const
/** The addressee that makes an object public. */
export const PUBLIC_AUDIENCE = 'https://www.w3.org/ns/activitystreams#Public'
/** What an ActivityPub server is sent and sends; ld+json with the profile means the same. */
export const ACTIVITY_JSON = 'application/activity+json'

/** Any ActivityStreams object Folio builds: always an id and a type. */
export type ApObject = { readonly id: string; readonly type: string } & Readonly<Record<string, unknown>>

export const actorId = (siteUrl: string): string => absoluteUrl(siteUrl, ACTOR_PATH)
export const followersId = (siteUrl: string): string => absoluteUrl(siteUrl, FOLLOWERS_PATH)

/** A fresh id for an activity that needs no address of its own (it is never fetched). */
const activityId = (siteUrl: string, kind: string): string =>
  `${actorId(siteUrl)}#${kind.toLowerCase()}-${randomUUID()}`

/** An object wrapped for followers: a post's Create or Update, or the actor's Update after a profile change. */
export function postActivity(
  siteUrl: string,
  type: 'Create' | 'Update',
  object: ApObject,
  now = new Date(),
): ApObject {
  return {
    '@context': AS_CONTEXT,
    id: activityId(siteUrl, type),
    type,
    actor: actorId(siteUrl),
    published: now.toISOString(),
    to: [PUBLIC_AUDIENCE],
    cc: [followersId(siteUrl)],
    object,
  }
}

/** A post that is gone (deleted or unpublished): its object becomes a Tombstone. */
export function deleteActivity(siteUrl: string, objectId: string, now = new Date()): ApObject {
  return {
    '@context': AS_CONTEXT,
    id: activityId(siteUrl, 'Delete'),
    type: 'Delete',
    actor: actorId(siteUrl),
    published: now.toISOString(),
    to: [PUBLIC_AUDIENCE],
    cc: [followersId(siteUrl)],
    object: { id: objectId, type: 'Tombstone' },
  }
}

/** The answer to a Follow: Accept, or Reject (refused, or a follower the author removed). */
export function followAnswer(
  siteUrl: string,
  type: 'Accept' | 'Reject',
  follow: { readonly id: string; readonly actor: string },
): ApObject {
  return {
    '@context': AS_CONTEXT,
    id: activityId(siteUrl, type),
    type,
    actor: actorId(siteUrl),
    to: [follow.actor],
    object: { id: follow.id, type: 'Follow', actor: follow.actor, object: actorId(siteUrl) },
  }
}
