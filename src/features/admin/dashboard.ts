// Owns the dashboard: drafts in progress, scheduled posts, and what is new in the inbox.
import { asc, count, desc } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { Db } from '../../db/client.ts'
import { posts } from '../../db/schema.ts'
import { formatDate } from '../../lib/dates.ts'
import { postUrl } from '../../lib/urls.ts'
import { isDraftPost, isPublicPost, isScheduledPost } from '../content/visibility.ts'
import { getSettings } from '../settings/service.ts'

export function dashboardData(db: Db, now = new Date()) {
  const site = getSettings(db)
  const drafts = db
    .select({ id: posts.id, title: posts.title, updatedAt: posts.updatedAt })
    .from(posts)
    .where(isDraftPost())
    .orderBy(desc(posts.updatedAt))
    .limit(10)
    .all()
  const scheduled = db
    .select({ id: posts.id, title: posts.title, publishedAt: posts.publishedAt })
    .from(posts)
    .where(isScheduledPost(now))
    .orderBy(asc(posts.publishedAt))
    .limit(10)
    .all()
  const recent = db
    .select({ id: posts.id, title: posts.title, slug: posts.slug, publishedAt: posts.publishedAt })
    .from(posts)
    .where(isPublicPost(now))
    .orderBy(desc(posts.publishedAt))
    .limit(5)
    .all()
  const published = db.select({ n: count() }).from(posts).where(isPublicPost(now)).get()?.n ?? 0
  const when = (d: Date | null) => (d ? formatDate(d, site.timezone) : '')
  return {
    drafts: drafts.map((p) => ({ ...p, editUrl: `/admin/posts/${p.id}`, updated: when(p.updatedAt) })),
    scheduled: scheduled.map((p) => ({
      ...p,
      editUrl: `/admin/posts/${p.id}`,
      when: when(p.publishedAt),
      iso: p.publishedAt?.toISOString(),
    })),
    recent: recent.map((p) => ({
      ...p,
      editUrl: `/admin/posts/${p.id}`,
      url: postUrl(p.slug),
      when: when(p.publishedAt),
    })),
    published,
  }
}

export default async function dashboardRoutes(app: FastifyInstance, options: { db: Db }) {
  app.get('/admin', async (_request, reply) => {
    return reply.admin('admin/dashboard', {
      title: 'Dashboard',
      section: 'dashboard',
      ...dashboardData(options.db),
    })
  })
}
