// Owns noticing that the database changed, cheaply: SQLite's data_version and total_changes().
import type { Db } from './client.ts'

/**
 * `data_version` moves when another connection commits (the CLI, LiteFS replication);
 * `total_changes()` when this connection writes. Together they say whether anything read before
 * may be stale, for the price of one tiny statement and no table read.
 */
export function watchChanges(db: Db): () => string {
  const statement = db.$client
    .prepare('select (select data_version from pragma_data_version), total_changes()')
    .raw(true)
  return () => {
    const [data, own] = statement.get() as [number, number]
    return `${data}:${own}`
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
