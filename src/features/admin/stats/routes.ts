// Owns the admin's /admin/stats page and its /admin/stats.csv export: both only read.

import { Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../../config.ts'
import type { Db } from '../../../db/client.ts'
import { ADMIN_STATS_URL } from '../../../lib/urls.ts'
import { getSettings } from '../../settings/service.ts'
import { siteDayNumber } from '../../stats/days.ts'
import { daysEndingOn, hasAnyStats } from '../../stats/queries.ts'
import { contentAt } from './content.ts'
import { statsCsv } from './csv.ts'
import { rangeFrom, type StatsRange } from './forms.ts'
import { badRangeView, statsCsvFileName, statsPageView } from './render.ts'
import { statsReport } from './report.ts'

export default async function statsRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db } = options

  /** The range asked for, or the refusal page (400) with links to the ranges there are. */
  const withRange =
    (handle: (range: StatsRange, request: FastifyRequest, reply: FastifyReply) => unknown) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const asked = rangeFrom(request.query)
      if ('error' in asked)
        return reply.admin('admin/stats/bad-range', badRangeView(asked.given, asked.error), 400)
      return handle(asked.range, request, reply)
    }

  app.get(
    ADMIN_STATS_URL,
    withRange(async (range, _request, reply) => {
      const settings = getSettings(db)
      const report = await statsReport(db, siteDayNumber(settings.timezone), range.days)
      const view = statsPageView(report, {
        range,
        content: contentAt(
          db,
          report.pages.map((p) => p.path),
        ),
        neverCounted: !hasAnyStats(db),
        beacon: settings.statsBeacon,
      })
      return reply.admin('admin/stats', view)
    }),
  )

  app.get(
    `${ADMIN_STATS_URL}.csv`,
    withRange((range, _request, reply) => {
      const today = siteDayNumber(getSettings(db).timezone)
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="${statsCsvFileName(range, today)}"`)
        .type('text/csv; charset=utf-8')
        .send(Readable.from(statsCsv(db, daysEndingOn(today, range.days))))
    }),
  )
}
