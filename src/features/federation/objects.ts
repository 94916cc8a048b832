// Owns the ActivityStreams documents others fetch: the blog's actor, a post as an Article, the outbox and the followers collection.
import { count, eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { followers, syndicatedPosts } from '../../db/schema.ts'
import { escapeHtml } from '../../lib/html.ts'
import {
  absoluteUrl,
  absolutizeHtml,
  INBOX_PATH,
  OUTBOX_PATH,
  postObjectUrl,
  postUrl,
  tagUrl,
} from '../../lib/urls.ts'
import { descriptionOf } from '../content/descriptions.ts'
import { countFeedPosts, FEED_SIZE, type FeedPost, findFeedPost, listFeedPosts } from '../feeds/queries.ts'
import { IMAGE_TYPES } from '../media/sniff.ts'
import type { Settings } from '../settings/service.ts'
import {
  ACTOR_CONTEXT,
  type ApObject,
  AS_CONTEXT,
  actorId,
  followersId,
  PUBLIC_AUDIENCE,
  postActivity,
} from './activities.ts'
import type { ActorKeyPair } from './keys.ts'

/** `@blog@example.com`: how people on the fediverse write the blog's address. */
export const fullHandle = (settings: Pick<Settings, 'fediverseHandle'>, siteUrl: string): string =>
  `@${settings.fediverseHandle}@${new URL(siteUrl).host}`

/** The blog as one `Person`, with the public half of its key. */
export function actorDocument(
  siteUrl: string,
  settings: Settings,
  key: Pick<ActorKeyPair, 'publicKeyPem' | 'createdAt'>,
): ApObject {
  const id = actorId(siteUrl)
  const inbox = absoluteUrl(siteUrl, INBOX_PATH)
  const about = settings.tagline || settings.description
  return {
    '@context': ACTOR_CONTEXT,
    id,
    type: 'Person',
    preferredUsername: settings.fediverseHandle,
    name: settings.title,
    // ActivityStreams reads a summary as HTML: the author's plain text is escaped into it.
    ...(about ? { summary: `<p>${escapeHtml(about)}</p>` } : {}),
    url: `${siteUrl}/`,
    inbox,
    outbox: absoluteUrl(siteUrl, OUTBOX_PATH),
    followers: followersId(siteUrl),
    endpoints: { sharedInbox: inbox },
    publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem: key.publicKeyPem },
    manuallyApprovesFollowers: settings.followApproval === 'manual',
    discoverable: true,
    published: key.createdAt.toISOString(),
  }
}

/**
 * A hashtag may hold letters, digits and underscores only: `Web Performance` becomes
 * `#WebPerformance`, and a tag with none of those (`++`) becomes no hashtag at all.
 */
export function hashtagName(tagName: string): string | undefined {
  const word = tagName.replace(/[^\p{L}\p{N}_]/gu, '')
  return word ? `#${word}` : undefined
}

const mediaTypeOf = (url: string): string | undefined =>
  Object.values(IMAGE_TYPES).find((type) => url.endsWith(`.${type.extension}`))?.mimeType

/** The post's words as HTML for other servers: absolute URLs, no "#" heading anchors, a link post's quote and link. */
function articleContent(siteUrl: string, post: FeedPost): string {
  const parts = [post.bodyHtml.replace(/ ?<a class="anchor"[^>]*>#<\/a>/g, '')]
  if (post.kind === 'link' && post.linkUrl) {
    const href = escapeHtml(post.linkUrl)
    if (post.quoteHtml) parts.push(`<blockquote cite="${href}">${post.quoteHtml}</blockquote>`)
    parts.push(`<p><a href="${href}">${href}</a></p>`)
  }
  return absolutizeHtml(siteUrl, parts.join('\n'))
}

/**
 * A public post as an `Article`; its id is its number's URL, so a new slug keeps it the same
 * object, and its generation's once it was deleted from the fediverse and sent again.
 */
export function articleOf(siteUrl: string, post: FeedPost, generation = 0): ApObject {
  const image = post.image
  const mediaType = image ? mediaTypeOf(image.url) : undefined
  return {
    '@context': AS_CONTEXT,
    id: absoluteUrl(siteUrl, postObjectUrl(post.id, generation)),
    type: 'Article',
    attributedTo: actorId(siteUrl),
    name: post.title,
    // ActivityStreams reads a summary as HTML; the description is plain text.
    summary: `<p>${escapeHtml(descriptionOf(post))}</p>`,
    content: articleContent(siteUrl, post),
    mediaType: 'text/html',
    url: absoluteUrl(siteUrl, postUrl(post.slug)),
    published: post.publishedAt.toISOString(),
    ...(post.updatedAt > post.publishedAt ? { updated: post.updatedAt.toISOString() } : {}),
    to: [PUBLIC_AUDIENCE],
    cc: [followersId(siteUrl)],
    tag: post.tags.flatMap((tag) => {
      const name = hashtagName(tag.name)
      return name ? [{ type: 'Hashtag', href: absoluteUrl(siteUrl, tagUrl(tag.slug)), name }] : []
    }),
    attachment: image
      ? [
          {
            type: 'Image',
            ...(mediaType ? { mediaType } : {}),
            url: absoluteUrl(siteUrl, image.url),
            name: image.alt,
            width: image.width,
            height: image.height,
          },
        ]
      : [],
  }
}

/** Which generation of a post's object id is current: 0 until it was deleted and sent again. */
export const objectGeneration = (db: Db, postId: number): number =>
  db
    .select({ generation: syndicatedPosts.generation })
    .from(syndicatedPosts)
    .where(eq(syndicatedPosts.postId, postId))
    .get()?.generation ?? 0

/** The post with this id as an Article, or undefined when it is not public (a draft, scheduled, gone). */
export function postObject(db: Db, siteUrl: string, postId: number, now = new Date()): ApObject | undefined {
  const post = findFeedPost(db, postId, now)
  return post ? articleOf(siteUrl, post, objectGeneration(db, postId)) : undefined
}

/**
 * The outbox: every public post counted, the newest inline as `Create` activities. Each one's id
 * is derived from its object's, so reading the outbox twice gives the same document.
 */
export function outboxCollection(db: Db, siteUrl: string, now = new Date()): ApObject {
  const items = listFeedPosts(db, now, FEED_SIZE).map((post) => {
    const object = articleOf(siteUrl, post, objectGeneration(db, post.id))
    const { '@context': _context, ...activity } = postActivity(siteUrl, 'Create', object, post.publishedAt)
    return { ...activity, id: `${object.id}#create` }
  })
  return {
    '@context': AS_CONTEXT,
    id: absoluteUrl(siteUrl, OUTBOX_PATH),
    type: 'OrderedCollection',
    totalItems: countFeedPosts(db, now),
    orderedItems: items,
  }
}

/** The followers collection: how many, never who (that stays between them and the author). */
export function followersCollection(db: Db, siteUrl: string): ApObject {
  const total =
    db.select({ n: count() }).from(followers).where(eq(followers.status, 'accepted')).get()?.n ?? 0
  return {
    '@context': AS_CONTEXT,
    id: followersId(siteUrl),
    type: 'OrderedCollection',
    totalItems: total,
  }
}
