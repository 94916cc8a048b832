// Owns the /admin dashboard: its one route and the view of what dashboardPosts found.
import type { FastifyInstance } from 'fastify'
import type { Db } from '../../../db/client.ts'
import { formatDateTime } from '../../../lib/dates.ts'
import { adminPostUrl, postUrl } from '../../../lib/urls.ts'
import { getSettings } from '../../settings/service.ts'
import { type DashboardPosts, dashboardPosts } from './queries.ts'

function dashboardView(found: DashboardPosts, timeZone: string) {
  const when = (d: Date | null) => (d ? formatDateTime(d, timeZone) : '')
  return {
    title: 'Dashboard',
    section: 'dashboard',
    drafts: found.drafts.map((p) => ({ ...p, editUrl: adminPostUrl(p.id), updated: when(p.updatedAt) })),
    scheduled: found.scheduled.map((p) => ({
      ...p,
      editUrl: adminPostUrl(p.id),
      when: when(p.publishedAt),
      iso: p.publishedAt?.toISOString(),
    })),
    recent: found.recent.map((p) => ({
      ...p,
      editUrl: adminPostUrl(p.id),
      url: postUrl(p.slug),
      when: when(p.publishedAt),
    })),
    published: found.published,
  }
}

export default async function dashboardRoutes(app: FastifyInstance, options: { db: Db }) {
  const { db } = options
  app.get('/admin', async (_request, reply) =>
    reply.admin('admin/dashboard', dashboardView(dashboardPosts(db), getSettings(db).timezone)),
  )
}
