// Owns the stats' day numbers: the site's calendar date as whole days since 1970-01-01, and back.
import { dateStamp } from '../../lib/dates.ts'

const DAY_MS = 24 * 60 * 60 * 1000
const STAMP = /^(\d{4})-(\d{2})-(\d{2})$/

/** "2026-12-04" → 20791. The stored form of a day: small, and ranges are plain integer comparisons. */
export function dayNumber(stamp: string): number {
  const match = STAMP.exec(stamp)
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${stamp}`)
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / DAY_MS
}

/** 20791 → "2026-12-04": how a day is shown and exported. */
export const dayStampOf = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10)

/** Today where the site's author lives (the settings' timezone), as a day number. */
export const siteDayNumber = (timeZone: string, now = new Date()): number =>
  dayNumber(dateStamp(timeZone, now))
