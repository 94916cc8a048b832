// `npx tsx bench/stats-storage.ts`: a year of a busy blog's views (1,000,000 by default) through the real stats flush, then the database's size after VACUUM.
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { closeDatabase, openDatabase } from '../src/db/client.ts'
import { migrateDatabase } from '../src/db/migrate.ts'
import { createCollector } from '../src/features/stats/collector.ts'
import { dayNumber } from '../src/features/stats/days.ts'
import { createStatsWriter } from '../src/features/stats/flush.ts'

const VIEWS = Number(process.env.BENCH_STATS_VIEWS ?? 1_000_000)
const DAYS = 365
const PATHS = 300
/** How many flushes a simulated day has. The real server flushes every 30 s; the rows are the same. */
const FLUSHES_PER_DAY = Number(process.env.BENCH_STATS_FLUSHES ?? 48)

/** A small seeded generator, so every run writes the same year. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const rand = random(12)
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T

/** Picks index i with weight 1/(i+1)^s: a few pages (and referrers) get most of the traffic. */
function zipf(n: number, s: number): () => number {
  const weights = Array.from({ length: n }, (_, i) => 1 / (i + 1) ** s)
  const total = weights.reduce((a, b) => a + b, 0)
  const cumulative: number[] = []
  let sum = 0
  for (const w of weights) {
    sum += w / total
    cumulative.push(sum)
  }
  return () => {
    const r = rand()
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((cumulative[mid] ?? 1) < r) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

const paths = [
  '/',
  '/posts',
  '/tags',
  '/about',
  '/contact',
  '/search',
  ...Array.from({ length: PATHS - 6 }, (_, i) => `/posts/an-article-about-topic-number-${i + 1}`),
]
const pathIndex = zipf(paths.length, 1.05)
const mastodon = Array.from({ length: 40 }, (_, i) => `mastodon-${i}.social`)
const blogs = Array.from({ length: 12_000 }, (_, i) => `someones-blog-${i}.example.com`)
const blogIndex = zipf(blogs.length, 0.9)

/**
 * Where a view of path number `p` came from. Search engines send readers to every page; a link
 * from another blog, a thread or a toot points at one page (the blog's own, or the post of the day).
 */
function referrer(p: number, hit: number): string | undefined {
  const r = rand()
  if (r < 0.4) return undefined
  if (r < 0.65) return 'google.com'
  if (r < 0.7) return 'duckduckgo.com'
  if (r < 0.74) return 'bing.com'
  if (p !== hit) {
    if (r < 0.8) return undefined
    const blog = Math.floor(rand() * 40) * PATHS + p
    return blogs[blog % blogs.length]
  }
  if (r < 0.79) return 'news.ycombinator.com/item'
  if (r < 0.82) return `reddit.com/r/${pick(['webdev', 'programming', 'javascript', 'typescript', 'node'])}`
  if (r < 0.9) return pick(mastodon)
  if (r < 0.91) return `lobste.rs/s/${(hit * 7919).toString(36)}`
  return blogs[blogIndex()]
}

const campaign = (): string | undefined =>
  rand() < 0.05 ? pick(['newsletter', 'mastodon', 'rss', 'twitter', 'linkedin']) : undefined

const readers = ['Feedly', 'Inoreader', 'NewsBlur', 'Feedbin', 'Miniflux', 'NetNewsWire', 'FreshRSS', 'Other']

const FIRST_DAY = dayNumber('2025-01-01')

// Busier on weekdays, and a dozen days a year a post does well somewhere.
const weights = Array.from({ length: DAYS }, (_, i) => {
  const weekday = (i + 3) % 7 < 5 ? 1.2 : 0.7
  return weekday * (rand() < 0.035 ? 6 + rand() * 10 : 1)
})
const weightTotal = weights.reduce((a, b) => a + b, 0)

const dir = mkdtempSync(join(tmpdir(), 'folio-stats-bench-'))
const file = join(dir, 'stats.db')
const db = openDatabase(file)
migrateDatabase(db)
db.$client.pragma('wal_checkpoint(TRUNCATE)')
const emptySize = statSync(file).size
const writer = createStatsWriter(db)
const started = performance.now()
let flushes = 0
let flushMs = 0
let written = 0

for (let d = 0; d < DAYS; d++) {
  const day = FIRST_DAY + d
  const views = Math.round((VIEWS * (weights[d] ?? 1)) / weightTotal)
  // About 60% of a day's views are from someone new that day.
  const visitorPool = Math.max(1, Math.round(views * 0.6))
  const salt = { day, salt: `salt-${day}`, stored: false }
  let storedSalt = false
  // The post readers pass around that day: a new one every few days.
  const hit = 6 + (Math.floor(d / 4) % (PATHS - 6))
  for (let f = 0; f < FLUSHES_PER_DAY; f++) {
    const collector = createCollector()
    const share = Math.round(views / FLUSHES_PER_DAY)
    for (let v = 0; v < share; v++) {
      // A third of the views are of the post of the day; the rest follow the usual long tail.
      const p = rand() < 0.33 ? hit : pathIndex()
      const path = paths[p] as string
      const visitor = `v${d}-${Math.floor(rand() * visitorPool)}`.padEnd(16, '.').slice(0, 16)
      collector.view({ day, path, visitor, referrer: referrer(p, hit), campaign: campaign() })
      written += 1
      if (path.startsWith('/posts/') && rand() < 0.2) collector.read(day, path)
      if (rand() < 0.3) collector.bot(day)
    }
    for (const reader of readers)
      if (rand() < 0.5) collector.feed(day, reader, Math.floor(rand() * 5) + (reader === 'Feedly' ? 300 : 10))
    const t0 = performance.now()
    const outcome = await writer.write(collector.take().batch, { ...salt, stored: storedSalt }, day)
    flushMs += performance.now() - t0
    storedSalt ||= outcome.saltStored
    flushes += 1
  }
}

const count = (table: string) => db.$client.prepare(`select count(*) from ${table}`).pluck().get() as number
const rows = Object.fromEntries(
  [
    'stats_days',
    'stats_paths',
    'stats_sources',
    'stats_feeds',
    'stats_visitors',
    'stats_salt',
    'stats_labels',
  ].map((t) => [t, count(t)]),
)
db.$client.exec('VACUUM')
db.$client.pragma('wal_checkpoint(TRUNCATE)')
/** Bytes per table and index (SQLite's dbstat), to see where the space goes. */
const tableBytes = db.$client
  .prepare(
    `select name, sum(pgsize) as bytes from dbstat
     where name like 'stats%' group by name order by bytes desc`,
  )
  .all() as { name: string; bytes: number }[]
const size = statSync(file).size
closeDatabase(db)

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`
console.log(`Stats storage for ${written.toLocaleString('en')} views over ${DAYS} days, ${PATHS} pages:`)
console.log(
  `  ${flushes.toLocaleString('en')} flushes (${FLUSHES_PER_DAY} a day), ${(flushMs / flushes).toFixed(2)} ms each on average`,
)
for (const [table, n] of Object.entries(rows))
  console.log(`  ${table.padEnd(15)} ${n.toLocaleString('en')} rows`)
for (const { name, bytes } of tableBytes) console.log(`  ${name.padEnd(25)} ${mb(bytes)}`)
console.log(
  `  database after VACUUM: ${mb(size)} (${mb(size - emptySize)} for the stats; an empty database is ${mb(emptySize)})`,
)
console.log(`  took ${((performance.now() - started) / 1000).toFixed(1)} s`)
// BENCH_STATS_KEEP=1 keeps the file, to try other table layouts on the same data.
if (process.env.BENCH_STATS_KEEP) console.log(`  kept: ${file}`)
else rmSync(dir, { recursive: true, force: true })
