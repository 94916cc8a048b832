// Owns naming the pages the stats list: which counted paths are posts or pages, with their titles and editor links.
import { inArray } from 'drizzle-orm'
import type { Db } from '../../../db/client.ts'
import { pages, posts } from '../../../db/schema.ts'
import { adminPageUrl, adminPostUrl } from '../../../lib/urls.ts'
import { contentSlugOf } from '../../stats/public-paths.ts'
import { carriesReadMark } from '../../stats/read-mark.ts'

export interface CountedContent {
  readonly title: string
  readonly editUrl: string
  /** Whether the page carries the end-of-article mark, so its reads are counted. */
  readonly countsReads: boolean
}

/** For each path that is a post's or a page's address, what it is: one query per table, whatever the count. */
export function contentAt(db: Db, paths: readonly string[]): Map<string, CountedContent> {
  const found = new Map<string, CountedContent>()
  // Slug → path: a post or page has exactly one path (contentSlugOf takes only the form postUrl/pageUrl build).
  const postSlugs = new Map<string, string>()
  const pageSlugs = new Map<string, string>()
  for (const path of paths) {
    const content = contentSlugOf(path)
    if (content) (content.kind === 'post' ? postSlugs : pageSlugs).set(content.slug, path)
  }
  if (postSlugs.size > 0) {
    const rows = db
      .select({
        id: posts.id,
        slug: posts.slug,
        title: posts.title,
        kind: posts.kind,
        readingMinutes: posts.readingMinutes,
      })
      .from(posts)
      .where(inArray(posts.slug, [...postSlugs.keys()]))
      .all()
    for (const row of rows) {
      const named = { title: row.title, editUrl: adminPostUrl(row.id), countsReads: carriesReadMark(row) }
      const path = postSlugs.get(row.slug)
      if (path !== undefined) found.set(path, named)
    }
  }
  if (pageSlugs.size > 0) {
    const rows = db
      .select({ id: pages.id, slug: pages.slug, title: pages.title })
      .from(pages)
      .where(inArray(pages.slug, [...pageSlugs.keys()]))
      .all()
    for (const row of rows) {
      const named = { title: row.title, editUrl: adminPageUrl(row.id), countsReads: false }
      const path = pageSlugs.get(row.slug)
      if (path !== undefined) found.set(path, named)
    }
  }
  return found
}
