// Owns running Folio: config → open db → migrate → buildApp → listen, and a graceful shutdown.
// First, before anything allocates: the memory settings for a small machine.
import './memory.ts'
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.ts'
import { ConfigError, loadConfig } from './config.ts'
import { checkpointAndClose } from './db/client.ts'
import { checkIntegrityInBackground } from './db/integrity-check.ts'
import {
  DatabaseStartError,
  describeStartFailure,
  openDatabaseForServer,
  restoreHint,
} from './db/startup-check.ts'
import { isLiteFsReplica, markDamaged } from './db/storage-health.ts'
import { keepSetupToken, SETUP_LINK_DAYS, type SetupLinkOnStart } from './features/auth/users.ts'
import { getSettings } from './features/settings/service.ts'
import { exitWhenCompilersFinish, letCompilersFinish } from './lib/before-exit.ts'
import { formatDateTime } from './lib/dates.ts'
import { absoluteUrl, adminSetupUrl } from './lib/urls.ts'

/** One line that says what is wrong and what to do, not a stack trace; then the process ends. */
async function cannotStart(line: string): Promise<never> {
  console.error(`Folio cannot start: ${line}`)
  return exitWhenCompilersFinish(1)
}

async function configOrStop(): Promise<ReturnType<typeof loadConfig>> {
  try {
    return loadConfig(process.env)
  } catch (err) {
    if (err instanceof ConfigError) return cannotStart(err.message)
    throw err
  }
}

/** The database, migrated, and the app built on it; a disk or file problem stops the start like a config error. */
async function openOrStop() {
  try {
    const db = openDatabaseForServer(config.databasePath)
    // Building the app reads settings and creates secrets on a first start: the disk can fail here too.
    return { db, app: await buildApp({ config, db }) }
  } catch (err) {
    const line =
      err instanceof DatabaseStartError ? err.message : describeStartFailure(config.databasePath, err)
    if (!line) throw err
    return cannotStart(line)
  }
}

const config = await configOrStop()
const { db, app } = await openOrStop()

/** A read-only replica (LiteFS) cannot store a setup token; the primary prints one instead. */
function keepSetupTokenIfWritable(): SetupLinkOnStart {
  try {
    return keepSetupToken(db)
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('SQLITE_READONLY')) return { state: 'account-exists' }
    throw err
  }
}

/** The start-up line about the first account; the token appears only on the start that made it. */
function setupLinkLine(setup: SetupLinkOnStart): string | undefined {
  if (setup.state === 'issued')
    return `No account yet. Create yours at ${absoluteUrl(config.siteUrl, adminSetupUrl(setup.token))} (the link works once, for ${SETUP_LINK_DAYS} days)`
  if (setup.state === 'kept') {
    const { timezone } = getSettings(db)
    const until = `${formatDateTime(setup.expiresAt, timezone)} ${timezone}`
    return `No account yet. The setup link printed when Folio first started still works (until ${until}); to print a new one: npm run cli -- setup-link`
  }
  return undefined
}

// Damage anywhere in the file, checked off the event loop: at 10,000 posts a full check reads
// ~100 MB and takes over a second, too long to hold up a machine waking for a request.
const integrityCheck = checkIntegrityInBackground(config.databasePath, (problem) => {
  markDamaged(db)
  app.log.error(
    `The database file ${config.databasePath} is damaged (${problem}); /healthz now reports it. ${restoreHint(config.databasePath)}`,
  )
})

// Well inside fly.toml's kill_timeout (15 s): the server drains in graceful-close's DRAIN_MS (5 s).
closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'shutting down after an error')
  else app.log.info({ signal }, 'shutting down')
  await integrityCheck.stop()
  await app.close()
  checkpointAndClose(db, app.log)
  // close-with-grace calls process.exit next.
  await letCompilersFinish()
  app.log.info('stopped')
})

try {
  await app.listen({ port: config.port, host: config.host })
  const local = ['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost'].includes(config.host)
  const where = local ? `http://localhost:${config.port}` : `http://${config.host}:${config.port}`
  app.log.info(`Folio is running at ${where} (database: ${config.databasePath})`)
  if (db.$client.readonly && !isLiteFsReplica(config.databasePath)) {
    app.log.warn(
      `The database file ${config.databasePath} is read-only: pages are served but nothing can be saved, and /healthz reports it. Give the user running Folio write access to it and its folder.`,
    )
  }
  // The one place the server shows a token: it is stored only as a hash and works once.
  const setupLine = setupLinkLine(keepSetupTokenIfWritable())
  if (setupLine) app.log.info(setupLine)
  const posts = db.$client.prepare('select count(*) from posts').pluck().get() as number
  if (posts === 0) app.log.info('The blog is empty. For demo content: npm run cli -- seed --posts 200')
} catch (err) {
  app.log.error({ err }, 'could not start the server')
  await exitWhenCompilersFinish(1)
}
