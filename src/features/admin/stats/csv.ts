// Owns the stats export: daily figures per page as CSV, read a day and a slice at a time so a year's rows never hold the server.
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Db } from '../../../db/client.ts'
import { neutraliseFormula } from '../../../lib/csv-cells.ts'
import { dayStampOf } from '../../stats/days.ts'
import { type DayRange, pathRowsOn } from '../../stats/queries.ts'

export const STATS_CSV_COLUMNS = ['day', 'path', 'views', 'visitors', 'reads'] as const

/** Rows per slice: a few milliseconds of reading and formatting each. */
const SLICE = 500

/**
 * The CSV, oldest day first and each day's paths in order, as chunks of text. It starts with a
 * UTF-8 byte order mark, as the inbox export does, so Excel reads non-ASCII paths right. After each
 * slice of rows the event loop gets a turn.
 */
export async function* statsCsv(db: Db, range: DayRange): AsyncGenerator<string> {
  // Loaded by the first export, not when the server starts.
  const { stringify } = await import('csv-stringify/sync')
  const csv = (rows: readonly (readonly (string | number)[])[], bom = false): string =>
    stringify(rows as (string | number)[][], {
      bom,
      record_delimiter: 'windows',
      // A path is whatever a visitor asked for: a spreadsheet must never run one as a formula.
      cast: { string: (value) => neutraliseFormula(value) },
    })
  yield csv([[...STATS_CSV_COLUMNS]], true)
  for (let day = range.from; day <= range.to; day++) {
    const stamp = dayStampOf(day)
    let after: string | null = null
    for (;;) {
      const rows = pathRowsOn(db, day, after, SLICE)
      if (rows.length === 0) break
      yield csv(rows.map((r) => [stamp, r.path, r.views, r.visitors, r.reads]))
      await nextTurn()
      if (rows.length < SLICE) break
      after = rows[rows.length - 1]?.path ?? null
    }
  }
}
