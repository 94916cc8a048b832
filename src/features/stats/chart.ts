// Owns the daily chart's drawing: page views and visitors per day as bar geometry for an inline SVG, its axis labels and its text alternative. No script: the server draws it.
import { dayStampOf } from './days.ts'
import type { Day, DayFigures } from './queries.ts'

const WIDTH = 720
const HEIGHT = 220
/** Room for the y-axis numbers on the left and the dates below. */
const LEFT = 48
const RIGHT = 8
const TOP = 12
const BOTTOM = 28
const PLOT_WIDTH = WIDTH - LEFT - RIGHT
const PLOT_HEIGHT = HEIGHT - TOP - BOTTOM

export interface ChartBar {
  /** `YYYY-MM-DD`, as the daily table and the CSV name the day. */
  readonly day: string
  /** "Tuesday 3 June 2026: 120 page views, 80 visitors", the bar's tooltip. */
  readonly label: string
  readonly views: number
  readonly visitors: number
  readonly x: number
  readonly width: number
  readonly viewsY: number
  readonly viewsHeight: number
  readonly visitorsY: number
  readonly visitorsHeight: number
}

export interface ChartTick {
  readonly y: number
  readonly label: string
}

export interface ChartDate {
  readonly x: number
  readonly label: string
}

export interface DailyChart {
  readonly width: number
  readonly height: number
  readonly left: number
  readonly right: number
  readonly bottom: number
  /** The SVG's accessible name and its longer description, which sums the numbers up in words. */
  readonly title: string
  readonly desc: string
  readonly bars: readonly ChartBar[]
  readonly ticks: readonly ChartTick[]
  readonly dates: readonly ChartDate[]
}

/** Built on first use, not at import: the first Intl formatter loads locale data, ~20 ms of a cold start. */
function once<T>(build: () => T): () => T {
  let built: T | undefined
  return () => {
    built ??= build()
    return built
  }
}
const NUMBER = once(() => new Intl.NumberFormat('en-GB'))
const LONG_DAY = once(
  () =>
    new Intl.DateTimeFormat('en-GB', {
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    }),
)
const SHORT_DAY = once(
  () => new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' }),
)
const MONTH = once(() => new Intl.DateTimeFormat('en-GB', { month: 'short', timeZone: 'UTC' }))

/** Days are calendar days: read at UTC midnight, they never shift with a time zone. */
const asDate = (day: Day): Date => new Date(`${dayStampOf(day)}T00:00:00Z`)

export const formatNumber = (n: number): string => NUMBER().format(n)
/** "Tuesday 3 June 2026". */
export const longDay = (day: Day): string => LONG_DAY().format(asDate(day))
/** "3 Jun". */
export const shortDay = (day: Day): string => SHORT_DAY().format(asDate(day))

const round = (n: number): number => Math.round(n * 100) / 100

/** The smallest 1, 2 or 5 × 10ⁿ at or above `max`, so the axis reads in round numbers. */
export function niceMax(max: number): number {
  if (max <= 1) return 1
  const power = 10 ** Math.floor(Math.log10(max))
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= max) return step * power
  }
  return 10 * power
}

/** Which days get a date under the axis: every day for a week, about six for a month, each month's first for a year. */
function datedDays(days: readonly DayFigures[]): { index: number; label: string }[] {
  if (days.length <= 8) return days.map((d, index) => ({ index, label: shortDay(d.day) }))
  if (days.length <= 62) {
    const every = Math.ceil(days.length / 6)
    return days
      .map((d, index) => ({ index, label: shortDay(d.day) }))
      .filter(({ index }) => (days.length - 1 - index) % every === 0)
  }
  return days
    .map((d, index) => ({ index, day: d.day }))
    .filter(({ day }) => dayStampOf(day).endsWith('-01'))
    .map(({ index, day }) => ({ index, label: MONTH().format(asDate(day)) }))
}

function describe(days: readonly DayFigures[]): string {
  const first = days[0]
  const last = days[days.length - 1]
  if (!first || !last) return 'No days to show.'
  const views = days.reduce((n, d) => n + d.views, 0)
  const visitors = days.reduce((n, d) => n + d.visitors, 0)
  const busiest = days.reduce((best, d) => (d.views > best.views ? d : best), first)
  const span = `From ${longDay(first.day)} to ${longDay(last.day)}`
  const sums = `${formatNumber(views)} page views and ${formatNumber(visitors)} visitors`
  if (views === 0) return `${span}: no page views were counted.`
  return `${span}: ${sums}. The busiest day was ${longDay(busiest.day)}, with ${formatNumber(busiest.views)} page views and ${formatNumber(busiest.visitors)} visitors. The table below gives every day’s figures.`
}

/** Bars for each day: page views behind, visitors (never more than views on a sane day) in front. */
export function dailyChart(days: readonly DayFigures[]): DailyChart {
  const top = niceMax(Math.max(0, ...days.map((d) => Math.max(d.views, d.visitors))))
  const slot = PLOT_WIDTH / Math.max(1, days.length)
  const width = round(Math.max(0.5, slot * (days.length > 60 ? 0.9 : 0.7)))
  const heightOf = (n: number) => (n / top) * PLOT_HEIGHT
  const bars = days.map((d, i) => {
    const x = round(LEFT + i * slot + (slot - width) / 2)
    const viewsHeight = round(heightOf(d.views))
    const visitorsHeight = round(heightOf(d.visitors))
    return {
      day: dayStampOf(d.day),
      label: `${longDay(d.day)}: ${formatNumber(d.views)} page views, ${formatNumber(d.visitors)} visitors`,
      views: d.views,
      visitors: d.visitors,
      x,
      width,
      viewsY: round(TOP + PLOT_HEIGHT - viewsHeight),
      viewsHeight,
      visitorsY: round(TOP + PLOT_HEIGHT - visitorsHeight),
      visitorsHeight,
    }
  })
  const ticks = [0, top / 2, top]
    .filter((n) => Number.isInteger(n))
    .map((n) => ({ y: round(TOP + PLOT_HEIGHT - heightOf(n)), label: formatNumber(n) }))
  const dates = datedDays(days).map(({ index, label }) => ({
    x: round(LEFT + index * slot + slot / 2),
    label,
  }))
  return {
    width: WIDTH,
    height: HEIGHT,
    left: LEFT,
    right: WIDTH - RIGHT,
    bottom: TOP + PLOT_HEIGHT,
    title: 'Page views and visitors per day',
    desc: describe(days),
    bars,
    ticks,
    dates,
  }
}
