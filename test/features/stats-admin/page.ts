// Owns reading the stats page as a test sees it: the chart's bars, the daily table's rows, the CSV's rows, and a card's text.
import { parse } from 'csv-parse/sync'

export interface DayNumbers {
  readonly views: number
  readonly visitors: number
}

const number = (text: string): number => Number(text.replace(/,/g, ''))

/** The chart's bars by day, from their data attributes. */
export function chartDays(html: string): Map<string, DayNumbers> {
  const svg = /<svg[\s\S]*?<\/svg>/.exec(html)?.[0] ?? ''
  const found = new Map<string, DayNumbers>()
  for (const m of svg.matchAll(/data-day="([^"]+)" data-views="(\d+)" data-visitors="(\d+)"/g)) {
    found.set(m[1] ?? '', { views: Number(m[2]), visitors: Number(m[3]) })
  }
  return found
}

/** The daily table's rows by day, from the numbers people read (1,234). */
export function tableDays(html: string): Map<string, DayNumbers> {
  const found = new Map<string, DayNumbers>()
  const rows = html.matchAll(
    /<tr data-day="([^"]+)">[\s\S]*?<td class="num" data-visitors>([\d,]+)<\/td><td class="num" data-views>([\d,]+)<\/td>/g,
  )
  for (const m of rows) found.set(m[1] ?? '', { views: number(m[3] ?? ''), visitors: number(m[2] ?? '') })
  return found
}

/** The CSV's records as objects keyed by the header row (the byte order mark dropped). */
export function csvRecords(text: string): Record<string, string>[] {
  return parse(text, { bom: true, columns: true }) as Record<string, string>[]
}

/** A section of the stats page by its heading's id, e.g. `stats-pages-title`. */
export function sectionOf(html: string, titleId: string): string {
  const start = html.indexOf(`aria-labelledby="${titleId}"`)
  if (start < 0) return ''
  return html.slice(start, html.indexOf('</section>', start))
}

/** The rows of a table as arrays of cell text (tags dropped, entities left as they are). */
export function tableRows(section: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(section)?.[1] ?? ''
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...(row[1] ?? '').matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((cell) =>
      (cell[1] ?? '').replace(/<[^>]+>/g, '').trim(),
    ),
  )
}
