// Owns running Folio: config → open db → migrate → buildApp → listen, and a graceful shutdown.
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.ts'
import { ConfigError, loadConfig } from './config.ts'
import { closeDatabase, openDatabase } from './db/client.ts'
import { migrateDatabase } from './db/migrate.ts'
import { issueSetupToken } from './features/auth/users.ts'

let config: ReturnType<typeof loadConfig>
try {
  config = loadConfig(process.env)
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`Folio cannot start: ${err.message}`)
    process.exit(1)
  }
  throw err
}

const db = openDatabase(config.databasePath)
migrateDatabase(db)
const app = await buildApp({ config, db })

/** A read-only replica (LiteFS) cannot store a setup token; the primary prints one instead. */
function issueSetupTokenIfWritable(): string | null {
  try {
    return issueSetupToken(db)
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('SQLITE_READONLY')) return null
    throw err
  }
}

closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'shutting down after an error')
  else app.log.info({ signal }, 'shutting down')
  await app.close()
  // Fold the WAL back into the main file so a copied database file is complete. Litestream may
  // hold a read lock; wait briefly rather than the full busy timeout, then leave it to the WAL.
  db.$client.pragma('busy_timeout = 200')
  db.$client.pragma('wal_checkpoint(TRUNCATE)')
  closeDatabase(db)
})

try {
  await app.listen({ port: config.port, host: config.host })
  const local = ['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost'].includes(config.host)
  const where = local ? `http://localhost:${config.port}` : `http://${config.host}:${config.port}`
  app.log.info(`Folio is running at ${where} (database: ${config.databasePath})`)
  const setupToken = issueSetupTokenIfWritable()
  if (setupToken) {
    // The one place the token appears: it is stored only as a hash and works once.
    app.log.info(`No account yet. Create yours at ${config.siteUrl}/admin/setup?token=${setupToken}`)
  }
  const posts = db.$client.prepare('select count(*) from posts').pluck().get() as number
  if (posts === 0) app.log.info('The blog is empty. For demo content: npm run cli -- seed --posts 200')
} catch (err) {
  app.log.error({ err }, 'could not start the server')
  process.exit(1)
}
