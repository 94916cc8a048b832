// Checks gathering a range's figures: settled days and the two live days add up, fresh counts show at once, lists are cut to length; and the chart's and range's small rules.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { rangeFrom } from '../../../src/features/admin/stats/forms.ts'
import { statsReport } from '../../../src/features/admin/stats/report.ts'
import { dailyChart, niceMax } from '../../../src/features/stats/chart.ts'
import { dayNumber, dayStampOf } from '../../../src/features/stats/days.ts'
import { daysEndingOn, siteDays, sumByPath, sumBySource } from '../../../src/features/stats/queries.ts'
import { createTestDb } from '../../helpers/app.ts'
import { seedBusyYear } from './busy-year.ts'
import { seedPaths, seedSource } from './seed.ts'

const TODAY = dayNumber('2026-06-30')
/** The stamp of the day `n` days before TODAY, as the seed helpers take it. */
const before = (n: number): string => dayStampOf(TODAY - n)

test('a year’s figures add the settled days and the live ones, and what a later flush writes to the live days shows at once', async (t) => {
  const { db } = createTestDb(t)
  const rows = []
  for (let n = 0; n < 400; n++) {
    rows.push({ day: before(n), path: '/', views: 1, visitors: 1 })
    rows.push({ day: before(n), path: `/posts/p${n % 30}`, views: 2, visitors: 1, reads: 1 })
  }
  seedPaths(db, rows)
  for (let n = 0; n < 400; n += 10) {
    seedSource(db, { day: before(n), path: '/', kind: 'referrer', value: 'google.com', views: 1 })
  }
  const year = await statsReport(db, TODAY, 365)
  assert.deepEqual(year.totals, { views: 365 * 3, visitors: 365, bots: 0, reads: 365 })
  assert.deepEqual(
    year.pages.slice(0, 2).map((p) => [p.path, p.views]),
    [
      ['/', 365],
      ['/posts/p0', 26],
    ],
    'most viewed first, ties by path',
  )
  assert.equal(year.pages.length, 20, 'cut to the page’s length')
  assert.deepEqual(year.referrers, [{ value: 'google.com', views: 37, group: 'Search' }])

  // The flush just after midnight still writes yesterday: the settled sums are kept, the live days read again.
  const yesterday = TODAY - 1
  db.$client
    .prepare(
      "update stats_paths set views = views + 1000 where day = ? and path_id = (select id from stats_labels where text = '/posts/p1')",
    )
    .run(yesterday)
  db.$client.prepare('update stats_days set views = views + 1000 where day = ?').run(yesterday)
  const again = await statsReport(db, TODAY, 365)
  assert.equal(again.totals.views, 365 * 3 + 1000)
  assert.deepEqual([again.pages[0]?.path, again.pages[0]?.views], ['/posts/p1', 1026])
})

test('over a busy year (about a million views), the figures read a slice at a time match one sum over the whole range', async (t) => {
  const { db } = createTestDb(t)
  seedBusyYear(db, TODAY)
  const whole = daysEndingOn(TODAY, 365)
  const report = await statsReport(db, TODAY, 365)
  const pages = sumByPath(db, whole)
  assert.deepEqual(report.pages, pages.slice(0, 20))
  assert.equal(
    report.totals.reads,
    pages.reduce((n, p) => n + p.reads, 0),
  )
  const referrers = sumBySource(db, 'referrer', whole)
  assert.deepEqual(
    report.referrers.map(({ value, views }) => ({ value, views })),
    referrers.slice(0, 20),
  )
  assert.equal(
    report.referredViews,
    referrers.reduce((n, r) => n + r.views, 0),
  )
  assert.deepEqual(report.campaigns, sumBySource(db, 'campaign', whole).slice(0, 10))
  assert.ok(report.totals.views > 900_000)
})

test('the chart scales to a round number, its bars carry each day, and its description sums the range up', () => {
  assert.deepEqual([0, 1, 3, 10, 11, 99, 101, 4000].map(niceMax), [1, 1, 5, 10, 20, 100, 200, 5000])
  const days = [
    { day: TODAY - 2, views: 12, visitors: 9, bots: 0 },
    { day: TODAY - 1, views: 0, visitors: 0, bots: 3 },
    { day: TODAY, views: 20, visitors: 15, bots: 0 },
  ]
  const chart = dailyChart(days)
  assert.deepEqual(
    chart.bars.map((b) => [b.day, b.views, b.visitors]),
    [
      ['2026-06-28', 12, 9],
      ['2026-06-29', 0, 0],
      ['2026-06-30', 20, 15],
    ],
    'each bar names its day as the table and the CSV do',
  )
  assert.deepEqual(
    chart.ticks.map((t) => t.label),
    ['0', '10', '20'],
  )
  const [first, , last] = chart.bars
  assert.ok(first && last && last.viewsHeight > first.viewsHeight && first.viewsHeight > first.visitorsHeight)
  assert.equal(last?.viewsY, chart.bottom - (last?.viewsHeight ?? 0), 'bars stand on the axis')
  assert.match(chart.desc, /32 page views and 24 visitors/)
  assert.match(chart.desc, /busiest day was Tuesday, 30 June 2026, with 20 page views and 15 visitors/)
})

test('a year’s chart dates each month once; a day nobody came is a zero bar', (t) => {
  const { db } = createTestDb(t)
  const days = siteDays(db, { from: TODAY - 364, to: TODAY })
  assert.equal(days.length, 365)
  assert.ok(days.every((d) => d.views === 0))
  const chart = dailyChart(days)
  assert.equal(chart.dates.length, 12)
  assert.equal(chart.dates[0]?.label, 'Jul')
  assert.match(chart.desc, /no page views were counted/)
})

test('the range is 7, 30 or 365 days; none is 30; anything else is refused with the value kept short', () => {
  const daysOf = (query: Record<string, unknown>) => {
    const found = rangeFrom(query)
    return 'range' in found ? found.range.days : undefined
  }
  assert.equal(daysOf({}), 30)
  assert.equal(daysOf({ range: '' }), 30)
  for (const days of [7, 30, 365]) {
    const found = rangeFrom({ range: String(days) })
    assert.ok('range' in found && found.range.days === days)
  }
  for (const bad of ['07', '7.0', ' 7', '-7', '1e3', 'x'.repeat(500)]) {
    const found = rangeFrom({ range: bad })
    assert.ok('error' in found, bad)
    assert.ok(found.given.length <= 40)
  }
})
