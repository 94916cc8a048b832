// Owns the reading side's queries: only what a visitor may see, and only reads.
import { and, asc, count, desc, eq, notInArray, or, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { pages, postRedirects, posts, postTags, series, tags } from '../../db/schema.ts'
import { type TagRef, tagsByPost } from '../content/tags.ts'
import { isPublicPage, isPublicPost, notPublicPostIds } from '../content/visibility.ts'
import type { FeatureImageRow } from '../media/render.ts'
import { findMedia } from '../media/service.ts'

export type { TagRef }

const newestFirst = [desc(posts.publishedAt), desc(posts.id)]

const summaryColumns = {
  id: posts.id,
  kind: posts.kind,
  title: posts.title,
  slug: posts.slug,
  excerptHtml: posts.excerptHtml,
  hasMore: posts.hasMore,
  // Lists show link posts in full and articles as excerpts: fetch a body only where it is shown.
  bodyHtml: sql<string>`case when ${posts.kind} = 'link' then ${posts.bodyHtml} else '' end`,
  linkUrl: posts.linkUrl,
  quoteHtml: posts.quoteHtml,
  publishedAt: posts.publishedAt,
  updatedAt: posts.updatedAt,
  readingMinutes: posts.readingMinutes,
  seriesId: posts.seriesId,
  seriesPart: posts.seriesPart,
}

export interface SeriesRef {
  readonly slug: string
  readonly title: string
  /** 1-based position among the series' public parts. */
  readonly part: number
  readonly total: number
}

const selectSummaries = (db: Db) => db.select(summaryColumns).from(posts)
type SummaryRow = ReturnType<ReturnType<typeof selectSummaries>['all']>[number]

export interface PostSummary extends Omit<SummaryRow, 'publishedAt'> {
  readonly publishedAt: Date
  readonly tags: readonly TagRef[]
  readonly series: SeriesRef | null
}

export interface Page<T> {
  readonly items: readonly T[]
  readonly page: number
  readonly totalPages: number
  readonly total: number
}

export interface SeriesPart {
  readonly id: number
  readonly slug: string
  readonly title: string
  readonly publishedAt: Date
}

/** The public parts of a series, in reading order. */
export function listSeriesParts(db: Db, seriesId: number, now: Date): SeriesPart[] {
  return db
    .select({ id: posts.id, slug: posts.slug, title: posts.title, publishedAt: posts.publishedAt })
    .from(posts)
    .where(and(eq(posts.seriesId, seriesId), isPublicPost(now)))
    .orderBy(asc(posts.seriesPart), asc(posts.publishedAt), asc(posts.id))
    .all() as SeriesPart[]
}

function seriesRefs(db: Db, rows: readonly SummaryRow[], now: Date): Map<number, SeriesRef> {
  const result = new Map<number, SeriesRef>()
  const seriesIds = [...new Set(rows.map((r) => r.seriesId).filter((id): id is number => id !== null))]
  for (const seriesId of seriesIds) {
    const info = db
      .select({ slug: series.slug, title: series.title })
      .from(series)
      .where(eq(series.id, seriesId))
      .get()
    if (!info) continue
    const parts = listSeriesParts(db, seriesId, now)
    parts.forEach((part, index) => {
      result.set(part.id, { slug: info.slug, title: info.title, part: index + 1, total: parts.length })
    })
  }
  return result
}

function toSummaries(db: Db, rows: SummaryRow[], now: Date): PostSummary[] {
  const tagMap = tagsByPost(
    db,
    rows.map((r) => r.id),
  )
  const seriesMap = seriesRefs(db, rows, now)
  return rows.map((row) => ({
    ...row,
    publishedAt: row.publishedAt as Date,
    tags: tagMap.get(row.id) ?? [],
    series: seriesMap.get(row.id) ?? null,
  }))
}

const pageOf = (page: number, perPage: number, total: number) => {
  const totalPages = Math.max(1, Math.ceil(total / perPage))
  return { totalPages, offset: (page - 1) * perPage }
}

export function listLatestPosts(db: Db, now: Date, limit: number): PostSummary[] {
  const rows = selectSummaries(db)
    .where(isPublicPost(now))
    .orderBy(...newestFirst)
    .limit(limit)
    .all()
  return toSummaries(db, rows, now)
}

export function listPublishedPosts(db: Db, now: Date, page: number, perPage: number): Page<PostSummary> {
  const total = db.select({ n: count() }).from(posts).where(isPublicPost(now)).get()?.n ?? 0
  const { totalPages, offset } = pageOf(page, perPage, total)
  if (page > totalPages) return { items: [], page, totalPages, total }
  const rows = selectSummaries(db)
    .where(isPublicPost(now))
    .orderBy(...newestFirst)
    .limit(perPage)
    .offset(offset)
    .all()
  return { items: toSummaries(db, rows, now), page, totalPages, total }
}

export function findTagBySlug(db: Db, slug: string): TagRef | undefined {
  return db
    .select({ slug: tags.slug, name: tags.name, id: tags.id })
    .from(tags)
    .where(eq(tags.slug, slug))
    .get()
}

export function listPostsByTag(
  db: Db,
  tagSlug: string,
  now: Date,
  page: number,
  perPage: number,
): Page<PostSummary> {
  const tag = db.select({ id: tags.id }).from(tags).where(eq(tags.slug, tagSlug)).get()
  if (!tag) return { items: [], page, totalPages: 1, total: 0 }
  // Counting starts from the tag's index entries and sets aside the few posts that are not public,
  // read from the visibility index: joined, every tagged post cost a read of its row's page (a
  // big tag's count outgrew SQLite's page cache). A page walks posts_public_idx in date order and
  // probes post_tags per entry, so it stops after the rows it shows.
  const total =
    db
      .select({ n: count() })
      .from(postTags)
      .where(and(eq(postTags.tagId, tag.id), notInArray(postTags.postId, notPublicPostIds(db, now))))
      .get()?.n ?? 0
  const where = and(
    isPublicPost(now),
    sql`exists (select 1 from ${postTags} where ${postTags.postId} = ${posts.id} and ${postTags.tagId} = ${tag.id})`,
  )
  const { totalPages, offset } = pageOf(page, perPage, total)
  if (page > totalPages) return { items: [], page, totalPages, total }
  const rows = selectSummaries(db)
    .where(where)
    .orderBy(...newestFirst)
    .limit(perPage)
    .offset(offset)
    .all()
  return { items: toSummaries(db, rows, now), page, totalPages, total }
}

export interface SeriesDetail {
  readonly id: number
  readonly slug: string
  readonly title: string
  readonly descriptionHtml: string
  readonly parts: PostSummary[]
}

export function findSeriesWithParts(db: Db, slug: string, now: Date): SeriesDetail | undefined {
  const info = db.select().from(series).where(eq(series.slug, slug)).get()
  if (!info) return undefined
  const rows = selectSummaries(db)
    .where(and(eq(posts.seriesId, info.id), isPublicPost(now)))
    .orderBy(asc(posts.seriesPart), asc(posts.publishedAt), asc(posts.id))
    .all()
  if (rows.length === 0) return undefined
  return {
    id: info.id,
    slug: info.slug,
    title: info.title,
    descriptionHtml: info.descriptionHtml,
    parts: toSummaries(db, rows, now),
  }
}

export interface PostDetail extends PostSummary {
  readonly bodyHtml: string
  readonly metaDescription: string
  readonly featureImage: FeatureImageRow | undefined
  readonly seriesParts: readonly SeriesPart[]
  readonly newer: { slug: string; title: string } | undefined
  readonly older: { slug: string; title: string } | undefined
}

export function findVisiblePost(db: Db, slug: string, now: Date): PostDetail | undefined {
  const row = db
    .select({
      ...summaryColumns,
      bodyHtml: posts.bodyHtml,
      metaDescription: posts.metaDescription,
      featureImageId: posts.featureImageId,
    })
    .from(posts)
    .where(and(eq(posts.slug, slug), isPublicPost(now)))
    .get()
  if (!row) return undefined
  const [summary] = toSummaries(db, [row], now)
  const publishedAt = row.publishedAt as Date
  const neighbour = (direction: 'newer' | 'older') => {
    const cmp =
      direction === 'newer'
        ? or(
            sql`${posts.publishedAt} > ${publishedAt.getTime()}`,
            and(eq(posts.publishedAt, publishedAt), sql`${posts.id} > ${row.id}`),
          )
        : or(
            sql`${posts.publishedAt} < ${publishedAt.getTime()}`,
            and(eq(posts.publishedAt, publishedAt), sql`${posts.id} < ${row.id}`),
          )
    return db
      .select({ slug: posts.slug, title: posts.title })
      .from(posts)
      .where(and(isPublicPost(now), cmp))
      .orderBy(...(direction === 'newer' ? [asc(posts.publishedAt), asc(posts.id)] : newestFirst))
      .limit(1)
      .get()
  }
  return {
    ...(summary as PostSummary),
    bodyHtml: row.bodyHtml,
    metaDescription: row.metaDescription,
    featureImage: row.featureImageId === null ? undefined : findMedia(db, row.featureImageId),
    seriesParts: row.seriesId !== null ? listSeriesParts(db, row.seriesId, now) : [],
    newer: neighbour('newer'),
    older: neighbour('older'),
  }
}

/** The current slug of a post that used to live at `oldSlug`, if it is public. */
export function findRedirectedSlug(db: Db, oldSlug: string, now: Date): string | undefined {
  return db
    .select({ slug: posts.slug })
    .from(postRedirects)
    .innerJoin(posts, eq(posts.id, postRedirects.postId))
    .where(and(eq(postRedirects.oldSlug, oldSlug), isPublicPost(now)))
    .get()?.slug
}

export function findPublishedPage(db: Db, slug: string) {
  return db
    .select({
      title: pages.title,
      slug: pages.slug,
      bodyHtml: pages.bodyHtml,
      metaDescription: pages.metaDescription,
      updatedAt: pages.updatedAt,
    })
    .from(pages)
    .where(and(eq(pages.slug, slug), isPublicPage()))
    .get()
}

export function listNavPages(db: Db): { title: string; slug: string }[] {
  return db
    .select({ title: pages.title, slug: pages.slug })
    .from(pages)
    .where(and(isPublicPage(), sql`${pages.navOrder} is not null`))
    .orderBy(asc(pages.navOrder), asc(pages.title))
    .all()
}

/** Tags with public posts, counted from post_tags alone (as listPostsByTag counts). */
export function listTagsWithCounts(db: Db, now: Date): { slug: string; name: string; count: number }[] {
  return db
    .select({ slug: tags.slug, name: tags.name, count: count() })
    .from(tags)
    .innerJoin(postTags, eq(postTags.tagId, tags.id))
    .where(notInArray(postTags.postId, notPublicPostIds(db, now)))
    .groupBy(tags.id)
    .orderBy(asc(tags.name))
    .all()
}
