// Owns applying the SQL migrations in migrations/ to a database.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { defineDerivedDescriptionSql } from '../features/content/descriptions.ts'
import { MIGRATIONS_DIR } from '../paths.ts'
import type { Db } from './client.ts'

/**
 * 0000_content and 0001_search were edited after their first commit, and their journal times
 * moved with the edit. Drizzle runs every migration newer than the newest time a database
 * records, so a database made from the first text would run 0000 again ("table already exists").
 * Its rows move to today's times; migration 0006 then brings its tables to today's shape.
 */
const MOVED_MIGRATION_TIMES: ReadonlyArray<readonly [first: number, now: number]> = [
  [1795762745740, 1795763798897], // 0000_content
  [1795762746234, 1795763799440], // 0001_search
]

const hasMigrationsTable = (db: Db): boolean =>
  db.$client
    .prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'")
    .get() !== undefined

const appliedCount = (db: Db): number =>
  hasMigrationsTable(db)
    ? (db.$client.prepare('select count(*) from __drizzle_migrations').pluck().get() as number)
    : 0

function moveEditedMigrationTimes(db: Db): void {
  const sqlite = db.$client
  if (!hasMigrationsTable(db)) return
  const first = MOVED_MIGRATION_TIMES.map(([time]) => time)
  const found = sqlite
    .prepare(
      `select count(*) from __drizzle_migrations where created_at in (${first.map(() => '?').join(', ')})`,
    )
    .pluck()
    .get(...first) as number
  // Read first, write only when needed: a read-only replica must get through here untouched.
  if (found === 0) return
  const move = sqlite.prepare('update __drizzle_migrations set created_at = ? where created_at = ?')
  sqlite.transaction(() => {
    for (const [time, now] of MOVED_MIGRATION_TIMES) move.run(now, time)
  })()
}

/**
 * A migration that rebuilds a table (copy, drop, create, copy back) must run with foreign keys
 * off, or dropping the table would cascade into every row that points at it. The pragma cannot
 * change inside drizzle's transaction, so it is turned off around it and the keys checked after.
 */
function migrateWithoutForeignKeys(db: Db, folder: string): void {
  const sqlite = db.$client
  const appliedBefore = appliedCount(db)
  const enforced = sqlite.pragma('foreign_keys', { simple: true }) === 1
  sqlite.pragma('foreign_keys = OFF')
  try {
    migrate(db, { migrationsFolder: folder })
  } finally {
    if (enforced) sqlite.pragma('foreign_keys = ON')
  }
  if (appliedCount(db) === appliedBefore) return
  const broken = sqlite.pragma('foreign_key_check') as { table: string; parent: string }[]
  const first = broken[0]
  if (first)
    throw new Error(
      `a migration left ${broken.length} row(s) pointing at missing rows (${first.table} → ${first.parent})`,
    )
}

const isBusy = (err: unknown): boolean => {
  const code =
    (err as { code?: string; cause?: { code?: string } })?.code ??
    (err as { cause?: { code?: string } })?.cause?.code
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY')
}

const pause = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** The newest migration time in the journal: drizzle applies exactly those newer than what a database records. */
const newestJournalTime = (folder: string): number =>
  Math.max(
    0,
    ...(
      JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as {
        entries: { when: number }[]
      }
    ).entries.map((entry) => entry.when),
  )

/**
 * Nothing to do, by drizzle's own rule (a migration runs when its journal time is newer than the
 * newest recorded one) and with no edited-migration rows left to move. This is every start but
 * the first after an upgrade: one small file and one query, instead of drizzle reading and
 * hashing every migration file and opening a write transaction.
 */
function upToDate(db: Db, folder: string): boolean {
  if (!hasMigrationsTable(db)) return false
  const first = MOVED_MIGRATION_TIMES.map(([time]) => time)
  const row = db.$client
    .prepare(
      `select max(created_at) as newest, sum(created_at in (${first.map(() => '?').join(', ')})) as moved from __drizzle_migrations`,
    )
    .get(...first) as { newest: number | null; moved: number | null }
  return row.newest !== null && !row.moved && Number(row.newest) >= newestJournalTime(folder)
}

/**
 * Applies every pending migration in one transaction; safe to call on every start. When two
 * processes start at once on one file, the second finds the database locked or its snapshot
 * stale, waits, and retries: by then the first has committed and there is nothing left to do.
 */
export function migrateDatabase(
  db: Db,
  options: { timeoutMs?: number; migrationsFolder?: string } = {},
): void {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000)
  const folder = options.migrationsFolder ?? MIGRATIONS_DIR
  defineDerivedDescriptionSql(db) // migrations 0007 and 0008 call it
  for (;;) {
    try {
      if (upToDate(db, folder)) return
      moveEditedMigrationTimes(db)
      migrateWithoutForeignKeys(db, folder)
      return
    } catch (err) {
      if (!isBusy(err) || Date.now() > deadline) throw err
      pause(50 + Math.random() * 100)
    }
  }
}
