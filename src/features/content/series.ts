// Owns writing series: a series' title, address and description, the reading order of its parts, and deleting it.
import { and, asc, eq, ne } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type PostStatus, posts, type Series, series } from '../../db/schema.ts'
import { renderMarkdownInWorker } from '../../lib/markdown-pool.ts'
import { slugify } from '../../lib/slugs.ts'
import { seriesUrl } from '../../lib/urls.ts'
import { createImageResolver } from '../media/service.ts'
import { ContentInputError, refuseOverLimit } from './posts.ts'

/** How long a series' fields may be, and the highest part number the form accepts. */
export const SERIES_LIMITS = {
  title: 200,
  slug: 200,
  descriptionMd: 10_000,
  partNumber: 999,
} as const

export interface SeriesInput {
  readonly title: string
  /** Empty or missing: made from the title. */
  readonly slug?: string | undefined
  readonly descriptionMd: string
}

/** A post in a series, whatever its state, as the admin lists it. */
export interface SeriesPartRow {
  readonly id: number
  readonly title: string
  readonly slug: string
  readonly status: PostStatus
  readonly publishedAt: Date | null
  readonly seriesPart: number | null
}

export function findSeries(db: Db, id: number): Series | undefined {
  return db.select().from(series).where(eq(series.id, id)).get()
}

/** Every post of a series, drafts and scheduled ones too, in the order readers get them. */
export function listSeriesPartRows(db: Db, seriesId: number): SeriesPartRow[] {
  return db
    .select({
      id: posts.id,
      title: posts.title,
      slug: posts.slug,
      status: posts.status,
      publishedAt: posts.publishedAt,
      seriesPart: posts.seriesPart,
    })
    .from(posts)
    .where(eq(posts.seriesId, seriesId))
    .orderBy(asc(posts.seriesPart), asc(posts.publishedAt), asc(posts.id))
    .all()
}

/**
 * A description's Markdown as HTML, on a worker thread and within the nesting and time limits, so
 * no text an author pastes can stall other requests. Refusals are ContentInputErrors naming the field.
 */
export function renderSeriesDescription(db: Db, descriptionMd: string): Promise<string> {
  return renderMarkdownInWorker(descriptionMd, { images: createImageResolver(db) }).catch((error) =>
    refuseOverLimit(error, 'descriptionMd'),
  )
}

/** The address a series asks for: the author's slug, or one made from the title; empty when neither has a letter or digit. */
export const wantedSeriesSlug = (slug: string | undefined, title: string): string =>
  slugify(slug?.trim() || title.trim())

/**
 * Post ids in their new reading order: by the number chosen for each, ties (and posts the form did
 * not number, such as one added from another tab) kept in their current order, unnumbered ones last.
 */
function chosenOrder(current: readonly SeriesPartRow[], numbers: ReadonlyMap<number, number>): number[] {
  return current
    .map((part, index) => ({ id: part.id, index, key: numbers.get(part.id) ?? Number.POSITIVE_INFINITY }))
    .sort((a, b) => a.key - b.key || a.index - b.index)
    .map((part) => part.id)
}

/**
 * Creates (no `id`) or updates a series, and with `partNumbers` (post id → chosen number) renumbers
 * its parts 1…N, all in one transaction. Ids of posts no longer in the series are ignored. Another
 * series' address is refused, never silently changed: it is the public URL the author chose.
 */
export function saveSeries(
  db: Db,
  input: SeriesInput,
  options: { id?: number; now?: Date; descriptionHtml: string; partNumbers?: ReadonlyMap<number, number> },
): number {
  const now = options.now ?? new Date()
  const title = input.title.trim()
  if (!title) throw new ContentInputError('title', 'A series needs a title.')
  const slug = wantedSeriesSlug(input.slug, title)
  if (!slug)
    throw input.slug?.trim()
      ? new ContentInputError('slug', 'An address needs at least one letter or digit.')
      : new ContentInputError('title', 'A series name needs at least one letter or digit.')

  return db.transaction((tx) => {
    const clash = tx
      .select({ title: series.title })
      .from(series)
      .where(options.id ? and(eq(series.slug, slug), ne(series.id, options.id)) : eq(series.slug, slug))
      .get()
    if (clash)
      throw new ContentInputError(
        'slug',
        `The series “${clash.title}” already uses the address ${seriesUrl(slug)}. Choose another address.`,
      )

    const values = {
      title,
      slug,
      descriptionMd: input.descriptionMd,
      descriptionHtml: options.descriptionHtml,
    }
    const id = options.id
    if (id === undefined)
      return tx
        .insert(series)
        .values({ ...values, createdAt: now, updatedAt: now })
        .returning({ id: series.id })
        .get().id

    const updated = tx
      .update(series)
      .set({ ...values, updatedAt: now })
      .where(eq(series.id, id))
      .run()
    if (updated.changes === 0) throw new ContentInputError('id', 'That series does not exist.')
    if (options.partNumbers) {
      const order = chosenOrder(listSeriesPartRows(tx as unknown as Db, id), options.partNumbers)
      order.forEach((postId, index) => {
        tx.update(posts)
          .set({ seriesPart: index + 1 })
          .where(and(eq(posts.id, postId), eq(posts.seriesId, id)))
          .run()
      })
    }
    return id
  })
}

/** Deletes a series; its posts stay, outside any series. */
export function deleteSeries(db: Db, id: number): void {
  db.transaction((tx) => {
    tx.update(posts).set({ seriesId: null, seriesPart: null }).where(eq(posts.seriesId, id)).run()
    tx.delete(series).where(eq(series.id, id)).run()
  })
}
