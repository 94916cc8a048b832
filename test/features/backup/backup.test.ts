// Checks `backup` and `restore`: consistent copies under concurrent writes, refusing to overwrite, and coming back.
import assert from 'node:assert/strict'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import Database from 'better-sqlite3'
import { closeDatabase, openDatabase } from '../../../src/db/client.ts'
import { backupDatabase, restoreBackup } from '../../../src/features/backup/backup.ts'
import { savePost } from '../../../src/features/content/posts.ts'
import { createTestDb } from '../../helpers/app.ts'
import { createPage, createPost } from '../../helpers/fixtures.ts'
import { runCli } from '../../helpers/processes.ts'

const paragraph = 'SQLite copies pages while the server keeps writing, and nothing waits for anything. '

function slugsIn(path: string): string[] {
  const db = new Database(path, { readonly: true })
  try {
    return (db.prepare('select slug from posts order by slug').all() as { slug: string }[]).map((r) => r.slug)
  } finally {
    db.close()
  }
}

function integrityOf(path: string): string {
  const db = new Database(path, { readonly: true })
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .join('\n')
  } finally {
    db.close()
  }
}

test('a backup taken while another connection keeps saving posts passes the integrity check and holds every post committed before it began', async (t) => {
  const { db, dir, path } = createTestDb(t)
  // Enough text that the copy needs many steps, so the writer gets in between them.
  db.transaction(() => {
    for (let i = 0; i < 250; i++)
      savePost(db, {
        title: `Written before the backup ${i}`,
        kind: 'article',
        status: 'published',
        bodyMd: paragraph.repeat(40),
      })
  })
  const before = slugsIn(path)

  const writer = openDatabase(path)
  t.after(() => closeDatabase(writer))
  const file = join(dir, 'backups', 'nightly', 'folio.db')
  let finished = false
  const backup = backupDatabase({ databasePath: path, mediaDir: join(dir, 'media'), file }).finally(() => {
    finished = true
  })
  let during = 0
  while (!finished) {
    savePost(writer, {
      title: `Written during the backup ${during}`,
      kind: 'article',
      status: 'published',
      bodyMd: paragraph.repeat(10),
    })
    during += 1
    await new Promise((resolve) => setImmediate(resolve))
  }
  const result = await backup

  assert.ok(during > 2, `the writer committed ${during} posts while the backup ran`)
  assert.equal(integrityOf(file), 'ok')
  const copied = new Set(slugsIn(file))
  for (const slug of before) assert.ok(copied.has(slug), `${slug} is in the backup`)
  assert.equal(result.posts, copied.size)
  assert.ok(copied.size >= before.length)
  assert.ok(!existsSync(`${file}.partial`), 'no half-written file is left behind')
  assert.ok(!existsSync(`${file}-wal`), 'the backup is one self-contained file')
})

test('backup refuses to overwrite an existing file unless told to with --force', (t) => {
  const { db, dir, path } = createTestDb(t)
  createPost(db, { title: 'First post' })
  createPage(db, { title: 'About' })
  const env = { DATABASE_PATH: path, MEDIA_DIR: join(dir, 'media') }
  const file = join(dir, 'backups', 'site.db')

  const first = runCli(['backup', file], env)
  assert.equal(first.status, 0, first.stderr)
  assert.match(first.stdout, /integrity check ok; 1 post, 1 page, 0 messages/)
  assert.match(first.stdout, /Keep it private: .*signs with on the fediverse/)
  const original = readFileSync(file)

  createPost(db, { title: 'Second post' })
  const again = runCli(['backup', file], env)
  assert.equal(again.status, 1)
  assert.match(again.stderr, /already exists/)
  assert.match(again.stderr, /--force/)
  assert.deepEqual(readFileSync(file), original, 'the earlier backup is untouched')

  const forced = runCli(['backup', file, '--force'], env)
  assert.equal(forced.status, 0, forced.stderr)
  assert.match(forced.stdout, /2 posts/)
  assert.deepEqual(slugsIn(file), ['first-post', 'second-post'])
})

