// Owns opening the SQLite file: the pragmas every connection needs, and the drizzle wrapper.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3'
import * as schema from './schema.ts'

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }

export interface OpenOptions {
  readonly readonly?: boolean
}

/**
 * SQLite's own page cache per connection, in KiB (negative: a size, not a page count): SQLite's
 * default, 2 MB, where better-sqlite3 sets 16 MB. The kernel keeps the file's pages cached
 * anyway, so the larger cache only saved reads from it: 500 distinct searches at 10,000 posts
 * filled it and held the server's malloc heap at 21 MB instead of 13, peak RSS 102 -> 96 MB, with
 * no difference in their time or in uncached pages' throughput that this machine could measure.
 */
const SQLITE_CACHE_KIB = 2000

/**
 * Opens (creating if needed) the database file. WAL lets readers run beside the one writer;
 * synchronous=FULL makes every acknowledged commit durable across a power cut, which costs
 * little on a blog where writes are rare.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new Database(path, { readonly: options.readonly ?? false })
  sqlite.pragma('busy_timeout = 5000')
  if (!options.readonly) sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma(`cache_size = -${SQLITE_CACHE_KIB}`)
  return drizzle({ client: sqlite, schema }) as Db
}

export function closeDatabase(db: Db): void {
  if (db.$client.open) db.$client.close()
}

/**
 * On shutdown: fold the WAL back into the main file so a copied database file is complete, then
 * close. A full disk or a reader holding the WAL (Litestream) may refuse the checkpoint: every
 * commit is already durable in the WAL, which the next start replays, so it is logged, not fatal.
 */
export function checkpointAndClose(db: Db, log: { warn(details: object, message: string): void }): void {
  if (!db.$client.open) return
  try {
    // Wait briefly for a reader rather than the full busy timeout.
    db.$client.pragma('busy_timeout = 200')
    db.$client.pragma('wal_checkpoint(TRUNCATE)')
  } catch (err) {
    log.warn(
      { err },
      'the WAL could not be folded into the database file; it is kept and replayed on the next start',
    )
  }
  closeDatabase(db)
}
