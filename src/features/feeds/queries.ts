// Owns what the feeds read (and the social web's copies of posts): public posts with their full content.
import { and, count, desc, eq, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { media, posts } from '../../db/schema.ts'
import type { MetaImage } from '../../plugins/site.ts'
import { tagsByPost } from '../content/tags.ts'
import { isPublicPost } from '../content/visibility.ts'
import { featureMetaImage } from '../media/render.ts'

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
  /** The feature image as link previews get it (root-relative URL, the library's alt text); none: undefined. */
  readonly image: MetaImage | undefined
}

/** The newest public posts, in full, newest first. */
export function listFeedPosts(db: Db, now: Date, limit = FEED_SIZE): FeedPost[] {
  return readFeedPosts(db, isPublicPost(now), limit)
}

/** One public post in full, as the feeds show it (the social web's copy of it too), or undefined when it is not public. */
export function findFeedPost(db: Db, id: number, now: Date): FeedPost | undefined {
  return readFeedPosts(db, and(eq(posts.id, id), isPublicPost(now)) as SQL, 1)[0]
}

/** How many posts are public at `now`. */
export function countFeedPosts(db: Db, now: Date): number {
  return db.select({ n: count() }).from(posts).where(isPublicPost(now)).get()?.n ?? 0
}

function readFeedPosts(db: Db, where: SQL, limit: number): FeedPost[] {
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
      image: {
        fileName: media.fileName,
        width: media.width,
        height: media.height,
        variants: media.variants,
        alt: media.alt,
        mimeType: media.mimeType,
        bytes: media.bytes,
      },
    })
    .from(posts)
    .leftJoin(media, eq(media.id, posts.featureImageId))
    .where(where)
    .orderBy(desc(posts.publishedAt), desc(posts.id))
    .limit(limit)
    .all()
  const tagsOf = tagsByPost(
    db,
    rows.map((r) => r.id),
  )
  return rows.map(({ image, ...row }) => ({
    ...row,
    // Its own alt text, empty when it has none: in a feed it sits among the post's words, which say the rest.
    image: image ? featureMetaImage(image, '') : undefined,
    publishedAt: row.publishedAt as Date,
    tags: tagsOf.get(row.id) ?? [],
  }))
}
