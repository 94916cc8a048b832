// Owns writing a batch of counts to the stats tables in short transactions, deciding uniques there, keeping every table bounded, and destroying yesterday's salt.
import type { Statement } from 'better-sqlite3'
import { writeUnwatched } from '../../db/change-watch.ts'
import type { Db } from '../../db/client.ts'
import { STATS_SOURCE_KIND } from '../../db/schema.ts'
import { batchIsEmpty, chunkBatch, joinBatches, type StatsBatch } from './collector.ts'
import { createLabels } from './labels.ts'

/**
 * What a visitor can make the tables grow by in one day. Past these, counts still add up but new
 * rows are not made: a new referrer or campaign becomes `(other)`, a new path counts for the day
 * only, and a new visitor is not told apart (so uniques stop growing for that day).
 */
export interface StatsLimits {
  readonly pathsPerDay: number
  /** Distinct referrer (or campaign) values a day, each kind apart. */
  readonly sourceValuesPerDay: number
  /** Source rows (value × path) a day. */
  readonly sourceRowsPerDay: number
  /** stats_visitors rows a day; deleted with the salt at midnight. */
  readonly visitorRowsPerDay: number
}

export const DEFAULT_LIMITS: StatsLimits = {
  pathsPerDay: 10_000,
  sourceValuesPerDay: 1_000,
  sourceRowsPerDay: 10_000,
  visitorRowsPerDay: 200_000,
}

/** The value a referrer or campaign is stored under once the day's limit is reached. */
export const OTHER_SOURCE = '(other)'

/** stats_visitors' path_id for "seen anywhere on the site that day" (label ids start at 1). */
export const WHOLE_SITE = 0

export interface Salt {
  /** A day number (days.ts). */
  readonly day: number
  readonly salt: string
  readonly stored: boolean
}

export interface WriteOutcome {
  /** Whether anything was written (a flush with nothing to do opens no transaction). */
  readonly wrote: boolean
  /** The salt now in stats_salt, if it was stored by this write. */
  readonly saltStored: boolean
  /** Counts that did not get a row of their own because a daily limit was reached. */
  readonly capped: number
}

export interface StatsWriter {
  /**
   * Writes `batch` (if any), stores today's salt with the first counts of the day, and deletes
   * every earlier day's salt and visitor hashes. `today` is the site's day number now. Rejects
   * with a StatsWriteError holding what was not written.
   */
  write(batch: StatsBatch, salt: Salt, today: number): Promise<WriteOutcome>
}

/**
 * Keys written per transaction. A full batch (50,000 keys) in one transaction held the event loop
 * for about 300 ms; in pieces of this size, with requests served between them, a piece takes
 * about 5–10 ms (30 ms when SQLite's automatic checkpoint runs in its commit).
 */
export const CHUNK_KEYS = 1_000

