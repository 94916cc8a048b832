// Checks the SQL migrations on an empty file and on databases made before a migration was edited, and the pragmas every connection gets.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { before, type TestContext, test } from 'node:test'
import { closeDatabase, type Db, openDatabase } from '../../src/db/client.ts'
import { migrateDatabase } from '../../src/db/migrate.ts'
import { savePost } from '../../src/features/content/posts.ts'
import { searchPosts } from '../../src/features/search/queries.ts'
import { parseSearchQuery } from '../../src/features/search/query.ts'
import { loadMarkdownPipeline } from '../../src/lib/markdown-here.ts'

// savePost renders Markdown on this thread, which loads the pipeline only on request.
before(() => loadMarkdownPipeline())

function emptyDatabase(t: TestContext): { db: Db; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'folio-migrate-'))
  const path = join(dir, 'nested', 'folio.db')
  const db = openDatabase(path)
  t.after(() => {
    closeDatabase(db)
    rmSync(dir, { recursive: true, force: true })
  })
  return { db, path }
}

const tableNames = (db: Db): string[] =>
  (
    db.$client.prepare("select name from sqlite_master where type = 'table' order by name").all() as {
      name: string
    }[]
  ).map((row) => row.name)

test('migrating an empty file creates every table of the content model and the search index', (t) => {
  const { db } = emptyDatabase(t)
  assert.deepEqual(tableNames(db), [])

  migrateDatabase(db)

  const tables = tableNames(db)
  for (const name of [
    'posts',
    'tags',
    'post_tags',
    'series',
    'pages',
    'settings',
    'post_redirects',
    'posts_fts',
  ]) {
    assert.ok(tables.includes(name), `table ${name} exists (have ${tables.join(', ')})`)
  }
})

test('migrating twice is harmless and keeps the content', (t) => {
  const { db } = emptyDatabase(t)
  migrateDatabase(db)
  savePost(db, { title: 'Still here', kind: 'article', bodyMd: 'Body.', status: 'published' })
  const before = tableNames(db)

  migrateDatabase(db)
  migrateDatabase(db)

  assert.deepEqual(tableNames(db), before)
  const rows = db.$client.prepare('select title from posts').all() as { title: string }[]
  assert.deepEqual(
    rows.map((r) => r.title),
    ['Still here'],
  )
})

test('a reopened, already migrated file migrates without error', (t) => {
  const { db, path } = emptyDatabase(t)
  migrateDatabase(db)
  closeDatabase(db)

  const again = openDatabase(path)
  t.after(() => closeDatabase(again))
  migrateDatabase(again)
  assert.ok(tableNames(again).includes('posts'))
})

test("every connection uses WAL, foreign keys, synchronous=FULL, a busy timeout and SQLite's 2 MB page cache", (t) => {
  const { db } = emptyDatabase(t)
  migrateDatabase(db)
  const pragma = (name: string) => db.$client.pragma(name, { simple: true })
  assert.equal(pragma('journal_mode'), 'wal')
  assert.equal(pragma('foreign_keys'), 1)
  assert.equal(pragma('synchronous'), 2, 'synchronous=FULL')
  assert.ok(Number(pragma('busy_timeout')) > 0, 'a busy timeout is set')
  assert.equal(
    pragma('cache_size'),
    -2000,
    "2 MB, not better-sqlite3's 16 MB: the kernel caches the file too",
  )
})

// Databases made before 0000_content and 0001_search were edited (see migration 0006).
const MIGRATIONS = join(import.meta.dirname, '..', '..', 'migrations')
const FIXTURES = join(import.meta.dirname, 'fixtures')
const journal = JSON.parse(readFileSync(join(MIGRATIONS, 'meta', '_journal.json'), 'utf8')) as {
  entries: { tag: string; when: number }[]
}
const whenOf = (tag: string) => journal.entries.find((entry) => entry.tag === tag)?.when ?? 0

/** Runs migration text the way drizzle does, and records it as applied at `when`. */
function applyAsDrizzle(db: Db, text: string, when: number): void {
  for (const statement of text.split('--> statement-breakpoint')) db.$client.exec(statement)
  db.$client.exec(
    'create table if not exists "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)',
  )
  db.$client
    .prepare('insert into "__drizzle_migrations" ("hash", "created_at") values (?, ?)')
    .run(createHash('sha256').update(text).digest('hex'), when)
}

