// Owns turning publishing into Create, Update and Delete: what is public now against what the social web was last told, one post per transaction.
import { createHash } from 'node:crypto'
import { and, count, eq, gt, gte, isNull, ne, or, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { federationKeys, posts, type SyndicatedPost, syndicatedPosts } from '../../db/schema.ts'
import type { linksIn } from '../../lib/remote-html.ts'
import { absoluteUrl, postObjectUrl, postUrl } from '../../lib/urls.ts'
import { isPublicPost } from '../content/visibility.ts'
import { findFeedPost, listFeedPosts } from '../feeds/queries.ts'
import { getSettings } from '../settings/service.ts'
import { queueWebmentions } from '../webmention/send.ts'
import { type ApObject, deleteActivity, postActivity } from './activities.ts'
import { queueToFollowers } from './deliveries.ts'
import { actorKeyPair } from './keys.ts'
import { actorDocument, articleOf } from './objects.ts'

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
  readLinks: typeof linksIn,
): string[] {
  const pageUrl = absoluteUrl(siteUrl, postUrl(post.slug))
  const ownHost = new URL(siteUrl).host
  const found = readLinks(`${post.quoteHtml}${post.bodyHtml}`, pageUrl)
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
function reconcilePost(
  db: Db,
  siteUrl: string,
  postId: number,
  now: Date,
  readLinks: typeof linksIn,
): Change {
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
    const newTargets = post ? externalLinkTargets(siteUrl, post, readLinks) : []
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

/** Lets readers' requests in between posts: a pass over hundreds of new posts must not hold the loop. */
const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Posts compared between two turns of the event loop in a full pass (each costs about 0.1 ms). */
const COMPARED_PER_TURN = 50

/**
 * Every post public since joining, compared with what was last sent: the full pass, which also
 * sees changes that leave a post's own row alone (a renamed tag, an image's new alt text).
 */
async function changedPosts(db: Db, siteUrl: string, now: Date, joined: Date): Promise<Set<number>> {
  const since =
    db
      .select({ n: count() })
      .from(posts)
      .where(and(isPublicPost(now), gte(posts.publishedAt, joined)))
      .get()?.n ?? 0
  // Newest first: the first `since` public posts are exactly those published since joining.
  const fresh = since > 0 ? listFeedPosts(db, now, since) : []
  const told = new Map(
    db
      .select({
        postId: syndicatedPosts.postId,
        version: syndicatedPosts.version,
        state: syndicatedPosts.state,
        generation: syndicatedPosts.generation,
      })
      .from(syndicatedPosts)
      .all()
      .map((row) => [row.postId, row]),
  )
  const owed = new Set<number>()
  for (const [i, post] of fresh.entries()) {
    if (i > 0 && i % COMPARED_PER_TURN === 0) await yieldToRequests()
    const row = told.get(post.id)
    if (row?.state !== 'live' || row.version !== objectVersion(articleOf(siteUrl, post, row.generation)))
      owed.add(post.id)
  }
  return owed
}

/**
 * The posts whose own rows say they may be owed something, in one indexed query: public since
 * joining and never sent, sent as deleted, or saved since they were last sent.
 */
function touchedPosts(db: Db, now: Date, joined: Date): Set<number> {
  const rows = db
    .select({ id: posts.id })
    .from(posts)
    .leftJoin(syndicatedPosts, eq(syndicatedPosts.postId, posts.id))
    .where(
      and(
        isPublicPost(now),
        gte(posts.publishedAt, joined),
        or(
          isNull(syndicatedPosts.postId),
          ne(syndicatedPosts.state, 'live'),
          gt(posts.updatedAt, syndicatedPosts.updatedAt),
        ),
      ),
    )
    .all()
  return new Set(rows.map((row) => row.id))
}

/** Posts sent as live that are no longer public (unpublished, scheduled again, deleted): a Delete is owed. */
function withdrawnPosts(db: Db, now: Date): number[] {
  return db
    .select({ id: syndicatedPosts.postId })
    .from(syndicatedPosts)
    .leftJoin(posts, eq(posts.id, syndicatedPosts.postId))
    .where(and(eq(syndicatedPosts.state, 'live'), sql`coalesce(${isPublicPost(now)}, 0) = 0`))
    .all()
    .map((row) => row.id)
}

export interface ReconcileOptions {
  /** Compare every post since joining with what was sent (`changedPosts`); else only those their rows point at. */
  readonly full?: boolean
  /** One post's failure is reported here and does not stop the others; without it, it throws. */
  readonly onError?: (postId: number, err: unknown) => void
}

/**
 * Compares what is public with what the social web was last told, and queues what is owed, one
 * post per transaction with a turn of the event loop between posts. Posts published before
 * joining are never sent (no backfill storm).
 */
export async function reconcileSyndication(
  db: Db,
  siteUrl: string,
  now: Date,
  options: ReconcileOptions = {},
): Promise<SyndicationResult> {
  const counts = { created: 0, updated: 0, deleted: 0 }
  // The key pair was made when the blog joined the social web.
  const joined = actorKeyPair(db)?.createdAt
  if (!joined) return counts
  const owed = options.full ? await changedPosts(db, siteUrl, now, joined) : touchedPosts(db, now, joined)
  for (const id of withdrawnPosts(db, now)) owed.add(id)
  if (owed.size === 0) return counts
  // The HTML parser loads with the first post owed, not on every quiet pass of the delivery worker.
  const { linksIn: readLinks } = await import('../../lib/remote-html.ts')
  for (const [i, postId] of [...owed].sort((a, b) => a - b).entries()) {
    if (i > 0) await yieldToRequests()
    try {
      const change = reconcilePost(db, siteUrl, postId, now, readLinks)
      if (change !== 'unchanged') counts[change] += 1
    } catch (err) {
      if (!options.onError) throw err
      options.onError(postId, err)
    }
  }
  return counts
}

/** The blog's actor document as it stands, and its version; undefined before the key exists. */
function currentProfile(db: Db, siteUrl: string): { document: ApObject; version: string } | undefined {
  const key = actorKeyPair(db)
  if (!key) return undefined
  const document = actorDocument(siteUrl, getSettings(db), key)
  return { document, version: objectVersion(document) }
}

/**
 * Records the profile a new follower's server is reading as it follows (call it in the same
 * transaction as the Accept), so that reconcileActor knows what followers have seen.
 */
export function rememberProfile(db: Db, siteUrl: string): void {
  const profile = currentProfile(db, siteUrl)
  if (profile)
    db.update(federationKeys).set({ actorVersion: profile.version }).where(eq(federationKeys.id, 1)).run()
}

/**
 * The blog's profile as followers' servers last got it: when its name, handle, summary or
 * approval mode changes, they are sent an Update of the actor, or they would show the old one.
 * Before anyone has followed there is nobody to tell, and nothing is written.
 */
export function reconcileActor(db: Db, siteUrl: string, now: Date): boolean {
  const sent =
    db
      .select({ version: federationKeys.actorVersion })
      .from(federationKeys)
      .where(eq(federationKeys.id, 1))
      .get()?.version ?? ''
  const profile = currentProfile(db, siteUrl)
  if (!sent || !profile || sent === profile.version) return false
  db.transaction((tx) => {
    queueToFollowers(tx, postActivity(siteUrl, 'Update', profile.document, now), now)
    tx.update(federationKeys).set({ actorVersion: profile.version }).where(eq(federationKeys.id, 1)).run()
  })
  return true
}
