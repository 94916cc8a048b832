// Checks the SQL migrations on an empty file and the pragmas every connection gets.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import { closeDatabase, type Db, openDatabase } from '../../src/db/client.ts'
import { migrateDatabase } from '../../src/db/migrate.ts'
import { savePost } from '../../src/features/content/posts.ts'

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

test('every connection uses WAL, foreign keys, synchronous=FULL and a busy timeout', (t) => {
  const { db } = emptyDatabase(t)
  migrateDatabase(db)
  const pragma = (name: string) => db.$client.pragma(name, { simple: true })
  assert.equal(pragma('journal_mode'), 'wal')
  assert.equal(pragma('foreign_keys'), 1)
  assert.equal(pragma('synchronous'), 2, 'synchronous=FULL')
  assert.ok(Number(pragma('busy_timeout')) > 0, 'a busy timeout is set')
})