const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8')
const migration = (tag: string) => readFileSync(join(MIGRATIONS, `${tag}.sql`), 'utf8')

/** The first release's database: both migrations as first committed, with their first journal times. */
function firstReleaseDatabase(t: TestContext): Db {
  const { db } = emptyDatabase(t)
  applyAsDrizzle(db, fixture('0000_content.first.sql'), 1795762745740)
  applyAsDrizzle(db, fixture('0001_search.first.sql'), 1795762746234)
  return db
}

/** Made between the two edits: today's 0000_content, but 0001_search still with the Porter stemmer. */
function betweenEditsDatabase(t: TestContext): Db {
  const { db } = emptyDatabase(t)
  applyAsDrizzle(db, migration('0000_content'), whenOf('0000_content'))
  applyAsDrizzle(db, fixture('0001_search.first.sql'), whenOf('0001_search'))
  return db
}

/** Content written straight into the old tables: a series, tags, three posts (one since deleted). */
function addOldContent(db: Db): void {
  const at = Date.UTC(2025, 0, 1)
  db.$client.exec(`
    insert into series (id, slug, title, created_at, updated_at) values (1, 'kettles', 'Kettles', ${at}, ${at});
    insert into tags (id, slug, name) values (1, 'tea', 'Tea'), (2, 'water', 'Water');`)
  const post = db.$client.prepare(
    `insert into posts (id, kind, title, slug, body_md, body_html, status, published_at, series_id, series_part, created_at, updated_at)
     values (@id, 'article', @title, @slug, @body, @html, @status, @at, 1, @id, @at, @at)`,
  )
  const search = db.$client.prepare('insert into posts_fts (rowid, title, body, tags) values (?, ?, ?, ?)')
  for (const [id, title, body, status] of [
    [1, 'Kettle notes', 'The kettle keeps running all morning.', 'published'],
    [2, 'Unfinished', 'Draft about water.', 'draft'],
    [3, 'Gone', 'A post deleted later.', 'published'],
  ] as const) {
    post.run({
      id,
      title,
      slug: title.toLowerCase().replace(' ', '-'),
      body,
      html: `<p>${body}</p>`,
      status,
      at,
    })
    search.run(id, title, body, id === 1 ? 'Tea Water' : '')
  }
  db.$client.exec(`
    insert into post_tags (post_id, tag_id) values (1, 1), (1, 2), (2, 2);
    insert into post_redirects (old_slug, post_id, created_at) values ('kettle-notes-draft', 1, ${at});
    delete from posts where id = 3;`)
}

const schemaOf = (db: Db) =>
  db.$client
    .prepare(
      "select type, name, tbl_name, sql from sqlite_master where name != '__drizzle_migrations' order by type, name",
    )
    .all()

const contentOf = (db: Db) => ({
  posts: db.$client.prepare('select * from posts order by id').all(),
  postTags: db.$client.prepare('select * from post_tags order by post_id, tag_id').all(),
  redirects: db.$client.prepare('select * from post_redirects').all(),
  series: db.$client.prepare('select * from series').all(),
  nextPostId: db.$client.prepare("select seq from sqlite_sequence where name = 'posts'").pluck().get(),
})

const found = (db: Db, query: string) => {
  const match = parseSearchQuery(query).match ?? ''
  return searchPosts(db, match, new Date(), { limit: 10, offset: 0 }).hits.map((hit) => hit.slug)
}

function freshDatabase(t: TestContext): Db {
  const { db } = emptyDatabase(t)
  migrateDatabase(db)
  return db
}