test('backup copies the media folder beside the file, and a second backup adds only the new files', async (t) => {
  const { dir, path } = createTestDb(t)
  const mediaDir = join(dir, 'media')
  mkdirSync(mediaDir, { recursive: true })
  writeFileSync(join(mediaDir, 'a1b2c3d4e5-photo.png'), 'first image')
  writeFileSync(join(mediaDir, 'a1b2c3d4e5-photo-480.webp'), 'its copy')
  writeFileSync(join(mediaDir, '.half-written.tmp'), 'not yet an upload')

  const file = join(dir, 'backups', 'site.db')
  const first = await backupDatabase({ databasePath: path, mediaDir, file })
  assert.equal(first.media.files, 2)
  assert.equal(first.media.linked + first.media.copied, 2)
  assert.deepEqual(readdirSync(`${file}.media`).sort(), ['a1b2c3d4e5-photo-480.webp', 'a1b2c3d4e5-photo.png'])
  assert.equal(readFileSync(join(`${file}.media`, 'a1b2c3d4e5-photo.png'), 'utf8'), 'first image')

  writeFileSync(join(mediaDir, 'f6e5d4c3b2-diagram.png'), 'second image')
  const second = await backupDatabase({ databasePath: path, mediaDir, file, force: true })
  assert.equal(second.media.files, 3)
  assert.equal(second.media.present, 2)
  assert.equal(second.media.linked + second.media.copied, 1)
})

test('restore without --yes changes nothing and explains the steps', (t) => {
  const { db, dir, path } = createTestDb(t)
  createPost(db, { title: 'Kept' })
  const file = join(dir, 'site.db')
  const env = { DATABASE_PATH: path, MEDIA_DIR: join(dir, 'media') }
  assert.equal(runCli(['backup', file], env).status, 0)
  createPost(db, { title: 'Written later' })

  const result = runCli(['restore', file], env)
  assert.equal(result.status, 1)
  assert.match(result.stdout, /Stop the server/)
  assert.match(result.stdout, /--yes/)
  assert.deepEqual(slugsIn(path), ['kept', 'written-later'])
})

test('restore puts the backup and its media back, and keeps the database it replaced', async (t) => {
  const { db, dir, path } = createTestDb(t)
  const mediaDir = join(dir, 'media')
  mkdirSync(mediaDir, { recursive: true })
  writeFileSync(join(mediaDir, 'a1b2c3d4e5-photo.png'), 'the photo')
  createPost(db, { title: 'In the backup' })
  const file = join(dir, 'backups', 'site.db')
  await backupDatabase({ databasePath: path, mediaDir, file })

  createPost(db, { title: 'After the backup' })
  unlinkSync(join(mediaDir, 'a1b2c3d4e5-photo.png'))
  // The server stops: its connection closes, leaving the database as it was.
  closeDatabase(db)

  const result = runCli(['restore', file, '--yes'], { DATABASE_PATH: path, MEDIA_DIR: mediaDir })
  assert.equal(result.status, 0, result.stderr)
  assert.match(result.stdout, /integrity check ok; 1 post/)
  assert.match(result.stdout, /Start the server/)

  assert.deepEqual(slugsIn(path), ['in-the-backup'])
  assert.equal(integrityOf(path), 'ok')
  assert.equal(readFileSync(join(mediaDir, 'a1b2c3d4e5-photo.png'), 'utf8'), 'the photo')
  assert.ok(
    !existsSync(`${path}-wal`) || statSync(`${path}-wal`).size === 0,
    'no stale WAL beside the restored file',
  )

  const kept = readdirSync(dir).filter(
    (name) => name.startsWith('folio.db.before-restore-') && !/-(wal|shm)$/.test(name),
  )
  assert.equal(kept.length, 1)
  assert.deepEqual(slugsIn(join(dir, kept[0] as string)), ['after-the-backup', 'in-the-backup'])

  // The restored database is a working one: the server's connection can write to it.
  const reopened = openDatabase(path)
  t.after(() => closeDatabase(reopened))
  createPost(reopened, { title: 'After the restore' })
  assert.deepEqual(slugsIn(path), ['after-the-restore', 'in-the-backup'])
})

test('restore refuses a file that is not a Folio database and leaves the live one alone', (t) => {
  const { db, dir, path } = createTestDb(t)
  createPost(db, { title: 'Still here' })
  const bogus = join(dir, 'notes.txt')
  writeFileSync(bogus, 'not a database at all, just some words that are long enough to look like a header')
  assert.throws(
    () => restoreBackup({ file: bogus, databasePath: path, mediaDir: join(dir, 'media') }),
    /not a usable SQLite database|cannot be opened/,
  )
  assert.deepEqual(slugsIn(path), ['still-here'])
  assert.ok(!existsSync(`${path}.restoring`))
})

test('restore refuses while another connection still has the database open', async (t) => {
  const { db, dir, path } = createTestDb(t)
  createPost(db, { title: 'Live' })
  const file = join(dir, 'site.db')
  await backupDatabase({ databasePath: path, mediaDir: join(dir, 'media'), file })
  createPost(db, { title: 'Newer' })
  assert.throws(
    () => restoreBackup({ file, databasePath: path, mediaDir: join(dir, 'media') }),
    /open in another process: is the server still running\?/,
  )
  assert.deepEqual(slugsIn(path), ['live', 'newer'])
})
