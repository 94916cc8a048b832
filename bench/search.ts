// Owns the benchmark's search figures: SQLite alone on the seeded blog, the dearest queries on the search cost test's corpus, and uncached search over HTTP.
import { request } from 'node:http'
import { join } from 'node:path'
import { closeDatabase, type Db, openDatabase } from '../src/db/client.ts'
import { migrateDatabase } from '../src/db/migrate.ts'
import { searchPosts } from '../src/features/search/queries.ts'
import { parseSearchQuery } from '../src/features/search/query.ts'
import { CORPUS_MARKER, HOSTILE_SEARCHES, seedSearchCorpus } from '../test/helpers/search-corpus.ts'
import { median } from './stats.ts'

export const SEARCH_TERMS = ['sqlite', 'performance', 'cache', '"static site"', 'optim*', 'fastify deploy']

/** Milliseconds per query, SQLite alone (no HTTP), over several kinds of query. */
export function timeSqliteSearch(db: Db): number[] {
  const times: number[] = []
  for (let round = 0; round < 200; round++) {
    for (const term of SEARCH_TERMS) {
      const match = parseSearchQuery(term).match as string
      const started = performance.now()
      searchPosts(db, match, new Date(), { limit: 10, offset: 0 })
      times.push(performance.now() - started)
    }
  }
  return times
}

export interface HostileSearch {
  readonly hostile: number[]
  /** The cheap marker word, timed in the same rounds as a yardstick. */
  readonly cheap: number[]
  readonly dearestShape: string
  readonly dearestMedian: number
}

/**
 * The dearest queries a visitor can type (issue 9), on the corpus the search cost test uses: made-up
 * words from shared syllables, so short prefixes each match thousands of posts.
 */
export function timeHostileSearch(dir: string, posts: number): HostileSearch {
  const corpus = openDatabase(join(dir, 'corpus.db'))
  migrateDatabase(corpus)
  seedSearchCorpus(corpus, posts)
  const time = (term: string, page: number): number => {
    const match = parseSearchQuery(term).match
    const started = performance.now()
    if (match) searchPosts(corpus, match, new Date(), { limit: 10, offset: (page - 1) * 10 })
    return performance.now() - started
  }
  const hostile: number[] = []
  const cheap: number[] = []
  const byShape = new Map<string, number[]>(HOSTILE_SEARCHES.map((term) => [term, []]))
  for (let round = 0; round < 5; round++) {
    for (const term of HOSTILE_SEARCHES) {
      for (const page of [1, 50, 100]) {
        const ms = time(term, page)
        hostile.push(ms)
        byShape.get(term)?.push(ms)
        cheap.push(time(CORPUS_MARKER, 1))
      }
    }
  }
  closeDatabase(corpus)
  const [dearestShape, dearestMedian] = [...byShape].reduce<[string, number]>(
    (worst, [term, times]) => (median(times) > worst[1] ? [term, median(times)] : worst),
    ['', 0],
  )
  return { hostile, cheap, dearestShape, dearestMedian }
}

const WORDS = [
  'sqlite',
  'cache',
  'fastify',
  'deploy',
  'accessib*',
  '"static site"',
  'postgres',
  'css',
  'test*',
  'node',
]

function get(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      res.resume()
      res.once('end', resolve)
    })
      .once('error', reject)
      .end()
  })
}

/**
 * Sequential searches that never repeat: the page cache keys a search by `q` and `page` only, so
 * each request takes a different pair of words or a different page and is rendered afresh.
 */
export async function timeUncachedHttpSearch(url: string, count = 500): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < count; i++) {
    const q = `${WORDS[i % WORDS.length]} ${WORDS[Math.floor(i / WORDS.length) % WORDS.length]}`
    const page = 1 + Math.floor(i / (WORDS.length * WORDS.length))
    const started = performance.now()
    await get(`${url}/search?q=${encodeURIComponent(q)}&page=${page}`)
    times.push(performance.now() - started)
  }
  return times
}
