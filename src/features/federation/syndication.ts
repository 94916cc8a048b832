// Owns turning publishing into Create, Update and Delete: what is public now against what the social web was last told, one post per transaction.
import { createHash } from 'node:crypto'
import { and, count, eq, gte, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { posts, type SyndicatedPost, syndicatedPosts } from '../../db/schema.ts'
import { linksIn } from '../../lib/remote-html.ts'
import { absoluteUrl, postObjectUrl, postUrl } from '../../lib/urls.ts'
import { isPublicPost } from '../content/visibility.ts'
import { findFeedPost, listFeedPosts } from '../feeds/queries.ts'
import { queueWebmentions } from '../webmention/send.ts'
import { type ApObject, deleteActivity, postActivity } from './activities.ts'
import { queueToFollowers } from './deliveries.ts'
import { actorKeyPair } from './keys.ts'
import { articleOf } from './objects.ts'

export interface SyndicationResult {
  readonly created: number
  readonly updated: number
  readonly deleted: number
}

type Change = keyof SyndicationResult | 'unchanged'

/**
 * The version of what a post shows: a hash of its object without `updated`, which a save moves
 * even when nothing a reader sees has changed (an unchanged save must send nothing).
 */
export function objectVersion(object: ApObject): string {
  const { updated: _updated, ...shown } = object
  return createHash('sha256').update(JSON.stringify(shown)).digest('base64url')
}

/**
 * The other sites a post links to, as Webmention targets: its links (and a link post's linkUrl),
 * absolute, without fragments, none on this site. Images and the like are not mentions.
 */
export function externalLinkTargets(
  siteUrl: string,
  post: { slug: string; bodyHtml: string; quoteHtml: string; linkUrl: string | null },
): string[] {
  const pageUrl = absoluteUrl(siteUrl, postUrl(post.slug))
  const ownHost = new URL(siteUrl).host
  const found = linksIn(`${post.quoteHtml}${post.bodyHtml}`, pageUrl)
    .filter((link) => link.tag === 'a')
    .map((link) => link.url)
  if (post.linkUrl) found.unshift(post.linkUrl)
  const targets = new Set<string>()
  for (const value of found) {
    if (!URL.canParse(value)) continue
    const url = new URL(value)
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.host === ownHost) continue
    url.hash = ''
    targets.add(url.href)
  }
  return [...targets]
}

function parseTargets(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json)
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
  } catch {
    return []
  }
}

/**
 * Brings one post's syndication up to date in one transaction: the row saying what was sent, the
 * activity queued for every follower, and the Webmentions owed to old and new link targets, so a
 * crash leaves either all of it or none of it.
 */
