// Checks what a failed flush does (the batch gets one more try, then is dropped) and that a big batch is written in short pieces.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { chunkBatch, emptyBatch, joinBatches } from '../../../src/features/stats/collector.ts'
import { dayNumber } from '../../../src/features/stats/days.ts'
import { createStatsWriter, StatsWriteError } from '../../../src/features/stats/flush.ts'
import { createTestDb } from '../../helpers/app.ts'
import { createStatsApp, pathViews, totalViews, visit } from './helpers.ts'

const FAIL =
  "create temp trigger fail_flush before insert on stats_days begin select raise(abort, 'disk trouble'); end"

test('a flush that fails puts its counts back once: the next flush stores them', async (t) => {
  const { app, db } = await createStatsApp(t, { stats: { flushIntervalMs: 3_600_000 } })
  await app.ready()
  await visit(app, '/')
  await visit(app, '/', {}, '198.51.100.4')
  db.$client.exec(FAIL)
  await app.stats.flush()
  assert.equal(totalViews(db), 0)

  db.$client.exec('drop trigger fail_flush')
  await visit(app, '/')
  await app.stats.flush()
  assert.equal(totalViews(db), 3, 'the two put back and the new one')
})

test('counts that fail to be written twice are dropped, and counting goes on', async (t) => {
  const { app, db } = await createStatsApp(t, { stats: { flushIntervalMs: 3_600_000 } })
  await app.ready()
  await visit(app, '/')
  db.$client.exec(FAIL)
  await app.stats.flush()
  await app.stats.flush()
  db.$client.exec('drop trigger fail_flush')
  await app.stats.flush()
  assert.equal(totalViews(db), 0)

  await visit(app, '/')
  await app.stats.flush()
  assert.equal(totalViews(db), 1)
})

test('a big batch is written in pieces; a failure part-way hands back exactly the pieces not written', async (t) => {
  const { db } = createTestDb(t)
  const day = dayNumber('2026-03-10')
  const batch = emptyBatch()
  for (let i = 0; i < 25; i++) batch.paths.push([day, `/p${String(i).padStart(2, '0')}`, 1, 0])
  const pieces = chunkBatch(batch, 10)
  assert.deepEqual(
    pieces.map((piece) => piece.paths.length),
    [10, 10, 5],
  )
  assert.deepEqual(joinBatches(pieces), batch)

  const writer = createStatsWriter(db, undefined, 10)
  // The third piece's first path fails.
  db.$client.exec(
    "create temp trigger fail_piece before insert on stats_labels when new.text = '/p20' begin select raise(abort, 'disk trouble'); end",
  )
  const salt = { day, salt: 'salt', stored: false }
  const failure = await writer.write(batch, salt, day).catch((err: unknown) => err)
  assert.ok(failure instanceof StatsWriteError)
  assert.deepEqual(
    failure.unwritten.paths.map(([, path]) => path),
    batch.paths.slice(20).map(([, path]) => path),
  )
  assert.equal(pathViews(db).length, 20, 'the first two pieces are stored')
})
