// Owns what `npm run bench` prints: issue 14's table of goals with PASS/MISS, the per-page tables and the search figures.
import type { ColdStarts } from './cold-start.ts'
import type { PageResult } from './load.ts'
import type { Memory } from './memory.ts'
import type { HostileSearch } from './search.ts'
import { percentile } from './stats.ts'

/** Issue 14's goals. */
export const GOALS = {
  coldStartRatio: 1.3,
  peakRssMb: 100,
  cachedRatio: 0.8,
  uncachedRatio: 0.5,
} as const

export interface Report {
  readonly connections: number
  readonly cold: ColdStarts
  readonly memory: { readonly folio: Memory; readonly folioUncached: Memory; readonly bare: Memory }
  readonly cached: readonly PageResult[]
  readonly uncached: readonly PageResult[]
}

interface Row {
  readonly figure: string
  readonly folio: string
  readonly bare: string
  readonly ratio: string
  readonly goal: string
  /** undefined for a row shown for information, without a goal. */
  readonly met?: boolean
}

const mb = (n: number) => (Number.isNaN(n) ? 'n/a' : `${n.toFixed(0)} MB`)
const times = (n: number) => `${n.toFixed(2)}×`

function goalRows(r: Report): Row[] {
  const { cold, memory } = r
  const rows: Row[] = [
    {
      figure: `process start to first 200 on \`/\` (median of ${cold.starts} paired starts)`,
      folio: `${(cold.folio.ms / 1000).toFixed(2)} s`,
      bare: `${(cold.bare.ms / 1000).toFixed(2)} s`,
      ratio: times(cold.ratio),
      goal: `≤ ${GOALS.coldStartRatio}× bare`,
      met: cold.ratio <= GOALS.coldStartRatio,
    },
    {
      figure: 'peak RSS right after that first request (median)',
      folio: mb(cold.folio.peakMb),
      bare: mb(cold.bare.peakMb),
      ratio: times(cold.folio.peakMb / cold.bare.peakMb),
      goal: '',
    },
  ]
  for (const [label, folio] of [
    ['peak RSS after the whole benchmark', memory.folio],
    ['peak RSS after the whole benchmark, page cache off', memory.folioUncached],
  ] as const) {
    rows.push({
      figure: label,
      folio: mb(folio.peakMb),
      bare: mb(memory.bare.peakMb),
      ratio: times(folio.peakMb / memory.bare.peakMb),
      goal: `≤ ${GOALS.peakRssMb} MB`,
      met: folio.peakMb <= GOALS.peakRssMb,
    })
  }
  for (const [scenario, results, goal] of [
    ['cached', r.cached, GOALS.cachedRatio],
    ['page cache off', r.uncached, GOALS.uncachedRatio],
  ] as const) {
    for (const page of results) {
      rows.push({
        figure: `${page.name}, ${scenario} (req/s, ${r.connections} connections)`,
        folio: page.folio.rps.toFixed(0),
        bare: page.bare.rps.toFixed(0),
        ratio: times(page.ratio),
        goal: `≥ ${goal}× bare`,
        met: page.ratio >= goal && page.folio.errors === 0,
      })
    }
  }
  return rows
}

/** The issue's table, as Markdown so it can go straight into the closing note; then what is missed. */
export function printGoals(r: Report): void {
  const rows = goalRows(r)
  console.log('\n| figure | Folio | bare Fastify | Folio / bare | goal | |')
  console.log('| --- | ---: | ---: | ---: | --- | --- |')
  for (const row of rows) {
    const verdict = row.met === undefined ? '' : row.met ? 'PASS' : '**MISS**'
    console.log(`| ${row.figure} | ${row.folio} | ${row.bare} | ${row.ratio} | ${row.goal} | ${verdict} |`)
  }
  const judged = rows.filter((row) => row.met !== undefined)
  const missed = judged.filter((row) => row.met === false)
  if (missed.length === 0) {
    console.log(`\nEvery goal met (${judged.length} of ${judged.length}).`)
    return
  }
  console.log(`\nGOALS MISSED: ${missed.length} of ${judged.length}`)
  for (const row of missed)
    console.log(`  MISS  ${row.figure}: ${row.folio} vs ${row.bare} (${row.ratio}), goal ${row.goal}`)
}

const pad = (s: string, n: number) => s.padEnd(n)
const num = (n: number, d = 0) => n.toFixed(d).padStart(9)

/** The detailed per-page figures of one scenario. */
export function printPages(title: string, results: readonly PageResult[], connections: number): void {
  console.log(`\n${title}`)
  const withHeaders = results.some((r) => r.bareWithHeaders)
  const extraHead = withHeaders ? `${'base+h/s'.padStart(10)}${'ratio+h'.padStart(9)}` : ''
  console.log(
    `${pad('page', 15)}${pad('path', 40)}${'base/s'.padStart(9)}${'req/s'.padStart(9)}${'ratio'.padStart(9)}${extraHead}${`p99@${connections}`.padStart(9)}${'p50@1'.padStart(9)}${'p99@1'.padStart(9)}  errors`,
  )
  for (const r of results) {
    const extra = withHeaders
      ? ` ${num(r.bareWithHeaders?.rps ?? Number.NaN)}${num(r.ratioWithHeaders ?? Number.NaN, 2)}`
      : ''
    console.log(
      `${pad(r.name, 15)}${pad(r.path.slice(0, 38), 40)}${num(r.bare.rps)}${num(r.folio.rps)}${num(r.ratio, 2)}${extra}${num(r.folio.p99)}${num(r.latency.p50)}${num(r.latency.p99)}  ${r.folio.errors + r.latency.errors}`,
    )
  }
  if (withHeaders)
    console.log(
      "(base+h: the same bare server sending Folio's response headers; ratio+h is Folio against it, the cost of Folio's own work)",
    )
}

export interface SearchFigures {
  readonly terms: readonly string[]
  readonly sqlite: readonly number[]
  readonly hostile: HostileSearch
  readonly hostileShapes: number
  readonly posts: number
  readonly marker: string
  readonly http: readonly number[]
}

const ms = (n: number) => `${n.toFixed(2)} ms`

export function printSearch(s: SearchFigures): void {
  console.log(
    `\nsearch in SQLite alone (${s.sqlite.length} queries over ${s.terms.join(', ')}): p50 ${ms(percentile(s.sqlite, 50))}, p99 ${ms(percentile(s.sqlite, 99))}, max ${ms(percentile(s.sqlite, 100))}`,
  )
  const { hostile, cheap, dearestShape, dearestMedian } = s.hostile
  console.log(
    `worst-case search at ${s.posts} posts of the search cost test's corpus (${hostile.length} runs of ${s.hostileShapes} hostile shapes on pages 1, 50 and 100): median ${ms(percentile(hostile, 50))}, max ${ms(percentile(hostile, 100))}; baseline "${s.marker}" page 1 in the same rounds: median ${ms(percentile(cheap, 50))}, max ${ms(percentile(cheap, 100))} (budget ~50 ms)`,
  )
  console.log(`  dearest shape: ${dearestShape}: ${ms(dearestMedian)} median`)
  console.log(
    `search over HTTP, uncached (${s.http.length} sequential distinct queries, one connection): p50 ${ms(percentile(s.http, 50))}, p99 ${ms(percentile(s.http, 99))}`,
  )
}