function reconcilePost(db: Db, siteUrl: string, postId: number, now: Date): Change {
  return db.transaction((tx) => {
    const row: SyndicatedPost | undefined = tx
      .select()
      .from(syndicatedPosts)
      .where(eq(syndicatedPosts.postId, postId))
      .get()
    const published = findFeedPost(db, postId, now)
    // Sent again after a Delete: a new generation, since servers ignore a Create of a deleted id.
    const generation = row ? row.generation + (row.state === 'deleted' ? 1 : 0) : 0
    const object = published ? articleOf(siteUrl, published, generation) : undefined
    const post = tx
      .select({
        slug: posts.slug,
        bodyHtml: posts.bodyHtml,
        quoteHtml: posts.quoteHtml,
        linkUrl: posts.linkUrl,
      })
      .from(posts)
      .where(eq(posts.id, postId))
      .get()
    const oldTargets = row ? parseTargets(row.linkTargets) : []

    if (!object) {
      if (!row || row.state === 'deleted') return 'unchanged'
      const objectId = absoluteUrl(siteUrl, postObjectUrl(postId, row.generation))
      queueToFollowers(tx, deleteActivity(siteUrl, objectId, now), now)
      // Each page it linked to is told, so it can drop the mention: the post's address is its
      // current one, or (deleted, its slug gone) the one it had when it was last sent.
      const sourceUrl = post ? absoluteUrl(siteUrl, postUrl(post.slug)) : row.sourceUrl
      if (sourceUrl && oldTargets.length > 0) queueWebmentions(tx, sourceUrl, oldTargets, now)
      tx.update(syndicatedPosts)
        .set({ state: 'deleted', linkTargets: '[]', updatedAt: now })
        .where(eq(syndicatedPosts.postId, postId))
        .run()
      return 'deleted'
    }

    const version = objectVersion(object)
    if (row?.state === 'live' && row.version === version) return 'unchanged'
    const change: Change = row?.state === 'live' ? 'updated' : 'created'
    queueToFollowers(tx, postActivity(siteUrl, change === 'updated' ? 'Update' : 'Create', object, now), now)
    const newTargets = post ? externalLinkTargets(siteUrl, post) : []
    const targets = [...new Set([...oldTargets, ...newTargets])]
    const sourceUrl = post ? absoluteUrl(siteUrl, postUrl(post.slug)) : ''
    if (sourceUrl && targets.length > 0) queueWebmentions(tx, sourceUrl, targets, now)
    const values = {
      version,
      state: 'live' as const,
      generation,
      linkTargets: JSON.stringify(newTargets),
      sourceUrl,
      updatedAt: now,
    }
    tx.insert(syndicatedPosts)
      .values({ postId, ...values })
      .onConflictDoUpdate({ target: syndicatedPosts.postId, set: values })
      .run()
    return change
  })
}

/**
 * The posts whose syndication may be owed something. Posts public since joining are read in one
 * query and compared in memory, so a pass over an unchanged blog costs no transaction per post;
 * to that come live rows whose post is no longer among them (a Delete, perhaps) and deleted rows
 * whose post is public again.
 */
function postsToReconcile(db: Db, siteUrl: string, now: Date, joined: Date): number[] {
  const since =
    db
      .select({ n: count() })
      .from(posts)
      .where(and(isPublicPost(now), gte(posts.publishedAt, joined)))
      .get()?.n ?? 0
  // Newest first: the first `since` public posts are exactly those published since joining.
  const fresh = since > 0 ? listFeedPosts(db, now, since) : []
  const told = db
    .select({
      postId: syndicatedPosts.postId,
      version: syndicatedPosts.version,
      state: syndicatedPosts.state,
      generation: syndicatedPosts.generation,
      public: sql<number>`coalesce(${isPublicPost(now)}, 0)`,
    })
    .from(syndicatedPosts)
    .leftJoin(posts, eq(posts.id, syndicatedPosts.postId))
    .all()
  const rows = new Map(told.map((row) => [row.postId, row]))
  const owed = new Set<number>()
  for (const post of fresh) {
    const row = rows.get(post.id)
    rows.delete(post.id)
    if (row?.state !== 'live' || row.version !== objectVersion(articleOf(siteUrl, post, row.generation)))
      owed.add(post.id)
  }
  for (const row of rows.values()) if (row.state === 'live' || row.public) owed.add(row.postId)
  return [...owed].sort((a, b) => a - b)
}

/**
 * Compares every post public since the blog joined, and every post it has told the social web
 * about, with what it last sent, and queues what is owed. Posts published before joining are
 * never sent (no backfill storm). One post's failure is reported and does not stop the others.
 */
export function reconcileSyndication(
  db: Db,
  siteUrl: string,
  now: Date,
  onError?: (postId: number, err: unknown) => void,
): SyndicationResult {
  const counts = { created: 0, updated: 0, deleted: 0 }
  // The key pair was made when the blog joined the social web.
  const joined = actorKeyPair(db)?.createdAt
  if (!joined) return counts
  for (const postId of postsToReconcile(db, siteUrl, now, joined)) {
    try {
      const change = reconcilePost(db, siteUrl, postId, now)
      if (change !== 'unchanged') counts[change] += 1
    } catch (err) {
      if (!onError) throw err
      onError(postId, err)
    }
  }
  return counts
}
