// Owns /healthz: 200 once the database answers, 503 otherwise, for load balancers and Fly checks.
import type { FastifyInstance } from 'fastify'
import type { Db } from '../../db/client.ts'

export default async function healthRoutes(app: FastifyInstance, options: { db: Db }) {
  const ping = () => options.db.$client.prepare('select 1 as ok').get() as { ok: number }

  app.get('/healthz', async (request, reply) => {
    reply.header('cache-control', 'no-store')
    try {
      ping()
      return { status: 'ok', database: 'ok' }
    } catch (err) {
      request.log.error({ err }, 'health check: database unavailable')
      return reply.code(503).send({ status: 'unavailable', database: 'error' })
    }
  })
}
