// Owns what the admin's posts list reads: every post whatever its status, filtered, searched and paged.
import { and, asc, count, desc, eq, type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../../db/client.ts'
import { type PostKind, type PostStatus, posts, postTags, series, tags } from '../../../db/schema.ts'
import { postHeadColumns } from '../../content/revisions.ts'
import { tagsByPost } from '../../content/tags.ts'
import { isPostInState, type PostState, postState } from '../../content/visibility.ts'

export interface AdminPostFilters {
  readonly status?: PostState | undefined
  readonly kind?: PostKind | undefined
  /** A tag's slug. */
  readonly tag?: string | undefined
  /** Text to look for in titles. */
  readonly q?: string | undefined
  readonly page: number
}

export interface AdminPostRow {
  readonly id: number
  readonly title: string
  readonly slug: string
  readonly kind: PostKind
  readonly status: PostStatus
  readonly shownStatus: PostState
  readonly publishedAt: Date | null
  readonly updatedAt: Date
  readonly tags: readonly { slug: string; name: string }[]
}

export interface AdminPostPage {
  readonly items: readonly AdminPostRow[]
  readonly page: number
  readonly totalPages: number
  readonly total: number
}

export const ADMIN_POSTS_PER_PAGE = 20

/** "50%_off" → "50\%\_off": LIKE's wildcards typed by the author match themselves. */
const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (ch) => `\\${ch}`)

function conditions(filters: AdminPostFilters, now: Date): SQL | undefined {
  const where: SQL[] = []
  if (filters.status) where.push(isPostInState(filters.status, now))
  if (filters.kind) where.push(eq(posts.kind, filters.kind))
  if (filters.tag)
    where.push(
      sql`exists (select 1 from ${postTags} inner join ${tags} on ${tags.id} = ${postTags.tagId} where ${postTags.postId} = ${posts.id} and ${tags.slug} = ${filters.tag})`,
    )
  if (filters.q) where.push(sql`${posts.title} like ${`%${escapeLike(filters.q)}%`} escape '\\'`)
  return where.length > 0 ? and(...where) : undefined
}

/** Every post matching the filters, the most recently edited first. */
export function listAdminPosts(
  db: Db,
  filters: AdminPostFilters,
  now: Date,
  perPage = ADMIN_POSTS_PER_PAGE,
): AdminPostPage {
  const where = conditions(filters, now)
  const total = db.select({ n: count() }).from(posts).where(where).get()?.n ?? 0
  const totalPages = Math.max(1, Math.ceil(total / perPage))
  const rows = db
    .select(postHeadColumns)
    .from(posts)
    .where(where)
    .orderBy(desc(posts.updatedAt), desc(posts.id))
    .limit(perPage)
    .offset((filters.page - 1) * perPage)
    .all()
  const tagsOf = tagsByPost(
    db,
    rows.map((r) => r.id),
  )
  return {
    items: rows.map((row) => ({
      ...row,
      shownStatus: postState(row, now),
      tags: tagsOf.get(row.id) ?? [],
    })),
    page: filters.page,
    totalPages,
    total,
  }
}

/** Every tag, for the list's tag filter. */
export function listTagOptions(db: Db): { slug: string; name: string }[] {
  return db.select({ slug: tags.slug, name: tags.name }).from(tags).orderBy(asc(tags.name)).all()
}

/** Every series title, offered as suggestions in the editor's series field. */
export function listSeriesOptions(db: Db): string[] {
  return db
    .select({ title: series.title })
    .from(series)
    .orderBy(asc(series.title))
    .all()
    .map((s) => s.title)
}
