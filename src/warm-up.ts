// Owns warming Node's compile cache at image build time: loads what the server loads and answers `/` once, without listening.
import { mkdtempSync, rmSync } from 'node:fs'
import module from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from './app.ts'
import { loadConfig } from './config.ts'
import { checkpointAndClose } from './db/client.ts'
import { checkIntegrityInBackground } from './db/integrity-check.ts'
import { openDatabaseForServer } from './db/startup-check.ts'
import { exitWhenCompilersFinish } from './lib/before-exit.ts'
// The rest of what server.ts imports, so that almost all of its code lands in chunks this warms too.
import './db/storage-health.ts'
import './features/auth/users.ts'
import './features/settings/service.ts'
import './lib/dates.ts'
import './lib/urls.ts'
import 'close-with-grace'

/** Node ≥ 22.1 has these; on Node 20 there is no cache to warm and this only checks that start-up works. */
const compileCache = module as {
  enableCompileCache?: (dir?: string) => unknown
  flushCompileCache?: () => void
}

// Uses NODE_COMPILE_CACHE when set (the Dockerfile sets it), else Node's default folder.
compileCache.enableCompileCache?.()

const dir = mkdtempSync(join(tmpdir(), 'folio-warm-up-'))
try {
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATABASE_PATH: join(dir, 'folio.db'),
    MEDIA_DIR: join(dir, 'media'),
  })
  const db = openDatabaseForServer(config.databasePath)
  const app = await buildApp({ config, db })
  // Its worker finds better-sqlite3 from the bundle's folder: a build that broke that fails here, not on a wake.
  // The check's worker is unref'd (it must never hold a server open), so this timer keeps the wait alive.
  const wait = setInterval(() => {}, 1000)
  const integrity = await checkIntegrityInBackground(config.databasePath, () => {}, { delayMs: 0 }).done
  clearInterval(wait)
  if (integrity?.ok !== true) throw new Error(`the integrity check did not run: ${JSON.stringify(integrity)}`)
  const home = await app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } })
  if (home.statusCode !== 200) throw new Error(`GET / answered ${home.statusCode} during the warm-up`)
  await app.close()
  checkpointAndClose(db, app.log)
  compileCache.flushCompileCache?.()
  console.log(
    `compile cache ${compileCache.enableCompileCache ? `warmed in ${process.env.NODE_COMPILE_CACHE ?? 'the default folder'}` : 'not available on this Node'}`,
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
}
// Background workers (mail, federation) hold timers; the warm-up is done with them.
await exitWhenCompilersFinish(0)
