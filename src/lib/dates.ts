// Owns how dates are shown to people and machines, and how a wall-clock time in the site's timezone
// becomes an instant. Intl formatters are costly to build, so each shape is built once and kept.
/** Every shape Folio formats a date in, by name; the time zone is added per call. */
const SHAPES = {
  parts: [
    'en-US',
    {
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    },
  ],
  offset: ['en-US', { timeZoneName: 'shortOffset' }],
} as const satisfies Record<string, readonly [string, Intl.DateTimeFormatOptions]>

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(shape: keyof typeof SHAPES, timeZone: string): Intl.DateTimeFormat {
  const key = `${shape} ${timeZone}`
  let found = formatters.get(key)
  if (!found) {
    const [locale, options] = SHAPES[shape]
    found = new Intl.DateTimeFormat(locale, { ...options, timeZone })
    formatters.set(key, found)
  }
  return found
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const

/** "27 November 2026": the date on the wall clock in the site's timezone. */
export function formatDate(date: Date, timeZone = 'UTC'): string {
  const { year, month, day } = wallClock(date, timeZone)
  return `${day} ${MONTHS[(month ?? 1) - 1]} ${year}`
}

/**
 * "4 December 2026, 14:05" in `timeZone`: the one way the admin writes a moment for people (the
 * public site writes the same date without the time). Machines get ISO in <time datetime>.
 */
export function formatDateTime(date: Date, timeZone: string): string {
  const parts = wallClock(date, timeZone)
  const two = (n: number | undefined) => String(n ?? 0).padStart(2, '0')
  return `${formatDate(date, timeZone)}, ${two(parts.hour)}:${two(parts.minute)}`
}

/** "2026-12-04": the date where `timeZone` is, for file names. */
export const dateStamp = (timeZone: string, now = new Date()): string =>
  toLocalInput(now, timeZone).slice(0, 10)

/** "2026-12-04-1405": the date and minute where `timeZone` is, for file names made more than once a day. */
export const dateTimeStamp = (timeZone: string, now = new Date()): string =>
  toLocalInput(now, timeZone).replace('T', '-').replace(':', '')

/** "Europe/Paris (GMT+1)": the zone's name and its offset right now, shown beside the date field. */
export function timeZoneLabel(timeZone: string, at = new Date()): string {
  const offset = formatter('offset', timeZone)
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')?.value
  return offset && timeZone !== 'UTC' ? `${timeZone} (${offset})` : timeZone
}

/** Longer than any IANA zone name (the longest are ~32 characters): such a string is never one. */
const MAX_TIME_ZONE_LENGTH = 64

export function isValidTimeZone(timeZone: string): boolean {
  // Asking ICU about a megabyte-long name takes ~50 ms.
  if (timeZone.length > MAX_TIME_ZONE_LENGTH) return false
  try {
    new Intl.DateTimeFormat('en', { timeZone })
    return true
  } catch {
    return false
  }
}

// Date-time conversion. An <input type="datetime-local"> has no timezone: its value is a wall-clock
// time, which Folio reads in the site's timezone (Settings → timezone), not the server's.

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/

/**
 * The date and time on the wall clock in `timeZone`. In UTC, the default, they are read straight
 * off the Date: the first Intl formatter wakes ICU, ~5 MB of the node binary paged into memory.
 */
function wallClock(date: Date, timeZone: string): Record<string, number> {
  if (timeZone === 'UTC')
    return {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
      second: date.getUTCSeconds(),
    }
  const parts = formatter('parts', timeZone).formatToParts(date)
  const result: Record<string, number> = {}
  for (const part of parts) {
    if (part.type !== 'literal') result[part.type] = Number(part.value)
  }
  return result
}

/** How far the wall clock in `timeZone` is ahead of UTC at the instant `ms`. */
function offsetAt(ms: number, timeZone: string): number {
  const p = wallClock(new Date(ms), timeZone)
  const asUtc = Date.UTC(
    p.year ?? 1970,
    (p.month ?? 1) - 1,
    p.day ?? 1,
    p.hour ?? 0,
    p.minute ?? 0,
    p.second ?? 0,
  )
  return asUtc - Math.floor(ms / 1000) * 1000
}

/**
 * "2026-03-01T14:30" read in `timeZone` → the instant. A time skipped by a daylight-saving change
 * lands just after the gap, as a clock that springs forward would show it; undefined when not a date.
 */
export function fromLocalInput(value: string, timeZone: string): Date | undefined {
  const m = LOCAL_DATE_TIME.exec(value)
  if (!m) return undefined
  const [year, month, day, hour, minute, second, fraction] = m
    .slice(1)
    .map((v, i) => (i === 6 ? Number((v ?? '0').padEnd(3, '0')) : Number(v ?? 0)))
  const wall = Date.UTC(
    year ?? 0,
    (month ?? 1) - 1,
    day ?? 1,
    hour ?? 0,
    minute ?? 0,
    second ?? 0,
    fraction ?? 0,
  )
  // Date.UTC rolls 31 February over into March: refuse instead of guessing.
  const check = new Date(wall)
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() + 1 !== month ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    (year ?? 0) < 1970
  )
    return undefined
  // The offset depends on the instant we are looking for: guess with the wall time, then correct once.
  const guess = offsetAt(wall, timeZone)
  const corrected = offsetAt(wall - guess, timeZone)
  return new Date(wall - (corrected === guess ? guess : corrected))
}

/** The instant as an <input type="datetime-local"> value in `timeZone`, to the minute. */
export function toLocalInput(date: Date | null | undefined, timeZone: string): string {
  if (!date) return ''
  const p = wallClock(date, timeZone)
  const two = (n: number | undefined) => String(n ?? 0).padStart(2, '0')
  return `${String(p.year ?? 0).padStart(4, '0')}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}`
}
