// Checks /admin/stats.csv: the same numbers as the chart and the table, a download with safe cells, every row of a long range once, and a refused range.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { signIn } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'
import { chartDays, csvRecords, tableDays } from './page.ts'
import { daysAgo, type PathDay, seedPaths } from './seed.ts'

test('the chart, the daily table and the CSV give the same numbers for every day', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const rows: PathDay[] = []
  for (const [n, views] of [
    [0, 3],
    [1, 1234],
    [2, 40],
    [4, 7],
    [6, 2],
  ] as const) {
    rows.push({ day: daysAgo(db, n), path: '/', views, visitors: Math.ceil(views / 2) })
    rows.push({ day: daysAgo(db, n), path: '/posts/hello', views: views * 2, visitors: views, reads: 1 })
  }
  seedPaths(db, rows, { [daysAgo(db, 1)]: { visitors: 1500, bots: 9 } })

  const page = await author.get('/admin/stats?range=7')
  const chart = chartDays(page.body)
  const table = tableDays(page.body)
  assert.equal(chart.size, 7)
  assert.deepEqual([...table.entries()].sort(), [...chart.entries()].sort(), 'table and chart agree')
  assert.deepEqual(chart.get(daysAgo(db, 1)), { views: 3702, visitors: 1500 })
  assert.match(page.body, /<td class="num" data-views>3,702<\/td>/, 'people read 3,702')

  const csv = await author.get('/admin/stats.csv?range=7')
  assert.equal(csv.statusCode, 200)
  const viewsByDay = new Map<string, number>()
  for (const r of csvRecords(csv.body)) {
    viewsByDay.set(r.day ?? '', (viewsByDay.get(r.day ?? '') ?? 0) + Number(r.views))
  }
  for (const [day, figures] of chart) {
    assert.equal(
      viewsByDay.get(day) ?? 0,
      figures.views,
      `${day}: the CSV's pages add up to the chart's views`,
    )
  }
})

test('the CSV is a dated download of every page’s daily figures, oldest day first', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  seedPaths(db, [
    { day: daysAgo(db, 0), path: '/posts/b', views: 2, visitors: 1, reads: 1 },
    { day: daysAgo(db, 0), path: '/posts/a', views: 5, visitors: 4 },
    { day: daysAgo(db, 20), path: '/', views: 9, visitors: 8 },
    { day: daysAgo(db, 40), path: '/', views: 1 },
  ])
  const res = await author.get('/admin/stats.csv')
  assert.equal(res.statusCode, 200)
  assert.match(res.headers['content-type'] as string, /^text\/csv; charset=utf-8/)
  assert.equal(res.headers['cache-control'], 'no-store')
  assert.equal(
    res.headers['content-disposition'],
    `attachment; filename="stats-last-30-days-${daysAgo(db, 0)}.csv"`,
  )
  assert.ok(res.body.startsWith('\uFEFFday,path,views,visitors,reads\r\n'), 'a BOM, then the header row')
  assert.deepEqual(csvRecords(res.body), [
    { day: daysAgo(db, 20), path: '/', views: '9', visitors: '8', reads: '0' },
    { day: daysAgo(db, 0), path: '/posts/a', views: '5', visitors: '4', reads: '0' },
    { day: daysAgo(db, 0), path: '/posts/b', views: '2', visitors: '1', reads: '1' },
  ])
})

test('a cell a spreadsheet would run as a formula is written as plain text, and a hostile path stays data', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const day = daysAgo(db, 1)
  const hostile = [
    '=HYPERLINK("https://evil.example","x")',
    '+1+1',
    '-2+3',
    '@SUM(A1)',
    '/posts/<script>alert(1)</script>',
  ]
  seedPaths(
    db,
    hostile.map((path) => ({ day, path, views: 1 })),
  )
  const res = await author.get('/admin/stats.csv?range=7')
  const paths = csvRecords(res.body).map((r) => r.path)
  assert.deepEqual(paths.sort(), [
    "'+1+1",
    "'-2+3",
    '\'=HYPERLINK("https://evil.example","x")',
    "'@SUM(A1)",
    '/posts/<script>alert(1)</script>',
  ])
  assert.match(res.headers['content-type'] as string, /^text\/csv/, 'never HTML, so the path is inert')
})

test('a long range is exported whole, each row once, in day and path order, even a day with more pages than a slice', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const rows: PathDay[] = []
  for (let n = 0; n < 15; n++) {
    // One busy day has more pages than one read takes (500); paths are first counted in reverse order.
    const pages = n === 3 ? 1234 : 300
    for (let p = pages - 1; p >= 0; p--)
      rows.push({ day: daysAgo(db, n), path: `/posts/p-${String(p).padStart(4, '0')}`, views: 1 })
  }
  seedPaths(db, rows)
  const res = await author.get('/admin/stats.csv?range=30')
  const records = csvRecords(res.body)
  assert.equal(records.length, 14 * 300 + 1234)
  const keys = records.map((r) => `${r.day} ${r.path}`)
  assert.equal(new Set(keys).size, records.length, 'no row twice')
  assert.deepEqual(keys, [...keys].sort(), 'oldest day first, paths in order')
})

test('a bad range for the CSV gets the 400 page, not a file', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const res = await author.get('/admin/stats.csv?range=90')
  assert.equal(res.statusCode, 400)
  assert.match(res.headers['content-type'] as string, /^text\/html/)
  assert.equal(res.headers['content-disposition'], undefined)
  assert.match(res.body, /last 7 days, 30 days or 12 months/)
})
