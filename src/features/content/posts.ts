// Owns writing posts: the one code path the admin, the seed and imports use to save a post.
import { and, eq, max, ne, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import {
  type PostKind,
  type PostStatus,
  postRedirects,
  posts,
  postTags,
  series,
  tags,
} from '../../db/schema.ts'
import { visibleText } from '../../lib/html-text.ts'
import type { RenderedBody } from '../../lib/markdown.ts'
import { markdownHere } from '../../lib/markdown-here.ts'
import { MarkdownLimitError } from '../../lib/markdown-limits.ts'
import { renderBodyInWorker, renderMarkdownInWorker } from '../../lib/markdown-pool.ts'
import { slugify, uniqueSlug } from '../../lib/slugs.ts'
import { createImageResolver, findMediaByReference } from '../media/service.ts'
import { postInputProblem } from './post-rules.ts'

export interface PostInput {
  readonly title: string
  /** Empty or missing: derived from the title. */
  readonly slug?: string | undefined
  readonly kind: PostKind
  readonly bodyMd: string
  readonly excerptMd?: string | undefined
  readonly linkUrl?: string | undefined
  readonly quoteMd?: string | undefined
  readonly tags?: readonly string[] | undefined
  /** A series title; the series is created when it does not exist yet. Empty: no series. */
  readonly series?: string | undefined
  /** The part's position in its series; missing: after the last part. */
  readonly seriesPart?: number | undefined
  readonly status: PostStatus
  /** Missing for a published post: now. */
  readonly publishedAt?: Date | undefined
  /** What the author typed; empty or missing: derived when shown (content/descriptions.ts). */
  readonly metaDescription?: string | undefined
  /**
   * The feature image as a library reference (id, /media/ URL or stored name); empty: none;
   * missing: keep the post's current one (restoring a revision, an import without one).
   */
  readonly featureImage?: string | undefined
}

/** Input the services refuse, naming the form field to show the message beside. */
export class ContentInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message)
    this.name = 'ContentInputError'
  }
}

function upsertTags(tx: Db, names: readonly string[]): number[] {
  const ids = new Set<number>()
  for (const raw of names) {
    const name = raw.trim().replace(/\s+/g, ' ')
    const slug = slugify(name)
    if (!slug) continue
    const existing = tx.select({ id: tags.id }).from(tags).where(eq(tags.slug, slug)).get()
    if (existing) {
      ids.add(existing.id)
      continue
    }
    const created = tx.insert(tags).values({ slug, name }).returning({ id: tags.id }).get()
    ids.add(created.id)
  }
  return [...ids]
}

/**
 * The series a post names: by its title first (a renamed series keeps its old slug, and the editor
 * sends the title), then by the slug the title would have; otherwise a new one.
 */
function findOrCreateSeries(tx: Db, title: string, now: Date): number {
  const slug = slugify(title)
  const existing =
    tx
      .select({ id: series.id })
      .from(series)
      .where(sql`${series.title} = ${title.trim()} collate nocase`)
      .orderBy(series.id)
      .get() ?? tx.select({ id: series.id }).from(series).where(eq(series.slug, slug)).get()
  if (existing) return existing.id
  return tx
    .insert(series)
    .values({ slug, title: title.trim(), createdAt: now, updatedAt: now })
    .returning({ id: series.id })
    .get().id
}

/** A post's Markdown as HTML: what savePost stores. */
export interface PostHtml {
  readonly body: RenderedBody
  readonly quoteHtml: string
}

/** What search indexes of a post besides its title and tags: the visible text of its body and quoted passage. */
export const postSearchText = (html: PostHtml): string =>
  [html.body.text, visibleText(html.quoteHtml)].filter(Boolean).join(' ')

/** Markdown over a limit becomes a message beside the field that holds it; anything else is rethrown. */
export function refuseOverLimit(error: unknown, field: string): never {
  if (error instanceof MarkdownLimitError) throw new ContentInputError(field, error.message)
  throw error
}

type PostMarkdown = Pick<PostInput, 'bodyMd' | 'excerptMd' | 'quoteMd'>

/**
 * Renders a post's Markdown on a worker thread, bounded in nesting and time, so no text an author
 * pastes can stall other requests. Refusals are ContentInputErrors naming the field.
 */
export async function renderPostHtml(db: Db | undefined, input: PostMarkdown): Promise<PostHtml> {
  const options = db ? { images: createImageResolver(db) } : {}
  const [body, quoteHtml] = await Promise.all([
    renderBodyInWorker(input.bodyMd, input.excerptMd ?? '', options).catch((error) =>
      refuseOverLimit(error, 'body'),
    ),
    renderMarkdownInWorker(input.quoteMd ?? '', options).catch((error) => refuseOverLimit(error, 'quote')),
  ])
  return { body, quoteHtml }
}

/** The same rendering on the calling thread, for the operator's own commands (seed, import). */
function renderPostHtmlHere(db: Db, input: PostMarkdown): PostHtml {
  const options = { images: createImageResolver(db) }
  const { renderBody, renderMarkdown } = markdownHere()
  const rendered = <T>(field: string, render: () => T): T => {
    try {
      return render()
    } catch (error) {
      return refuseOverLimit(error, field)
    }
  }
  return {
    body: rendered('body', () => renderBody(input.bodyMd, input.excerptMd ?? '', options)),
    quoteHtml: rendered('quote', () => renderMarkdown(input.quoteMd ?? '', options)),
  }
}

