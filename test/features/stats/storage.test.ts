// Checks how counts are stored: days as numbers, each path and source named once in stats_labels, and a flush that leaves the page cache warm.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { saveSettings } from '../../../src/features/settings/service.ts'
import type { StatsBatch } from '../../../src/features/stats/collector.ts'
import { dayNumber } from '../../../src/features/stats/days.ts'
import { createStatsWriter } from '../../../src/features/stats/flush.ts'
import { createLabels } from '../../../src/features/stats/labels.ts'
import { createTestDb, rowCount } from '../../helpers/app.ts'
import { createPage } from '../../helpers/fixtures.ts'
import { all, createStatsApp, pathViews, sourceRows, totalViews, visit } from './helpers.ts'

const MONDAY = dayNumber('2026-03-09')
const TUESDAY = MONDAY + 1
const salt = (day: number) => ({ day, salt: `salt-${day}`, stored: false })

/** A day's batch: one view of each `path` from its `referrer`, by its `visitor`. */
function views(day: number, ...seen: [path: string, referrer: string, visitor: string][]): StatsBatch {
  return {
    days: [[day, seen.length, 0]],
    paths: seen.map(([path]) => [day, path, 1, 0]),
    sources: seen.map(([path, referrer]) => [day, path, 'referrer', referrer, 1]),
    feeds: [],
    visitors: seen.map(([path, , visitor]) => [day, visitor, path]),
  }
}
const oneView = (day: number, path: string, referrer: string, visitor: string) =>
  views(day, [path, referrer, visitor])

test('a path and a referrer are stored once, however many days and tables name them', async (t) => {
  const { db } = createTestDb(t)
  const writer = createStatsWriter(db)

  await writer.write(
    oneView(MONDAY, '/posts/hello', 'news.ycombinator.com/item', 'visitor-aaaaaaaaa'),
    salt(MONDAY),
    MONDAY,
  )
  await writer.write(
    oneView(TUESDAY, '/posts/hello', 'news.ycombinator.com/item', 'visitor-bbbbbbbbb'),
    salt(TUESDAY),
    TUESDAY,
  )

  assert.deepEqual(
    all<{ text: string }>(db, 'select text from stats_labels order by text').map((r) => r.text),
    ['/posts/hello', 'news.ycombinator.com/item'],
  )
  assert.deepEqual(
    all<{ day: number }>(db, 'select day from stats_paths order by day').map((r) => r.day),
    [MONDAY, TUESDAY],
  )
  assert.deepEqual(sourceRows(db), [
    { kind: 'referrer', value: 'news.ycombinator.com/item', views: 1, path: '/posts/hello' },
    { kind: 'referrer', value: 'news.ycombinator.com/item', views: 1, path: '/posts/hello' },
  ])
  assert.deepEqual(
    all<{ pathId: number }>(db, 'select path_id as pathId from stats_visitors order by path_id').map(
      (r) => r.pathId,
    ),
    [0, Number(db.$client.prepare("select id from stats_labels where text = '/posts/hello'").pluck().get())],
    'today’s hashes: one for the site (0) and one for the page; Monday’s were deleted',
  )
})

test('the label cache holds a bounded number of ids and still gives every text its own', (t) => {
  const { db } = createTestDb(t)
  const labels = createLabels(db, 3)
  const ids = Array.from({ length: 10 }, (_, i) => labels.idOf(`/page-${i}`))

  assert.equal(labels.cached, 3)
  assert.equal(new Set(ids).size, 10)
  for (let i = 0; i < 10; i++) assert.equal(labels.find(`/page-${i}`), ids[i])
  assert.equal(labels.idOf('/page-0'), ids[0], 'an evicted text is found again, not added twice')
  assert.equal(rowCount(db, 'stats_labels'), 10)
  assert.equal(labels.find('/never-seen'), undefined)
})

test('after a flush that failed and rolled back, new paths still get labels of their own', async (t) => {
  const { db } = createTestDb(t)
  const writer = createStatsWriter(db)
  await writer.write(oneView(MONDAY, '/kept', 'kept.example', 'visitor-aaaaaaaaa'), salt(MONDAY), MONDAY)
  // Fails after the batch's new labels were made, so the whole transaction rolls back.
  db.$client.exec(
    "create temp trigger fail_flush before insert on stats_visitors begin select raise(abort, 'disk trouble'); end",
  )
  await assert.rejects(() =>
    writer.write(
      oneView(MONDAY, '/lost', 'lost.example', 'visitor-bbbbbbbbb'),
      { ...salt(MONDAY), stored: true },
      MONDAY,
    ),
  )
  db.$client.exec('drop trigger fail_flush')

  // '/later' now takes the id '/lost' had in the rolled-back transaction; '/lost' must get another.
  await writer.write(
    views(
      MONDAY,
      ['/later', 'later.example', 'visitor-ccccccccc'],
      ['/lost', 'lost.example', 'visitor-ddddddddd'],
    ),
    { ...salt(MONDAY), stored: true },
    MONDAY,
  )

  assert.deepEqual(pathViews(db), [
    { path: '/kept', views: 1 },
    { path: '/later', views: 1 },
    { path: '/lost', views: 1 },
  ])
  assert.deepEqual(
    sourceRows(db).map((s) => `${s.value} → ${s.path}`),
    ['kept.example → /kept', 'later.example → /later', 'lost.example → /lost'],
  )
})

test('a flush leaves the page cache warm; a real change still empties it', async (t) => {
  const { app, db } = await createStatsApp(t)
  createPage(db, { title: 'About', slug: 'about' })
  let rendered = 0
  app.addHook('onSend', async (_request, _reply, payload) => {
    rendered += 1
    return payload
  })

  await visit(app, '/about')
  await visit(app, '/about')
  assert.equal(rendered, 1, 'the second view came from the page cache')

  await app.stats.flush()
  assert.equal(totalViews(db), 2, 'the flush wrote the counts')
  await visit(app, '/about')
  assert.equal(rendered, 1, 'still served from the cache after the flush')

  saveSettings(db, { title: 'Renamed' })
  await visit(app, '/about')
  assert.equal(rendered, 2, 'a settings change is seen at once')
  await app.stats.flush()
  assert.equal(totalViews(db), 4)
})
