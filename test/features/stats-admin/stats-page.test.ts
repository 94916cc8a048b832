// Checks /admin/stats as the author reads it: sign-in, the empty state, the three ranges, a refused range, top pages, sources, feed readers and escaping.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { signIn, snapshotDb } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'
import { createPage, createPost } from '../../helpers/fixtures.ts'
import { chartDays, sectionOf, tableDays, tableRows } from './page.ts'
import { daysAgo, seedFeed, seedPaths, seedSource } from './seed.ts'

test('the stats page and its export need a signed-in author', async (t) => {
  const { app } = await createTestApp(t)
  for (const url of ['/admin/stats?range=7', '/admin/stats.csv?range=7']) {
    const res = await app.inject({ url })
    assert.equal(res.statusCode, 303, url)
    assert.equal(res.headers.location, `/admin/login?next=${encodeURIComponent(url)}`)
    assert.doesNotMatch(res.body, /day,path/)
  }
})

test('before anything is counted, the page says counting starts with the next visit and nothing is stored on the reader’s device', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const res = await author.get('/admin/stats')
  assert.equal(res.statusCode, 200)
  assert.match(res.body, /<h2 id="stats-empty-title">Nothing counted yet<\/h2>/)
  assert.match(res.body, /Counting starts with the next visit/)
  assert.match(res.body, /Nothing is stored on the reader’s device: no cookie and no script/)
  assert.match(res.body, /README’s “Stats and privacy” section/)
  assert.doesNotMatch(res.body, /<svg|Download CSV/, 'no empty chart, nothing to download')
  assert.match(
    res.body,
    /<a href="\/admin\/stats" aria-current="page">30 days<\/a>/,
    'the last 30 days by default',
  )
})

test('a period with no visits says so and points to a longer one', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  seedPaths(db, [{ day: daysAgo(db, 100), path: '/', views: 4 }])
  const week = await author.get('/admin/stats?range=7')
  assert.match(week.body, /No visits in this period/)
  assert.doesNotMatch(week.body, /Nothing counted yet/)
  const year = await author.get('/admin/stats?range=365')
  assert.match(
    year.body,
    /<span class="stats-totals__label">Page views<\/span> <span class="big-number">4<\/span>/,
  )
})

test('7 days, 30 days and 12 months each show their own days, one bar and one table row a day', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  seedPaths(db, [
    { day: daysAgo(db, 1), path: '/', views: 1 },
    { day: daysAgo(db, 10), path: '/', views: 10 },
    { day: daysAgo(db, 100), path: '/', views: 100 },
    { day: daysAgo(db, 400), path: '/', views: 1000 },
  ])
  const expected = [
    { url: '/admin/stats?range=7', days: 7, views: '1', tab: '7 days' },
    { url: '/admin/stats', days: 30, views: '11', tab: '30 days' },
    { url: '/admin/stats?range=30', days: 30, views: '11', tab: '30 days' },
    { url: '/admin/stats?range=365', days: 365, views: '111', tab: '12 months' },
  ]
  for (const e of expected) {
    const res = await author.get(e.url)
    assert.equal(res.statusCode, 200, e.url)
    const pageViews = /Page views<\/span> <span class="big-number">([\d,]+)</.exec(res.body)?.[1]
    assert.equal(pageViews, e.views, e.url)
    const bars = chartDays(res.body)
    assert.equal(bars.size, e.days, `${e.url}: one bar a day`)
    assert.equal(tableDays(res.body).size, e.days, `${e.url}: one row a day`)
    assert.equal([...bars.keys()].at(-1), daysAgo(db, 0), 'the last bar is today')
    assert.equal([...bars.keys()][0], daysAgo(db, e.days - 1))
    assert.match(res.body, new RegExp(`aria-current="page">${e.tab}</a>`))
    assert.match(res.body, new RegExp(`href="/admin/stats.csv\\?range=${e.days}"`))
  }
})

