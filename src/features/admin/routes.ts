// Owns the /admin scope: who is signed in, CSRF on every state change, and the admin's route plugins in order.
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import authRoutes from './auth/routes.ts'
import { installAdminContext, recordActivity, requireUser } from './context.ts'
import dashboardRoutes from './dashboard/routes.ts'
import followersRoutes from './followers/routes.ts'
import inboxRoutes from './inbox/routes.ts'
import mediaRoutes from './media/routes.ts'
import pagesRoutes from './pages/routes.ts'
import postsRoutes from './posts/routes.ts'
import responsesRoutes from './responses/routes.ts'
import seriesRoutes from './series/routes.ts'
import settingsRoutes from './settings/routes.ts'
import statsRoutes from './stats/routes.ts'
import subscribersRoutes from './subscribers/routes.ts'

export default async function adminRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db, config } = options
  installAdminContext(app, { db, config })
  app.protectForms(app)
  app.addHook('preHandler', recordActivity(db))

  // Sign-in and setup are open; the account page guards itself.
  await app.register(authRoutes, { db, config })

  // Everything else needs a signed-in author.
  await app.register(async function signedIn(scope) {
    scope.addHook('preHandler', requireUser)
    await scope.register(dashboardRoutes, { db })
    await scope.register(postsRoutes, { db, config })
    await scope.register(pagesRoutes, { db, config })
    await scope.register(seriesRoutes, { db, config })
    await scope.register(mediaRoutes, { db, config })
    await scope.register(settingsRoutes, { db })
    await scope.register(inboxRoutes, { db, config })
    await scope.register(responsesRoutes, { db })
    await scope.register(followersRoutes, { db, config })
    await scope.register(subscribersRoutes, { db, config })
    await scope.register(statsRoutes, { db, config })
  })
}
