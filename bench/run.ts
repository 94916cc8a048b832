// `npm run bench`: builds production, seeds a blog, then measures Folio (`node dist/server.js`) against a bare Fastify server in the same run: cold start, memory, throughput with and without the page cache, and search.
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { closeDatabase, openDatabase } from '../src/db/client.ts'
import { migrateDatabase } from '../src/db/migrate.ts'
import { listPublishedPosts } from '../src/features/blog/queries.ts'
import { seedDemoContent } from '../src/features/seed/demo.ts'
import { getSettings } from '../src/features/settings/service.ts'
import { loadMarkdownPipeline } from '../src/lib/markdown-here.ts'
import { CORPUS_MARKER, HOSTILE_SEARCHES } from '../test/helpers/search-corpus.ts'
import { measureColdStarts } from './cold-start.ts'
import { measurePages, type Page } from './load.ts'
import { readMemory } from './memory.ts'
import { printGoals, printPages, printSearch } from './report.ts'
import { SEARCH_TERMS, timeHostileSearch, timeSqliteSearch, timeUncachedHttpSearch } from './search.ts'
import { BARE_ENTRY, buildProduction, FOLIO_ENTRY, startServer, stopServer } from './servers.ts'

const POSTS = Number(process.env.BENCH_POSTS ?? 10_000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 9)
const STARTS = Number(process.env.BENCH_STARTS ?? 7)
/** BENCH_BUILD=0 measures the dist/ already there instead of running `npm run build` first. */
const BUILD = process.env.BENCH_BUILD !== '0'
/** The figure is taken at 20 connections. */
const CONNECTIONS = 20

