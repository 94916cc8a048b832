// Checks unique visitors: one hash per reader and day, decided at flush time, and the salt destroyed at midnight in the site's timezone.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildApp } from '../../../src/app.ts'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { dayNumber, dayStampOf } from '../../../src/features/stats/days.ts'
import { testConfig } from '../../helpers/app.ts'
import { createPost } from '../../helpers/fixtures.ts'
import { all, clockAt, createStatsApp, dayRow, OTHER_BROWSER, one, pathRow, visit } from './helpers.ts'

const paris = {
  prepare: (db: Parameters<typeof saveSettings>[0]) => saveSettings(db, { timezone: 'Europe/Paris' }),
}

test('a reader is one visitor a day however many pages they read; another browser or address is another', async (t) => {
  const clock = clockAt('2026-03-10T09:00:00Z')
  const { app, db } = await createStatsApp(t, { stats: { now: clock.now } })
  createPost(db, { title: 'One', slug: 'one', publishedAt: new Date('2026-03-01T09:00:00Z') })
  createPost(db, { title: 'Two', slug: 'two', publishedAt: new Date('2026-03-02T09:00:00Z') })

  await visit(app, '/posts/one')
  await visit(app, '/posts/two')
  await visit(app, '/posts/one')
  await visit(app, '/posts/one', { 'user-agent': OTHER_BROWSER })
  await visit(app, '/posts/one', {}, '198.51.100.20')
  await app.stats.flush()

  assert.deepEqual(dayRow(db, '2026-03-10'), { views: 5, visitors: 3, botViews: 0 })
  assert.deepEqual(pathRow(db, '2026-03-10', '/posts/one'), { views: 4, visitors: 3, reads: 0 })
  assert.deepEqual(pathRow(db, '2026-03-10', '/posts/two'), { views: 1, visitors: 1, reads: 0 })
  const stored = all<{ hash: string }>(db, 'select hash from stats_visitors')
  for (const { hash } of stored) {
    assert.match(hash, /^[A-Za-z0-9_-]{16}$/)
    assert.doesNotMatch(hash, /203|198|Safari|Firefox/)
  }
  const everything = JSON.stringify(db.$client.prepare('select * from stats_visitors').all())
  assert.doesNotMatch(everything, /203\.0\.113\.7|Macintosh/, 'no IP or User-Agent is stored')
})

test('a reader seen before a flush, or before a restart the same day, is not counted again', async (t) => {
  const clock = clockAt('2026-03-10T09:00:00Z')
  const first = await createStatsApp(t, { stats: { now: clock.now } })
  await visit(first.app, '/')
  await first.app.stats.flush()
  clock.set('2026-03-10T10:00:00Z')
  await visit(first.app, '/')
  await first.app.close()
  assert.deepEqual(dayRow(first.db, '2026-03-10'), { views: 2, visitors: 1, botViews: 0 })

  // The same database file, a new process: the day's salt is read back, so the reader's hash is the same.
  const again = await buildApp({
    config: testConfig(first.dir),
    db: first.db,
    stats: { now: clock.now },
  } as never)
  t.after(() => again.close())
  clock.set('2026-03-10T11:00:00Z')
  await visit(again, '/')
  await again.stats.flush()
  assert.deepEqual(dayRow(first.db, '2026-03-10'), { views: 3, visitors: 1, botViews: 0 })
})

test('at midnight in the site’s timezone the salt is replaced and yesterday’s hashes deleted; the reader counts anew', async (t) => {
  const clock = clockAt('2026-03-10T22:50:00Z') // 23:50 in Paris
  const { app, db } = await createStatsApp(t, { ...paris, stats: { now: clock.now } })
  await visit(app, '/')
  await app.stats.flush()
  const before = one<{ day: number; salt: string }>(db, 'select day, salt from stats_salt')
  assert.equal(before?.day, dayNumber('2026-03-10'))
  assert.ok(all(db, 'select * from stats_visitors where day = ?', dayNumber('2026-03-10')).length > 0)

  clock.set('2026-03-10T23:05:00Z') // 00:05 on the 11th in Paris
  await visit(app, '/')
  await app.stats.flush()

  const salts = all<{ day: number; salt: string }>(db, 'select day, salt from stats_salt')
  assert.equal(salts.length, 1, 'only today’s salt is kept')
  assert.equal(salts[0]?.day, dayNumber('2026-03-11'))
  assert.notEqual(salts[0]?.salt, before?.salt)
  assert.deepEqual(
    all<{ day: number }>(db, 'select distinct day from stats_visitors').map((r) => dayStampOf(r.day)),
    ['2026-03-11'],
    'yesterday’s hashes are gone',
  )
  assert.deepEqual(dayRow(db, '2026-03-10'), { views: 1, visitors: 1, botViews: 0 })
  assert.deepEqual(dayRow(db, '2026-03-11'), { views: 1, visitors: 1, botViews: 0 })
})

test('with no visit after midnight, the next flush still destroys yesterday’s salt and hashes', async (t) => {
  const clock = clockAt('2026-03-10T22:50:00Z')
  const { app, db } = await createStatsApp(t, { ...paris, stats: { now: clock.now } })
  await visit(app, '/')
  await app.stats.flush()
  assert.equal(all(db, 'select * from stats_salt').length, 1)

  clock.set('2026-03-10T23:00:30Z')
  await app.stats.flush()

  assert.equal(all(db, 'select * from stats_salt').length, 0)
  assert.equal(all(db, 'select * from stats_visitors').length, 0)
  assert.deepEqual(dayRow(db, '2026-03-10'), { views: 1, visitors: 1, botViews: 0 })
})

test('views just before midnight, flushed just after, are filed under the day they happened', async (t) => {
  const clock = clockAt('2026-03-10T22:59:50Z')
  const { app, db } = await createStatsApp(t, { ...paris, stats: { now: clock.now } })
  await visit(app, '/')
  clock.set('2026-03-10T23:00:10Z')
  await visit(app, '/')
  await app.stats.flush()

  assert.deepEqual(dayRow(db, '2026-03-10'), { views: 1, visitors: 1, botViews: 0 })
  assert.deepEqual(dayRow(db, '2026-03-11'), { views: 1, visitors: 1, botViews: 0 })
  assert.deepEqual(
    all<{ day: number }>(db, 'select day from stats_salt').map((r) => dayStampOf(r.day)),
    ['2026-03-11'],
  )
})
