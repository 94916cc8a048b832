// Checks that the day's salt does not outlive midnight anywhere: not in a row, not in the file's free space or log, not past a machine's sleep.
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { test } from 'node:test'
import { buildApp } from '../../../src/app.ts'
import { dayNumber } from '../../../src/features/stats/days.ts'
import { testConfig } from '../../helpers/app.ts'
import { all, clockAt, createStatsApp, one, visit } from './helpers.ts'

/** Whether `text` is anywhere in the database file or its write-ahead log, as raw bytes. */
function fileHolds(path: string, text: string): boolean {
  const needle = Buffer.from(text)
  return [path, `${path}-wal`].some((file) => existsSync(file) && readFileSync(file).includes(needle))
}

test('after midnight the old salt’s bytes are gone from the database file, not only its row', async (t) => {
  const clock = clockAt('2026-03-10T23:50:00Z')
  const { app, db, path } = await createStatsApp(t, { stats: { now: clock.now, flushIntervalMs: 3_600_000 } })
  for (let i = 0; i < 3; i++) await visit(app, '/', {}, `203.0.113.${i + 1}`)
  await app.stats.flush()
  const salt = one<{ salt: string }>(db, 'select salt from stats_salt')?.salt
  assert.ok(salt)
  db.$client.pragma('wal_checkpoint(TRUNCATE)')
  assert.ok(fileHolds(path, salt), 'the check can see the salt while it is the day’s')

  clock.set('2026-03-11T00:00:30Z')
  await app.stats.flush()

  assert.equal(all(db, 'select * from stats_salt').length, 0)
  db.$client.pragma('wal_checkpoint(TRUNCATE)')
  assert.equal(fileHolds(path, salt), false, 'yesterday’s salt is overwritten, not left in free space')
})

test('an app that starts after midnight destroys yesterday’s salt as it starts, before any visit or interval', async (t) => {
  const clock = clockAt('2026-03-10T12:00:00Z')
  const first = await createStatsApp(t, { stats: { now: clock.now, flushIntervalMs: 3_600_000 } })
  await visit(first.app, '/')
  await first.app.close()
  assert.equal(all(first.db, 'select * from stats_salt').length, 1)

  // The machine slept (or was stopped) past midnight.
  clock.set('2026-03-11T08:00:00Z')
  const again = await buildApp({
    config: testConfig(first.dir),
    db: first.db,
    stats: { now: clock.now, flushIntervalMs: 3_600_000 },
  } as never)
  t.after(() => again.close())
  await again.ready()

  assert.equal(all(first.db, 'select * from stats_salt').length, 0)
  assert.equal(all(first.db, 'select * from stats_visitors where day < ?', dayNumber('2026-03-11')).length, 0)
})
