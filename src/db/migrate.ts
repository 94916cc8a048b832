// Owns applying the SQL migrations in migrations/ to a database.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import type { Db } from './client.ts'

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations')

const isBusy = (err: unknown): boolean => {
  const code =
    (err as { code?: string; cause?: { code?: string } })?.code ??
    (err as { cause?: { code?: string } })?.cause?.code
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY')
}

const pause = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/**
 * Applies every pending migration in one transaction; safe to call on every start. When two
 * processes start at once on one file, the second finds the database locked or its snapshot
 * stale, waits, and retries: by then the first has committed and there is nothing left to do.
 */
export function migrateDatabase(db: Db, options: { timeoutMs?: number } = {}): void {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000)
  for (;;) {
    try {
      migrate(db, { migrationsFolder: MIGRATIONS_DIR })
      return
    } catch (err) {
      if (!isBusy(err) || Date.now() > deadline) throw err
      pause(50 + Math.random() * 100)
    }
  }
}