test('an unknown range gets a 400 page that names it and links to the ranges there are', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  for (const url of [
    '/admin/stats?range=14',
    '/admin/stats?range=week',
    '/admin/stats?range=7&range=30',
    '/admin/stats.csv?range=0',
    `/admin/stats?range=${encodeURIComponent('<script>alert(1)</script>')}`,
  ]) {
    const res = await author.get(url)
    assert.equal(res.statusCode, 400, url)
    assert.match(res.headers['content-type'] as string, /^text\/html/)
    assert.match(res.body, /<p class="form-error" role="alert">/)
    for (const link of ['/admin/stats?range=7', '/admin/stats"', '/admin/stats?range=365']) {
      assert.ok(res.body.includes(`href="${link}`), `${url} links to ${link}`)
    }
    assert.doesNotMatch(res.body, /<script>/)
  }
  const hostile = await author.get(`/admin/stats?range=${encodeURIComponent('<script>alert(1)</script>')}`)
  assert.match(hostile.body, /<bdi>&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/bdi>/)
  const twice = await author.get('/admin/stats?range=7&range=30')
  assert.match(twice.body, /more than one range/)
})

test('top pages name posts and pages, link to them and to their editor, and give reads for long articles', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const long = createPost(db, { title: 'A long read', bodyMd: 'word '.repeat(1200) })
  const short = createPost(db, { title: 'A short note', bodyMd: 'Just a few words.' })
  const link = createPost(db, {
    title: 'A link',
    kind: 'link',
    linkUrl: 'https://example.org/',
    bodyMd: 'word '.repeat(1200),
  })
  const about = createPage(db, { title: 'About me', slug: 'about' })
  const day = daysAgo(db, 2)
  seedPaths(db, [
    { day, path: `/posts/${long.slug}`, views: 1500, visitors: 1000, reads: 250 },
    { day, path: `/posts/${short.slug}`, views: 40, visitors: 30, reads: 0 },
    { day, path: '/about', views: 20, visitors: 15 },
    { day, path: '/', views: 60, visitors: 50 },
    { day, path: `/posts/${link.slug}`, views: 10, visitors: 9 },
  ])
  const res = await author.get('/admin/stats?range=7')
  const pages = sectionOf(res.body, 'stats-pages-title')
  assert.deepEqual(
    tableRows(pages).map((r) => r.slice(1)),
    [
      ['1,500', '1,000', '250 (17% of views)'],
      ['60', '50', '–not counted'],
      ['40', '30', '–not counted'],
      ['20', '15', '–not counted'],
      ['10', '9', '–not counted'],
    ],
    'most viewed first; reads only where the end-of-article mark is (long articles, not link posts)',
  )
  assert.match(pages, new RegExp(`<a href="/posts/${long.slug}">A long read</a>`))
  assert.match(
    pages,
    new RegExp(`<a href="/admin/posts/${long.id}">Edit<span class="visually-hidden"> A long read`),
  )
  assert.match(pages, new RegExp(`<a href="/admin/pages/${about}">Edit`))
  assert.match(pages, /<a href="\/">Home<\/a>/)
  assert.match(res.body, /Reached the end<\/span> <span class="big-number">250</)
})

test('reaching the end is a share of views that never goes over 100%', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const long = createPost(db, { title: 'Read twice', bodyMd: 'word '.repeat(1200) })
  seedPaths(db, [{ day: daysAgo(db, 1), path: `/posts/${long.slug}`, views: 10, visitors: 8, reads: 14 }])
  const pages = sectionOf((await author.get('/admin/stats?range=7')).body, 'stats-pages-title')
  assert.deepEqual(tableRows(pages)[0]?.slice(1), ['10', '8', '14 (100% of views)'])
  assert.match(pages, /scrolls to it, or near it/)
})

