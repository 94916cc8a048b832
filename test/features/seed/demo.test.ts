// Owns the behaviour of the demo seed: counts, kinds, statuses, series, pages, settings, determinism.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import { asc, eq, isNotNull } from 'drizzle-orm'
import { closeDatabase, type Db, openDatabase } from '../../../src/db/client.ts'
import { migrateDatabase } from '../../../src/db/migrate.ts'
import { pages, posts, series } from '../../../src/db/schema.ts'
import { seedDemoContent } from '../../../src/features/seed/demo.ts'
import { getSettings } from '../../../src/features/settings/service.ts'
import { loadMarkdownPipeline } from '../../../src/lib/markdown-here.ts'

// Seeding renders the demo Markdown on this thread, as the CLI does once it has loaded the pipeline.
await loadMarkdownPipeline()

const NOW = new Date('2025-06-01T12:00:00Z')
const N = 60

function freshDb(t: TestContext): Db {
  const dir = mkdtempSync(join(tmpdir(), 'folio-seed-'))
  const db = openDatabase(join(dir, 'folio.db'))
  migrateDatabase(db)
  t.after(() => {
    closeDatabase(db)
    rmSync(dir, { recursive: true, force: true })
  })
  return db
}

test('seeding N posts saves exactly N posts, articles and link posts alike', (t) => {
  const db = freshDb(t)
  const result = seedDemoContent(db, { posts: N, now: NOW })
  const rows = db.select({ kind: posts.kind, linkUrl: posts.linkUrl }).from(posts).all()
  assert.equal(result.posts, N)
  assert.equal(rows.length, N)
  const links = rows.filter((row) => row.kind === 'link')
  assert.ok(links.length > 0, 'some link posts')
  assert.ok(
    rows.some((row) => row.kind === 'article'),
    'some articles',
  )
  for (const link of links) assert.match(link.linkUrl ?? '', /^https:\/\//)
})

test('the seed includes a draft and a scheduled post, and publishes the rest in the past', (t) => {
  const db = freshDb(t)
  seedDemoContent(db, { posts: N, now: NOW })
  const rows = db.select({ status: posts.status, publishedAt: posts.publishedAt }).from(posts).all()
  assert.ok(rows.some((row) => row.status === 'draft'))
  const scheduled = rows.filter((row) => row.status === 'scheduled')
  assert.ok(scheduled.length > 0)
  for (const row of scheduled) assert.ok((row.publishedAt?.getTime() ?? 0) > NOW.getTime())
  for (const row of rows.filter((r) => r.status === 'published')) {
    assert.ok((row.publishedAt?.getTime() ?? Infinity) <= NOW.getTime())
  }
})

test('a seeded series has at least three parts numbered 1..k in publishing order', (t) => {
  const db = freshDb(t)
  const result = seedDemoContent(db, { posts: N, now: NOW })
  assert.ok(result.series >= 3)
  const first = db.select().from(series).orderBy(asc(series.id)).get()
  assert.ok(first)
  const parts = db
    .select({ part: posts.seriesPart, kind: posts.kind, publishedAt: posts.publishedAt })
    .from(posts)
    .where(eq(posts.seriesId, first.id))
    .orderBy(asc(posts.seriesPart))
    .all()
  assert.ok(parts.length >= 3)
  assert.deepEqual(
    parts.map((p) => p.part),
    parts.map((_, i) => i + 1),
  )
  assert.ok(parts.every((p) => p.kind === 'article'))
  const dates = parts.map((p) => p.publishedAt?.getTime() ?? 0)
  assert.deepEqual(
    dates,
    [...dates].sort((a, b) => a - b),
  )
})

test('the first seed creates the About and Work with me pages and the persona', (t) => {
  const db = freshDb(t)
  const result = seedDemoContent(db, { posts: N, now: NOW })
  assert.equal(result.pages, 3)
  const nav = db
    .select({ slug: pages.slug, status: pages.status })
    .from(pages)
    .where(isNotNull(pages.navOrder))
    .orderBy(asc(pages.navOrder))
    .all()
  assert.deepEqual(nav, [
    { slug: 'about', status: 'published' },
    { slug: 'work-with-me', status: 'published' },
  ])
  const settings = getSettings(db)
  assert.match(settings.introMd, /^Hey there/)
  assert.ok(settings.socialLinks.length >= 2)
})

test('seeding twice adds posts again but never duplicates pages', (t) => {
  const db = freshDb(t)
  seedDemoContent(db, { posts: N, now: NOW })
  const second = seedDemoContent(db, { posts: N, now: NOW })
  assert.equal(second.pages, 0)
  assert.equal(db.select({ id: posts.id }).from(posts).all().length, 2 * N)
  assert.equal(db.select({ id: pages.id }).from(pages).all().length, 3)
})

test('two seeds with the same clock build the same site', (t) => {
  const titles = () => {
    const db = freshDb(t)
    seedDemoContent(db, { posts: N, now: NOW })
    return db.select({ title: posts.title }).from(posts).orderBy(asc(posts.id)).all()
  }
  assert.deepEqual(titles(), titles())
})
