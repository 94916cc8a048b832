// Owns checking a copied database file: integrity, that it is Folio's, what it holds, and its side files.
import { rmSync } from 'node:fs'
import Database from 'better-sqlite3'

export class BackupError extends Error {
  override name = 'BackupError'
}

export interface DatabaseSummary {
  readonly bytes: number
  readonly posts: number
  readonly pages: number
  readonly messages: number
}

const countRows = (db: Database.Database, table: string): number => {
  const exists = db.prepare(`select 1 from sqlite_master where type = 'table' and name = ?`).get(table)
  if (!exists) return 0
  return (db.prepare(`select count(*) as n from "${table}"`).get() as { n: number }).n
}

/**
 * Checks a database file and counts what it holds. The file is switched to rollback-journal mode
 * so it stays one self-contained file; the server switches it back to WAL when it opens it.
 */
export function checkCopy(path: string, options: { requireFolio: boolean }): DatabaseSummary {
  let db: Database.Database
  try {
    db = new Database(path, { fileMustExist: true })
  } catch (err) {
    throw new BackupError(`${path} cannot be opened as a database: ${(err as Error).message}`)
  }
  try {
    let problems: string[]
    try {
      db.pragma('journal_mode = DELETE')
      problems = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check)
    } catch (err) {
      throw new BackupError(`${path} is not a usable SQLite database: ${(err as Error).message}`)
    }
    if (problems.length !== 1 || problems[0] !== 'ok')
      throw new BackupError(`The integrity check of ${path} failed:\n  ${problems.slice(0, 10).join('\n  ')}`)
    if (options.requireFolio && countRows(db, '__drizzle_migrations') === 0)
      throw new BackupError(
        `${path} is a SQLite database, but not one of Folio's (it has no migrations table).`,
      )
    return {
      bytes: 0,
      posts: countRows(db, 'posts'),
      pages: countRows(db, 'pages'),
      messages: countRows(db, 'messages'),
    }
  } finally {
    db.close()
  }
}

/** A database's side files: a stale one next to a new main file would be replayed into it. */
export const SIDE_FILES = ['-journal', '-wal', '-shm'] as const

export function removeWithSideFiles(path: string): void {
  for (const suffix of ['', ...SIDE_FILES]) rmSync(`${path}${suffix}`, { force: true })
}