/**
 * Creates (no `id`) or updates a post, with its tags, series and search entry, in one transaction.
 * `html` comes from renderPostHtml; without it the Markdown is rendered here, unbounded in time.
 * A changed slug leaves a redirect behind so shared links keep working.
 */
export function savePost(
  db: Db,
  input: PostInput,
  options: { id?: number; now?: Date; html?: PostHtml } = {},
): number {
  const now = options.now ?? new Date()
  const title = input.title.trim()
  const problem = postInputProblem(input)
  if (problem) throw new ContentInputError(problem.field, problem.message)

  const { body, quoteHtml } = options.html ?? renderPostHtmlHere(db, input)
  const publishedAt = input.publishedAt ?? (input.status === 'draft' ? null : now)
  const metaDescription = input.metaDescription?.trim() ?? ''

  return db.transaction((tx) => {
    const current = options.id
      ? tx
          .select({ slug: posts.slug, seriesId: posts.seriesId, seriesPart: posts.seriesPart })
          .from(posts)
          .where(eq(posts.id, options.id))
          .get()
      : undefined
    if (options.id && !current) throw new ContentInputError('id', 'That post does not exist.')

    const wanted = slugify(input.slug?.trim() || title)
    const slug = uniqueSlug(wanted, (candidate) => {
      const clash = tx
        .select({ id: posts.id })
        .from(posts)
        .where(
          options.id ? and(eq(posts.slug, candidate), ne(posts.id, options.id)) : eq(posts.slug, candidate),
        )
        .get()
      return clash !== undefined
    })

    const seriesTitle = input.series?.trim()
    const seriesId = seriesTitle ? findOrCreateSeries(tx as unknown as Db, seriesTitle, now) : null
    let seriesPart: number | null = null
    if (seriesId !== null) {
      if (input.seriesPart !== undefined) seriesPart = input.seriesPart
      else if (current?.seriesId === seriesId && current.seriesPart !== null) seriesPart = current.seriesPart
      else {
        const last = tx
          .select({ part: max(posts.seriesPart) })
          .from(posts)
          .where(eq(posts.seriesId, seriesId))
          .get()
        seriesPart = (last?.part ?? 0) + 1
      }
    }

    const featureImageId = featureImageIdOf(tx as unknown as Db, input.featureImage)
    const values = {
      ...(featureImageId === undefined ? {} : { featureImageId }),
      kind: input.kind,
      title,
      slug,
      bodyMd: input.bodyMd,
      bodyHtml: body.html,
      excerptMd: input.excerptMd ?? '',
      excerptHtml: body.excerptHtml,
      hasMore: body.hasMore,
      linkUrl: input.kind === 'link' ? (input.linkUrl ?? null) : null,
      quoteMd: input.quoteMd ?? '',
      quoteHtml,
      status: input.status,
      publishedAt,
      metaDescription,
      readingMinutes: body.readingMinutes,
      seriesId,
      seriesPart,
      updatedAt: now,
    }

    let id: number
    if (options.id && current) {
      id = options.id
      tx.update(posts).set(values).where(eq(posts.id, id)).run()
      if (current.slug !== slug) {
        tx.insert(postRedirects)
          .values({ oldSlug: current.slug, postId: id, createdAt: now })
          .onConflictDoUpdate({ target: postRedirects.oldSlug, set: { postId: id, createdAt: now } })
          .run()
      }
      tx.delete(postTags).where(eq(postTags.postId, id)).run()
    } else {
      id = tx
        .insert(posts)
        .values({ ...values, createdAt: now })
        .returning({ id: posts.id })
        .get().id
    }
    // A slug in use by a post is no longer an old name of another one.
    tx.delete(postRedirects).where(eq(postRedirects.oldSlug, slug)).run()

    const tagNames = [...new Set((input.tags ?? []).map((t) => t.trim()).filter(Boolean))]
    const tagIds = upsertTags(tx as unknown as Db, tagNames)
    if (tagIds.length > 0)
      tx.insert(postTags)
        .values(tagIds.map((tagId) => ({ postId: id, tagId })))
        .run()

    const searchText = postSearchText({ body, quoteHtml })
    tx.run(sql`DELETE FROM posts_fts WHERE rowid = ${id}`)
    tx.run(
      sql`INSERT INTO posts_fts (rowid, title, body, tags) VALUES (${id}, ${title}, ${searchText}, ${tagNames.join(' ')})`,
    )
    return id
  })
}

/** The library id a feature image reference names; null for none, undefined to keep the current one. */
function featureImageIdOf(db: Db, reference: string | undefined): number | null | undefined {
  if (reference === undefined) return undefined
  if (reference.trim() === '') return null
  const row = findMediaByReference(db, reference)
  if (!row)
    throw new ContentInputError(
      'feature_image',
      'That image is not in the media library (any more). Choose another one, or none.',
    )
  return row.id
}

export function deletePost(db: Db, id: number): void {
  db.delete(posts).where(eq(posts.id, id)).run()
}

/** The editor's preview: the text and quoted passage rendered exactly as savePost renders them, srcset and all. */
export async function renderPostPreview(
  db: Db,
  input: PostMarkdown,
): Promise<{ bodyHtml: string; quoteHtml: string }> {
  const html = await renderPostHtml(db, input)
  return { bodyHtml: html.body.html, quoteHtml: html.quoteHtml }
}