for (const [made, open] of [
  ['by the first release', firstReleaseDatabase],
  ['between the two edits', betweenEditsDatabase],
] as const) {
  test(`a database made ${made} migrates to today's tables and search rules, keeping its content`, (t) => {
    const db = open(t)
    addOldContent(db)
    const before = contentOf(db)
    assert.deepEqual(found(db, 'runs'), ['kettle-notes'], 'the old index stems "runs" to "run"')

    migrateDatabase(db)

    assert.deepEqual(schemaOf(db), schemaOf(freshDatabase(t)), 'the same tables, indexes and triggers')
    // Columns added since the old database was made take their defaults (posts.version: 1, no feature image, not emailed).
    const withNewColumns = {
      ...before,
      posts: before.posts.map((row) => ({
        ...(row as object),
        version: 1,
        feature_image_id: null,
        send_newsletter: 0,
      })),
    }
    assert.deepEqual(contentOf(db), withNewColumns, 'every row and the next post id are kept')
    assert.equal(db.$client.pragma('foreign_keys', { simple: true }), 1)
    assert.deepEqual(found(db, 'runs'), [], 'no stemmer: "runs" is not "running"')
    assert.deepEqual(found(db, 'runn*'), ['kettle-notes'])
    assert.deepEqual(found(db, 'water'), ['kettle-notes'], 'tag names are still searched')

    const id = savePost(db, {
      title: 'After the upgrade',
      kind: 'article',
      bodyMd: 'Brewing.',
      status: 'published',
    })
    assert.equal(id, 4, 'the id of the deleted post is not reused')
    assert.deepEqual(found(db, 'brewing'), ['after-the-upgrade'])
    db.$client.prepare('delete from posts where id = 1').run()
    assert.deepEqual(found(db, 'kettle'), [], 'deleting a post still removes it from search')
    assert.deepEqual(db.$client.prepare('select * from post_tags').all(), [{ post_id: 2, tag_id: 2 }])
  })
}

test('migration 0006 leaves a database already in shape exactly as every other migration makes it', (t) => {
  const { db } = emptyDatabase(t)
  const index = journal.entries.findIndex((entry) => entry.tag.startsWith('0006_'))
  for (const { tag, when } of journal.entries.slice(0, index)) applyAsDrizzle(db, migration(tag), when)
  // Recorded as applied without running it; migrateDatabase then runs whatever comes after.
  applyAsDrizzle(db, '', journal.entries[index]?.when ?? 0)
  migrateDatabase(db)
  assert.deepEqual(schemaOf(freshDatabase(t)), schemaOf(db))
})

test('migration 0006 refuses to run with foreign keys on, which would empty post_tags', (t) => {
  const db = freshDatabase(t)
  savePost(db, { title: 'Tagged', kind: 'article', bodyMd: 'Body.', tags: ['tea'], status: 'published' })
  const tag = journal.entries.find((entry) => entry.tag.startsWith('0006_'))?.tag ?? ''
  const statements = migration(tag).split('--> statement-breakpoint')
  assert.throws(
    () =>
      db.$client.transaction(() => {
        for (const statement of statements) db.$client.exec(statement)
      })(),
    /migration_0006_needs_foreign_keys_off/,
  )
  assert.equal(db.$client.prepare('select count(*) from post_tags').pluck().get(), 1)
})

/** A copy of migrations/ that a test may add to or take from. */
function migrationsCopy(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'folio-migrations-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  cpSync(MIGRATIONS, dir, { recursive: true })
  return dir
}

test('a migration added after the database was migrated is applied on the next start', (t) => {
  const folder = migrationsCopy(t)
  const { db } = emptyDatabase(t)
  migrateDatabase(db, { migrationsFolder: folder })
  const newest = journal.entries.at(-1) as { when: number }
  const added = {
    idx: journal.entries.length,
    version: '6',
    when: newest.when + 1000,
    tag: '9999_added',
    breakpoints: true,
  }
  writeFileSync(join(folder, `${added.tag}.sql`), 'CREATE TABLE `added_later` (`id` integer PRIMARY KEY);')
  writeFileSync(
    join(folder, 'meta', '_journal.json'),
    JSON.stringify({ ...journal, entries: [...journal.entries, added] }),
  )

  migrateDatabase(db, { migrationsFolder: folder })

  assert.ok(tableNames(db).includes('added_later'), 'the new migration ran')
  assert.equal(
    db.$client.prepare('select count(*) from __drizzle_migrations').pluck().get(),
    journal.entries.length + 1,
  )
})

test('an already migrated database is left alone: no migration file is read and nothing is written', (t) => {
  const folder = migrationsCopy(t)
  const { db, path } = emptyDatabase(t)
  migrateDatabase(db, { migrationsFolder: folder })
  closeDatabase(db)
  // Drizzle would fail on a missing file it had to read and hash; the up-to-date check never opens it.
  rmSync(join(folder, `${journal.entries[0]?.tag}.sql`))
  const readOnly = openDatabase(path, { readonly: true })
  t.after(() => closeDatabase(readOnly))

  migrateDatabase(readOnly, { migrationsFolder: folder })

  assert.equal(
    readOnly.$client.prepare('select count(*) from __drizzle_migrations').pluck().get(),
    journal.entries.length,
  )
})
