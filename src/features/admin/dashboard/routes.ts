// Owns the /admin dashboard: its one route and the view of what dashboardPosts, dashboardInbox, dashboardFollowers and dashboardReaders found.
import type { FastifyInstance } from 'fastify'
import type { Db } from '../../../db/client.ts'
import { formatDateTime } from '../../../lib/dates.ts'
import { ADMIN_SUBSCRIBERS_URL, adminMessageUrl, adminPostUrl, postUrl } from '../../../lib/urls.ts'
import { getSettings } from '../../settings/service.ts'
import { formatNumber } from '../../stats/chart.ts'
import { followersUrl } from '../followers/render.ts'
import { firstWords, inboxUrl } from '../inbox/render.ts'
import { STATS_RANGES } from '../stats/forms.ts'
import { statsUrl } from '../stats/render.ts'
import {
  type DashboardFollowers,
  type DashboardInbox,
  type DashboardPosts,
  type DashboardReaders,
  dashboardFollowers,
  dashboardInbox,
  dashboardPosts,
  dashboardReaders,
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

const counted = (n: number, one: string, many: string) => `${formatNumber(n)} ${n === 1 ? one : many}`

/** One line for last week's readers; one for subscribers when mail can be sent (SMTP_URL), else a note. */
function readersView(found: DashboardReaders, canMail: boolean) {
  const { confirmed, joinedLast30Days } = found.subscribers
  return {
    statsUrl: statsUrl(STATS_RANGES[0]),
    week: `${counted(found.visitors, 'visitor', 'visitors')} (daily uniques added up), ${counted(found.views, 'page view', 'page views')}`,
    subscribersUrl: ADMIN_SUBSCRIBERS_URL,
    subscribers: canMail ? counted(confirmed, 'subscriber', 'subscribers') : null,
    joined: `+${formatNumber(joinedLast30Days)} in the last 30 days`,
  }
}

function dashboardView(
  found: DashboardPosts,
  inbox: DashboardInbox,
  followers: DashboardFollowers,
  readers: ReturnType<typeof readersView>,
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
    readers,
  }
}

export default async function dashboardRoutes(app: FastifyInstance, options: { db: Db }) {
  const { db } = options
  // Subscribers get mail only where SMTP_URL is set; without it the card says what to set.
  const canMail = Boolean(app.config.smtpUrl)
  app.get('/admin', async (_request, reply) => {
    const timeZone = getSettings(db).timezone
    const readers = readersView(dashboardReaders(db, timeZone), canMail)
    return reply.admin(
      'admin/dashboard',
      dashboardView(dashboardPosts(db), dashboardInbox(db), dashboardFollowers(db), readers, timeZone),
    )
  })
}
