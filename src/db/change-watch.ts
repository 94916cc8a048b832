// Owns noticing that the database changed, cheaply: SQLite's data_version and total_changes().
import type { Db } from './client.ts'

/**
 * `data_version` moves when another connection commits (the CLI, LiteFS replication);
 * `total_changes()` when this connection writes. Together they say whether anything read before
 * may be stale, for the price of one tiny statement and no table read.
 */
export function watchChanges(db: Db): () => string {
  // Two statements, not one `select` of both: the pragma run directly costs ~4.7 µs against ~6.4 µs
  // through pragma_data_version, and a page-cache hit pays it (plugins/page-cache.ts).
  const dataVersion = db.$client.prepare('pragma data_version').pluck()
  const totalChanges = db.$client.prepare('select total_changes()').pluck()
  return () => {
    const own = (totalChanges.get() as number) - (unwatched.get(db.$client) ?? 0)
    return `${dataVersion.get() as number}:${own}`
  }
}

/** Per connection: how many of its changes were to tables no cached read depends on. */
const unwatched = new WeakMap<object, number>()

/**
 * Runs `write` (on this connection, synchronously) without it counting as a change to watchers:
 * only for tables that no page, setting or memoised read depends on (the stats' counts), so
 * writing them every 30 s does not empty the page cache.
 */
export function writeUnwatched<T>(db: Db, write: () => T): T {
  const total = db.$client.prepare('select total_changes()').pluck()
  const before = total.get() as number
  try {
    return write()
  } finally {
    const made = (total.get() as number) - before
    unwatched.set(db.$client, (unwatched.get(db.$client) ?? 0) + made)
  }
}

/** `load()`'s result, read again only once the database has changed since: exact, never stale. */
export function memoizeUntilChange<T>(db: Db, load: () => T): () => T {
  const version = watchChanges(db)
  let seen: string | undefined
  let value: T
  return () => {
    const current = version()
    if (current !== seen) {
      value = load()
      seen = current
    }
    return value
  }
}
