// Checks that nothing a visitor sends can grow memory or the stats tables without bound: keys in memory, rows per day.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createCollector } from '../../../src/features/stats/collector.ts'
import { dayNumber } from '../../../src/features/stats/days.ts'
import { createStatsWriter, OTHER_SOURCE } from '../../../src/features/stats/flush.ts'
import { networkOf } from '../../../src/features/stats/source-gate.ts'
import { createTestDb } from '../../helpers/app.ts'
import { clockAt, createStatsApp, dayRow, noonToday, one, pathViews, sourceRows, visit } from './helpers.ts'

const STAMP = '2026-03-10'
const DAY = dayNumber(STAMP)
const SALT = { day: DAY, salt: 'salt', stored: false }
const hash = (i: number) => `visitor${String(i).padStart(9, '0')}`

test('between flushes, memory holds a bounded number of keys; counts for new keys beyond it are dropped and reported', () => {
  const collector = createCollector({ maxKeys: 100 })
  for (let i = 0; i < 1000; i++)
    collector.view({ day: DAY, path: `/p${i}`, visitor: hash(i), referrer: `site${i}.example` })
  assert.equal(collector.size, 100)
  // Keys already held keep counting.
  collector.view({ day: DAY, path: '/p0', visitor: hash(0), referrer: 'site0.example' })
  const { batch, dropped } = collector.take()
  assert.ok(dropped > 0)
  assert.equal(batch.days[0]?.[1], 1001, 'the day’s total still counts every view')
  assert.equal(collector.size, 0, 'a flush starts afresh')
})

test('past a day’s limit of distinct referrers, new ones are stored as (other)', async (t) => {
  const { db } = createTestDb(t)
  const writer = createStatsWriter(db, {
    pathsPerDay: 100,
    sourceValuesPerDay: 3,
    sourceRowsPerDay: 100,
    visitorRowsPerDay: 1000,
  })
  const sources = Array.from({ length: 6 }, (_, i) => [DAY, '/', 'referrer', `r${i}.example`, 1] as const)
  const outcome = await writer.write(
    {
      days: [[DAY, 6, 0]],
      paths: [[DAY, '/', 6, 0]],
      sources: sources.map((s) => [...s]),
      feeds: [],
      visitors: [],
    },
    SALT,
    DAY,
  )
  assert.equal(outcome.capped, 3)
  assert.deepEqual(
    sourceRows(db).map(({ value, views }) => ({ value, views })),
    [
      { value: OTHER_SOURCE, views: 3 },
      { value: 'r0.example', views: 1 },
      { value: 'r1.example', views: 1 },
      { value: 'r2.example', views: 1 },
    ],
  )
})

test('past a day’s limit of pages, views count for the day but make no new page rows', async (t) => {
  const { db } = createTestDb(t)
  const writer = createStatsWriter(db, {
    pathsPerDay: 2,
    sourceValuesPerDay: 10,
    sourceRowsPerDay: 10,
    visitorRowsPerDay: 1000,
  })
  await writer.write(
    {
      days: [[DAY, 4, 0]],
      paths: [
        [DAY, '/a', 1, 0],
        [DAY, '/b', 1, 0],
        [DAY, '/c', 1, 0],
        [DAY, '/d', 1, 0],
      ],
      sources: [],
      feeds: [],
      visitors: [],
    },
    SALT,
    DAY,
  )
  assert.equal(one<{ n: number }>(db, 'select count(*) as n from stats_paths')?.n, 2)
  assert.equal(dayRow(db, STAMP).views, 4)
  // An existing page keeps counting.
  await writer.write(
    { days: [], paths: [[DAY, '/a', 1, 0]], sources: [], feeds: [], visitors: [] },
    SALT,
    DAY,
  )
  assert.equal(pathViews(db).find((row) => row.path === '/a')?.views, 2)
})

test('past a day’s limit of visitor hashes, new visitors are no longer told apart', async (t) => {
  const { db } = createTestDb(t)
  const writer = createStatsWriter(db, {
    pathsPerDay: 10,
    sourceValuesPerDay: 10,
    sourceRowsPerDay: 10,
    visitorRowsPerDay: 10,
  })
  const visitors = Array.from({ length: 20 }, (_, i) => [DAY, hash(i), '/'] as [number, string, string])
  await writer.write(
    { days: [[DAY, 20, 0]], paths: [[DAY, '/', 20, 0]], sources: [], feeds: [], visitors },
    SALT,
    DAY,
  )
  assert.equal(one<{ n: number }>(db, 'select count(*) as n from stats_visitors')?.n, 10)
  assert.deepEqual(dayRow(db, STAMP), { views: 20, visitors: 5, botViews: 0 })
})

test('one network brings at most 20 new referrers a day; values others brought, and other networks, still count', async (t) => {
  const { app, db } = await createStatsApp(t, { stats: { now: clockAt(noonToday()).now } })
  await visit(app, '/', { referer: 'https://shared.example/' }, '198.51.100.9')
  for (let i = 0; i < 30; i++)
    await visit(app, '/', { referer: `https://flood${i}.example/` }, `203.0.113.${i + 1}`)
  await visit(app, '/', { referer: 'https://shared.example/' }, '203.0.113.200')
  await visit(app, '/', { referer: 'https://other.example/' }, '192.0.2.5')
  await app.stats.flush()

  const values = sourceRows(db).map(({ value }) => value)
  assert.equal(
    values.filter((value) => value.startsWith('flood')).length,
    20,
    'one /24 brought 20 new values',
  )
  assert.ok(values.includes('other.example'))
  assert.equal(sourceRows(db).find(({ value }) => value === 'shared.example')?.views, 2)
  assert.equal(dayRow(db, noonToday().slice(0, 10)).views, 33, 'every view still counts')
})

test('networks are an IPv4 /24 or an IPv6 /64', () => {
  assert.equal(networkOf('203.0.113.77'), '203.0.113.0/24')
  assert.equal(networkOf('::ffff:203.0.113.77'), '203.0.113.0/24')
  assert.equal(networkOf('2001:db8:1:2:3:4:5:6'), networkOf('2001:db8:1:2::9'))
  assert.notEqual(networkOf('2001:db8:1:2::9'), networkOf('2001:db8:1:3::9'))
})
