// Owns the post editor's "Readers" panel data: one post's stats as the editor shows them.
import { eq } from 'drizzle-orm'
import type { Db } from '../../../db/client.ts'
import { posts } from '../../../db/schema.ts'
import { postUrl } from '../../../lib/urls.ts'
import { postState } from '../../content/visibility.ts'
import { postStats } from '../../stats/post-stats.ts'
import { postStatsPanel } from './render.ts'

/**
 * For the editor's view model as `readers` (views/admin/posts/stats-panel.eta); null for a new
 * post, a draft, or a post not public yet that was never counted: there is nothing to show.
 */
export function readersPanel(db: Db, postId: number | undefined, now: Date, timeZone: string) {
  if (postId === undefined) return null
  const post = db
    .select({
      slug: posts.slug,
      kind: posts.kind,
      status: posts.status,
      publishedAt: posts.publishedAt,
      readingMinutes: posts.readingMinutes,
    })
    .from(posts)
    .where(eq(posts.id, postId))
    .get()
  if (!post || post.status === 'draft') return null
  return postStatsPanel(postStats(db, postUrl(post.slug), now, timeZone), {
    kind: post.kind,
    readingMinutes: post.readingMinutes,
    isPublic: postState(post, now) === 'published',
  })
}
