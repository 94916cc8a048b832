// Owns the admin's /admin/pages screens.
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'

export default async function pagesRoutes(_app: FastifyInstance, _options: { db: Db; config: Config }) {}