/** A write that failed part-way: the pieces before it are stored, `unwritten` is the rest. */
export class StatsWriteError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly unwritten: StatsBatch,
  ) {
    super('the stats could not be written', { cause })
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Per-day row counts, read once per day and process (the primary is the only writer), then kept up to date. */
function dayCounter(statement: Statement) {
  const counts = new Map<number, number>()
  return {
    get(day: number): number {
      let n = counts.get(day)
      if (n === undefined) {
        n = statement.pluck().get(day) as number
        counts.set(day, n)
      }
      return n
    },
    add(day: number, n: number): void {
      counts.set(day, this.get(day) + n)
    },
    forgetBefore(today: number): void {
      for (const day of counts.keys()) if (day < today) counts.delete(day)
    },
    forgetAll(): void {
      counts.clear()
    },
  }
}

export function createStatsWriter(
  db: Db,
  limits: StatsLimits = DEFAULT_LIMITS,
  chunkKeys = CHUNK_KEYS,
): StatsWriter {
  const sql = db.$client
  const labels = createLabels(db)
  const upsertDay = sql.prepare(
    `insert into stats_days (day, views, visitors, bot_views) values (?, ?, ?, ?)
     on conflict (day) do update set views = views + excluded.views, visitors = visitors + excluded.visitors,
       bot_views = bot_views + excluded.bot_views`,
  )
  const upsertPath = sql.prepare(
    `insert into stats_paths (day, path_id, views, visitors, reads) values (?, ?, ?, ?, ?)
     on conflict (day, path_id) do update set views = views + excluded.views,
       visitors = visitors + excluded.visitors, reads = reads + excluded.reads`,
  )
  const pathExists = sql.prepare('select 1 from stats_paths where day = ? and path_id = ?').pluck()
  const upsertSource = sql.prepare(
    `insert into stats_sources (day, kind, value_id, path_id, views) values (?, ?, ?, ?, ?)
     on conflict (day, kind, value_id, path_id) do update set views = views + excluded.views`,
  )
  const sourceExists = sql
    .prepare('select 1 from stats_sources where day = ? and kind = ? and value_id = ? and path_id = ?')
    .pluck()
  const sourceValues = sql
    .prepare('select distinct value_id from stats_sources where day = ? and kind = ?')
    .pluck()
  const upsertFeed = sql.prepare(
    `insert into stats_feeds (day, reader, fetches, subscribers) values (?, ?, ?, ?)
     on conflict (day, reader) do update set fetches = fetches + excluded.fetches,
       subscribers = max(subscribers, excluded.subscribers)`,
  )
  const insertVisitor = sql.prepare(
    'insert or ignore into stats_visitors (day, hash, path_id) values (?, ?, ?)',
  )
  const deleteOldVisitors = sql.prepare('delete from stats_visitors where day < ?')
  const deleteOtherSalts = sql.prepare('delete from stats_salt where day <> ?')
  const storeSalt = sql.prepare('insert or replace into stats_salt (day, salt) values (?, ?)')
  const earliestSaltDay = sql.prepare('select min(day) from stats_salt').pluck()

  const pathRows = dayCounter(sql.prepare('select count(*) from stats_paths where day = ?'))
  const sourceRows = dayCounter(sql.prepare('select count(*) from stats_sources where day = ?'))
  const visitorRows = dayCounter(sql.prepare('select count(*) from stats_visitors where day = ?'))
  /** Per day and kind, the value ids that have a row: what the day's limit of distinct values counts. */
  const knownValues = new Map<number, Map<number, Set<number>>>()
  /** The earliest day whose salt may still be stored: read once at start, then kept up to date. */
  let storedDay = (earliestSaltDay.get() as number | null) ?? undefined

  function valuesOf(day: number, kind: number): Set<number> {
    let kinds = knownValues.get(day)
    if (!kinds) {
      kinds = new Map()
      knownValues.set(day, kinds)
    }
    let values = kinds.get(kind)
    if (!values) {
      values = new Set(sourceValues.all(day, kind) as number[])
      kinds.set(kind, values)
    }
    return values
  }

  /** The path's label id when `path` has, or may get, a row for `day`; undefined past the day's limit. */
  function allowPath(day: number, path: string): number | undefined {
    const id = labels.find(path)
    if (id !== undefined && pathExists.get(day, id)) return id
    if (pathRows.get(day) >= limits.pathsPerDay) return undefined
    pathRows.add(day, 1)
    return id ?? labels.idOf(path)
  }

  /** The label id a source is stored under: its own, or `(other)`'s once the day's limits are reached. */
  function sourceValueId(day: number, pathId: number, kind: number, value: string): number | undefined {
    const values = valuesOf(day, kind)
    const id = labels.find(value)
    const known = id !== undefined && values.has(id)
    if (!known && values.size >= limits.sourceValuesPerDay) return undefined
    if (id === undefined || !sourceExists.get(day, kind, id, pathId)) {
      if (sourceRows.get(day) >= limits.sourceRowsPerDay) return undefined
      sourceRows.add(day, 1)
    }
    const valueId = id ?? labels.idOf(value)
    values.add(valueId)
    return valueId
  }

  function writeCounts(batch: StatsBatch): number {
    let capped = 0
    for (const [day, views, bots] of batch.days) upsertDay.run(day, views, 0, bots)
    for (const [day, path, views, reads] of batch.paths) {
      const pathId = allowPath(day, path)
      if (pathId !== undefined) upsertPath.run(day, pathId, views, 0, reads)
      else capped += views + reads
    }
    for (const [day, path, kindName, value, views] of batch.sources) {
      const pathId = allowPath(day, path)
      if (pathId === undefined) continue
      const kind = STATS_SOURCE_KIND[kindName]
      let valueId = sourceValueId(day, pathId, kind, value)
      if (valueId === undefined) {
        capped += views
        valueId = labels.idOf(OTHER_SOURCE)
      }
      upsertSource.run(day, kind, valueId, pathId, views)
    }
    for (const [day, reader, fetches, subscribers] of batch.feeds)
      upsertFeed.run(day, reader, fetches, subscribers)
    // Uniques: a visitor is new to a path (and to the site) that day if their hash was not stored yet.
    for (const [day, hash, path] of batch.visitors) {
      if (visitorRows.get(day) >= limits.visitorRowsPerDay) {
        capped += 1
        continue
      }
      // A path past the day's limit has no row to count a visitor in; the site still does.
      const pathId = allowPath(day, path)
      if (pathId !== undefined && insertVisitor.run(day, hash, pathId).changes > 0) {
        visitorRows.add(day, 1)
        upsertPath.run(day, pathId, 0, 1, 0)
      }
      if (insertVisitor.run(day, hash, WHOLE_SITE).changes > 0) {
        visitorRows.add(day, 1)
        upsertDay.run(day, 0, 1, 0)
      }
    }
    return capped
  }

  /**
   * Yesterday's hashes can then never be linked to anyone again: deleted with secure_delete on, so
   * SQLite overwrites their bytes instead of leaving them in free space.
   */
  function destroyEarlierDays(today: number, stale: boolean): void {
    const secure = stale ? (sql.pragma('secure_delete', { simple: true }) as number) : undefined
    if (stale) sql.pragma('secure_delete = ON')
    try {
      deleteOldVisitors.run(today)
      deleteOtherSalts.run(today)
    } finally {
      if (secure !== undefined) sql.pragma(`secure_delete = ${secure ? 'ON' : 'OFF'}`)
    }
    pathRows.forgetBefore(today)
    sourceRows.forgetBefore(today)
    visitorRows.forgetBefore(today)
    for (const day of knownValues.keys()) if (day < today) knownValues.delete(day)
  }

  const transaction = sql.transaction(
    (batch: StatsBatch, storing: boolean, salt: Salt, today: number, stale: boolean): number => {
      const capped = writeCounts(batch)
      if (storing) storeSalt.run(salt.day, salt.salt)
      destroyEarlierDays(today, stale)
      return capped
    },
  )

  /** Old pages sit in the write-ahead log until a checkpoint empties it; never waits for a reader. */
  function checkpoint(): void {
    const timeout = sql.pragma('busy_timeout', { simple: true }) as number
    try {
      sql.pragma('busy_timeout = 0')
      sql.pragma('wal_checkpoint(TRUNCATE)')
    } catch {
      // Busy (another process reading): the log's frames are overwritten as it is reused.
    } finally {
      sql.pragma(`busy_timeout = ${timeout}`)
    }
  }

  /** After a rollback: what was counted along the way is read again next time. */
  function forgetEverything(): void {
    for (const counter of [pathRows, sourceRows, visitorRows]) counter.forgetAll()
    knownValues.clear()
    labels.forget()
  }

  return {
    async write(batch, salt, today) {
      const stale = storedDay !== undefined && storedDay < today
      if (batchIsEmpty(batch) && !stale) return { wrote: false, saltStored: false, capped: 0 }
      const pieces = chunkBatch(batch, chunkKeys)
      let saltStored = false
      let capped = 0
      for (const [index, piece] of pieces.entries()) {
        if (index > 0) await nextTurn()
        const storing: boolean = !saltStored && !salt.stored && salt.day === today && !batchIsEmpty(piece)
        try {
          // Counts are read by no page and no cached query: writing them must not empty the page cache.
          capped += writeUnwatched(db, () => transaction(piece, storing, salt, today, stale && index === 0))
        } catch (err) {
          forgetEverything()
          throw new StatsWriteError(err, joinBatches(pieces.slice(index)))
        }
        saltStored ||= storing
        storedDay = saltStored || (salt.stored && salt.day === today) ? today : undefined
      }
      if (stale) checkpoint()
      return { wrote: true, saltStored, capped }
    },
  }
}