test('referrers are grouped (search, fediverse, Hacker News …), with campaigns and the feed readers’ latest subscriber counts', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const [d1, d3] = [daysAgo(db, 1), daysAgo(db, 3)]
  seedPaths(db, [
    { day: d1, path: '/', views: 60 },
    { day: d3, path: '/', views: 40 },
  ])
  const referrer = (day: string, value: string, views: number) =>
    seedSource(db, { day, path: '/', kind: 'referrer', value, views })
  referrer(d1, 'google.com', 20)
  referrer(d3, 'duckduckgo.com', 5)
  referrer(d3, 'news.ycombinator.com/item', 30)
  referrer(d1, 'mastodon.social', 10)
  referrer(d1, 'example.org', 5)
  seedSource(db, { day: d1, path: '/', kind: 'campaign', value: 'newsletter', views: 7 })
  seedSource(db, { day: d3, path: '/', kind: 'campaign', value: 'newsletter', views: 3 })
  seedSource(db, { day: d3, path: '/', kind: 'campaign', value: 'talk', views: 2 })
  seedFeed(db, { day: d3, reader: 'Feedly', fetches: 48, subscribers: 120 })
  seedFeed(db, { day: d1, reader: 'Feedly', fetches: 48, subscribers: 118 })
  seedFeed(db, { day: d1, reader: 'NewsBlur', fetches: 12, subscribers: 0 })

  const res = await author.get('/admin/stats?range=7')
  assert.deepEqual(tableRows(sectionOf(res.body, 'stats-sources-title')), [
    ['Hacker News', '30', '30%'],
    ['Search', '25', '25%'],
    ['Fediverse', '10', '10%'],
    ['Other', '5', '5%'],
    ['No referrer (typed, bookmarked, from an app, or hidden by the browser)', '30', '30%'],
  ])
  assert.deepEqual(tableRows(sectionOf(res.body, 'stats-referrers-title')).slice(0, 2), [
    ['news.ycombinator.com/item', 'Hacker News', '30'],
    ['google.com', 'Search', '20'],
  ])
  assert.deepEqual(tableRows(sectionOf(res.body, 'stats-campaigns-title')), [
    ['newsletter', '10'],
    ['talk', '2'],
  ])
  const feeds = sectionOf(res.body, 'stats-feeds-title')
  assert.deepEqual(tableRows(feeds), [
    ['Feedly', '96', '118'],
    ['NewsBlur', '12', 'not reported'],
  ])
  assert.match(feeds, /<span class="big-number">118<\/span> subscribers reported by feed readers/)
})

test('a hostile path, referrer, campaign or reader name is shown as text, never as markup', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const day = daysAgo(db, 1)
  seedPaths(db, [
    { day, path: '/posts/"><script>alert(1)</script>', views: 3 },
    { day, path: 'javascript:alert(1)', views: 2 },
  ])
  seedSource(db, {
    day,
    path: '/',
    kind: 'referrer',
    value: '<img src=x onerror=alert(1)>.example',
    views: 2,
  })
  seedSource(db, { day, path: '/', kind: 'campaign', value: '"><svg onload=alert(1)>', views: 2 })
  seedFeed(db, { day, reader: '<b>Reader</b>', fetches: 1, subscribers: 5 })
  const res = await author.get('/admin/stats?range=7')
  assert.equal(res.statusCode, 200)
  assert.doesNotMatch(res.body, /<script>alert|<img src=x|<svg onload|<b>Reader/)
  assert.match(res.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/)
  assert.match(res.body, /&lt;img src=x onerror=alert\(1\)&gt;\.example/)
  assert.match(res.body, /&quot;&gt;&lt;svg onload=alert\(1\)&gt;/)
  assert.match(res.body, /&lt;b&gt;Reader&lt;\/b&gt;/)
  assert.doesNotMatch(res.body, /href="javascript:/, 'a stored path that is not this site’s is not a link')
  const svg = /<svg[\s\S]*?<\/svg>/.exec(res.body)?.[0] ?? ''
  assert.doesNotMatch(svg, /<script|alert/, 'the chart carries days and numbers only')
})

test('opening the stats page and its export writes nothing', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  seedPaths(db, [{ day: daysAgo(db, 3), path: '/', views: 5 }])
  await author.get('/admin/stats')
  const before = snapshotDb(db)
  for (const url of ['/admin/stats?range=7', '/admin/stats?range=365', '/admin/stats.csv?range=30']) {
    assert.equal((await author.get(url)).statusCode, 200)
  }
  assert.deepEqual(snapshotDb(db), before)
})
