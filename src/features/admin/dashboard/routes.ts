// Owns the /admin dashboard: its one route and the view of what dashboardPosts, dashboardInbox and dashboardFollowers found.
import type { FastifyInstance } from 'fastify'
import type { Db } from '../../../db/client.ts'
import { formatDateTime } from '../../../lib/dates.ts'
import { adminMessageUrl, adminPostUrl, postUrl } from '../../../lib/urls.ts'
import { getSettings } from '../../settings/service.ts'
import { followersUrl } from '../followers/render.ts'
import { firstWords, inboxUrl } from '../inbox/render.ts'
import {
  type DashboardFollowers,
  type DashboardInbox,
  type DashboardPosts,
  dashboardFollowers,
  dashboardInbox,
  dashboardPosts,
} from './queries.ts'

function inboxView(found: DashboardInbox, timeZone: string) {
  return {
    url: inboxUrl(),
    unread: found.unread,
    spam: found.spam,
    spamUrl: inboxUrl({ folder: 'spam' }),
    latest: found.latest.map((m) => ({
      name: m.name,
      words: firstWords(m.excerpt, 10, 80) || '(empty message)',
      url: adminMessageUrl(m.id),
      when: formatDateTime(m.createdAt, timeZone),
      iso: m.createdAt.toISOString(),
    })),
  }
}

function followersView(counts: DashboardFollowers) {
  return {
    url: followersUrl(),
    accepted: counts.accepted,
    pending: counts.pending,
    pendingUrl: followersUrl({ status: 'pending' }),
  }
}

function dashboardView(
  found: DashboardPosts,
  inbox: DashboardInbox,
  followers: DashboardFollowers,
  timeZone: string,
) {
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
    inbox: inboxView(inbox, timeZone),
    followers: followersView(followers),
  }
}

export default async function dashboardRoutes(app: FastifyInstance, options: { db: Db }) {
  const { db } = options
  app.get('/admin', async (_request, reply) =>
    reply.admin(
      'admin/dashboard',
      dashboardView(dashboardPosts(db), dashboardInbox(db), dashboardFollowers(db), getSettings(db).timezone),
    ),
  )
}
