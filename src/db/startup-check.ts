// Owns opening the database at start-up: refuse an empty, cut-short, damaged or unreachable file with one clear line.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { closeDatabase, type Db, openDatabase } from './client.ts'
import { migrateDatabase } from './migrate.ts'

/** A database that cannot be used; the message is one line an operator can act on. */
export class DatabaseStartError extends Error {
  override readonly name = 'DatabaseStartError'
}

/** What an operator does about a damaged file: restore a backup, or start over. */
export const restoreHint = (path: string) =>
  `Restore the latest backup with \`npm run cli -- restore backups/FILE.db --yes\` (backups are kept in ./backups/ unless you chose another place), or move ${path} aside to start an empty site.`

/** The one line for a failure while opening or migrating, from its SQLite or file-system code. */
export function describeStartFailure(path: string, error: unknown): string {
  const code = String((error as { code?: unknown } | null)?.code ?? '')
  const detail = (error as Error | null)?.message?.split('\n')[0] ?? String(error)
  const dir = dirname(path)
  if (code === 'SQLITE_NOTADB')
    return `the database file ${path} is not an SQLite database (${detail}). ${restoreHint(path)}`
  if (code.startsWith('SQLITE_CORRUPT'))
    return `the database file ${path} is damaged (${detail}). ${restoreHint(path)}`
  if (code === 'SQLITE_READONLY_DIRECTORY')
    return `the folder ${dir} cannot be written, and SQLite needs to create its journal files beside ${path}. Give the user running Folio write access to ${dir}, or set DATABASE_PATH to a writable place.`
  if (code.startsWith('SQLITE_READONLY'))
    return `the database file ${path} is read-only (${detail}). Give the user running Folio write access to it and to ${dir}, or set DATABASE_PATH to a writable place.`
  if (code === 'SQLITE_FULL')
    return `the disk holding ${path} is full. Free some space (old files in backups/, logs), then start again.`
  if (code.startsWith('SQLITE_IOERR'))
    return `the database file ${path} could not be read or written (${detail}). Check the disk or volume it lives on.`
  if (code.startsWith('SQLITE_CANTOPEN'))
    return `the database file ${path} cannot be opened (${detail}). Check that DATABASE_PATH names a file (not a folder) in a folder the user running Folio can write.`
  if (['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOENT', 'EEXIST'].includes(code))
    return `the folder ${dir} for the database file ${path} cannot be created or used (${detail}). Set DATABASE_PATH to a file in a writable folder.`
  return ''
}

/**
 * A file cut short (a copy that stopped early, a volume that filled up during a restore) is
 * shorter than its header says. Checked only when there is no WAL: after a crash mid-checkpoint
 * the file can be short while the WAL still holds the missing pages, which is fine.
 */
function findTruncation(path: string): string | undefined {
  const wal = `${path}-wal`
  if (existsSync(wal) && statSync(wal).size > 0) return undefined
  const header = Buffer.alloc(100)
  const fd = openSync(path, 'r')
  try {
    if (readSync(fd, header, 0, 100, 0) < 100) return 'shorter than an SQLite header'
  } finally {
    closeSync(fd)
  }
  if (header.toString('latin1', 0, 16) !== 'SQLite format 3\u0000') return undefined
  const rawPageSize = header.readUInt16BE(16)
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize
  const pages = header.readUInt32BE(28)
  // The header's page count is trusted only when it was written by the same change as the file.
  if (header.readUInt32BE(92) !== header.readUInt32BE(24) || pages === 0) return undefined
  const size = statSync(path).size
  if (size < pages * pageSize) return `${size} bytes where its header says ${pages * pageSize}`
  return undefined
}

/**
 * Opens and migrates the database for the server, or throws a DatabaseStartError that names the
 * file, what is wrong and what to do. An empty file is refused unless this start created it:
 * SQLite would treat it as a new database and the site would start over with a setup link.
 */
/**
 * A second server started at the same moment as the first can find the file the first has just
 * created and not yet written: wait a little for it to fill before calling it empty.
 */
function statAfterCreation(path: string, waitMs = 5000): ReturnType<typeof statSync> | undefined {
  const deadline = Date.now() + waitMs
  for (;;) {
    const found = existsSync(path) ? statSync(path) : undefined
    if (!found || found.isDirectory() || found.size > 0 || Date.now() > deadline) return found
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50)
  }
}

export function openDatabaseForServer(path: string): Db {
  const existing = statAfterCreation(path)
  if (existing?.isDirectory())
    throw new DatabaseStartError(
      `DATABASE_PATH ${path} is a folder, not a database file. Point DATABASE_PATH at a file inside it, like ${path.replace(/\/+$/, '')}/folio.db.`,
    )
  if (existing && existing.size === 0)
    throw new DatabaseStartError(
      `the database file ${path} is empty (0 bytes) where a database was expected. ${restoreHint(path)} If this is a new site, delete the empty file.`,
    )
  if (existing) {
    const cut = findTruncation(path)
    if (cut)
      throw new DatabaseStartError(`the database file ${path} is cut short (${cut}). ${restoreHint(path)}`)
  }

  let db: Db | undefined
  try {
    db = openDatabase(path)
    // Reads the schema: a file of the wrong kind or a damaged first page fails here, not on a visitor's request.
    db.$client.prepare('select count(*) from sqlite_schema').get()
    migrateDatabase(db)
    return db
  } catch (error) {
    if (db) closeDatabase(db)
    const line = describeStartFailure(path, error)
    if (line) throw new DatabaseStartError(line, { cause: error })
    throw error
  }
}
