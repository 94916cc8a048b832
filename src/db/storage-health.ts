// Owns knowing whether the database's storage can be trusted: failed writes, damage, and a read-only or full disk.
import { accessSync, constants, existsSync, statfsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Db } from './client.ts'

export type StorageProblem = 'full' | 'read-only' | 'io' | 'damaged'

/** What a failed write means for the person who sent it, and what /healthz reports. */
export const STORAGE_PROBLEM_TEXT: Record<StorageProblem, string> = {
  full: 'the disk holding the database is full',
  'read-only': 'the database cannot be written (read-only storage)',
  io: 'the disk holding the database reported an I/O error',
  damaged: 'the database file is damaged',
}

/** What an author reads when a save failed on storage: nothing was kept, and their text is still in the form. */
export const notSavedMessage = (problem: StorageProblem): string =>
  `Sorry: ${STORAGE_PROBLEM_TEXT[problem]}, so nothing was saved. Everything you typed is still here: copy it somewhere safe, or try again later.`

/** A failed write is reported for this long unless a later write succeeds first. */
const FAILURE_MEMORY_MS = 2 * 60_000
/** Less free space than this and the next post or message will likely not fit. */
const MIN_FREE_BYTES = 1024 * 1024

interface Failure {
  readonly problem: StorageProblem
  readonly at: number
  /** total_changes() just after the failure: any later successful write moves it. */
  readonly changes: number
}

const failures = new WeakMap<object, Failure>()

/** The storage problem an error from better-sqlite3 stands for, or undefined for any other error. */
function storageProblemOf(error: unknown): StorageProblem | undefined {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return undefined
  if (code === 'SQLITE_FULL') return 'full'
  if (code.startsWith('SQLITE_READONLY')) return 'read-only'
  if (code.startsWith('SQLITE_IOERR')) return 'io'
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'damaged'
  return undefined
}

/** Remembers a storage failure for /healthz; returns what it was, or undefined when the error is not one. */
export function recordStorageFailure(db: Db, error: unknown): StorageProblem | undefined {
  const problem = storageProblemOf(error)
  if (!problem) return undefined
  const previous = failures.get(db.$client)
  // Damage does not heal while the process runs: a later full disk must not hide it.
  if (previous?.problem === 'damaged' && problem !== 'damaged') return problem
  failures.set(db.$client, { problem, at: Date.now(), changes: totalChanges(db) })
  return problem
}

function totalChanges(db: Db): number {
  try {
    return db.$client.prepare('select total_changes()').pluck().get() as number
  } catch {
    return -1
  }
}

/**
 * LiteFS writes `.primary` beside the database on read replicas only. A replica's storage is
 * read-only by design (LiteFS sends every write to the primary), so it is healthy all the same.
 */
export function isLiteFsReplica(databasePath: string): boolean {
  return existsSync(join(dirname(databasePath), '.primary'))
}

/** Why the database's storage cannot take writes right now, or undefined when it can. Never writes. */
export function findStorageProblem(db: Db, databasePath: string): string | undefined {
  const failure = failures.get(db.$client)
  if (failure?.problem === 'damaged') return STORAGE_PROBLEM_TEXT.damaged
  if (databasePath === ':memory:' || isLiteFsReplica(databasePath)) return undefined

  const dir = dirname(databasePath)
  for (const path of [databasePath, dir]) {
    try {
      accessSync(path, constants.W_OK)
    } catch (err) {
      return `${path} cannot be written (${(err as NodeJS.ErrnoException).code ?? 'no access'})`
    }
  }
  try {
    const { bavail, bsize } = statfsSync(dir)
    if (bavail * bsize < MIN_FREE_BYTES) return STORAGE_PROBLEM_TEXT.full
  } catch {
    // A file system that cannot say how full it is: the failed-write record below still reports.
  }
  if (failure && Date.now() - failure.at < FAILURE_MEMORY_MS && totalChanges(db) === failure.changes) {
    return `the last write failed: ${STORAGE_PROBLEM_TEXT[failure.problem]}`
  }
  return undefined
}

/** For the background integrity check: the database was found damaged. */
export function markDamaged(db: Db): void {
  failures.set(db.$client, { problem: 'damaged', at: Date.now(), changes: totalChanges(db) })
}
