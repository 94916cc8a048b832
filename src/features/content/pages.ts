// Owns writing standalone pages (About, Work with me, …).
import { and, asc, eq, ne, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type PageStatus, pages } from '../../db/schema.ts'
import { markdownHere } from '../../lib/markdown-here.ts'
import { renderMarkdownInWorker } from '../../lib/markdown-pool.ts'
import { slugify, uniqueSlug } from '../../lib/slugs.ts'
import { FOLIO_TOP_LEVEL_SEGMENTS } from '../../lib/urls.ts'
import { createImageResolver } from '../media/service.ts'
import { ContentInputError, refuseOverLimit } from './posts.ts'

/**
 * Slugs a page may not take, because a route of Folio's own lives there: each of Folio's top-level
 * segments as a slug ("feed.xml" → "feed-xml"), and a file's bare name ("feed"), which an old
 * blog's address (`/feed/`) redirects from.
 */
export const RESERVED_PAGE_SLUGS: ReadonlySet<string> = new Set(
  [...FOLIO_TOP_LEVEL_SEGMENTS]
    .flatMap((segment) => [slugify(segment), slugify(segment.split('.')[0] ?? '')])
    .filter(Boolean),
)

/** How long a page's fields may be, and the last navigation position: for the editor's form and its inputs. */
export const PAGE_LIMITS = {
  title: 200,
  slug: 200,
  body: 200_000,
  metaDescription: 300,
  navOrderMax: 999,
} as const

export interface PageInput {
  readonly title: string
  readonly slug?: string | undefined
  readonly bodyMd: string
  readonly status: PageStatus
  readonly metaDescription?: string | undefined
  readonly navOrder?: number | null | undefined
}

/**
 * Renders a page's Markdown on a worker thread, bounded in nesting and time (see renderPostHtml);
 * without `db` images get no library sizes, as in the preview.
 */
export async function renderPageHtml(db: Db | undefined, bodyMd: string): Promise<string> {
  return renderMarkdownInWorker(bodyMd, db ? { images: createImageResolver(db) } : {}).catch((error) =>
    refuseOverLimit(error, 'bodyMd'),
  )
}

/** The address savePage starts from, before making it unique: the author's slug, or one made from the title. */
export const wantedPageSlug = (slug: string | undefined, title: string): string =>
  slugify(slug?.trim() || title.trim()) || 'untitled'

/** `bodyHtml` comes from renderPageHtml; without it the Markdown is rendered here, for the CLI's commands. */
export function savePage(
  db: Db,
  input: PageInput,
  options: { id?: number; now?: Date; bodyHtml?: string } = {},
): number {
  const now = options.now ?? new Date()
  const title = input.title.trim()
  if (!title) throw new ContentInputError('title', 'A page needs a title.')
  let bodyHtml: string
  try {
    bodyHtml =
      options.bodyHtml ?? markdownHere().renderMarkdown(input.bodyMd, { images: createImageResolver(db) })
  } catch (error) {
    refuseOverLimit(error, 'bodyMd')
  }
  // What the author typed, '' for nothing: the page derives its description when shown (content/descriptions.ts).
  const metaDescription = input.metaDescription?.trim() ?? ''
  return db.transaction((tx) => {
    const slug = uniqueSlug(wantedPageSlug(input.slug, title), (candidate) => {
      if (RESERVED_PAGE_SLUGS.has(candidate)) return true
      const clash = tx
        .select({ id: pages.id })
        .from(pages)
        .where(
          options.id ? and(eq(pages.slug, candidate), ne(pages.id, options.id)) : eq(pages.slug, candidate),
        )
        .get()
      return clash !== undefined
    })
    const values = {
      title,
      slug,
      bodyMd: input.bodyMd,
      bodyHtml,
      status: input.status,
      metaDescription,
      navOrder: input.navOrder ?? null,
      updatedAt: now,
    }
    if (options.id) {
      tx.update(pages).set(values).where(eq(pages.id, options.id)).run()
      return options.id
    }
    return tx
      .insert(pages)
      .values({ ...values, createdAt: now })
      .returning({ id: pages.id })
      .get().id
  })
}

export type PageRow = typeof pages.$inferSelect

/** Every page for the admin list: navigation pages first in their order, then the rest by title. */
export function listPages(db: Db): PageRow[] {
  return db
    .select()
    .from(pages)
    .orderBy(sql`${pages.navOrder} is null`, asc(pages.navOrder), asc(pages.title), asc(pages.id))
    .all()
}

export function findPage(db: Db, id: number): PageRow | undefined {
  return db.select().from(pages).where(eq(pages.id, id)).get()
}

/** The next free position at the end of the navigation, for a new page's default. */
export function nextNavOrder(db: Db): number {
  const row = db
    .select({ max: sql<number | null>`max(${pages.navOrder})` })
    .from(pages)
    .get()
  return Math.min(PAGE_LIMITS.navOrderMax, (row?.max ?? 0) + 1)
}

/** Deletes a page; false when there was none with that id. */
export function deletePage(db: Db, id: number): boolean {
  return db.delete(pages).where(eq(pages.id, id)).run().changes > 0
}
