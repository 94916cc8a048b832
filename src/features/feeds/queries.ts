// Owns what the feeds read: the latest public posts with their full content.
import { desc } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { posts } from '../../db/schema.ts'
import { tagsByPost } from '../content/tags.ts'
import { isPublicPost } from '../content/visibility.ts'

export const FEED_SIZE = 20

export interface FeedPost {
  readonly id: number
  readonly kind: 'article' | 'link'
  readonly slug: string
  readonly title: string
  readonly bodyHtml: string
  readonly excerptHtml: string
  readonly quoteHtml: string
  readonly linkUrl: string | null
  readonly metaDescription: string
  readonly publishedAt: Date
  readonly updatedAt: Date
  readonly tags: readonly { slug: string; name: string }[]
}

export function listFeedPosts(db: Db, now: Date, limit = FEED_SIZE): FeedPost[] {
  const rows = db
    .select({
      id: posts.id,
      kind: posts.kind,
      slug: posts.slug,
      title: posts.title,
      bodyHtml: posts.bodyHtml,
      excerptHtml: posts.excerptHtml,
      quoteHtml: posts.quoteHtml,
      linkUrl: posts.linkUrl,
      metaDescription: posts.metaDescription,
      publishedAt: posts.publishedAt,
      updatedAt: posts.updatedAt,
    })
    .from(posts)
    .where(isPublicPost(now))
    .orderBy(desc(posts.publishedAt), desc(posts.id))
    .limit(limit)
    .all()
  const tagsOf = tagsByPost(
    db,
    rows.map((r) => r.id),
  )
  return rows.map((row) => ({
    ...row,
    publishedAt: row.publishedAt as Date,
    tags: tagsOf.get(row.id) ?? [],
  }))
}
