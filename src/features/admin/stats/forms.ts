// Owns what the stats page's `range` may be: 7 days, 30 days or 12 months, and the message for anything else.
export const STATS_RANGES = [
  { days: 7, label: 'Last 7 days', tab: '7 days' },
  { days: 30, label: 'Last 30 days', tab: '30 days' },
  { days: 365, label: 'Last 12 months', tab: '12 months' },
] as const

export type StatsRange = (typeof STATS_RANGES)[number]

export const DEFAULT_RANGE: StatsRange = STATS_RANGES[1]

/** How much of a refused value the page repeats back: enough to recognise it. */
const ECHO_LENGTH = 40

/**
 * `?range=` as the page's links write it; none (or empty) is the last 30 days. Anything else is
 * refused rather than guessed, so a mistyped link says so instead of showing other figures.
 */
export function rangeFrom(query: unknown): { range: StatsRange } | { error: string; given: string } {
  const value = (query as Record<string, unknown> | undefined)?.range
  if (value === undefined || value === '') return { range: DEFAULT_RANGE }
  const found = STATS_RANGES.find((r) => String(r.days) === value)
  if (found) return { range: found }
  const given = (Array.isArray(value) ? value.join(', ') : String(value)).slice(0, ECHO_LENGTH)
  return {
    given,
    error: Array.isArray(value)
      ? 'The address names more than one range. Choose one of those below.'
      : 'The stats show the last 7 days, 30 days or 12 months (range=7, 30 or 365). Choose one below.',
  }
}
