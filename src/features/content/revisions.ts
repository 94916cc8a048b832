// Owns post revisions: reading a post as the editor sees it, a copy of every save, and restoring one.
import { desc, eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type PostKind, type PostStatus, postRevisions, posts, series } from '../../db/schema.ts'
import { type PostHtml, type PostInput, savePost } from './posts.ts'
import { tagNamesOf } from './tags.ts'

/** The parts of a post the author edits, in the shape a revision stores them. */
export interface PostContent {
  readonly title: string
  readonly slug: string
  readonly kind: PostKind
  readonly status: PostStatus
  readonly publishedAt: Date | null
  readonly linkUrl: string | null
  /** Tag names, comma-joined. */
  readonly tags: string
  /** The series title; empty for none. */
  readonly series: string
  readonly seriesPart: number | null
  /** As the author typed it; empty when it is derived from the text when shown. */
  readonly metaDescription: string
  readonly excerptMd: string
  readonly quoteMd: string
  readonly bodyMd: string
}

export interface EditablePost extends PostContent {
  readonly id: number
  readonly updatedAt: Date
  /** Not part of revisions: restoring old text keeps today's picture. */
  readonly featureImageId: number | null
}

/** What the admin shows of any post, in lists and in the editor: which it is, and where it stands. */
export const postHeadColumns = {
  id: posts.id,
  title: posts.title,
  slug: posts.slug,
  kind: posts.kind,
  status: posts.status,
  publishedAt: posts.publishedAt,
  updatedAt: posts.updatedAt,
}

// The columns of `posts` that PostContent reads as they are.
const contentColumns = {
  ...postHeadColumns,
  linkUrl: posts.linkUrl,
  seriesPart: posts.seriesPart,
  metaDescription: posts.metaDescription,
  excerptMd: posts.excerptMd,
  quoteMd: posts.quoteMd,
  bodyMd: posts.bodyMd,
}

/** A post's content as stored now, or undefined when there is no such post. */
export function loadPostContent(db: Db, postId: number): EditablePost | undefined {
  const row = db
    .select({ ...contentColumns, featureImageId: posts.featureImageId, seriesTitle: series.title })
    .from(posts)
    .leftJoin(series, eq(series.id, posts.seriesId))
    .where(eq(posts.id, postId))
    .get()
  if (!row) return undefined
  const { seriesTitle, ...content } = row
  return { ...content, tags: tagNamesOf(db, postId).join(', '), series: seriesTitle ?? '' }
}

/**
 * Stores the post as it was just saved. The slug, date and part number are read back from the
 * post, because savePost may have made the slug unique or filled in the date.
 */
export function recordRevision(db: Db, postId: number, now: Date): number {
  const saved = loadPostContent(db, postId)
  if (!saved) throw new Error(`recordRevision: post ${postId} does not exist`)
  const { id: _id, updatedAt: _updatedAt, ...content } = saved
  return db
    .insert(postRevisions)
    .values({ ...content, postId, createdAt: now })
    .returning({ id: postRevisions.id })
    .get().id
}

/** savePost and its revision in one transaction: a save is never kept without its revision. */
export function savePostWithRevision(
  db: Db,
  input: PostInput,
  options: { id?: number; now: Date; html?: PostHtml },
): number {
  return db.transaction(() => {
    const id = savePost(db, input, options)
    recordRevision(db, id, options.now)
    return id
  })
}

export interface RevisionSummary {
  readonly id: number
  readonly title: string
  readonly status: PostStatus
  readonly createdAt: Date
}

export function listRevisions(db: Db, postId: number): RevisionSummary[] {
  return db
    .select({
      id: postRevisions.id,
      title: postRevisions.title,
      status: postRevisions.status,
      createdAt: postRevisions.createdAt,
    })
    .from(postRevisions)
    .where(eq(postRevisions.postId, postId))
    .orderBy(desc(postRevisions.id))
    .all()
}

export type Revision = PostContent & {
  readonly id: number
  readonly postId: number
  readonly createdAt: Date
}

export function findRevision(db: Db, postId: number, revisionId: number): Revision | undefined {
  const row = db.select().from(postRevisions).where(eq(postRevisions.id, revisionId)).get()
  return row && row.postId === postId ? row : undefined
}

/**
 * What restoring a revision saves: its words, link, tags and series. The post keeps its current
 * address, status and date, so restoring old text never unpublishes a post or moves its URL.
 */
export function revisionAsInput(
  revision: PostContent,
  current: Pick<PostContent, 'slug' | 'status' | 'publishedAt'>,
): PostInput {
  return {
    title: revision.title,
    slug: current.slug,
    kind: revision.kind,
    bodyMd: revision.bodyMd,
    excerptMd: revision.excerptMd,
    linkUrl: revision.linkUrl ?? undefined,
    quoteMd: revision.quoteMd,
    tags: revision.tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
    series: revision.series,
    seriesPart: revision.series ? (revision.seriesPart ?? undefined) : undefined,
    status: current.status,
    publishedAt: current.publishedAt ?? undefined,
    metaDescription: revision.metaDescription,
  }
}
