// Owns throughput under load: autocannon runs of Folio's pages, each paired with a bare-baseline run just before it.
import autocannon from 'autocannon'

export interface Measure {
  readonly rps: number
  readonly p50: number
  readonly p99: number
  readonly errors: number
}

export interface Page {
  readonly name: string
  readonly path: string
}

export interface PageResult extends Page {
  readonly folio: Measure
  /** One connection: p99 under load is mostly queueing, this shows the page's own latency. */
  readonly latency: Measure
  readonly bare: Measure
  readonly ratio: number
  /** The baseline again, sending Folio's own response headers: what is left is Folio's work. */
  readonly bareWithHeaders?: Measure
  readonly ratioWithHeaders?: number
}

export async function measure(url: string, connections: number, seconds: number): Promise<Measure> {
  const result = await autocannon({ url, connections, duration: seconds, pipelining: 1 })
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  }
}

/** Rounds per page: the machine is shared, and one pair of runs swung from 0.3× to 1.4× in our trials. */
const ROUNDS = 3

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

/** Runs of one URL, summed into one: mean throughput, worst latency, every error. */
const combine = (runs: readonly Measure[]): Measure => ({
  rps: runs.reduce((sum, run) => sum + run.rps, 0) / runs.length,
  p50: median(runs.map((run) => run.p50)),
  p99: Math.max(...runs.map((run) => run.p99)),
  errors: runs.reduce((sum, run) => sum + run.errors, 0),
})

/**
 * Every page against one Folio process. The machine is shared and noisy, so each page is compared
 * with a baseline answering a string as large as the page (`sizes`), in ROUNDS alternating pairs
 * (baseline, then Folio), and the ratio is the median of the pairs' ratios: a neighbour's burst
 * spoils one pair, not the figure.
 */
export async function measurePages(
  folioUrl: string,
  bareUrl: string,
  pages: readonly Page[],
  sizes: ReadonlyMap<string, number>,
  connections: number,
  seconds: number,
  bareWithHeadersUrl?: string,
): Promise<PageResult[]> {
  // Warm both (JIT, SQLite's page cache, Folio's page cache) before anything counts.
  await measure(`${bareUrl}/`, connections, 2)
  for (const page of pages) await measure(`${folioUrl}${page.path}`, connections, 1)
  const slice = Math.max(1, Math.round(seconds / ROUNDS))
  const results: PageResult[] = []
  for (const page of pages) {
    const bare: Measure[] = []
    const folio: Measure[] = []
    const withHeaders: Measure[] = []
    for (let round = 0; round < ROUNDS; round++) {
      bare.push(await measure(`${bareUrl}/${sizes.get(page.path)}`, connections, slice))
      if (bareWithHeadersUrl)
        withHeaders.push(await measure(`${bareWithHeadersUrl}/${sizes.get(page.path)}`, connections, slice))
      folio.push(await measure(`${folioUrl}${page.path}`, connections, slice))
    }
    const latency = await measure(`${folioUrl}${page.path}`, 1, Math.max(2, Math.round(seconds / 2)))
    const ratio = median(folio.map((run, i) => run.rps / (bare[i]?.rps ?? Number.NaN)))
    const extra = withHeaders.length
      ? {
          bareWithHeaders: combine(withHeaders),
          ratioWithHeaders: median(folio.map((run, i) => run.rps / (withHeaders[i]?.rps ?? Number.NaN))),
        }
      : {}
    results.push({ ...page, folio: combine(folio), latency, bare: combine(bare), ratio, ...extra })
  }
  return results
}