const dir = mkdtempSync(join(tmpdir(), 'folio-bench-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/** The machine is shared: a high load average says the figures below are noisy, not that Folio changed. */
const load = () => loadavg()[0]?.toFixed(1)

console.log(
  `Folio benchmark: ${POSTS} posts, ${CONNECTIONS} connections, ${SECONDS} s per page, ${STARTS} paired cold starts, node ${process.version}, load average ${load()}`,
)

// 1. Production as a deploy makes it.
if (BUILD) {
  try {
    console.log(`npm run build in ${seconds(buildProduction())}`)
  } catch (err) {
    console.error(`Cannot benchmark production: ${(err as Error).message}`)
    process.exit(1)
  }
} else console.log(`BENCH_BUILD=0: measuring ${FOLIO_ENTRY} as it is, not rebuilt`)

// 2. Seed through the same code path as the admin, and pick the pages to measure from it.
let started = performance.now()
const dbPath = join(dir, 'folio.db')
const db = openDatabase(dbPath)
migrateDatabase(db)
// Seeding renders Markdown on this thread, as the operator's seed command does.
await loadMarkdownPipeline()
seedDemoContent(db, { posts: POSTS })
db.$client.pragma('wal_checkpoint(TRUNCATE)')
console.log(`seeded in ${seconds(performance.now() - started)}`)
const post = db.$client
  .prepare(
    `select slug from posts where status != 'draft' and published_at <= ? and kind = 'article'
     and body_md like '%\`\`\`%' order by published_at desc limit 1 offset 100`,
  )
  .get(Date.now()) as { slug: string }
const tag = db.$client
  .prepare(
    'select t.slug from tags t join post_tags pt on pt.tag_id = t.id group by t.id order by count(*) desc limit 1',
  )
  .get() as { slug: string }
// Page 300 of the list at 10,000 posts; a smaller blog's last page, so the page exists.
const listPage = Math.min(300, listPublishedPosts(db, new Date(), 1, getSettings(db).postsPerPage).totalPages)
const sqliteSearch = timeSqliteSearch(db)
closeDatabase(db)
const hostileSearch = timeHostileSearch(dir, POSTS)

const pages: Page[] = [
  { name: 'home', path: '/' },
  { name: `list page ${listPage}`, path: `/posts?page=${listPage}` },
  { name: 'post', path: `/posts/${post.slug}` },
  { name: 'tag', path: `/tags/${tag.slug}` },
  { name: 'search', path: '/search?q=sqlite' },
]

// 3. Folio as production runs it, and the bare baseline answering strings as large as each page.
const folioEnv = {
  DATABASE_PATH: dbPath,
  MEDIA_DIR: join(dir, 'media'),
  NODE_ENV: 'production',
  LOG_LEVEL: 'info',
}
const folio = await startServer(FOLIO_ENTRY, folioEnv)
const sizes = new Map<string, number>()
for (const page of pages)
  sizes.set(page.path, Buffer.byteLength(await (await fetch(`${folio.url}${page.path}`)).text()))
// `/` (the cold starts' page) answers as large as Folio's home page.
const bareEnv = { BASELINE_BYTES: pages.map((page) => sizes.get(page.path)).join(',') }
const bare = await startServer(BARE_ENTRY, bareEnv)
// The same baseline sending Folio's response headers (security, cache, ETag, Link): Node's HTTP
// layer validates and writes each one, and a bare server pays that too once it sends them.
const sentByNode = new Set([
  'date',
  'connection',
  'keep-alive',
  'content-length',
  'content-type',
  'transfer-encoding',
])
const folioHeaders: Record<string, string> = {}
const home = await fetch(`${folio.url}/`)
await home.arrayBuffer()
home.headers.forEach((value, name) => {
  if (!sentByNode.has(name)) folioHeaders[name] = value
})
const bareWithHeaders = await startServer(BARE_ENTRY, {
  ...bareEnv,
  BASELINE_HEADERS: JSON.stringify(folioHeaders),
})

// 4. Cold starts: fresh processes on the same seeded database (the long-running two sit idle meanwhile).
started = performance.now()
const cold = await measureColdStarts(
  { script: FOLIO_ENTRY, env: folioEnv },
  { script: BARE_ENTRY, env: bareEnv },
  STARTS,
)
console.log(`cold starts in ${seconds(performance.now() - started)}`)

// 5. Throughput with the page cache, as configured by default.
const cached = await measurePages(
  folio.url,
  bare.url,
  pages,
  sizes,
  CONNECTIONS,
  SECONDS,
  bareWithHeaders.url,
)
const httpSearch = await timeUncachedHttpSearch(folio.url)

// 6. The same pages with the page cache off, so a regression in rendering shows.
const folioUncached = await startServer(FOLIO_ENTRY, { ...folioEnv, PAGE_CACHE_MB: '0' })
const uncached = await measurePages(folioUncached.url, bare.url, pages, sizes, CONNECTIONS, SECONDS)

// 7. Memory once everything has run, then the report.
const memory = {
  folio: readMemory(folio.pid),
  folioUncached: readMemory(folioUncached.pid),
  bare: readMemory(bare.pid),
}
await Promise.all([folio, bare, bareWithHeaders, folioUncached].map((server) => stopServer(server)))

printGoals({ connections: CONNECTIONS, cold, memory, cached, uncached })
console.log(
  `(load average at the end: ${load()}; autocannon drives the load from this process, on one thread)`,
)
console.log(
  `\nbaseline (base/s): bare Fastify (${BARE_ENTRY}, plain node) answering a static HTML string exactly as large as each page (${[...sizes.values()].join(', ')} bytes), measured just before it`,
)
printPages('Folio, page cache on (default)', cached, CONNECTIONS)
printPages('Folio, page cache off (PAGE_CACHE_MB=0)', uncached, CONNECTIONS)
console.log(
  `(latencies in ms; p99@${CONNECTIONS} under ${CONNECTIONS} connections, p50@1/p99@1 with one connection)`,
)
printSearch({
  terms: SEARCH_TERMS,
  sqlite: sqliteSearch,
  hostile: hostileSearch,
  hostileShapes: HOSTILE_SEARCHES.length,
  posts: POSTS,
  marker: CORPUS_MARKER,
  http: httpSearch,
})
// A report, not a gate: the goals above say PASS or MISS, and the run itself succeeded.
process.exit(0)
