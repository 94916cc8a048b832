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

/**
 * Every page against one Folio process. The machine is shared and noisy, so each page is compared
 * with a baseline run measured just before it, answering a string as large as the page (`sizes`).
 */
export async function measurePages(
  folioUrl: string,
  bareUrl: string,
  pages: readonly Page[],
  sizes: ReadonlyMap<string, number>,
  connections: number,
  seconds: number,
): Promise<PageResult[]> {
  // Warm both (JIT, SQLite's page cache, Folio's page cache) before anything counts.
  await measure(`${bareUrl}/`, connections, 2)
  for (const page of pages) await measure(`${folioUrl}${page.path}`, connections, 1)
  const results: PageResult[] = []
  for (const page of pages) {
    const bare = await measure(`${bareUrl}/${sizes.get(page.path)}`, connections, seconds)
    const folio = await measure(`${folioUrl}${page.path}`, connections, seconds)
    const latency = await measure(`${folioUrl}${page.path}`, 1, Math.max(2, Math.round(seconds / 2)))
    results.push({ ...page, folio, latency, bare, ratio: folio.rps / bare.rps })
  }
  return results
}
