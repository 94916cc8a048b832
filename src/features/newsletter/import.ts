// Owns importing subscribers from a CSV file: the file read on a worker thread within limits, then what each address became (added, confirmed, already there, kept unsubscribed), stored in one transaction.

import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { subscribers } from '../../db/schema.ts'
import { runModuleWorkerOnce, WorkerLimitError } from '../../lib/worker-threads.ts'
import { type ImportReading, type ImportRefusal, type ReportedLine, reported } from './import-file.ts'
import { hasUnsubscribed } from './subscribers.ts'

/** Reading 2 MB of CSV takes well under a second; this leaves room for a slow, busy machine. */
const READ_TIME_LIMIT_MS = 20_000
const READ_START_LIMIT_MS = 15_000
const READ_MEMORY_MB = 128

/** Why a file was refused whole: nothing from it was stored. */
export class ImportRefusedError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message)
  }
}

export interface ImportReport {
  /** New addresses, confirmed at once: the author vouches for their consent. */
  readonly added: number
  /** Addresses that were waiting to confirm, now confirmed. */
  readonly confirmed: number
  /** Subscribed already, or the same address again further down the file. */
  readonly already: number
  /** Addresses that unsubscribed here (even if pending again since): only they may subscribe again. */
  readonly unsubscribed: ReportedLine[]
  readonly unsubscribedCount: number
  /** Rows the file itself marks as unsubscribed or unconfirmed (another service's export). */
  readonly notSubscribedInFile: number
  readonly invalid: ReportedLine[]
  readonly invalidCount: number
}

/** The file read on a worker thread: a hostile CSV costs that thread, never the event loop readers are answered on. */
async function readBounded(file: Buffer): Promise<ImportReading> {
  let reading: ImportReading | { refused: ImportRefusal }
  try {
    reading = await runModuleWorkerOnce<Uint8Array, ImportReading | { refused: ImportRefusal }>(
      new URL('./import-worker.ts', import.meta.url),
      file,
      {
        timeLimitMs: READ_TIME_LIMIT_MS,
        startLimitMs: READ_START_LIMIT_MS,
        memoryMb: READ_MEMORY_MB,
        task: 'reading the file',
      },
    )
  } catch (err) {
    if (!(err instanceof WorkerLimitError)) throw err
    throw new ImportRefusedError(
      `The file could not be read: ${err.message}. Split it into smaller files and import each; nothing was imported.`,
      413,
    )
  }
  if ('refused' in reading) throw new ImportRefusedError(reading.refused.message, reading.refused.status)
  return reading
}

/**
 * Reads a CSV of addresses (an `email` column, or addresses in the first column) and stores the
 * new ones as confirmed subscribers with source `import`. Unsubscribed addresses stay
 * unsubscribed. The whole file is stored in one transaction, or refused with ImportRefusedError.
 */
export async function importSubscribers(db: Db, file: Buffer, now = new Date()): Promise<ImportReport> {
  const reading = await readBounded(file)
  const stored = storeImport(db, reading.wanted, now)
  return {
    ...stored,
    already: stored.already + reading.repeated,
    notSubscribedInFile: reading.notSubscribedInFile,
    invalid: reading.invalid,
    invalidCount: reading.invalidCount,
  }
}

type Stored = Pick<ImportReport, 'added' | 'confirmed' | 'already' | 'unsubscribed' | 'unsubscribedCount'>

/**
 * One transaction, one prepared lookup and at most one write per address: 20,000 addresses take
 * about 0.2 s (building a query per row, or multi-row inserts, take several times as long).
 */
function storeImport(db: Db, wanted: ImportReading['wanted'], now: Date): Stored {
  return db.transaction((tx) => {
    const email = sql.placeholder('email')
    const find = tx
      .select({ status: subscribers.status, unsubscribedAt: subscribers.unsubscribedAt })
      .from(subscribers)
      .where(eq(subscribers.email, email))
      .prepare()
    const insert = tx
      .insert(subscribers)
      .values({ email, status: 'confirmed', source: 'import', createdAt: now, confirmedAt: now })
      .prepare()
    // Never one who unsubscribed and typed their address into the form again: only their own link confirms that.
    const confirm = tx
      .update(subscribers)
      .set({ status: 'confirmed', confirmedAt: now })
      .where(
        and(
          eq(subscribers.email, email),
          eq(subscribers.status, 'pending'),
          isNull(subscribers.unsubscribedAt),
        ),
      )
      .prepare()
    const stored = {
      added: 0,
      confirmed: 0,
      already: 0,
      unsubscribed: [] as ReportedLine[],
      unsubscribedCount: 0,
    }
    for (const [address, line] of wanted) {
      const known = find.get({ email: address })
      if (known === undefined) {
        insert.run({ email: address })
        stored.added += 1
      } else if (hasUnsubscribed(known)) {
        stored.unsubscribedCount += 1
        reported(stored.unsubscribed, line, address)
      } else if (known.status === 'pending') {
        confirm.run({ email: address })
        stored.confirmed += 1
      } else {
        stored.already += 1
      }
    }
    return stored
  })
}
