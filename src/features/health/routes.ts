// Owns /healthz: 200 while the database answers and its storage can take writes, 503 with a reason otherwise.
import type { FastifyInstance } from 'fastify'
import type { Db } from '../../db/client.ts'
import { findStorageProblem } from '../../db/storage-health.ts'

export default async function healthRoutes(app: FastifyInstance, options: { db: Db }) {
  const ping = () => options.db.$client.prepare('select 1 as ok').get() as { ok: number }

  // Reads only (invariant 1): a file-system access check and what failed writes left on record.
  app.get('/healthz', async (request, reply) => {
    reply.header('cache-control', 'no-store')
    try {
      ping()
    } catch (err) {
      request.log.error({ err }, 'health check: database unavailable')
      return reply
        .code(503)
        .send({ status: 'unavailable', database: 'error', reason: 'the database does not answer' })
    }
    const problem = findStorageProblem(options.db, app.config.databasePath)
    if (problem) {
      request.log.warn({ problem }, 'health check: storage cannot take writes')
      return reply
        .code(503)
        .send({ status: 'unavailable', database: 'ok', storage: 'error', reason: problem })
    }
    return { status: 'ok', database: 'ok', storage: 'ok' }
  })
}
