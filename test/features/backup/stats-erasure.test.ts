// Checks that a backup holds the stats' counts but never the day's salt or visitor hashes, which are meant to vanish at midnight.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import Database from 'better-sqlite3'
import { backupDatabase } from '../../../src/features/backup/backup.ts'
import { clockAt, createStatsApp, visit } from '../stats/helpers.ts'

test('a backup keeps the day’s counts but holds no salt and no visitor hashes, not even as bytes', async (t) => {
  const clock = clockAt('2026-03-10T12:00:00Z')
  const { app, db, dir, path } = await createStatsApp(t, {
    stats: { now: clock.now, flushIntervalMs: 3_600_000 },
  })
  for (let i = 0; i < 3; i++) await visit(app, '/', {}, `203.0.113.${i + 1}`)
  await app.stats.flush()
  const salt = db.$client.prepare('select salt from stats_salt').pluck().get() as string
  const hashes = db.$client.prepare('select hash from stats_visitors').pluck().all() as string[]
  assert.ok(salt && hashes.length > 0)

  const file = join(dir, 'backups', 'site.db')
  await backupDatabase({ databasePath: path, mediaDir: join(dir, 'media'), file })

  const copy = new Database(file, { readonly: true })
  t.after(() => copy.close())
  assert.equal(copy.prepare('select count(*) from stats_salt').pluck().get(), 0)
  assert.equal(copy.prepare('select count(*) from stats_visitors').pluck().get(), 0)
  assert.equal(copy.prepare('select sum(views) from stats_days').pluck().get(), 3, 'the counts are kept')
  const bytes = readFileSync(file)
  assert.equal(bytes.includes(Buffer.from(salt)), false)
  for (const hash of hashes) assert.equal(bytes.includes(Buffer.from(hash)), false)
  // The live site keeps counting its readers as before.
  assert.equal(db.$client.prepare('select salt from stats_salt').pluck().get(), salt)
})
